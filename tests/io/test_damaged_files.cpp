// Damaged files: small real results and sweep files, each dataset in turn
// dropped, shortened, retyped (to strings) or reshaped, and each root
// attribute dropped, then read by every reader: `info`
// (read_results_summary), `merge` (merge_sweeps) and `sweep --resume`. A
// reader refuses with InputError "damaged or incomplete ... file" (status 2
// for the command) or, for a dataset it does not read, carries on; it never
// crashes, never throws anything else, never uses inconsistent data.
#include <hdf5.h>
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "groundswell/io/results_writer.hpp"
#include "groundswell/sweep/runner.hpp"
#include "groundswell/types.hpp"

namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("groundswell-damaged-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

int command(const std::string& args, const fs::path& log) {
  const std::string cmd = std::string(GROUNDSWELL_BINARY) + " " + args + " > " + log.string() + " 2>&1";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

herr_t collect(hid_t, const char* name, const H5O_info_t* info, void* out) {
  if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<std::string>*>(out)->push_back(name);
  return 0;
}

std::vector<std::string> datasets(const fs::path& file) {
  std::vector<std::string> names;
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_NATIVE, collect, &names, H5O_INFO_BASIC);
  H5Fclose(f);
  return names;
}

std::vector<std::string> root_attributes(const fs::path& file) {
  std::vector<std::string> names;
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  H5Aiterate2(
      f, H5_INDEX_NAME, H5_ITER_NATIVE, nullptr,
      [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
        static_cast<std::vector<std::string>*>(out)->push_back(name);
        return 0;
      },
      &names);
  H5Fclose(f);
  return names;
}

enum class How { Drop, Shorten, Retype, Reshape };
const char* to_string(How h) {
  switch (h) {
    case How::Drop:
      return "drop";
    case How::Shorten:
      return "shorten";
    case How::Retype:
      return "retype";
    case How::Reshape:
      break;
  }
  return "reshape";
}

/// Copies `src` to `dst` and damages dataset `name` there; false if `how` does not apply.
bool mutate(const fs::path& src, const fs::path& dst, const std::string& name, How how) {
  fs::copy_file(src, dst, fs::copy_options::overwrite_existing);
  const hid_t f = H5Fopen(dst.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t ds = H5Dopen2(f, name.c_str(), H5P_DEFAULT);
  const hid_t type = H5Dget_type(ds), native = H5Tget_native_type(type, H5T_DIR_DEFAULT);
  const hid_t space = H5Dget_space(ds);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
  const std::size_t size = H5Tget_size(native);
  std::vector<char> data(std::max<std::size_t>(1, n) * size);
  const bool numeric = H5Tget_class(type) == H5T_INTEGER || H5Tget_class(type) == H5T_FLOAT;
  if (n) H5Dread(ds, native, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data());
  H5Sclose(space);
  H5Dclose(ds);
  bool applies = true;
  std::vector<hsize_t> new_dims = dims;
  hid_t new_type = native;
  switch (how) {
    case How::Drop:
      break;
    case How::Shorten:
      applies = rank >= 1 && dims[0] >= 2;
      if (applies) new_dims[0] = dims[0] / 2;
      break;
    case How::Retype:
      applies = numeric;
      new_type = H5Tcopy(H5T_C_S1);
      H5Tset_size(new_type, size);
      break;
    case How::Reshape:
      if (rank > 1)
        new_dims = {static_cast<hsize_t>(n)};
      else
        new_dims.insert(new_dims.begin(), 1);
      break;
  }
  if (applies) {
    H5Ldelete(f, name.c_str(), H5P_DEFAULT);
    if (how != How::Drop) {
      const hid_t s = H5Screate_simple(static_cast<int>(new_dims.size()), new_dims.data(), nullptr);
      const hid_t d = H5Dcreate2(f, name.c_str(), new_type, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
      REQUIRE(d >= 0);
      if (n) H5Dwrite(d, new_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data());  // a prefix when shortened
      H5Dclose(d);
      H5Sclose(s);
    }
  }
  // Variable-length strings were read into memory HDF5 allocated: give it back.
  if (n && (H5Tis_variable_str(native) > 0 || H5Tdetect_class(native, H5T_VLEN) > 0)) {
    const hsize_t count = n;
    const hid_t all = H5Screate_simple(1, &count, nullptr);
    H5Dvlen_reclaim(native, all, H5P_DEFAULT, data.data());
    H5Sclose(all);
  }
  if (new_type != native) H5Tclose(new_type);
  H5Tclose(native);
  H5Tclose(type);
  H5Fclose(f);
  return applies;
}

void drop_root_attribute(const fs::path& src, const fs::path& dst, const std::string& name) {
  fs::copy_file(src, dst, fs::copy_options::overwrite_existing);
  const hid_t f = H5Fopen(dst.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  H5Adelete(f, name.c_str());
  H5Fclose(f);
}

/// Runs `read`; "" if it succeeded, else the InputError's message. Any other exception fails the test.
template <typename F>
std::string refusal(F read) {
  try {
    read();
  } catch (const groundswell::InputError& e) {
    return e.what();
  }
  return "";
}

const char* kRun =
    "[experiment]\nseed = 3\ntrials = 4\nsteps = 6\n[organization]\nsize = 40\n"
    "[[scenario]]\nname = \"a\"\n[[scenario]]\nname = \"b\"\nchampions = { count = 3 }\n";
const char* kSweep = R"([experiment]
seed = 5
trials = 3
steps = 4
[organization]
size = 30
[[scenario]]
name = "a"
[sweep]
design = "grid"
[[sweep.parameter]]
name = "sdt.beta_s"
values = [0.1, 0.3]
)";

constexpr How kAll[] = {How::Drop, How::Shorten, How::Retype, How::Reshape};

}  // namespace

TEST_CASE("info refuses every damaged results file with one clear error", "[unit][io][damaged]") {
  const fs::path toml = scratch("r.toml"), src = scratch("r.h5"), log = scratch("r.log"), bad = scratch("bad.h5");
  std::ofstream(toml) << kRun;
  REQUIRE(command("run " + toml.string() + " -o " + src.string() + " --force -q", log) == 0);
  REQUIRE(refusal([&] { groundswell::io::read_results_summary(src.string()); }).empty());
  for (const How how : kAll)
    for (const auto& name : datasets(src)) {
      if (!mutate(src, bad, name, how)) continue;
      INFO(to_string(how) << " " << name);
      const std::string why = refusal([&] { groundswell::io::read_results_summary(bad.string()); });
      // what info reads (not the coordinate metrics/trial, 0 .. trials-1, a label for other readers)
      if (name.find("/metrics/") != std::string::npos && name.find("/metrics/trial") == std::string::npos) {
        CHECK_THAT(why, Catch::Contains("damaged or incomplete results file"));
      } else if (!why.empty()) {
        CHECK_THAT(why, Catch::Contains("damaged or incomplete results file"));
      }
    }
  for (const auto& name : root_attributes(src)) {
    drop_root_attribute(src, bad, name);
    INFO("drop attribute " << name);
    const std::string why = refusal([&] { groundswell::io::read_results_summary(bad.string()); });
    if (name == "trials" || name == "steps" || name == "seed" || name == "scenarios")
      CHECK_THAT(why, Catch::Contains("damaged or incomplete results file"));
    else if (name == "format")
      CHECK_THAT(why, Catch::Contains("not a Groundswell results file"));
  }
  {  // A file that claims 10^8 trials of 300 scenarios is refused before anything is read or allocated.
    fs::copy_file(src, bad, fs::copy_options::overwrite_existing);
    const hid_t f = H5Fopen(bad.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    H5Adelete(f, "trials");
    H5Adelete(f, "scenarios");
    const hid_t scalar = H5Screate(H5S_SCALAR);
    const std::uint64_t trials = 100000000;
    const hid_t a = H5Acreate2(f, "trials", H5T_STD_U64LE, scalar, H5P_DEFAULT, H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_UINT64, &trials);
    H5Aclose(a);
    std::string names = "a";
    for (int k = 1; k < 300; ++k) names += ",a";
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    const hid_t b = H5Acreate2(f, "scenarios", type, scalar, H5P_DEFAULT, H5P_DEFAULT);
    const char* text = names.c_str();
    H5Awrite(b, type, &text);
    H5Aclose(b);
    H5Tclose(type);
    H5Sclose(scalar);
    H5Fclose(f);
    CHECK_THAT(refusal([&] { groundswell::io::read_results_summary(bad.string()); }),
               Catch::Contains("reading this results file needs about") && Catch::Contains("MB are available"));
  }
  // The command: t50 shorter than final_adopted once crashed `info` (a read past the end).
  REQUIRE(mutate(src, bad, "scenarios/b/metrics/t50", How::Shorten));
  CHECK(command("info " + bad.string(), log) == 2);
  const std::string err = slurp(log);
  CHECK_THAT(err, Catch::StartsWith("groundswell: ") && Catch::Contains("damaged or incomplete results file") &&
                      Catch::Contains("metrics/t50 has 2 values, expected one per trial (4)"));
  CHECK(err.find('\n') == err.size() - 1);
}

TEST_CASE("merge and sweep --resume refuse or rebuild every damaged sweep file", "[unit][sweep][damaged]") {
  const fs::path toml = scratch("s.toml"), src = scratch("s.h5"), log = scratch("s.log"), bad = scratch("bad-s.h5"),
                 out = scratch("merged.h5");
  std::ofstream(toml) << kSweep;
  REQUIRE(command("sweep " + toml.string() + " -o " + src.string() + " --force -q --threads 1", log) == 0);
  REQUIRE(refusal([&] { groundswell::sweep::merge_sweeps({src.string()}, out.string(), true); }).empty());
  std::size_t resumed = 0;
  for (const How how : kAll)
    for (const auto& name : datasets(src)) {
      if (!mutate(src, bad, name, how)) continue;
      INFO(to_string(how) << " " << name);
      const std::string why = refusal([&] { groundswell::sweep::merge_sweeps({bad.string()}, out.string(), true); });
      const bool column = name.rfind("points/", 0) == 0 || name.rfind("scenarios/", 0) == 0;
      if (column)
        CHECK_THAT(why, Catch::Contains("damaged or incomplete sweep file"));
      else if (!why.empty())
        CHECK_THAT(why, Catch::Contains("damaged or incomplete sweep file"));
      CHECK_FALSE(fs::exists(scratch(".merged.h5.tmp" + std::to_string(::getpid()))));
      // --resume on a damaged complete file: a warning, then the file rebuilt whole (a sample of the mutations).
      if (column && (resumed++ % 5 == 0 || name == "points/index")) {
        CHECK(command("sweep " + toml.string() + " -o " + bad.string() + " --resume --threads 1", log) == 0);
        CHECK_THAT(slurp(log), Catch::Contains("damaged or incomplete sweep file") && Catch::Contains("rebuilt"));
        CHECK(refusal([&] { groundswell::sweep::merge_sweeps({bad.string()}, out.string(), true); }).empty());
      }
    }
  for (const auto& name : root_attributes(src)) {
    drop_root_attribute(src, bad, name);
    INFO("drop attribute " << name);
    const std::string why = refusal([&] { groundswell::sweep::merge_sweeps({bad.string()}, out.string(), true); });
    if (name == "fingerprint" || name == "scenario_text" || name == "points_total" || name == "points")
      CHECK_THAT(why, Catch::Contains("damaged or incomplete sweep file"));
  }
  {  // A part far larger than any part of the sweep (a sparse 8 GB file) is set aside unread, and recomputed.
    const fs::path resumed_out = scratch("huge-part.h5"), parts = scratch("huge-part.h5.parts");
    fs::create_directories(parts);
    { std::ofstream(parts / "point-00000000.part"); }
    fs::resize_file(parts / "point-00000000.part", std::uintmax_t{8} << 30);
    CHECK(command("sweep " + toml.string() + " -o " + resumed_out.string() + " --resume --threads 1", log) == 0);
    CHECK_THAT(slurp(log), Catch::Contains("damaged part") && Catch::Contains("larger than any part of this sweep"));
    CHECK(refusal([&] { groundswell::sweep::merge_sweeps({resumed_out.string()}, out.string(), true); }).empty());
  }
  // A truncated file.
  {
    std::ifstream in(src, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::ofstream(bad, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
    const std::string why = refusal([&] { groundswell::sweep::merge_sweeps({bad.string()}, out.string(), true); });
    CHECK_FALSE(why.empty());
    CHECK(command("merge " + bad.string() + " -o " + out.string() + " --force", log) == 2);
  }
  fs::remove_all(scratch(""));
}
