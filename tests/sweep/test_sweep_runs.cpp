// [seed] Sweeps as a user runs them, through the `groundswell` command: the
// same data whichever way the points were computed (one process, MPI ranks,
// shards merged, a run killed and resumed), merge refusing what does not
// belong together, damaged parts detected; and docs/sweeps.md checked
// against a real file.
#include <hdf5.h>
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

extern char** environ;

namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("groundswell-sweep-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

/// Runs a shell command; returns its exit status (-1 if it did not exit). Output goes to `log`.
int shell(const std::string& command, const fs::path& log) {
  const int status = std::system((command + " > " + log.string() + " 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

int groundswell(const std::string& args, const fs::path& log) {
  return shell(std::string(GROUNDSWELL_BINARY) + " " + args, log);
}

/// Starts `groundswell args...` without waiting; output to /dev/null.
pid_t spawn(const std::vector<std::string>& args) {
  std::vector<std::string> all{GROUNDSWELL_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return rc == 0 ? pid : -1;
}

std::size_t parts_in(const fs::path& dir) {
  std::error_code ec;
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename().string().rfind("point-", 0) == 0 && e.path().extension() == ".part") ++n;
  return n;
}

/// Starts a sweep, waits until `parts` points are committed, then sends `sig`. Returns the wait status.
int interrupt_after(const std::vector<std::string>& args, const fs::path& parts_dir, std::size_t parts, int sig) {
  const pid_t pid = spawn(args);
  REQUIRE(pid > 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int status = 0;
  while (parts_in(parts_dir) < parts) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;  // ended before: the caller's REQUIRE fails
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ::kill(pid, sig);
  ::waitpid(pid, &status, 0);
  return status;
}

// --- comparing files: every dataset, bit for bit ---------------------------------------------------------------

herr_t collect(hid_t, const char* name, const H5O_info_t* info, void* out) {
  if (info->type == H5O_TYPE_DATASET) static_cast<std::set<std::string>*>(out)->insert(name);
  return 0;
}

std::set<std::string> datasets(hid_t file) {
  std::set<std::string> names;
  H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_NATIVE, collect, &names, H5O_INFO_BASIC);  // HDF5 1.10 (Debian 12)
  return names;
}

std::vector<char> raw(hid_t file, const std::string& name) {
  const hid_t ds = H5Dopen2(file, name.c_str(), H5P_DEFAULT);
  const hid_t type = H5Dget_type(ds);
  const hid_t space = H5Dget_space(ds);
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
  std::vector<char> out;
  if (H5Tget_class(type) == H5T_STRING) {  // variable-length strings: compare the text
    std::vector<char*> s(n);
    const hid_t mem = H5Tcopy(H5T_C_S1);
    H5Tset_size(mem, H5T_VARIABLE);
    H5Tset_cset(mem, H5T_CSET_UTF8);
    H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, s.data());
    for (char* p : s) {
      out.insert(out.end(), p, p + std::strlen(p) + 1);
      H5free_memory(p);
    }
    H5Tclose(mem);
  } else {
    out.resize(n * H5Tget_size(type));
    H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  }
  H5Sclose(space);
  H5Tclose(type);
  H5Dclose(ds);
  return out;
}

/// The datasets that differ between two sweep files (or exist in one only); empty when the data are identical.
std::vector<std::string> differences(const fs::path& a, const fs::path& b) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const hid_t fa = H5Fopen(a.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT),
              fb = H5Fopen(b.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(fa >= 0);
  REQUIRE(fb >= 0);
  std::vector<std::string> diff;
  const std::set<std::string> na = datasets(fa), nb = datasets(fb);
  for (const auto& n : na)
    if (!nb.count(n) || raw(fa, n) != raw(fb, n)) diff.push_back(n);
  for (const auto& n : nb)
    if (!na.count(n)) diff.push_back(n + " (only in " + b.string() + ")");
  H5Fclose(fa);
  H5Fclose(fb);
  return diff;
}

/// A small grid sweep: 12 points, two scenarios, curves stored.
const char* kSweep = R"(rule = "sdt"
[experiment]
name = "tiny_grid"
seed = 31
trials = 5
steps = 24
[organization]
size = 220
[mandate]
issuers = "top"
[[scenario]]
name = "champions"
champions = { count = 4, selection = "distributed", coalition = true }
[[scenario]]
name = "mandate_only"
[sweep]
design = "grid"
curves = true
[[sweep.parameter]]
name = "mandate.half_life"
values = [4, 13, inf]
[[sweep.parameter]]
name = "sdt.beta_s"
values = [0.1, 0.2, 0.3, 0.4]
)";

/// Slower points, so that a run can be stopped midway: 16 points of about 0.1 s.
const char* kSlowSweep = R"(rule = "sdt"
[experiment]
seed = 8
trials = 16
steps = 80
[organization]
size = 300
[mandate]
issuers = "top"
[[scenario]]
name = "a"
champions = { count = 6, selection = "distributed" }
[sweep]
design = "lhs"
samples = 16
[[sweep.parameter]]
name = "champions.count"
min = 0
max = 12
[[sweep.parameter]]
name = "mandate.half_life"
min = 4
max = 40
)";

fs::path write_sweep(const std::string& name, const std::string& text) {
  const fs::path p = scratch(name);
  std::ofstream(p) << text;
  return p;
}

std::string str(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x + "\n";
  return s;
}

}  // namespace

TEST_CASE("shards merged equal the single-process run, bit for bit", "[seed][sweep]") {
  const fs::path toml = write_sweep("shards.toml", kSweep), log = scratch("shards.log");
  const fs::path single = scratch("single.h5"), merged = scratch("merged.h5");
  REQUIRE(groundswell("sweep " + toml.string() + " -o " + single.string() + " --force --threads 2 -q", log) == 0);
  std::string shards;
  for (int i = 0; i < 5; ++i) {  // 12 points in 5 shards: uneven on purpose
    const fs::path s = scratch("shard" + std::to_string(i) + ".h5");
    REQUIRE(groundswell("sweep " + toml.string() + " --shard " + std::to_string(i) + "/5 -o " + s.string() +
                            " --force --threads 1 -q",
                        log) == 0);
    shards += " " + s.string();
  }
  REQUIRE(groundswell("merge" + shards + " -o " + merged.string() + " --force", log) == 0);
  INFO(read(log));
  CHECK(str(differences(single, merged)).empty());
  CHECK_FALSE(fs::exists(scratch("single.h5.parts")));  // parts are removed once the file is whole
}

TEST_CASE("merge refuses shards of different sweeps, gaps and overlaps", "[seed][sweep]") {
  const fs::path toml = write_sweep("refuse.toml", kSweep), log = scratch("refuse.log");
  std::string text = kSweep;
  text.replace(text.find("seed = 31"), 9, "seed = 32");
  const fs::path other = write_sweep("other.toml", text);
  for (int i = 0; i < 3; ++i)
    REQUIRE(groundswell("sweep " + toml.string() + " --shard " + std::to_string(i) + "/3 -o " +
                            scratch("r" + std::to_string(i) + ".h5").string() + " --force --threads 1 -q",
                        log) == 0);
  REQUIRE(groundswell("sweep " + other.string() + " --shard 2/3 -o " + scratch("o2.h5").string() + " --force -q",
                      log) == 0);
  const std::string r0 = scratch("r0.h5").string(), r1 = scratch("r1.h5").string(), r2 = scratch("r2.h5").string();
  const std::string out = " -o " + scratch("bad.h5").string();

  CHECK(groundswell("merge " + r0 + " " + r1 + out, log) == 2);
  CHECK_THAT(read(log), Catch::Contains("uncovered") && Catch::Contains("2, 5, 8, 11"));
  CHECK(groundswell("merge " + r0 + " " + r1 + " " + scratch("o2.h5").string() + out, log) == 2);
  CHECK_THAT(read(log), Catch::Contains("another sweep"));
  CHECK(groundswell("merge " + r0 + " " + r1 + " " + r2 + " " + r1 + out, log) == 2);
  CHECK_THAT(read(log), Catch::Contains("is in both"));
  CHECK_FALSE(fs::exists(scratch("bad.h5")));
}

TEST_CASE("a sweep killed with SIGKILL midway and resumed equals the uninterrupted run", "[seed][sweep]") {
  const fs::path toml = write_sweep("slow.toml", kSlowSweep), log = scratch("kill.log");
  const fs::path whole = scratch("whole.h5"), resumed = scratch("resumed.h5"), parts = scratch("resumed.h5.parts");
  REQUIRE(groundswell("sweep " + toml.string() + " -o " + whole.string() + " --force --threads 2 -q", log) == 0);
  fs::remove_all(parts);
  fs::remove(resumed);
  const int status =
      interrupt_after({"sweep", toml.string(), "-o", resumed.string(), "--threads", "2"}, parts, 3, SIGKILL);
  REQUIRE(WIFSIGNALED(status));  // killed, not finished
  CHECK_FALSE(fs::exists(resumed));
  const std::size_t kept = parts_in(parts);
  CHECK(kept >= 3);
  CHECK(kept < 16);
  // Without --resume the earlier parts are not silently reused or lost.
  CHECK(groundswell("sweep " + toml.string() + " -o " + resumed.string(), log) == 2);
  CHECK_THAT(read(log), Catch::Contains("--resume"));
  REQUIRE(groundswell("sweep " + toml.string() + " -o " + resumed.string() + " --resume --threads 1", log) == 0);
  CHECK_THAT(read(log), Catch::Contains("reused " + std::to_string(kept)));
  CHECK(str(differences(whole, resumed)).empty());
  // Resuming a complete file does nothing.
  REQUIRE(groundswell("sweep " + toml.string() + " -o " + resumed.string() + " --resume", log) == 0);
  CHECK_THAT(read(log), Catch::Contains("already complete"));
}

TEST_CASE("SIGTERM stops a sweep at a boundary, and damaged parts are reported and recomputed", "[seed][sweep]") {
  const fs::path toml = write_sweep("term.toml", kSlowSweep), log = scratch("term.log");
  const fs::path whole = scratch("term_whole.h5"), out = scratch("term.h5"), parts = scratch("term.h5.parts");
  REQUIRE(groundswell("sweep " + toml.string() + " -o " + whole.string() + " --force --threads 2 -q", log) == 0);
  fs::remove_all(parts);
  fs::remove(out);
  const int status = interrupt_after({"sweep", toml.string(), "-o", out.string(), "--threads", "2"}, parts, 2, SIGTERM);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 143);
  REQUIRE(parts_in(parts) >= 2);
  {  // flip a byte in the middle of a committed part
    const fs::path victim = parts / "point-00000001.part";
    REQUIRE(fs::exists(victim));
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(victim) / 2));
    f.put('\x7f');
  }
  REQUIRE(groundswell("sweep " + toml.string() + " -o " + out.string() + " --resume --threads 2", log) == 0);
  CHECK_THAT(read(log),
             Catch::Contains("damaged part") && Catch::Contains("point-00000001.part") && Catch::Contains("checksum"));
  CHECK(str(differences(whole, out)).empty());
}

TEST_CASE("parts of another sweep are refused, not used", "[seed][sweep]") {
  const fs::path toml = write_sweep("mix.toml", kSlowSweep), log = scratch("mix.log");
  const fs::path out = scratch("mix.h5"), parts = scratch("mix.h5.parts");
  fs::remove_all(parts);
  fs::remove(out);
  const int status = interrupt_after({"sweep", toml.string(), "-o", out.string(), "--threads", "2"}, parts, 1, SIGKILL);
  REQUIRE(WIFSIGNALED(status));
  std::string text = kSlowSweep;
  text.replace(text.find("max = 12"), 8, "max = 11");
  std::ofstream(toml) << text;  // the scenario file changed between the runs
  CHECK(groundswell("sweep " + toml.string() + " -o " + out.string() + " --resume", log) == 2);
  CHECK_THAT(read(log), Catch::Contains("another sweep"));
  CHECK(parts_in(parts) >= 1);  // left as they were
}

TEST_CASE("docs/sweeps.md describes every dataset of a sweep file", "[unit][sweep]") {
  const fs::path toml = write_sweep("doc.toml", std::string(kSweep) + "\n"), log = scratch("doc.log");
  std::string saltelli = kSlowSweep;
  saltelli.replace(saltelli.find("design = \"lhs\""), 14, "design = \"saltelli\"");
  saltelli.replace(saltelli.find("samples = 16"), 12, "samples = 2\ncurves = true");
  const fs::path stoml = write_sweep("doc_saltelli.toml", saltelli);
  const fs::path grid = scratch("doc.h5"), salt = scratch("doc_saltelli.h5");
  REQUIRE(groundswell("sweep " + toml.string() + " -o " + grid.string() + " --force -q", log) == 0);
  REQUIRE(groundswell("sweep " + stoml.string() + " -o " + salt.string() + " --force -q", log) == 0);

  // Rows of the dictionary: | `path` | dtype ... | shape | meaning |
  std::set<std::string> documented;
  std::ifstream in(GROUNDSWELL_SOURCE_DIR "/docs/sweeps.md");
  const std::regex row(R"(^\| `([a-zA-Z_0-9/<>.]+)` \| (float32|float64|int32|uint64|string))");
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, row)) documented.insert(m[1]);
  }
  REQUIRE(documented.size() > 10);
  // Dataset names with scenario, parameter, metric and curve names replaced by their placeholders.
  const std::regex scenario(R"(^scenarios/[^/]+/)"), parameter(R"(^parameters/[^/]+/)");
  const std::regex metric(
      R"(/metrics/(final_internalized|final_adopted|t50_internalized|t50|peak_compliance|peak_resistance|departments_internalized|departments_reached)/)");
  const std::regex curve(R"(/curves/(N|C|A|R|mean_autonomy|mean_competence|mean_relatedness|mean_pressure)/)");
  std::set<std::string> found;
  for (const fs::path& file : {grid, salt}) {
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    for (std::string name : datasets(f)) {
      const bool t50_only = name.find("/reached") != std::string::npos;
      name = std::regex_replace(name, scenario, "scenarios/<scenario>/");
      name = std::regex_replace(name, parameter, "parameters/<parameter>/");
      if (!t50_only) name = std::regex_replace(name, metric, "/metrics/<metric>/");
      name = std::regex_replace(name, curve, "/curves/<curve>/");
      found.insert(name);
    }
    H5Fclose(f);
  }
  for (const auto& n : found) {
    INFO("in the file, not in docs/sweeps.md: " << n);
    CHECK(documented.count(n) == 1);
  }
  for (const auto& n : documented) {
    INFO("in docs/sweeps.md, not in a file: " << n);
    CHECK(found.count(n) == 1);
  }
}

#ifdef GROUNDSWELL_MPIEXEC
// Tagged [mpi], not [seed]: ThreadSanitizer (scripts/ci-extra runs "[seed]") cannot see inside Open MPI.
TEST_CASE("mpirun -n 2 writes the same sweep file as one process", "[mpi][sweep]") {
  const fs::path toml = write_sweep("mpi.toml", kSweep), log = scratch("mpi.log");
  const fs::path single = scratch("mpi_single.h5"), ranks = scratch("mpi_ranks.h5");
  REQUIRE(groundswell("sweep " + toml.string() + " -o " + single.string() + " --force --threads 2 -q", log) == 0);
  // --oversubscribe: more ranks than cores on a small machine; --allow-run-as-root: CI containers run as root.
  // Under AddressSanitizer, leak checking is off for this run only: Open MPI keeps allocations until exit.
  const std::string mpirun = std::string("ASAN_OPTIONS=\"${ASAN_OPTIONS:-}:detect_leaks=0\" timeout 120 ") +
                             GROUNDSWELL_MPIEXEC + " -n 2 --oversubscribe --allow-run-as-root ";
  const int rc = shell(
      mpirun + GROUNDSWELL_BINARY + " sweep " + toml.string() + " -o " + ranks.string() + " --force --threads 1", log);
  INFO(read(log));
  REQUIRE(rc == 0);
  CHECK_THAT(read(log), Catch::Contains("2 rank(s)"));
  CHECK(str(differences(single, ranks)).empty());
}
#endif
