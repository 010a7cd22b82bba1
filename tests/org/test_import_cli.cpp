// `groundswell network import` and `network describe` end to end: the
// binary reads the small test files, writes tables that read back, describes
// real and synthetic organizations, and reports bad files in one line naming
// the file and the line, with exit status 2.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "groundswell/org/tables.hpp"

namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

const std::string kSource = GROUNDSWELL_SOURCE_DIR;
const std::string kData = kSource + "/tests/org/data/";

struct Result {
  int status = -1;
  std::string out, err;
};

std::string quote(const std::string& word) {
  std::string q = "'";
  for (char c : word) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

class Scratch {
 public:
  Scratch() {
    std::random_device entropy;
    do {
      path_ = fs::temp_directory_path() / ("groundswell_import_cli_" + std::to_string(entropy()));
    } while (!fs::create_directory(path_));
  }
  ~Scratch() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const fs::path& path() const { return path_; }

  /// Runs the binary with `args` from the repository root; captures output.
  Result run(const std::vector<std::string>& args) const {
    std::string command = "cd " + quote(kSource) + " && " + quote(GROUNDSWELL_BINARY);
    for (const auto& a : args) command += " " + quote(a);
    command += " >" + quote((path_ / "out").string()) + " 2>" + quote((path_ / "err").string());
    const int raw = std::system(command.c_str());
    Result r;
    r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
    r.out = slurp(path_ / "out");
    r.err = slurp(path_ / "err");
    return r;
  }

 private:
  fs::path path_;
};

}  // namespace

TEST_CASE("network import writes tables that read back as the organization", "[unit][cli][import]") {
  Scratch dir;
  const std::string out = (dir.path() / "small").string();
  const Result r = dir.run({"network", "import", kData + "small.paj", "--listen", "advice", "--direction", "forward",
                            "--formal", "reports_to", "-o", out});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("relation \"advice\" (1): 7 arcs") &&
                        Contains("1 added, 4 already listened to informally") &&
                        Contains("wrote " + out + "/nodes.csv (6 agents, 2 departments)"));
  const auto o = groundswell::org::read_organization_tables(out + "/nodes.csv", out + "/edges.csv");
  CHECK(o.manager == std::vector<std::int32_t>{2, 2, groundswell::kNoManager, 0, 0, 1});
  CHECK(o.attribute_names == std::vector<std::string>{"dept", "age"});
  CHECK(o.network.edge_count() == 8);
}

TEST_CASE("network describe: a network file, its relations, and a scenario file", "[unit][cli][import]") {
  Scratch dir;
  Result r = dir.run({"network", "describe", kData + "small.dl", "--listen", "advice", "--direction", "forward",
                      "--formal", "above", "--formal-direction", "reverse", "--top", "3"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("transitively closed") && Contains("depth 3, 1 top, 3 formal leaders") &&
                        Contains("informal leaders  top 3") && Contains("overlap"));
  // Without --listen, a file with several relations is listed.
  r = dir.run({"network", "describe", kData + "small.graphml"});
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("relation \"reports_to\" (3): 5 arcs") && Contains("give --listen"));
  // One directed relation but no --direction: listed, with what to give.
  r = dir.run({"network", "describe", kData + "small_snap.txt", "--nodes", kData + "small_snap_labels.txt"});
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("8 arcs (1 self-loop)") && Contains("give --direction"));
  // data: paths with --data-dir; format from the content.
  r = dir.run({"network", "describe", "data:small_multiplex.edges", "--data-dir", kData, "--layers",
               "data:small_layers.txt", "--nodes", "data:small_nodes.txt", "--listen", "advice,friendship",
               "--direction", "forward", "--department", "dept"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("departments: attribute \"dept\": 2 departments"));
  // A scenario file: the synthetic organization of trial 0.
  r = dir.run({"network", "describe", "scenarios/validation/bass_complete.toml"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("scenario") && Contains("agents") && Contains("reciprocity"));
}

TEST_CASE("network import: bad files and missing options are one clear line and exit status 2", "[unit][cli][import]") {
  Scratch dir;
  const std::string bad = (dir.path() / "bad.paj").string();
  std::ofstream(bad) << "*Vertices 3\n*Arcs\n1 2\n2 9\n";
  Result r =
      dir.run({"network", "import", bad, "--listen", "1", "--direction", "forward", "-o", (dir.path() / "o").string()});
  CHECK(r.status == 2);
  CHECK(r.err == "groundswell: error: " + bad + ":4: vertex 9 is outside the vertices 1..3 declared by *Vertices\n");
  r = dir.run({"network", "import", kData + "small.paj", "--listen", "advice", "-o", (dir.path() / "o").string()});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("say who listens to whom"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  r = dir.run({"network", "import", kData + "small.paj", "--listen", "advice", "--direction", "sideways", "-o", "x"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--direction"));
  r = dir.run({"network", "import", kData + "small.paj", "--nodes", kData + "small_nodes.txt", "--listen", "advice",
               "--direction", "forward", "-o", "x"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--nodes does not apply to format = \"pajek\""));
}
