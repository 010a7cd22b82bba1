// Issue 18 on the command line: `--set KEY=VALUE` / `--set NAME.KEY=VALUE`
// change a scenario file's keys with the parser's own checks and are recorded
// in the results; `--scenario NAME` runs a subset with the same bits as the
// full run (streams follow the scenario's name). `groundswell info` names the
// kind of every file the program writes. Messages: docs/errors.md.
#include <hdf5.h>
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("groundswell-overrides-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

struct Outcome {
  int status = -1;
  std::string text;  ///< stdout and stderr together
};

Outcome run(const std::string& args) {
  const std::string cmd = std::string(GROUNDSWELL_BINARY) + " " + args + " 2>&1";
  Outcome r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) r.text.append(buffer, n);
  const int status = ::pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

const char* kScenario = R"(rule = "sdt"
[experiment]
name = "small"
seed = 5
trials = 4
steps = 12
[organization]
size = 200
[[scenario]]
name = "top_down"
mandate = { issuers = "top" }
[[scenario]]
name = "distributed"
champions = { count = 6, selection = "distributed", coalition = true }
)";

fs::path scenario_file(const std::string& name, const std::string& text = kScenario) {
  const fs::path p = scratch(name);
  std::ofstream(p) << text;
  return p;
}

std::vector<float> dataset(const fs::path& file, const std::string& path) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  const hid_t ds = H5Dopen2(f, path.c_str(), H5P_DEFAULT);
  REQUIRE(ds >= 0);
  const hid_t space = H5Dget_space(ds);
  std::vector<float> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Sclose(space);
  H5Dclose(ds);
  H5Fclose(f);
  return v;
}

std::string attribute(const fs::path& file, const std::string& object, const char* name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  REQUIRE(f >= 0);
  std::string out;
  if (H5Aexists_by_name(f, object.c_str(), name, H5P_DEFAULT) > 0) {
    const hid_t a = H5Aopen_by_name(f, object.c_str(), name, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t type = H5Aget_type(a);
    if (H5Tis_variable_str(type) > 0) {
      const hid_t memory = H5Tcopy(H5T_C_S1);
      H5Tset_size(memory, H5T_VARIABLE);
      H5Tset_cset(memory, H5Tget_cset(type));
      char* data = nullptr;
      H5Aread(a, memory, &data);
      out = data ? data : "";
      H5free_memory(data);
      H5Tclose(memory);
    } else {
      out.resize(H5Tget_size(type));
      H5Aread(a, type, out.data());
      out = out.c_str();
    }
    H5Tclose(type);
    H5Aclose(a);
  }
  H5Fclose(f);
  return out;
}

}  // namespace

TEST_CASE("set: --set changes a key for every scenario or one, checked and recorded", "[unit][cli]") {
  const fs::path s = scenario_file("s.toml");
  const fs::path base = scratch("base.h5"), set = scratch("set.h5"), one = scratch("one.h5");
  REQUIRE(run("run " + s.string() + " -o " + base.string() + " --force -q").status == 0);

  SECTION("a good override changes the result and is recorded") {
    REQUIRE(run("run " + s.string() + " -o " + set.string() + " --force -q --set sdt.w_a=0.05").status == 0);
    CHECK(dataset(set, "scenarios/top_down/curves/A") != dataset(base, "scenarios/top_down/curves/A"));
    CHECK(attribute(set, "/", "overrides") == "sdt.w_a=0.05");
    CHECK(attribute(base, "/", "overrides").empty());
    CHECK(attribute(set, "scenarios/top_down", "parameters").find("sdt.w_a = 0.05\n") != std::string::npos);
    CHECK(attribute(set, "scenarios/distributed", "parameters").find("sdt.w_a = 0.05\n") != std::string::npos);
  }
  SECTION("NAME.KEY changes scenario NAME only") {
    REQUIRE(run("run " + s.string() + " -o " + one.string() + " --force -q --set distributed.organization.size=150")
                .status == 0);
    CHECK(attribute(one, "scenarios/distributed", "parameters").find("organization.size = 150\n") != std::string::npos);
    CHECK(attribute(one, "scenarios/top_down", "parameters").find("organization.size = 200\n") != std::string::npos);
    CHECK(dataset(one, "scenarios/top_down/curves/A") == dataset(base, "scenarios/top_down/curves/A"));
    CHECK(attribute(one, "/", "overrides") == "distributed.organization.size=150");
  }
  SECTION("words and inf are read as the file reads them") {
    REQUIRE(run("run " + s.string() + " -o " + set.string() +
                " --force -q --set top_down.mandate.half_life=inf --set distributed.champions.selection=random")
                .status == 0);
    CHECK(attribute(set, "scenarios/distributed", "parameters").find("champions.selection = random\n") !=
          std::string::npos);
    CHECK(attribute(set, "scenarios/top_down", "parameters").find("mandate.half_life = inf\n") != std::string::npos);
  }
  SECTION("--set before the file, spaces around the key and value, and --scenario of another scenario") {
    REQUIRE(run("run --set ' sdt.w_a = 0.05 ' --scenario top_down " + s.string() + " -o " + set.string() +
                " --force -q --set distributed.organization.size=150")
                .status == 0);
    CHECK(attribute(set, "scenarios/top_down", "parameters").find("sdt.w_a = 0.05\n") != std::string::npos);
    CHECK(attribute(set, "/", "scenarios") == "top_down");
  }
  SECTION("a scenario name with a dot: the longest name followed by a dot") {
    const fs::path dots = scenario_file("dots.toml", std::string(kScenario) + "[[scenario]]\nname = \"top_down.v2\"\n");
    REQUIRE(run("run " + dots.string() + " -o " + set.string() + " --force -q --set top_down.v2.sdt.w_a=0.05").status ==
            0);
    CHECK(attribute(set, "scenarios/top_down.v2", "parameters").find("sdt.w_a = 0.05\n") != std::string::npos);
    CHECK(attribute(set, "scenarios/top_down", "parameters").find("sdt.w_a = 0.05\n") == std::string::npos);
  }
}

TEST_CASE("bad --set values are refused with the parameter table's messages", "[unit][cli]") {
  const fs::path s = scenario_file("bad.toml");
  const std::string out = " -o " + scratch("bad.h5").string() + " --force ";
  struct Case {
    const char* what;
    std::string args;
    std::vector<std::string> fragments;
  };
  const std::vector<Case> cases = {
      {"unknown key",
       "--set organization.sise=100",
       {"--set organization.sise=100", "did you mean 'organization.size'"}},
      {"out of range", "--set sdt.w_a=7", {"sdt.w_a", "allowed [0, 1]"}},
      {"not a number", "--set sdt.w_a=high", {"sdt.w_a", "must be a number"}},
      {"no value", "--set sdt.w_a", {"KEY=VALUE"}},
      {"joint constraint", "--set sdt.w_a=0.6 --set sdt.w_c=0.6", {"exceeds 1"}},
      {"experiment key", "--set experiment.trials=3", {"--trials"}},
      {"unknown scenario of --scenario", "--scenario nope", {"--scenario nope", "top_down, distributed"}},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      const Outcome r = run("run " + s.string() + out + c.args);
      INFO(r.text);
      CHECK(r.status == 2);
      for (const auto& f : c.fragments) CHECK(r.text.find(f) != std::string::npos);
    }
  }
  SECTION("a scenario named like a section is ambiguous") {
    const fs::path amb = scenario_file("amb.toml", std::string(kScenario) + "[[scenario]]\nname = \"mandate\"\n");
    const Outcome r = run("run " + amb.string() + out + "--set mandate.issuers=top");
    INFO(r.text);
    CHECK(r.status == 2);
    CHECK(r.text.find("ambiguous") != std::string::npos);
  }
}

TEST_CASE("subset: --scenario runs a subset with the bits of the full run", "[seed][cli]") {
  const fs::path s = scenario_file("subset.toml");
  const fs::path full = scratch("full.h5"), part = scratch("part.h5");
  REQUIRE(run("run " + s.string() + " -o " + full.string() + " --force -q").status == 0);
  REQUIRE(run("run " + s.string() + " -o " + part.string() + " --force -q --scenario distributed").status == 0);
  CHECK(attribute(part, "/", "scenarios") == "distributed");
  for (const char* d : {"A", "C", "N", "R"})
    CHECK(dataset(part, std::string("scenarios/distributed/curves/") + d) ==
          dataset(full, std::string("scenarios/distributed/curves/") + d));
  CHECK(attribute(part, "/", "experiment") == "small");
}

TEST_CASE("sweep --set changes every point, and a swept key cannot be set", "[unit][cli]") {
  const fs::path w = scenario_file("w.toml", std::string(kScenario) +
                                                 "[sweep]\ndesign = \"grid\"\n[[sweep.parameter]]\n"
                                                 "name = \"sdt.beta_s\"\nvalues = [0.1, 0.2]\n");
  const fs::path plain = scratch("plain.h5"), set = scratch("sweep-set.h5");
  REQUIRE(run("sweep " + w.string() + " -o " + plain.string() + " --force -q").status == 0);
  REQUIRE(run("sweep " + w.string() + " -o " + set.string() + " --force -q --set sdt.w_a=0.05").status == 0);
  CHECK(dataset(set, "scenarios/top_down/curves/A/mean") != dataset(plain, "scenarios/top_down/curves/A/mean"));
  CHECK(attribute(set, "/", "fingerprint") != attribute(plain, "/", "fingerprint"));
  const Outcome swept = run("sweep " + w.string() + " -o " + set.string() + " --force -q --set sdt.beta_s=0.3");
  INFO(swept.text);
  CHECK(swept.status == 2);
  CHECK(swept.text.find("varied by the design") != std::string::npos);
}
