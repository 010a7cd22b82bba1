// The results file as a user meets it: written by the `groundswell` command,
// read back with the HDF5 library; names, shapes and attributes are those of
// docs/output.md (the data dictionary is checked against a real file).
#include <hdf5.h>
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

using namespace std::string_literals;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("groundswell-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

int run(const std::string& args) {
  const std::string cmd = std::string(GROUNDSWELL_BINARY) + " " + args + " > /dev/null 2>&1";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const char* kScenario = R"(rule = "sdt"
[experiment]
name = "small"
seed = 5
trials = 7
steps = 12
[organization]
size = 200
[[scenario]]
name = "top_down"
mandate = { issuers = "top" }
[[scenario]]
name = "distributed"
champions = { count = 6, selection = "distributed", coalition = true }
record = { credit = true }
)";

std::vector<hsize_t> shape(hid_t file, const std::string& path) {
  hid_t ds = H5Dopen2(file, path.c_str(), H5P_DEFAULT);
  if (ds < 0) return {};
  hid_t space = H5Dget_space(ds);
  std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  H5Sclose(space);
  H5Dclose(ds);
  return dims;
}

/// Dataset names listed in a section of docs/output.md ("| `name` | dtype | shape |").
std::vector<std::string> documented(const std::string& heading) {
  std::ifstream in(GROUNDSWELL_SOURCE_DIR "/docs/output.md");
  std::string line;
  bool inside = false;
  std::vector<std::string> names;
  const std::regex row(R"(^\| `([a-zA-Z_0-9/]+)` \| (float32|int32|int8) \|)");
  while (std::getline(in, line)) {
    if (line.rfind("### ", 0) == 0) inside = line.find(heading) != std::string::npos;
    std::smatch m;
    if (inside && std::regex_search(line, m, row)) names.push_back(m[1]);
  }
  return names;
}

}  // namespace

TEST_CASE("groundswell run writes the documented datasets, shapes and attributes", "[unit][io]") {
  const fs::path toml = scratch("small.toml"), out = scratch("small.h5");
  std::ofstream(toml) << kScenario;
  fs::remove(out);
  REQUIRE(run("run " + toml.string() + " -o " + out.string() + " --threads 2") == 0);
  REQUIRE(fs::exists(out));
  for (const auto& entry : fs::directory_iterator(out.parent_path()))
    CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);  // no temporary left

  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  hid_t f = H5Fopen(out.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  for (const char* attr :
       {"format", "format_version", "groundswell_version", "git_commit", "experiment", "scenario_file", "scenario_text",
        "created", "seed", "trials", "steps", "threads", "scenarios"})
    CHECK(H5Aexists(f, attr) > 0);
  std::uint64_t seed = 0;
  hid_t a = H5Aopen(f, "seed", H5P_DEFAULT);
  H5Aread(a, H5T_NATIVE_UINT64, &seed);
  H5Aclose(a);
  CHECK(seed == 5);

  const auto curves = documented("curves/");
  const auto metrics = documented("metrics/");
  const auto attribution = documented("attribution/");
  REQUIRE(curves.size() == 11);
  REQUIRE(metrics.size() == 8);
  REQUIRE(attribution.size() == 12);
  for (const std::string scenario : {"top_down", "distributed"}) {
    const std::string g = "/scenarios/" + scenario;
    hid_t grp = H5Gopen2(f, g.c_str(), H5P_DEFAULT);
    REQUIRE(grp >= 0);
    for (const char* attr : {"rule", "description", "index", "parameters", "departments"})
      CHECK(H5Aexists(grp, attr) > 0);
    H5Gclose(grp);
    for (const auto& name : curves) {
      INFO(g << "/curves/" << name);
      const auto dims = shape(f, g + "/curves/" + name);
      if (name.rfind("department_", 0) == 0)
        CHECK(dims == std::vector<hsize_t>{7, 13, 7});
      else
        CHECK(dims == std::vector<hsize_t>{7, 13});
    }
    CHECK(shape(f, g + "/department_size") == std::vector<hsize_t>{7});
    CHECK(shape(f, g + "/department_name") == std::vector<hsize_t>{7});
    // the coordinates (dimension scales) of each group holding datasets
    for (const char* scale : {"/department", "/curves/department", "/curves/trial", "/metrics/trial",
                              "/attribution/trial", "/attribution/entries/trial", "/attribution/credit/trial"})
      CHECK(shape(f, g + scale) == std::vector<hsize_t>{7});  // 7 departments, 7 trials
    for (const char* week :
         {"/curves/week", "/attribution/week", "/attribution/entries/week", "/attribution/credit/week"})
      CHECK(shape(f, g + week) == std::vector<hsize_t>{13});
    // every dataset says what it holds and in which units
    auto described = [&](const std::string& path) {
      INFO(path);
      CHECK(H5Aexists_by_name(f, path.c_str(), "units", H5P_DEFAULT) > 0);
      CHECK(H5Aexists_by_name(f, path.c_str(), "description", H5P_DEFAULT) > 0);
    };
    for (const char* other : {"/department_size", "/department_name", "/department", "/curves/week"})
      described(g + other);
    for (const auto& name : curves) described(g + "/curves/" + name);
    for (const auto& name : metrics) described(g + "/metrics/" + name);
    for (const auto& name : attribution)
      if (scenario == "distributed"s ||
          (name.find("by_agent") == std::string::npos && name.find("agent_role") == std::string::npos))
        described(g + "/attribution/" + name);
    for (const auto& name : metrics) {
      INFO(g << "/metrics/" << name);
      CHECK(shape(f, g + "/metrics/" + name) == std::vector<hsize_t>{7});
    }
    for (const auto& name : attribution) {
      INFO(g << "/attribution/" << name);
      const bool per_agent = name.find("by_agent") != std::string::npos || name.find("agent_role") != std::string::npos;
      if (per_agent)  // only with record.credit, which this scenario file sets for distributed only
        CHECK(shape(f, g + "/attribution/" + name) ==
              (scenario == "distributed"s ? std::vector<hsize_t>{7, 200} : std::vector<hsize_t>{}));
      else
        CHECK(shape(f, g + "/attribution/" + name) == std::vector<hsize_t>{7, 13});
    }
  }
  // the shares of each step add up to one
  std::vector<float> share[4];
  const char* states[] = {"N", "C", "A", "R"};
  for (int s = 0; s < 4; ++s) {
    share[s].resize(7 * 13);
    hid_t ds = H5Dopen2(f, ("/scenarios/top_down/curves/"s + states[s]).c_str(), H5P_DEFAULT);
    H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, share[s].data());
    H5Dclose(ds);
  }
  for (std::size_t k = 0; k < share[0].size(); ++k)
    CHECK(share[0][k] + share[1][k] + share[2][k] + share[3][k] == Approx(1.0f).epsilon(1e-5));
  // Times not reached by T are NaN, and the datasets say where they were censored.
  // A mandate from the top gets compliance fast, but not half the staff internalized in 12 weeks.
  for (const char* time : {"t50_internalized", "t50"}) {
    INFO(time);
    std::vector<float> t(7);
    hid_t ds = H5Dopen2(f, ("/scenarios/top_down/metrics/"s + time).c_str(), H5P_DEFAULT);
    hid_t type = H5Dget_type(ds);
    CHECK(H5Tget_class(type) == H5T_FLOAT);
    H5Tclose(type);
    H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, t.data());
    std::int64_t censored_at = 0;
    hid_t at = H5Aopen(ds, "censored_at", H5P_DEFAULT);
    H5Aread(at, H5T_NATIVE_INT64, &censored_at);
    H5Aclose(at);
    H5Dclose(ds);
    CHECK(censored_at == 12);
    if (time == "t50_internalized"s) CHECK(std::isnan(t[0]));
  }
  H5Fclose(f);

  CHECK(run("info " + out.string()) == 0);
  CHECK(run("run " + toml.string() + " -o " + out.string()) == 2);  // exists: refused without --force
  CHECK(run("run " + toml.string() + " -o " + out.string() + " --force") == 0);
  fs::remove_all(out.parent_path());
}

TEST_CASE("bad command lines exit with status 2 and leave no output", "[unit][io]") {
  const fs::path toml = scratch("ok.toml"), out = scratch("never.h5");
  std::ofstream(toml) << kScenario;
  CHECK(run("") == 2);
  CHECK(run("run") == 2);
  CHECK(run("run " + toml.string() + " -o " + out.string() + " --trials 0") == 2);
  CHECK(run("run " + toml.string() + " -o " + out.string() + " --threads -1") == 2);
  CHECK(run("run " + toml.string() + " -o " + out.string() + " --no-such-option") == 2);
  CHECK(run("run " + toml.string() + " -o /no/such/dir/out.h5") == 2);
  CHECK(run("run /no/such/file.toml -o " + out.string()) == 2);
  CHECK(run("info " + toml.string()) == 2);  // not an HDF5 file
  CHECK_FALSE(fs::exists(out));
  CHECK(run("--version") == 0);
  CHECK(run("--help") == 0);
  fs::remove_all(out.parent_path());
}
