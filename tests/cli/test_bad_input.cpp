// Issue 5 as a user meets it: the real `groundswell` binary on each bad input
// (scenario files, network files, command lines, sizes that cannot fit), on
// signals, and on a full disk. Every error must give the documented exit
// status, exactly one clear line on stderr (no stack trace, no "terminate
// called", no sanitizer report), nothing on stdout, and no output file nor a
// temporary left behind. Messages and statuses are described in docs/errors.md.
#include <hdf5.h>
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;

/// A fresh directory for one case, removed at the end.
class Scratch {
 public:
  Scratch() {
    std::string pattern = (fs::temp_directory_path() / "groundswell-bad-input-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~Scratch() {
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(path_, ec))
      fs::permissions(entry.path(), fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;

  const fs::path& path() const { return path_; }
  void write(const std::string& name, const std::string& content) const {
    fs::create_directories((path_ / name).parent_path());
    std::ofstream out(path_ / name, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
  }
  /// Files left in the directory (recursively) whose name marks an output or a temporary.
  std::vector<std::string> leftovers(const std::string& output = "out.h5") const {
    std::vector<std::string> found;
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(path_, ec)) {
      const std::string name = entry.path().filename().string();
      if (entry.is_directory(ec)) continue;
      if (name == output || name.find(".tmp") != std::string::npos) found.push_back(name);
    }
    return found;
  }

 private:
  fs::path path_;
};

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

struct Outcome {
  int status = -1;  ///< exit status, or -1 if killed by a signal
  int signal = 0;   ///< the signal that killed it, if any
  std::string out, err;
};

/// Starts the binary in `cwd` with stdout and stderr captured to files; as
/// user nobody when `as_nobody` and we are root (so that permissions apply).
pid_t spawn(const std::vector<std::string>& args, const fs::path& cwd, const fs::path& out, const fs::path& err,
            bool as_nobody = false) {
  std::vector<std::string> words{GROUNDSWELL_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  const bool drop = as_nobody && ::geteuid() == 0;
  const pid_t pid = ::fork();
  if (pid == 0) {  // only async-signal-safe calls until exec
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (o < 0 || e < 0 || ::dup2(o, 1) < 0 || ::dup2(e, 2) < 0 || ::chdir(cwd.c_str()) != 0) ::_exit(126);
    if (drop && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

Outcome finish(pid_t pid, const fs::path& out, const fs::path& err) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  Outcome r;
  if (WIFEXITED(status)) r.status = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

/// Runs the binary to the end. Captures go beside the scratch directory, not in it.
Outcome run(const std::vector<std::string>& args, const Scratch& dir, bool as_nobody = false) {
  const fs::path out = dir.path().string() + ".stdout", err = dir.path().string() + ".stderr";
  Outcome r = finish(spawn(args, dir.path(), out, err, as_nobody), out, err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

/// The checks every error must pass: one line, "groundswell: ..." with the
/// expected fragments, nothing that looks like a crash.
void check_one_clear_line(const std::string& err, const std::vector<std::string>& fragments) {
  INFO("stderr: " << err);
  REQUIRE(!err.empty());
  CHECK(err.back() == '\n');
  CHECK(err.find('\n') == err.size() - 1);  // exactly one line
  CHECK(err.rfind("groundswell: ", 0) == 0);
  for (const char* crash : {"terminate called", "what():", "Aborted", "Segmentation", "Sanitizer",
                            "runtime error:", "HDF5-DIAG", "#0 ", "Traceback"})
    CHECK(err.find(crash) == std::string::npos);
  for (const auto& fragment : fragments) CHECK(err.find(fragment) != std::string::npos);
}

const std::string kHeader = "[experiment]\nseed = 7\ntrials = 3\nsteps = 10\n";
const std::string kFileOrg =
    kHeader + "[organization]\ngenerator = \"file\"\nnodes = \"nodes.csv\"\nedges = \"edges.csv\"\n";
const std::string kNodes = "id,department,manager,level\na,X,,0\nb,X,a,1\nc,Y,a,1\n";
const std::string kNodesHeader = "id,department,manager,level\n";
const std::string kEdges = "source,target,weight,type\nb,a,1,formal\nc,a,1,formal\nb,c,0.5,informal\n";
const std::string kEdgesHeader = "source,target,weight,type\n";
const std::vector<std::string> kRun = {"run", "s.toml", "-o", "out.h5"};

struct Case {
  const char* what;
  std::map<std::string, std::string> files;  ///< name -> content, in the scratch directory
  std::vector<std::string> args;             ///< command line after the binary
  int status;
  std::vector<std::string> fragments;  ///< the message must hold each of these
};

void check_cases(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    SECTION(c.what) {
      Scratch dir;
      for (const auto& [name, content] : c.files) dir.write(name, content);
      const Outcome r = run(c.args, dir);
      INFO(c.what << "\nstderr: " << r.err);
      CHECK(r.signal == 0);
      CHECK(r.status == c.status);
      CHECK(r.out.empty());
      check_one_clear_line(r.err, c.fragments);
      CHECK(dir.leftovers().empty());
    }
  }
}

std::string long_line() { return std::string((std::size_t{1} << 20) + 10, 'x'); }

double available_gb() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  double kb = 0;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb / 1e6;
  return 0;
}

}  // namespace

TEST_CASE("bad scenario files: status 2, one line naming file, line, key and fix", "[unit][cli]") {
  check_cases({
      {"syntax error", {{"s.toml", kHeader + "[sdt\nbeta0 = 1\n"}}, kRun, 2, {"s.toml:5:", "TOML syntax error"}},
      {"unknown key",
       {{"s.toml", kHeader + "[sdt]\nbeta_0 = 0.1\n"}},
       kRun,
       2,
       {"s.toml:6:", "unknown key 'sdt.beta_0'", "did you mean 'sdt.beta0'?"}},
      {"unknown section",
       {{"s.toml", kHeader + "[mandat]\nissuers = \"top\"\n"}},
       kRun,
       2,
       {"unknown key 'mandat'", "did you mean 'mandate'?"}},
      {"unknown scenario key",
       {{"s.toml", kHeader + "[[scenario]]\nname = \"x\"\nchampion = { count = 1 }\n"}},
       kRun,
       2,
       {"scenario \"x\"", "unknown key 'champion'", "did you mean 'champions'?"}},
      {"wrong type",
       {{"s.toml", kHeader + "[organization]\nsize = \"big\"\n"}},
       kRun,
       2,
       {"s.toml:6:", "'organization.size'", "must be an integer, got a string"}},
      {"wrong type bool",
       {{"s.toml", kHeader + "[champions]\ncoalition = 1\n"}},
       kRun,
       2,
       {"'champions.coalition'", "must be true or false, got an integer"}},
      {"out of range",
       {{"s.toml", kHeader + "[sdt]\ngamma_c = 1.5\n"}},
       kRun,
       2,
       {"s.toml:6:", "'sdt.gamma_c'", "= 1.5", "out of range: allowed [0, 1]"}},
      {"out of range open interval",
       {{"s.toml", kHeader + "[mandate]\nhalf_life = 0\n"}},
       kRun,
       2,
       {"'mandate.half_life'", "= 0", "(0, inf]"}},
      {"zero trials in the file",
       {{"s.toml", "[experiment]\nseed = 1\ntrials = 0\nsteps = 3\n"}},
       kRun,
       2,
       {"'experiment.trials'", "= 0", "allowed [1, 100000000]"}},
      {"size beyond the limit",
       {{"s.toml", kHeader + "[organization]\nsize = 300000000\n"}},
       kRun,
       2,
       {"'organization.size'", "= 300000000", "allowed [1, 200000000]"}},
      {"bad choice",
       {{"s.toml", kHeader + "[champions]\nselection = \"best\"\n"}},
       kRun,
       2,
       {"'champions.selection'", "\"best\"", "\"distributed\""}},
      {"missing experiment section",
       {{"s.toml", "rule = \"sdt\"\n"}},
       kRun,
       2,
       {"s.toml:", "missing section [experiment]"}},
      {"missing seed",
       {{"s.toml", "[experiment]\ntrials = 1\nsteps = 1\n"}},
       kRun,
       2,
       {"missing key 'experiment.seed'"}},
      {"missing scenario name",
       {{"s.toml", kHeader + "[[scenario]]\ndescription = \"x\"\n"}},
       kRun,
       2,
       {"needs a name"}},
      {"missing network tables",
       {{"s.toml", kHeader + "[organization]\ngenerator = \"file\"\n"}},
       kRun,
       2,
       {"needs both 'organization.nodes' and 'organization.edges'"}},
      {"more champions than agents",
       {{"s.toml", kHeader + "[organization]\nsize = 10\n[champions]\ncount = 11\n"}},
       kRun,
       2,
       {"champions.count = 11 exceeds organization.size = 10"}},
      {"level beyond the hierarchy's depth",
       {{"s.toml", kHeader + "[organization]\nsize = 57\n[mandate]\nissuers = \"leaders\"\nlevels = 3\n"}},
       kRun,
       2,
       {"mandate.levels = 3", "beyond the hierarchy's depth", "levels 0..2"}},
      {"leaders without a hierarchy",
       {{"s.toml", kHeader + "[organization]\ngenerator = \"erdos_renyi\"\n[mandate]\nissuers = \"leaders\"\n"}},
       kRun,
       2,
       {"mandate.issuers = \"leaders\" needs managers", "\"erdos_renyi\""}},
      {"bridges with one department",
       {{"s.toml", kHeader + "[organization]\ngenerator = \"erdos_renyi\"\n[connectors]\nbridges = 3\n"}},
       kRun,
       2,
       {"connectors.bridges = 3 needs at least two departments"}},
      {"motivation weights above one",
       {{"s.toml", kHeader + "[sdt]\nw_a = 0.5\nw_c = 0.5\nw_r = 0.5\n"}},
       kRun,
       2,
       {"sdt.w_a + sdt.w_c + sdt.w_r = 1.5 exceeds 1"}},
      {"mandate with a classic rule",
       {{"s.toml", "rule = \"bass\"\n" + kHeader + "[mandate]\nissuers = \"top\"\n"}},
       kRun,
       2,
       {"rule \"sdt\" only"}},
      {"duplicate scenario names",
       {{"s.toml", kHeader + "[[scenario]]\nname = \"a\"\n[[scenario]]\nname = \"a\"\n"}},
       kRun,
       2,
       {"s.toml:8:", "duplicate scenario name \"a\""}},
      {"non-ASCII outside a string",
       {{"s.toml", kHeader + "[sdt]\nbeta\xC3\xA9 = 1\n"}},
       kRun,
       2,
       {"s.toml:6:5:", "non-ASCII character outside a string"}},
      {"empty scenario file", {{"s.toml", ""}}, kRun, 2, {"s.toml: missing section [experiment]"}},
      {"binary scenario file",
       {{"s.toml", std::string("\x7F"
                               "ELF\x02\x01\x01\0\0\0\0",
                               11)}},
       kRun,
       2,
       {"s.toml:1:1:", "TOML syntax error"}},
      {"scenario file not there", {}, kRun, 2, {"s.toml: scenario file not found"}},
      {"scenario file is a directory", {{"s.toml/x", ""}}, kRun, 2, {"s.toml: is a directory"}},
  });
}

TEST_CASE("bad network files: status 2, one line naming the table, the line and the fault", "[unit][cli]") {
  const auto tables = [](const std::string& nodes, const std::string& edges) {
    return std::map<std::string, std::string>{{"s.toml", kFileOrg}, {"nodes.csv", nodes}, {"edges.csv", edges}};
  };
  check_cases({
      {"node table not there",
       {{"s.toml", kFileOrg}, {"edges.csv", kEdges}},
       kRun,
       2,
       {"nodes.csv: node table not found"}},
      {"edge table not there",
       {{"s.toml", kFileOrg}, {"nodes.csv", kNodes}},
       kRun,
       2,
       {"edges.csv: edge table not found"}},
      {"node table is a directory",
       {{"s.toml", kFileOrg}, {"nodes.csv/x", ""}, {"edges.csv", kEdges}},
       kRun,
       2,
       {"nodes.csv: is a directory"}},
      {"empty node table", tables("", kEdges), kRun, 2, {"nodes.csv: file is empty"}},
      {"empty edge table", tables(kNodes, ""), kRun, 2, {"edges.csv: file is empty"}},
      {"header only", tables(kNodesHeader, kEdges), kRun, 2, {"nodes.csv: has a header but no rows"}},
      {"missing column",
       tables("id,department,level\na,X,0\n", kEdges),
       kRun,
       2,
       {"nodes.csv:1:", "lacks the column \"manager\""}},
      {"missing edge column",
       tables(kNodes, "source,target,weight\nb,a,1\n"),
       kRun,
       2,
       {"edges.csv:1:", "lacks the column \"type\""}},
      {"extra edge columns",
       tables(kNodes, "source,target,weight,type,note\nb,a,1,formal,x\n"),
       kRun,
       2,
       {"edges.csv:1:", "unexpected column \"note\""}},
      {"row with a missing field",
       tables(kNodesHeader + "a,X,,0\nb,X,a\n", kEdges),
       kRun,
       2,
       {"nodes.csv:3:", "row has 3 fields but the header has 4"}},
      {"row with an extra field",
       tables(kNodes, kEdgesHeader + "b,a,1,formal,9\n"),
       kRun,
       2,
       {"edges.csv:2:", "row has 5 fields but the header has 4"}},
      {"duplicate id",
       tables(kNodesHeader + "a,X,,0\nb,X,a,1\na,Y,,0\n", kEdges),
       kRun,
       2,
       {"nodes.csv:4:", "id \"a\" is already used on line 2"}},
      {"unknown manager",
       tables(kNodesHeader + "a,X,,0\nb,X,zed,1\n", kEdgesHeader),
       kRun,
       2,
       {"nodes.csv:3:", "manager \"zed\" is not an id"}},
      {"unknown source id",
       tables(kNodes, kEdgesHeader + "zed,a,1,formal\n"),
       kRun,
       2,
       {"edges.csv:2:", "source \"zed\" is not an id in"}},
      {"unknown target id",
       tables(kNodes, kEdgesHeader + "b,zed,1,formal\n"),
       kRun,
       2,
       {"edges.csv:2:", "target \"zed\" is not an id in"}},
      {"duplicate tie",
       tables(kNodes, kEdgesHeader + "b,a,1,formal\nb,a,2,informal\n"),
       kRun,
       2,
       {"edges.csv:3:", "already given on line 2"}},
      {"non-numeric weight",
       tables(kNodes, kEdgesHeader + "b,a,strong,formal\n"),
       kRun,
       2,
       {"edges.csv:2:", "weight \"strong\" must be a number > 0"}},
      {"NaN weight",
       tables(kNodes, kEdgesHeader + "b,a,nan,formal\n"),
       kRun,
       2,
       {"weight \"nan\" must be a number > 0"}},
      {"infinite weight",
       tables(kNodes, kEdgesHeader + "b,a,inf,formal\n"),
       kRun,
       2,
       {"weight \"inf\" must be a number > 0"}},
      {"weight beyond float",
       tables(kNodes, kEdgesHeader + "b,a,1e40,formal\n"),
       kRun,
       2,
       {"weight \"1e40\" is out of range"}},
      {"zero weight", tables(kNodes, kEdgesHeader + "b,a,0,formal\n"), kRun, 2, {"weight \"0\" must be a number > 0"}},
      {"negative weight",
       tables(kNodes, kEdgesHeader + "b,a,-0.5,formal\n"),
       kRun,
       2,
       {"weight \"-0.5\" must be a number > 0"}},
      {"self-loop",
       tables(kNodes, kEdgesHeader + "b,b,1,informal\n"),
       kRun,
       2,
       {"edges.csv:2:", "cannot listen to themselves"}},
      {"own manager", tables(kNodesHeader + "a,X,,0\nb,X,b,1\n", kEdgesHeader), kRun, 2, {"is the person's own id"}},
      {"manager cycle",
       tables(kNodesHeader + "top,X,,0\na,X,c,1\nb,X,a,2\nc,X,b,3\n", kEdgesHeader),
       kRun,
       2,
       {"nodes.csv:3:", "the manager chain is a cycle"}},
      {"level too large",
       tables(kNodesHeader + "a,X,,2147483647\n", kEdgesHeader),
       kRun,
       2,
       {"nodes.csv:2:", "level \"2147483647\" is too large"}},
      {"binary node table",
       tables(std::string("\x7F"
                          "ELF\x02\x01\x01\0\0\0",
                          10),
              kEdges),
       kRun,
       2,
       {"nodes.csv:1:", "looks binary"}},
      {"UTF-16 edge table",
       tables(kNodes, std::string("\xFF\xFEs\0o\0", 6)),
       kRun,
       2,
       {"edges.csv:1:", "not valid UTF-8"}},
      {"very long line",
       tables(kNodesHeader + "a,X,,0\n" + long_line() + "\n", kEdges),
       kRun,
       2,
       {"nodes.csv:3:", "longer than 1 MiB"}},
      {"no line break at all",
       tables(kNodes, long_line() + long_line()),
       kRun,
       2,
       {"edges.csv:1:", "longer than 1 MiB"}},
  });
}

TEST_CASE("network file faults found at run time leave no output", "[unit][cli]") {
  // Contradictions between the scenario and the organization it reads.
  Scratch dir;
  dir.write("nodes.csv", kNodes);
  dir.write("edges.csv", kEdges);
  dir.write("c.toml", kFileOrg + "[champions]\ncount = 5\n");
  dir.write("l.toml", kFileOrg + "[mandate]\nissuers = \"leaders\"\nlevels = 2\n");
  const Outcome c = run({"run", "c.toml", "-o", "out.h5"}, dir);
  CHECK(c.status == 2);
  check_one_clear_line(c.err, {"champions.count = 5 exceeds the organization's 3 agents"});
  const Outcome l = run({"run", "l.toml", "-o", "out.h5"}, dir);
  CHECK(l.status == 2);
  check_one_clear_line(l.err, {"mandate.levels = 2 is beyond the organization's depth (levels 0..1)"});
  CHECK(dir.leftovers().empty());
}

namespace {
std::map<std::string, std::string> writer_inputs();  // below, with the writers' tests
}  // namespace

TEST_CASE("bad command lines: status 2, one line, nothing written", "[unit][cli]") {
  const std::map<std::string, std::string> ok = {{"s.toml", kHeader + "[organization]\nsize = 50\n"}};
  const std::map<std::string, std::string> rec = {
      {"s.toml", kHeader + "[organization]\nsize = 50\n[[scenario]]\nname = \"a\"\nchampions = { count = 2 }\n"}};
  auto with = [&](std::initializer_list<std::pair<const std::string, std::string>> more) {
    auto files = ok;
    files.insert(more);
    return files;
  };
  auto args = [](std::initializer_list<std::string> more) {
    std::vector<std::string> a = kRun;
    a.insert(a.end(), more);
    return a;
  };
  check_cases({
      {"no subcommand", ok, {}, 2, {"A subcommand is required", "(see groundswell --help)"}},
      {"unknown option", ok, args({"--bogus"}), 2, {"--bogus", "(see groundswell --help)"}},
      {"unknown subcommand option", ok, {"info", "--bogus", "x.h5"}, 2, {"--bogus"}},
      {"missing output option", ok, {"run", "s.toml"}, 2, {"--output is required"}},
      {"zero trials", ok, args({"--trials", "0"}), 2, {"--trials", "Value 0 not in range 1 to 100000000"}},
      {"negative trials", ok, args({"--trials", "-5"}), 2, {"--trials", "-5"}},
      {"fractional trials", ok, args({"--trials", "1.5"}), 2, {"--trials", "1.5"}},
      {"zero threads", ok, args({"--threads", "0"}), 2, {"--threads", "Value 0 not in range 1 to 4096"}},
      {"negative threads", ok, args({"--threads", "-1"}), 2, {"--threads", "Value -1 not in range"}},
      {"non-numeric threads", ok, args({"--threads", "many"}), 2, {"--threads", "many"}},
      {"negative seed", ok, args({"--seed", "-3"}), 2, {"--seed: must be a whole number >= 0, got -3"}},
      {"negative export trial",
       ok,
       {"network", "export", "s.toml", "--trial", "-1", "-o", "out.h5"},
       2,
       {"--trial: must be a whole number >= 0, got -1"}},
      {"export trial beyond the experiment",
       ok,
       {"network", "export", "s.toml", "--trial", "3", "-o", "out.h5"},
       2,
       {"--trial 3 is beyond the experiment's 3 trials (0..2)"}},
      {"output in a missing directory",
       ok,
       {"run", "s.toml", "-o", "no/such/dir/out.h5"},
       2,
       {"output no/such/dir/out.h5: directory no/such/dir does not exist; create it first"}},
      {"output in a directory that takes no files",
       ok,
       {"run", "s.toml", "-o", "/proc/out.h5"},
       2,
       {"output /proc/out.h5: cannot create files in directory /proc"}},
      {"output is a directory", with({{"out.h5/x", ""}}), kRun, 2, {"output out.h5 is a directory"}},
      {"output is not a file name", ok, {"run", "s.toml", "-o", "sub/"}, 2, {"is not a file name"}},
      {"output is not a regular file",
       ok,
       {"run", "s.toml", "-o", "/dev/null", "--force"},
       2,
       {"output /dev/null exists and is not a regular file"}},
      {"output is the scenario file",
       ok,
       {"run", "s.toml", "-o", "s.toml", "--force"},
       2,
       {"output s.toml is the scenario file s.toml this command reads"}},
      {"tables into a file",
       ok,
       {"network", "export", "s.toml", "-o", "s.toml"},
       2,
       {"output s.toml is not a directory; give the directory for nodes.csv and edges.csv"}},
      {"info on a file that is not HDF5", ok, {"info", "s.toml"}, 2, {"s.toml: not an HDF5 file"}},
      {"info on a missing file", ok, {"info", "missing.h5"}, 2, {"missing.h5: file not found"}},
      {"recommend without --count", ok, {"recommend", "s.toml", "-o", "out.h5"}, 2, {"--count is required"}},
      {"recommend with no champions to choose",
       ok,
       {"recommend", "s.toml", "--count", "2", "-o", "out.h5"},
       2,
       {"no scenario of s.toml has champions; name one with --scenario"}},
      {"recommend an unknown scenario",
       rec,
       {"recommend", "s.toml", "--count", "2", "--scenario", "nope", "-o", "out.h5"},
       2,
       {"--scenario nope: no such scenario in s.toml"}},
      {"recommend a bad objective",
       rec,
       {"recommend", "s.toml", "--count", "2", "--scenario", "a", "--objective", "speed", "-o", "out.h5"},
       2,
       {"--objective speed: use internalized"}},
      {"recommend a target without a curve",
       rec,
       {"recommend", "s.toml", "--count", "2", "--scenario", "a", "--target", "0.5@10", "-o", "out.h5"},
       2,
       {"--target needs --curve"}},
      {"recommend a malformed curve",
       rec,
       {"recommend", "s.toml", "--count", "2", "--scenario", "a", "--curve", "0:5", "-o", "out.h5"},
       2,
       {"--curve 0:5: give FROM:TO:STEP"}},
      {"recommend an unknown person",
       rec,
       {"recommend", "s.toml", "--count", "2", "--scenario", "a", "--exclude", "ceo", "-o", "out.h5"},
       2,
       {"--exclude ceo: ceo is neither an id of the organization's data nor a number in 0..49"}},
      {"recommend an empty shortlist",
       rec,
       {"recommend", "s.toml", "--count", "2", "--scenario", "a", "--candidates", "top:0", "-o", "out.h5"},
       2,
       {"--candidates top:0: give top:N with N >= 1 (the N most listened to), all, or a list of ids"}},
      {"recommend requires someone --formal-only forbids",
       rec,
       {"recommend", "s.toml", "--count", "2", "--scenario", "a", "--require", "49", "--formal-only", "-q", "-o",
        "out.h5"},
       2,
       {"--require 49: is not a formal leader, and --formal-only allows only formal leaders"}},
      {"calibrate --set of a free parameter, spaces around the key",
       writer_inputs(),
       {"calibrate", "c.toml", "--set", "bass.p = 0.01", "-o", "out.h5"},
       2,
       {"--set bass.p = 0.01: bass.p is a free parameter of the calibration"}},
      {"calibrate --set meets the calibration file's own checks",
       writer_inputs(),
       {"calibrate", "c.toml", "--set", "rule=threshold", "-o", "out.h5"},
       2,
       {"c.toml:", "parameter \"bass.p\" has no effect under rule \"threshold\""}},
      {"sweep --set of a swept key, spaces around the key",
       writer_inputs(),
       {"sweep", "w.toml", "--set", "sdt.beta_s =0.3", "-o", "out.h5"},
       2,
       {"sweep parameter sdt.beta_s is varied by the design"}},
  });
}

TEST_CASE("an existing output is refused without --force and kept intact when a run fails", "[unit][cli]") {
  Scratch dir;
  dir.write("s.toml", kHeader + "[organization]\nsize = 50\n");
  dir.write("out.h5", "precious");
  const Outcome refused = run(kRun, dir);
  CHECK(refused.status == 2);
  check_one_clear_line(refused.err, {"output out.h5 exists; pass --force to overwrite it"});
  CHECK(slurp(dir.path() / "out.h5") == "precious");

  // --force, but the run fails: the old file stays, no temporary appears.
  dir.write("bad.toml", kFileOrg);
  dir.write("nodes.csv", kNodes);
  dir.write("edges.csv", kEdgesHeader + "b,a,nan,formal\n");
  const Outcome failed = run({"run", "bad.toml", "-o", "out.h5", "--force"}, dir);
  CHECK(failed.status == 2);
  check_one_clear_line(failed.err, {"weight \"nan\""});
  CHECK(slurp(dir.path() / "out.h5") == "precious");
  CHECK(dir.leftovers() == std::vector<std::string>{"out.h5"});

  const Outcome forced = run({"run", "s.toml", "-o", "out.h5", "--force", "-q"}, dir);
  CHECK(forced.status == 0);
  CHECK(forced.err.empty());
  CHECK(slurp(dir.path() / "out.h5").rfind("\x89HDF", 0) == 0);
  CHECK(dir.leftovers() == std::vector<std::string>{"out.h5"});
}

TEST_CASE("files and directories without permission are clear errors", "[unit][cli]") {
  // As root, permissions do not apply: the binary runs as user nobody then.
  Scratch dir;
  fs::permissions(dir.path(), fs::perms::all);
  // A build under a directory nobody cannot enter (a private mktemp -d
  // clone, say) cannot be run as nobody at all: say so rather than fail.
  if (::geteuid() == 0 && run({"--version"}, dir, true).status == 127) {
    WARN("skipped: user nobody cannot run " << GROUNDSWELL_BINARY << " (a parent directory is closed to others)");
    return;
  }
  dir.write("s.toml", kHeader + "[organization]\nsize = 50\n");
  dir.write("f.toml", kFileOrg);
  dir.write("nodes.csv", kNodes);
  dir.write("edges.csv", kEdges);
  dir.write("secret.toml", kHeader);
  fs::permissions(dir.path() / "secret.toml", fs::perms::none);
  fs::permissions(dir.path() / "nodes.csv", fs::perms::none);
  fs::create_directory(dir.path() / "ro");
  fs::permissions(dir.path() / "ro", fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                                         fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);

  const Outcome scenario = run({"run", "secret.toml", "-o", "out.h5"}, dir, true);
  CHECK(scenario.status == 2);
  check_one_clear_line(scenario.err, {"secret.toml: cannot open the scenario file for reading"});

  const Outcome nodes = run({"run", "f.toml", "-o", "out.h5"}, dir, true);
  CHECK(nodes.status == 2);
  check_one_clear_line(nodes.err, {"nodes.csv: cannot be opened for reading (Permission denied)"});

  const Outcome output = run({"run", "s.toml", "-o", "ro/out.h5"}, dir, true);
  CHECK(output.status == 2);
  check_one_clear_line(output.err, {"output ro/out.h5: cannot create files in directory ro (Permission denied)"});
  CHECK(dir.leftovers().empty());
}

TEST_CASE("a run that cannot fit in memory is refused before it starts", "[unit][cli]") {
  Scratch dir;
  // About 50 GB per concurrent trial with the default 8 advisors; the second
  // case (1000 advisors, ~4 TB) fits no machine.
  dir.write("huge.toml", kHeader + "[organization]\nsize = 150000000\n");
  dir.write("wide.toml", kHeader + "[organization]\nsize = 150000000\nadvisors = 1000\n");
  for (const char* file : {"huge.toml", "wide.toml"}) {
    INFO(file);
    if (std::string(file) == "huge.toml" && available_gb() > 90) {
      WARN("huge.toml skipped: this machine has " << available_gb() << " GB available, enough to try it");
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    const Outcome r = run({"run", file, "-o", "out.h5", "--threads", "2"}, dir);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));  // refused, not attempted
    CHECK(r.status == 2);
    check_one_clear_line(r.err, {std::string(file) + ": this run needs about", "MB of memory but only",
                                 "MB are available", "reduce organization.size"});
  }
  CHECK(dir.leftovers().empty());
}

namespace {

/// A sweep design of 1e8 Latin-hypercube samples over 20 parameters: about 37 GB of design alone.
std::string huge_design() {
  std::string t = kHeader + "[organization]\nsize = 20\n[sweep]\ndesign = \"lhs\"\nsamples = 100000000\n";
  for (const char* key : {"sdt.beta_s",
                          "sdt.beta_p",
                          "sdt.eta_a",
                          "sdt.eta_c",
                          "sdt.eta_r",
                          "sdt.gamma_c",
                          "sdt.gamma_r",
                          "sdt.kappa_i",
                          "sdt.lambda_a",
                          "sdt.lambda_b",
                          "sdt.lambda_l",
                          "sdt.lambda_r",
                          "sdt.rho_p",
                          "sdt.rho_s",
                          "sdt.zeta_a",
                          "sdt.zeta_c",
                          "sdt.zeta_r",
                          "agents.initial_resisters",
                          "organization.cross_department",
                          "organization.rewire"})
    t += std::string("[[sweep.parameter]]\nname = \"") + key + "\"\nmin = 0.01\nmax = 0.1\n";
  return t;
}

}  // namespace

TEST_CASE("every command refuses up front what cannot fit in memory", "[unit][cli]") {
  if (available_gb() > 200) {
    WARN("skipped: this machine has " << available_gb() << " GB available");
    return;
  }
  Scratch dir;
  dir.write("design.toml", huge_design());
  // 10^8 trials of 12 scenarios: 48 GB of per-trial metrics kept for the summary, tiny trials.
  std::string many = "[experiment]\nseed = 1\ntrials = 100000000\nsteps = 1\n[organization]\nsize = 10\n";
  for (int k = 0; k < 12; ++k) many += "[[scenario]]\nname = \"s" + std::to_string(k) + "\"\n";
  dir.write("trials.toml", many);
  // Each point keeps every trial's curves: 10^6 trials x 2000 steps x 8 curves.
  dir.write("point.toml",
            "[experiment]\nseed = 1\ntrials = 3\nsteps = 2000\n[organization]\nsize = 10\n"
            "[sweep]\ndesign = \"grid\"\ntrials = 1000000\n[[sweep.parameter]]\nname = \"sdt.beta_s\"\nvalues = [0.1, "
            "0.2]\n");
  // recommend caches one organization per trial: 2 x 10^6 organizations of 10^5 people.
  dir.write("recommend.toml",
            "[experiment]\nseed = 1\ntrials = 1000000\nsteps = 10\n[organization]\nsize = 100000\n"
            "[[scenario]]\nname = \"c\"\nchampions = { count = 2 }\n");
  const std::string calibration_head = "rule = \"bass\"\n[experiment]\nseed = 7\n";
  const std::string bass_p = "[[parameter]]\nkey = \"bass.p\"\nprior = \"uniform\"\nmin = 0.01\nmax = 0.5\n";
  dir.write("huge-calibration.toml", calibration_head +
                                         "steps = 1\n[organization]\nsize = 150000000\n[observed]\ncurve = [0.4]\n" +
                                         bass_p + "[abc]\nparticles = 4\ngenerations = 1\npredictive = 2\n");
  std::string curve;
  for (int t = 1; t <= 100000; ++t) curve += (t > 1 ? ", " : "") + std::string("0.5");
  dir.write("predictive.toml", calibration_head + "steps = 100000\n[organization]\nsize = 10\n[observed]\ncurve = [" +
                                   curve + "]\n" + bass_p + "[abc]\nparticles = 4\npredictive = 1000000\n");
  dir.write("describe.toml", kHeader + "[organization]\nsize = 150000000\n");
  dir.write("v.paj", "*Vertices 100000000\n*Arcs\n1 2\n");
  dir.write("paj.toml", kHeader +
                            "[organization]\ngenerator = \"file\"\nformat = \"pajek\"\nnetwork = \"v.paj\"\n"
                            "direction = \"forward\"\n");
  const struct {
    std::vector<std::string> args;
    std::vector<std::string> fragments;
  } cases[] = {
      {{"sweep", "design.toml", "-o", "out.h5"},
       {"design.toml: this sweep design needs about", "MB are available", "reduce sweep.samples"}},
      {{"sweep", "design.toml", "--list-points"}, {"design.toml: this sweep design needs about"}},
      {{"run", "trials.toml", "-o", "out.h5"}, {"trials.toml: this run needs about", "the trials"}},
      {{"sweep", "point.toml", "-o", "out.h5"}, {"point.toml: each point of this sweep needs about", "sweep.trials"}},
      {{"recommend", "recommend.toml", "--count", "2"},
       {"recommend.toml: this recommendation needs about", "--trials"}},
      // calibrate: a 150M-person organization ran 27 s before "out of memory"; the predictive curves
      // (10^6 draws x 100001 steps, float) and the rejection draws were allocated before the first step.
      {{"calibrate", "huge-calibration.toml", "--threads", "2"},
       {"huge-calibration.toml: this calibration needs about", "MB are available", "reduce organization.size"}},
      {{"calibrate", "predictive.toml", "-q"}, {"predictive.toml: this calibration needs about", "abc.predictive"}},
      // network describe of a 150M-person organization ran out of memory after 20 s.
      {{"network", "describe", "describe.toml"}, {"describe.toml: this organization needs about", "organization.size"}},
      // A 35-byte Pajek file declaring 10^8 vertices was sized 0 (only CSV tables were).
      {{"network", "import", "v.paj", "--direction", "forward", "-o", "t"},
       {"v.paj: importing this network needs about", "the vertex count it declares"}},
      {{"network", "describe", "v.paj", "--direction", "forward"}, {"v.paj: reading this network needs about"}},
      {{"run", "paj.toml", "-o", "out.h5"}, {"paj.toml: this run needs about", "MB are available"}},
  };
  for (const auto& c : cases) {
    INFO(c.args[0] << " " << c.args[1]);
    // The largest Pajek file allowed (10^8 vertices) needs about 25 GB to import: a larger machine holds it.
    const bool pajek = std::find(c.args.begin(), c.args.end(), "v.paj") != c.args.end() || c.args[1] == "paj.toml";
    if (pajek && available_gb() > 24) {
      WARN(c.args[0] << " " << c.args[1] << " skipped: this machine has " << available_gb() << " GB available");
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    const Outcome r = run(c.args, dir);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));  // refused, not attempted
    CHECK(r.signal == 0);
    CHECK(r.status == 2);
    check_one_clear_line(r.err, c.fragments);
    CHECK(dir.leftovers().empty());
  }
}

namespace {

/// Waits until the run has created its temporary file (so it is past its
/// set-up and its signal handlers are in place), then a little more.
bool wait_for_temporary(const Scratch& dir, pid_t pid) {
  for (int k = 0; k < 1200; ++k) {
    if (!dir.leftovers().empty()) {
      std::this_thread::sleep_for(std::chrono::seconds(1));
      return true;
    }
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

const std::string kLongRun = "[experiment]\nseed = 3\ntrials = 100000\nsteps = 104\n[organization]\nsize = 20000\n";

}  // namespace

TEST_CASE("SIGINT and SIGTERM stop a run at a step boundary and leave nothing", "[unit][cli][signal]") {
  for (const auto& [sig, status, name] : {std::tuple{SIGINT, 130, "SIGINT"}, std::tuple{SIGTERM, 143, "SIGTERM"}}) {
    SECTION(name) {
      Scratch dir;
      dir.write("s.toml", kLongRun);
      const fs::path out = dir.path().string() + ".stdout", err = dir.path().string() + ".stderr";
      const pid_t pid = spawn({"run", "s.toml", "-o", "out.h5"}, dir.path(), out, err);
      REQUIRE(wait_for_temporary(dir, pid));
      ::kill(pid, sig);
      const auto sent = std::chrono::steady_clock::now();
      const Outcome r = finish(pid, out, err);
      fs::remove(out);
      fs::remove(err);
      INFO("stderr: " << r.err);
      CHECK(std::chrono::steady_clock::now() - sent < std::chrono::seconds(60));
      CHECK(r.signal == 0);
      CHECK(r.status == status);
      check_one_clear_line(r.err, {std::string("stopped by ") + name, "of 100000 trials", "no output written"});
      CHECK(dir.leftovers().empty());
    }
  }
}

TEST_CASE("SIGKILL leaves only a hidden temporary, never a file under the output name", "[unit][cli][signal]") {
  Scratch dir;
  dir.write("s.toml", kLongRun);
  const fs::path out = dir.path().string() + ".stdout", err = dir.path().string() + ".stderr";
  const pid_t pid = spawn({"run", "s.toml", "-o", "out.h5"}, dir.path(), out, err);
  REQUIRE(wait_for_temporary(dir, pid));
  ::kill(pid, SIGKILL);
  const Outcome r = finish(pid, out, err);
  fs::remove(out);
  fs::remove(err);
  CHECK(r.signal == SIGKILL);
  CHECK_FALSE(fs::exists(dir.path() / "out.h5"));
  const auto left = dir.leftovers();
  REQUIRE(left.size() == 1);
  CHECK(left[0].rfind(".out.h5", 0) == 0);  // hidden, and not the output's name
  CHECK(left[0].find(".tmp") != std::string::npos);
  // A new run is not disturbed by the stale temporary.
  dir.write("small.toml", kHeader + "[organization]\nsize = 50\n");
  CHECK(run({"run", "small.toml", "-o", "out.h5", "-q"}, dir).status == 0);
  CHECK(fs::exists(dir.path() / "out.h5"));
}

TEST_CASE("a full disk is reported, and neither the output nor the temporary remains", "[unit][cli][disk]") {
  Scratch dir;
  dir.write("s.toml", "[experiment]\nseed = 1\ntrials = 300\nsteps = 1000\n[organization]\nsize = 50\n");
  const fs::path disk = dir.path() / "disk";
  fs::create_directory(disk);
  // A 256 kB file system fills up long before the ~1.5 MB of results.
  if (::mount("tmpfs", disk.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=256k,mode=0777") != 0) {
    WARN("skipped: cannot mount a small tmpfs here (" << std::strerror(errno) << "); needs root with CAP_SYS_ADMIN");
    return;
  }
  const Outcome r = run({"run", "s.toml", "-o", "disk/out.h5", "-q"}, dir);
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(disk)) left.push_back(entry.path().filename().string());
  ::umount2(disk.c_str(), MNT_DETACH);
  INFO("stderr: " << r.err);
  CHECK(r.signal == 0);
  CHECK(r.status == 1);
  check_one_clear_line(r.err, {"cannot write the results file disk/out.h5", "No space left on device",
                               "the disk is full", "nothing was written"});
  CHECK(left.empty());
}

// Issue 16: every command that writes files (run, sweep, merge, calibrate,
// recommend, network import, network export) refuses to overwrite an output
// without --force, refuses to write over one of its own inputs even with
// --force (by file system identity), and leaves nothing under the output's
// name when it fails, a full disk included. One case per command and class.
namespace {

const std::string kRecommendScenario = "[[scenario]]\nname = \"a\"\nchampions = { count = 1 }\n";
const std::string kSweepSection =
    "[sweep]\ndesign = \"grid\"\n[[sweep.parameter]]\nname = \"sdt.beta_s\"\n"
    "values = [0.1, 0.2]\n";
const std::string kCalibration =
    "rule = \"bass\"\n[experiment]\nseed = 7\nsteps = 10\n[organization]\ngenerator = \"file\"\nnodes = "
    "\"nodes.csv\"\nedges = \"edges.csv\"\n[observed]\nfile = \"obs.txt\"\nid = \"id\"\ntime = \"time\"\nnever = "
    "[99]\n[[parameter]]\nkey = \"bass.p\"\nprior = \"uniform\"\nmin = 0.01\nmax = 0.5\n[abc]\nparticles = 4\n"
    "generations = 1\ntrials = 1\npredictive = 2\n";

/// The inputs of every command: a file organization read by a scenario file
/// (with champions), a sweep file, a calibration file and its observed table.
std::map<std::string, std::string> writer_inputs() {
  return {{"s.toml", kFileOrg + kRecommendScenario},
          {"w.toml", kFileOrg + kSweepSection},
          {"v.toml", kFileOrg + "[sweep]\ndesign = \"grid\"\n[[sweep.parameter]]\nname = \"organization.nodes\"\n"
                                "values = [\"nodes.csv\", \"n2.csv\"]\n"},
          {"n2.csv", kNodes},
          {"c.toml", kCalibration},
          {"obs.txt", "id,time\na,1\nb,3\nc,99\n"},
          {"nodes.csv", kNodes},
          {"edges.csv", kEdges}};
}

/// Writes the inputs, and the two shards merge reads (shard0.h5, shard1.h5).
void prepare_writer_inputs(const Scratch& dir) {
  for (const auto& [name, content] : writer_inputs()) dir.write(name, content);
  for (int i = 0; i < 2; ++i) {
    const std::string shard = "shard" + std::to_string(i) + ".h5";
    const Outcome r = run({"sweep", "w.toml", "--shard", std::to_string(i) + "/2", "-o", shard, "-q"}, dir);
    INFO(r.err);
    REQUIRE(r.status == 0);
  }
}

struct Writer {
  const char* command;
  std::vector<std::string> args;  ///< with OUT for the output (a file, or the tables' directory)
  bool tables = false;            ///< writes OUT/nodes.csv and OUT/edges.csv
};

const std::vector<Writer> kWriters = {
    {"run", {"run", "s.toml", "-o", "OUT"}},
    {"sweep", {"sweep", "w.toml", "-o", "OUT"}},
    {"merge", {"merge", "shard0.h5", "shard1.h5", "-o", "OUT"}},
    {"calibrate", {"calibrate", "c.toml", "-o", "OUT"}},
    {"recommend", {"recommend", "s.toml", "--count", "1", "--trials", "2", "-o", "OUT"}},
    {"network import", {"network", "import", "edges.csv", "--nodes", "nodes.csv", "-o", "OUT"}, true},
    {"network export", {"network", "export", "s.toml", "-o", "OUT"}, true},
};

std::vector<std::string> with_output(const Writer& w, const std::string& output, bool force) {
  std::vector<std::string> args;
  for (const auto& a : w.args) args.push_back(a == "OUT" ? output : a);
  if (force) args.push_back("--force");
  if (!w.tables) args.push_back("-q");  // the network commands have no -q
  return args;
}

/// Every regular file below `root` and its content.
std::map<std::string, std::string> contents(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file()) files[fs::relative(entry.path(), root).string()] = slurp(entry.path());
  return files;
}

}  // namespace

TEST_CASE("every writing command refuses an existing output without --force", "[unit][cli]") {
  for (const Writer& w : kWriters) {
    SECTION(w.command) {
      Scratch dir;
      prepare_writer_inputs(dir);
      // For the tables, one existing table is enough to refuse both.
      const std::string existing = w.tables ? "t/edges.csv" : "out.h5";
      dir.write(existing, "precious");
      const auto before = contents(dir.path());
      const Outcome r = run(with_output(w, w.tables ? "t" : "out.h5", false), dir);
      INFO(w.command << "\nstderr: " << r.err);
      CHECK(r.status == 2);
      CHECK(r.out.empty());
      check_one_clear_line(r.err, {"output " + existing + " exists; pass", "--force to overwrite it"});
      CHECK(contents(dir.path()) == before);
      CHECK_FALSE(fs::exists(dir.path() / "t" / "nodes.csv"));

      // With --force the output is replaced.
      const Outcome forced = run(with_output(w, w.tables ? "t" : "out.h5", true), dir);
      INFO("forced stderr: " << forced.err);
      CHECK(forced.status == 0);
      CHECK(slurp(dir.path() / existing) != "precious");
    }
  }
}

TEST_CASE("no command writes over one of its own inputs even with --force", "[unit][cli]") {
  struct Clash {
    const char* what;
    std::vector<std::string> args;
    std::string fragment;
  };
  const std::vector<Clash> clashes = {
      {"run: the scenario file", {"run", "s.toml", "-o", "s.toml"}, "output s.toml is the scenario file s.toml"},
      {"run: the node table it reads", {"run", "s.toml", "-o", "nodes.csv"}, "is the node table"},
      {"run: the edge table under another name (a hard link)",
       {"run", "s.toml", "-o", "link.h5"},
       "output link.h5 is the edge table"},
      {"run: the scenario file by another path", {"run", "s.toml", "-o", "t/../s.toml"}, "is the scenario file"},
      {"run: a directory holding its inputs",
       {"run", "p.parts/s.toml", "-o", "p.parts"},
       "output p.parts is a directory holding the scenario file"},
      {"sweep: the sweep file", {"sweep", "w.toml", "-o", "w.toml"}, "output w.toml is the scenario file w.toml"},
      {"sweep: the edge table", {"sweep", "w.toml", "-o", "edges.csv"}, "is the edge table"},
      {"sweep: a node table only one point reads (organization.nodes swept)",
       {"sweep", "v.toml", "-o", "n2.csv"},
       "output n2.csv is the node table"},
      {"sweep: a parts directory holding the inputs (--force would empty it)",
       {"sweep", "p.parts/w.toml", "-o", "p"},
       "output p: its parts directory p.parts is a directory holding the scenario file"},
      {"merge: a shard", {"merge", "shard0.h5", "shard1.h5", "-o", "shard1.h5"}, "is the shard file shard1.h5"},
      {"calibrate: the calibration file",
       {"calibrate", "c.toml", "-o", "c.toml"},
       "output c.toml is the calibration file c.toml"},
      {"calibrate: the observed table", {"calibrate", "c.toml", "-o", "obs.txt"}, "is the observed table"},
      {"calibrate: the node table", {"calibrate", "c.toml", "-o", "nodes.csv"}, "is the node table"},
      {"recommend: the scenario file",
       {"recommend", "s.toml", "--count", "1", "-o", "s.toml"},
       "output s.toml is the scenario file s.toml"},
      {"recommend: the edge table", {"recommend", "s.toml", "--count", "1", "-o", "edges.csv"}, "is the edge table"},
      {"network import: into the directory of its tables",
       {"network", "import", "edges.csv", "--nodes", "nodes.csv", "-o", "."},
       "output ./nodes.csv is the node table"},
      {"network export: into the directory of the tables its scenario reads",
       {"network", "export", "s.toml", "-o", "."},
       "output ./nodes.csv is the node table"},
  };
  for (const Clash& c : clashes) {
    SECTION(c.what) {
      Scratch dir;
      prepare_writer_inputs(dir);
      fs::create_directory(dir.path() / "t");
      fs::create_hard_link(dir.path() / "edges.csv", dir.path() / "link.h5");
      for (const auto& [name, content] : writer_inputs()) dir.write("p.parts/" + name, content);
      const auto before = contents(dir.path());
      std::vector<std::string> args = c.args;
      args.push_back("--force");
      const Outcome r = run(args, dir);
      INFO(c.what << "\nstderr: " << r.err);
      CHECK(r.status == 2);
      CHECK(r.out.empty());
      check_one_clear_line(r.err, {c.fragment, "this command reads; --force never replaces an input"});
      CHECK(contents(dir.path()) == before);
      CHECK(dir.leftovers().empty());
    }
  }
}

TEST_CASE("sweep keeps the one output rule: no link or device replaced, --resume rebuilds only a sweep file",
          "[unit][cli]") {
  Scratch dir;
  prepare_writer_inputs(dir);
  dir.write("target.txt", "precious");
  fs::create_symlink("target.txt", dir.path() / "link.h5");
  REQUIRE(::mkfifo((dir.path() / "fifo.h5").c_str(), 0600) == 0);
  // --force replaced links and device files (an audit's `sweep -o /dev/null --force` as root replaced /dev/null).
  for (const char* name : {"link.h5", "fifo.h5"}) {
    for (const bool force : {false, true}) {
      INFO(name << (force ? " --force" : ""));
      std::vector<std::string> args{"sweep", "w.toml", "-o", name, "-q"};
      if (force) args.emplace_back("--force");
      const Outcome r = run(args, dir);
      CHECK(r.status == 2);
      CHECK(r.out.empty());
      check_one_clear_line(r.err, {std::string("output ") + name + " exists and is not a regular file"});
    }
  }
  CHECK(fs::is_symlink(dir.path() / "link.h5"));
  CHECK(fs::is_fifo(dir.path() / "fifo.h5"));
  CHECK(slurp(dir.path() / "target.txt") == "precious");
  CHECK_FALSE(fs::exists(dir.path() / "link.h5.parts"));

  // --resume on a file that is no sweep file (a run's results, a text file) once overwrote it after a warning.
  REQUIRE(run({"run", "s.toml", "-o", "r.h5", "-q"}, dir).status == 0);
  dir.write("notes.h5", "precious notes");
  for (const char* name : {"r.h5", "notes.h5"}) {
    INFO(name);
    const std::string before = slurp(dir.path() / name);
    const Outcome r = run({"sweep", "w.toml", "-o", name, "--resume", "-q"}, dir);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    check_one_clear_line(r.err, {std::string("output ") + name + " is not a sweep file", "--force to replace it"});
    CHECK(slurp(dir.path() / name) == before);
    CHECK_FALSE(fs::exists(dir.path() / (std::string(name) + ".parts")));
    // --force replaces it.
    const Outcome forced = run({"sweep", "w.toml", "-o", name, "--force", "-q"}, dir);
    INFO("forced stderr: " << forced.err);
    CHECK(forced.status == 0);
    CHECK(slurp(dir.path() / name) != before);
  }
  // A sweep file of this plan is still continued by --resume.
  const Outcome resumed = run({"sweep", "w.toml", "-o", "r.h5", "--resume", "-q"}, dir);
  INFO("resumed stderr: " << resumed.err);
  CHECK(resumed.status == 0);
  CHECK(dir.leftovers("r.h5") == std::vector<std::string>{"r.h5"});
}

TEST_CASE("on a full disk no writing command leaves anything under its output's name", "[unit][cli][disk]") {
  for (const Writer& w : kWriters) {
    SECTION(w.command) {
      Scratch dir;
      prepare_writer_inputs(dir);
      const fs::path disk = dir.path() / "disk";
      fs::create_directory(disk);
      // One page: an HDF5 file never fits, and of the two tables only the first does
      // (each non-empty file takes a page), so the pair is tested for real.
      if (::mount("tmpfs", disk.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=4k,mode=0777") != 0) {
        WARN("skipped: cannot mount a small tmpfs here (" << std::strerror(errno)
                                                          << "); needs root with CAP_SYS_ADMIN");
        return;
      }
      const Outcome r = run(with_output(w, w.tables ? "disk/t" : "disk/out.h5", false), dir);
      std::vector<std::string> left;
      for (const auto& entry : fs::directory_iterator(disk)) left.push_back(entry.path().filename().string());
      ::umount2(disk.c_str(), MNT_DETACH);
      INFO(w.command << "\nstderr: " << r.err);
      CHECK(r.signal == 0);
      CHECK(r.status == 1);
      check_one_clear_line(r.err, {"No space left on device", "the disk is full"});
      // A sweep keeps its parts directory for --resume (docs/errors.md); nothing else may remain.
      if (std::string(w.command) == "sweep")
        left.erase(std::remove(left.begin(), left.end(), "out.h5.parts"), left.end());
      CHECK(left.empty());
    }
  }
}

TEST_CASE("a stop ends a run within about a second while large organizations are being generated",
          "[unit][cli][signal]") {
  // 200,000 people: each pending trial of a batch once built its organization (~0.2 s) before seeing the stop.
  Scratch dir;
  dir.write("big.toml", "[experiment]\nseed = 3\ntrials = 1000\nsteps = 104\n[organization]\nsize = 200000\n");
  const fs::path out = dir.path().string() + ".stdout", err = dir.path().string() + ".stderr";
  const pid_t pid = spawn({"run", "big.toml", "-o", "out.h5", "--threads", "2"}, dir.path(), out, err);
  REQUIRE(wait_for_temporary(dir, pid));
  ::kill(pid, SIGINT);
  const auto sent = std::chrono::steady_clock::now();
  const Outcome r = finish(pid, out, err);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  fs::remove(out);
  fs::remove(err);
  INFO("stderr: " << r.err << "\nstopped in " << seconds << " s");
  CHECK(seconds < 2.0);
  CHECK(r.signal == 0);
  CHECK(r.status == 130);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // Under a sanitizer one organization of 200,000 takes longer to build than the
  // watchdog waits (0.9 s), so the watchdog's stop, which counts no trials, is the one seen.
  check_one_clear_line(r.err, {"stopped by SIGINT", "no output written"});
#else
  // The run's own stop (not the watchdog's, which would say nothing of the trials).
  check_one_clear_line(r.err, {"stopped by SIGINT after", "of 1000 trials", "no output written"});
#endif
  CHECK(r.out.empty());
  CHECK(dir.leftovers().empty());
}

TEST_CASE("a stop ends a command reading its scenario from a slow pipe", "[unit][cli][signal]") {
  Scratch dir;
  const fs::path fifo = dir.path() / "slow.toml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  for (const auto& [sig, status] : {std::pair{SIGINT, 130}, std::pair{SIGTERM, 143}}) {
    INFO("signal " << sig);
    const fs::path out = dir.path().string() + ".stdout", err = dir.path().string() + ".stderr";
    const pid_t pid = spawn({"run", "slow.toml", "-o", "out.h5"}, dir.path(), out, err);
    const int w = ::open(fifo.c_str(), O_RDWR);  // does not wait for the reader
    REQUIRE(w >= 0);
    const std::string part = "[experiment]\nseed = 1\n";  // and then nothing more for a while
    REQUIRE(::write(w, part.data(), part.size()) == static_cast<ssize_t>(part.size()));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ::kill(pid, sig);
    const auto sent = std::chrono::steady_clock::now();
    const Outcome r = finish(pid, out, err);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
    ::close(w);
    fs::remove(out);
    fs::remove(err);
    INFO("stderr: " << r.err << "\nstopped in " << seconds << " s");
    CHECK(seconds < 2.0);
    CHECK(r.signal == 0);
    CHECK(r.status == status);
    check_one_clear_line(r.err, {"stopped by", "no output written"});
    CHECK_FALSE(fs::exists(dir.path() / "out.h5"));
  }
}

namespace {

/// Waits until a temporary appears anywhere under the scratch directory (a table being written).
bool wait_for_table_temporary(const Scratch& dir, pid_t pid) {
  for (int k = 0; k < 6000; ++k) {
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(dir.path(), ec))
      if (entry.path().filename().string().find(".tmp") != std::string::npos) return true;
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

/// Waits until process `pid` catches `sig` (Linux: the SigCgt mask of
/// /proc/PID/status), so that a signal sent next meets the command's handler
/// and not the default action of a process still starting (slow under a
/// sanitizer on a loaded machine). False if it exits first or takes 20 s.
bool wait_for_handler(pid_t pid, int sig) {
  for (int k = 0; k < 2000; ++k) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line))
      if (line.rfind("SigCgt:", 0) == 0 && (std::stoull(line.substr(7), nullptr, 16) >> (sig - 1) & 1) != 0)
        return true;
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

}  // namespace

TEST_CASE("a stop ends network export and import leaving no table, temporary or directory", "[unit][cli][signal]") {
  struct Stop {
    const char* what;
    std::string size;
    bool while_writing;  ///< signal once a table's temporary exists, else 0.1 s after the start
    bool import;         ///< network import of tables exported first, else network export
  };
  // 1,000,000 people: ~180 MB of tables; the temporaries were left when the watchdog ended the export.
  // 200,000 people: the stop at 0.1 s was ignored and both tables written (rc 0).
  for (const Stop& c : {Stop{"export, stopped while writing", "1000000", true, false},
                        Stop{"export, stopped at 0.1 s", "200000", false, false},
                        Stop{"import, stopped at 0.1 s", "200000", false, true}}) {
    SECTION(c.what) {
      Scratch dir;
      dir.write("big.toml", "[experiment]\nseed = 3\ntrials = 1\nsteps = 10\n[organization]\nsize = " + c.size + "\n");
      if (c.import) REQUIRE(run({"network", "export", "big.toml", "-o", "src"}, dir).status == 0);
      const std::vector<std::string> args =
          c.import ? std::vector<std::string>{"network",       "import", "src/edges.csv", "--nodes",
                                              "src/nodes.csv", "-o",     "new/tables"}
                   : std::vector<std::string>{"network", "export", "big.toml", "-o", "new/tables"};
      const fs::path out = dir.path().string() + ".stdout", err = dir.path().string() + ".stderr";
      const pid_t pid = spawn(args, dir.path(), out, err);
      if (c.while_writing) {
        REQUIRE(wait_for_table_temporary(dir, pid));
      } else {  // 0.1 s into the command's own work (generation or reading), not its start-up
        REQUIRE(wait_for_handler(pid, SIGINT));
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      ::kill(pid, SIGINT);
      const auto sent = std::chrono::steady_clock::now();
      const Outcome r = finish(pid, out, err);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
      fs::remove(out);
      fs::remove(err);
      INFO("stderr: " << r.err << "\nstopped in " << seconds << " s");
      CHECK(seconds < 2.0);
      CHECK(r.signal == 0);
      CHECK(r.status == 130);
      check_one_clear_line(r.err, {"stopped by SIGINT", "no output written"});
      CHECK(dir.leftovers().empty());
      CHECK_FALSE(fs::exists(dir.path() / "new"));  // the directory the command made is removed
    }
  }
}

TEST_CASE("info names the kind of every file the program writes, with a short summary", "[unit][cli]") {
  struct Kind {
    const char* command;
    std::vector<std::string> args;
    std::vector<std::string> fragments;
  };
  // Each made with a --set, which info shows (the file's `overrides`).
  const std::string set = "override:      --set sdt.w_a=0.05";
  const std::vector<Kind> kinds = {
      {"run",
       {"run", "s.toml", "-o", "out.h5", "-q", "--set", "sdt.w_a=0.05"},
       {"experiment:", "scenarios:   1", "trials:      3", "override:    --set sdt.w_a=0.05"}},
      {"sweep",
       {"sweep", "w.toml", "-o", "out.h5", "-q", "--set", "sdt.w_a=0.05"},
       {"kind:", "sweep (groundswell-sweep)", "points:        2 of 2", set}},
      {"calibrate",
       {"calibrate", "c.toml", "-o", "out.h5", "-q", "--set", "bass.q=0.2"},
       {"calibration (groundswell-calibration)", "rule:", "bass", "particles:     4",
        "override:      --set bass.q=0.2"}},
      {"recommend",
       {"recommend", "s.toml", "--count", "1", "--trials", "2", "-o", "out.h5", "-q", "--set", "sdt.w_a=0.05"},
       {"recommendation (groundswell-recommend)", "scenario:      a", "count:         1", set}},
  };
  for (const Kind& k : kinds) {
    SECTION(k.command) {
      Scratch dir;
      for (const auto& [name, content] : writer_inputs()) dir.write(name, content);
      const Outcome made = run(k.args, dir);
      INFO(made.err);
      REQUIRE(made.status == 0);
      const Outcome r = run({"info", "out.h5"}, dir);
      INFO("stdout: " << r.out << "\nstderr: " << r.err);
      CHECK(r.status == 0);
      CHECK(r.err.empty());
      for (const auto& f : k.fragments) CHECK(r.out.find(f) != std::string::npos);
    }
  }
  SECTION("not HDF5, or HDF5 of another kind: the clear errors") {
    Scratch dir;
    dir.write("x.h5", "not hdf5 at all");
    const Outcome r = run({"info", "x.h5"}, dir);
    CHECK(r.status == 2);
    check_one_clear_line(r.err, {"x.h5: not an HDF5 file"});
    // A Groundswell file with another format name stands for any foreign HDF5 file.
    for (const auto& [name, content] : writer_inputs()) dir.write(name, content);
    REQUIRE(run({"run", "s.toml", "-o", "out.h5", "-q"}, dir).status == 0);
    const hid_t f = H5Fopen((dir.path() / "out.h5").c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(f >= 0);
    REQUIRE(H5Adelete(f, "format") >= 0);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, 6);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t a = H5Acreate2(f, "format", type, space, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, type, "netcdf");
    H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
    H5Fclose(f);
    const Outcome other = run({"info", "out.h5"}, dir);
    CHECK(other.status == 2);
    check_one_clear_line(other.err, {"out.h5: an HDF5 file of another kind (format \"netcdf\")"});
  }
}
