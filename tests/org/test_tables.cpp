// The node and edge CSV tables (MODEL.md 2.3): a valid pair reads as written,
// every malformed input is an InputError naming the file, the line and the
// fault, and write-then-read gives back the same organization.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "groundswell/org/tables.hpp"

namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using groundswell::InputError;
using groundswell::kNoManager;
using groundswell::org::Organization;
using groundswell::org::Tie;

/// A fresh directory under the system temporary directory, removed at the end.
class TempDir {
 public:
  TempDir() {
    std::random_device entropy;
    do {
      path_ = fs::temp_directory_path() / ("groundswell_test_tables_" + std::to_string(entropy()));
    } while (!fs::create_directory(path_));
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }

  /// Writes `content` byte for byte to `name` and returns its path.
  std::string write(const std::string& name, const std::string& content) const {
    const fs::path file = path_ / name;
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    return file.string();
  }

 private:
  fs::path path_;
};

// Columns in an unusual order on purpose: the reader finds them by name.
const std::string kValidNodes =
    "level,id,location,manager,department,title\n"
    "0,ceo,Paris,,Board,Chief\n"
    "1,cto,Lyon,ceo,Tech,\"CTO, acting\"\n"
    "2,dev1,Lyon,cto,Tech,Engineer\n"
    "1,cfo,Paris,ceo,Finance,\"The \"\"money\"\" person\"\n"
    "2,acc1,Nice,cfo,Finance,Accountant\n";
const std::string kValidEdges =
    "type,weight,source,target\n"
    "formal,1,cto,ceo\n"
    "informal,0.5,dev1,cfo\n"
    ",2.25,acc1,dev1\n"
    "formal,0.75,dev1,cto\n";

void check_valid_tables(const Organization& org) {
  REQUIRE(org.size() == 5);
  CHECK(org.ids == std::vector<std::string>{"ceo", "cto", "dev1", "cfo", "acc1"});
  CHECK(org.manager == std::vector<std::int32_t>{kNoManager, 0, 1, 0, 3});
  CHECK(org.level == std::vector<std::int32_t>{0, 1, 2, 1, 2});
  CHECK(org.department == std::vector<std::int32_t>{0, 1, 1, 2, 2});
  CHECK(org.department_count == 3);
  CHECK(org.department_names == std::vector<std::string>{"Board", "Tech", "Finance"});
  CHECK(org.is_formal_leader == std::vector<std::uint8_t>{1, 1, 0, 1, 0});
  CHECK(org.attribute_names == std::vector<std::string>{"location", "title"});
  REQUIRE(org.attributes.size() == 5);
  CHECK(org.attributes[1] == std::vector<std::string>{"Lyon", "CTO, acting"});
  CHECK(org.attributes[3] == std::vector<std::string>{"Paris", "The \"money\" person"});
  // "source listens to target": in-edges of the source, in file order.
  const auto& net = org.network;
  CHECK(net.offsets == std::vector<groundswell::EdgeIndex>{0, 0, 1, 3, 3, 4});
  CHECK(net.sources == std::vector<groundswell::AgentId>{0, 3, 1, 2});
  CHECK(net.weights == std::vector<float>{1.0F, 0.5F, 0.75F, 2.25F});
  CHECK(net.formal == std::vector<std::uint8_t>{1, 0, 1, 0});
}

void check_same_organization(const Organization& a, const Organization& b) {
  CHECK(a.manager == b.manager);
  CHECK(a.level == b.level);
  CHECK(a.department == b.department);
  CHECK(a.department_count == b.department_count);
  CHECK(a.is_formal_leader == b.is_formal_leader);
  CHECK(a.network.offsets == b.network.offsets);
  CHECK(a.network.sources == b.network.sources);
  CHECK(a.network.weights == b.network.weights);  // bit for bit, not approximately
  CHECK(a.network.formal == b.network.formal);
}

/// A string literal with embedded NUL bytes, without its terminator.
template <std::size_t N>
std::string bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

/// The message of the InputError thrown by reading the two paths.
std::string input_error(const std::string& nodes_path, const std::string& edges_path) {
  try {
    groundswell::org::read_organization_tables(nodes_path, edges_path);
  } catch (const InputError& e) {
    return e.what();
  }
  return "<no InputError thrown>";
}

}  // namespace

TEST_CASE("a valid node and edge table read as written", "[unit]") {
  const TempDir dir;
  const Organization org = groundswell::org::read_organization_tables(dir.write("nodes.csv", kValidNodes),
                                                                      dir.write("edges.csv", kValidEdges));
  check_valid_tables(org);
}

TEST_CASE("CRLF endings, a UTF-8 BOM, blanks around fields and trailing empty lines are accepted", "[unit]") {
  const TempDir dir;
  const std::string bom = "\xEF\xBB\xBF";
  std::string padded = replace_all(replace_all(kValidNodes, ",Lyon,", " ,\tLyon  , "), ",Paris,", "\t, Paris ,");
  padded = replace_all(padded, "\n", " \n");
  const std::string nodes = bom + replace_all(padded, "\n", "\r\n") + "\r\n\r\n  \r\n";
  const std::string edges = bom + replace_all(kValidEdges, "\n", "\r\n") + "\n\n";
  const Organization org =
      groundswell::org::read_organization_tables(dir.write("nodes.csv", nodes), dir.write("edges.csv", edges));
  check_valid_tables(org);
}

TEST_CASE("an edge table with a header and no rows gives a network without edges", "[unit]") {
  const TempDir dir;
  const Organization org = groundswell::org::read_organization_tables(
      dir.write("nodes.csv", kValidNodes), dir.write("edges.csv", "source,target,weight,type\n"));
  CHECK(org.network.agent_count() == 5);
  CHECK(org.network.edge_count() == 0);
}

TEST_CASE("malformed tables are InputErrors naming the file, the line and the fault", "[unit]") {
  const std::string nodes =
      "id,department,manager,level\n"
      "a,X,,0\n"
      "b,X,a,1\n"
      "c,Y,a,1\n";
  const std::string edges_header = "source,target,weight,type\n";
  const std::string edges = edges_header + "b,a,1,formal\nc,b,0.5,informal\n";
  const std::string nodes_header = "id,department,manager,level\n";
  struct Case {
    const char* what;
    std::string nodes;
    std::string edges;
    bool in_edges;  // which file the message must name
    int line;       // 0: the fault is the whole file
    std::string phrase;
  };
  const std::string one_mib_and_more(std::size_t{1} << 20 | 10, 'x');
  const std::vector<Case> cases = {
      // node table: file and header
      {"empty node file", "", edges, false, 0, "file is empty"},
      {"only empty lines", "\n\r\n  \n", edges, false, 0, "file is empty"},
      {"missing column", "id,department,level\na,X,0\n", edges, false, 1, "lacks the column \"manager\""},
      {"missing columns", "id,dept,boss,level\na,X,,0\n", edges, false, 1,
       "lacks the columns \"department\" and \"manager\""},
      {"duplicate column", "id,department,manager,level,id\na,X,,0,a\n", edges, false, 1, "\"id\" appears twice"},
      {"unnamed column", "id,department,manager,level,\na,X,,0,\n", edges, false, 1,
       "column 5 of the header has no name"},
      {"header only", nodes_header, edges, false, 0, "has a header but no rows"},
      // node table: rows
      {"too few fields", nodes_header + "a,X,,0\nb,X,a\n", edges, false, 3, "row has 3 fields but the header has 4"},
      {"too many fields", nodes_header + "a,X,,0\nb,X,a,1,9\n", edges, false, 3,
       "row has 5 fields but the header has 4"},
      {"empty line inside", nodes_header + "a,X,,0\n\nb,X,a,1\n", edges, false, 3, "empty line inside the table"},
      {"duplicate id", nodes_header + "a,X,,0\nb,X,a,1\na,Y,,0\n", edges, false, 4, "\"a\" is already used on line 2"},
      {"empty id", nodes_header + "a,X,,0\n,X,a,1\n", edges, false, 3, "id is empty"},
      {"empty department", nodes_header + "a,X,,0\nb,,a,1\n", edges, false, 3, "department is empty"},
      {"unknown manager", nodes_header + "a,X,,0\nb,X,zed,1\n", edges, false, 3, "manager \"zed\" is not an id"},
      {"own manager", nodes_header + "a,X,,0\nb,X,b,1\n", edges, false, 3, "is the person's own id"},
      {"manager cycle", nodes_header + "top,X,,0\na,X,c,1\nb,X,a,2\nc,X,b,3\n", edges, false, 3,
       "cycle: \"a\" -> \"c\" -> \"b\" -> \"a\""},
      {"negative level", nodes_header + "a,X,,-1\n", edges, false, 2, "level \"-1\" must be a whole number >= 0"},
      {"fractional level", nodes_header + "a,X,,1.5\n", edges, false, 2, "level \"1.5\" must be a whole number"},
      {"text level", nodes_header + "a,X,,top\n", edges, false, 2, "level \"top\" must be a whole number"},
      {"empty level", nodes_header + "a,X,,\n", edges, false, 2, "level \"\" must be a whole number"},
      {"huge level", nodes_header + "a,X,,99999999999\n", edges, false, 2, "must be a whole number"},
      // regression: depth() = largest level + 1 overflowed int32 (found writing fuzz/fuzz_tables.cpp)
      {"level 2^31 - 1", nodes_header + "a,X,,2147483647\n", edges, false, 2, "\"2147483647\" is too large"},
      {"unclosed quote", nodes_header + "a,\"X,,0\n", edges, false, 2, "quote that is not closed"},
      {"text after quote", nodes_header + "a,\"X\"Y,,0\n", edges, false, 2, "text after its closing quote"},
      // node table: not text
      {"NUL bytes", bytes("id,depa\0\0\0rtment,manager,level\n"), edges, false, 1, "NUL byte"},
      {"UTF-16", bytes("\xFF\xFEi\0d\0,\0"), edges, false, 1, "not valid UTF-8"},
      {"Latin-1", nodes_header + "a,X,,0\nM\xFCller,X,a,1\n", edges, false, 3, "not valid UTF-8"},
      {"control character", nodes_header + "a,X\x01,,0\n", edges, false, 2, "control character 0x01"},
      {"old Mac line endings", "id,department,manager,level\ra,X,,0\r", edges, false, 1, "carriage return"},
      {"line over 1 MiB", nodes_header + "a,X,,0\n" + one_mib_and_more + "\n", edges, false, 3, "longer than 1 MiB"},
      {"no line break at all", one_mib_and_more + one_mib_and_more, edges, false, 1, "longer than 1 MiB"},
      // edge table: file and header
      {"empty edge file", nodes, "", true, 0, "file is empty"},
      {"missing type column", nodes, "source,target,weight\nb,a,1\n", true, 1, "lacks the column \"type\""},
      {"extra columns", nodes, "source,target,weight,type,note,since\nb,a,1,formal,x,y\n", true, 1,
       "unexpected columns \"note\" and \"since\""},
      {"duplicate edge column", nodes, "source,target,weight,type,weight\n", true, 1, "\"weight\" appears twice"},
      // edge table: rows
      {"wrong field count", nodes, edges_header + "b,a,1\n", true, 2, "row has 3 fields but the header has 4"},
      {"unknown source", nodes, edges_header + "b,a,1,formal\nzed,a,1,formal\n", true, 3,
       "source \"zed\" is not an id"},
      {"unknown target", nodes, edges_header + "b,zed,1,formal\n", true, 2, "target \"zed\" is not an id"},
      {"empty source", nodes, edges_header + ",a,1,formal\n", true, 2, "source is empty"},
      {"self-loop", nodes, edges_header + "b,b,1,informal\n", true, 2, "cannot listen to themselves"},
      {"duplicate edge", nodes, edges_header + "b,a,1,formal\nc,a,1,\nb,a,2,informal\n", true, 4,
       "\"b\" -> \"a\" is already given on line 2"},
      {"negative weight", nodes, edges_header + "b,a,-1,formal\n", true, 2, "weight \"-1\" must be a number > 0"},
      {"zero weight", nodes, edges_header + "b,a,0,formal\n", true, 2, "weight \"0\" must be a number > 0"},
      {"negative zero weight", nodes, edges_header + "b,a,-0,formal\n", true, 2, "weight \"-0\" must be a number > 0"},
      {"text weight", nodes, edges_header + "b,a,abc,formal\n", true, 2, "weight \"abc\" must be a number > 0"},
      {"trailing garbage", nodes, edges_header + "b,a,1.5x,formal\n", true, 2, "weight \"1.5x\" must be a number > 0"},
      {"hexadecimal weight", nodes, edges_header + "b,a,0x10,formal\n", true, 2, "weight \"0x10\" must be a number"},
      {"NaN weight", nodes, edges_header + "b,a,nan,formal\n", true, 2, "weight \"nan\" must be a number > 0"},
      {"infinite weight", nodes, edges_header + "b,a,inf,formal\n", true, 2, "weight \"inf\" must be a number > 0"},
      {"empty weight", nodes, edges_header + "b,a,,formal\n", true, 2, "weight \"\" must be a number > 0"},
      {"weight beyond float", nodes, edges_header + "b,a,1e40,formal\n", true, 2, "weight \"1e40\" is out of range"},
      {"hugely negative weight", nodes, edges_header + "b,a,-1e40,formal\n", true, 2, "must be a number > 0"},
      {"unknown type", nodes, edges_header + "b,a,1,strong\n", true, 2, "type \"strong\" must be formal or informal"},
      {"type is case sensitive", nodes, edges_header + "b,a,1,Formal\n", true, 2, "type \"Formal\" must be formal"},
      {"binary edge file", nodes,
       bytes("\x7F"
             "ELF\x02\x01\x01\0\0\0"),
       true, 1, "looks binary"},
  };

  const TempDir dir;
  for (const Case& c : cases) {
    INFO("case: " << c.what);
    const std::string nodes_path = dir.write("nodes.csv", c.nodes);
    const std::string edges_path = dir.write("edges.csv", c.edges);
    const std::string message = input_error(nodes_path, edges_path);
    const std::string& file = c.in_edges ? edges_path : nodes_path;
    const std::string where = c.line > 0 ? file + ":" + std::to_string(c.line) + ": " : file + ": ";
    CHECK_THAT(message, Contains(where));
    CHECK_THAT(message, Contains(c.phrase));
  }
}

TEST_CASE("a missing file or a directory is an InputError naming the path", "[unit]") {
  const TempDir dir;
  const std::string nodes = dir.write("nodes.csv", kValidNodes);
  const std::string edges = dir.write("edges.csv", kValidEdges);
  const std::string missing = (dir.path() / "no_such_table.csv").string();

  CHECK_THAT(input_error(missing, edges), Contains(missing + ": file not found"));
  CHECK_THAT(input_error(nodes, missing), Contains(missing + ": file not found"));
  CHECK_THAT(input_error(dir.path().string(), edges), Contains(dir.path().string() + ": is a directory"));
}

TEST_CASE("a cycle through many people is reported in a bounded message", "[unit]") {
  std::string nodes = "id,department,manager,level\n";
  const int n = 1000;  // p0 -> p1 -> ... -> p999 -> p0
  for (int i = 0; i < n; ++i) nodes += "p" + std::to_string(i) + ",X,p" + std::to_string((i + 1) % n) + ",0\n";
  const TempDir dir;
  const std::string message =
      input_error(dir.write("nodes.csv", nodes), dir.write("edges.csv", "source,target,weight,type\n"));
  CHECK_THAT(message, Contains("nodes.csv:2: the manager chain is a cycle: \"p0\" -> \"p1\""));
  CHECK_THAT(message, Contains("(1000 people in all)"));
  CHECK(message.size() < 1000);
}

TEST_CASE("a hand-built organization survives a write and a read", "[unit]") {
  Organization org;
  org.manager = {kNoManager, 0, 0, 1};
  org.level = {0, 1, 1, 2};
  org.department = {0, 0, 1, 1};
  org.department_count = 2;
  // Weights that need all nine digits of a float, or an exponent.
  const std::vector<Tie> ties = {{1, 0, 0.5F, true},    {2, 0, 1.0F / 3.0F, true}, {3, 1, 0.123456789F, true},
                                 {0, 3, 1e-7F, false},  {2, 1, 2.5F, false},       {0, 2, 16777215.0F, false},
                                 {1, 3, 3.4e38F, false}};
  org.network = groundswell::org::build_network(org.size(), ties);
  groundswell::org::mark_formal_leaders(org);
  const std::vector<std::uint8_t> champion = {1, 0, 0, 1};

  const TempDir dir;
  const fs::path out = dir.path() / "export" / "nested";  // created by the writer
  groundswell::org::write_organization_tables(org, champion, out.string());
  const Organization back =
      groundswell::org::read_organization_tables((out / "nodes.csv").string(), (out / "edges.csv").string());
  check_same_organization(org, back);
  // Without ids and names the agent and department numbers are written.
  CHECK(back.ids == std::vector<std::string>{"0", "1", "2", "3"});
  CHECK(back.department_names == std::vector<std::string>{"0", "1"});
  CHECK(back.attribute_names == std::vector<std::string>{"champion"});
  CHECK(back.attributes == std::vector<std::vector<std::string>>{{"1"}, {"0"}, {"0"}, {"1"}});
  // Only the two tables are left: the temporaries were renamed.
  std::vector<std::string> files;
  for (const auto& entry : fs::directory_iterator(out)) files.push_back(entry.path().filename().string());
  std::sort(files.begin(), files.end());
  CHECK(files == std::vector<std::string>{"edges.csv", "nodes.csv"});
}

TEST_CASE("ids, labels and attributes that need quoting survive a write and a read", "[unit]") {
  const TempDir dir;
  const std::string nodes =
      "id,department,manager,level,note\n"
      "\"Smith, J\",\"R&D, \"\"Lab\"\"\",,0,\" padded \"\n"
      "x,Ops,\"Smith, J\",1,\n";
  const Organization org = groundswell::org::read_organization_tables(
      dir.write("nodes.csv", nodes), dir.write("edges.csv", "source,target,weight,type\nx,\"Smith, J\",0.1,formal\n"));
  CHECK(org.ids[0] == "Smith, J");
  CHECK(org.department_names[0] == "R&D, \"Lab\"");
  CHECK(org.attributes[0][0] == " padded ");

  const fs::path out = dir.path() / "out";
  groundswell::org::write_organization_tables(org, {}, out.string());
  const Organization back =
      groundswell::org::read_organization_tables((out / "nodes.csv").string(), (out / "edges.csv").string());
  check_same_organization(org, back);
  CHECK(back.ids == org.ids);
  CHECK(back.department_names == org.department_names);
  CHECK(back.attribute_names == org.attribute_names);
  CHECK(back.attributes == org.attributes);

  // Writing again with champions adds the column once, replacing an old one.
  groundswell::org::write_organization_tables(back, {0, 1}, out.string());
  const Organization with_champions =
      groundswell::org::read_organization_tables((out / "nodes.csv").string(), (out / "edges.csv").string());
  CHECK(with_champions.attribute_names == std::vector<std::string>{"note", "champion"});
  groundswell::org::write_organization_tables(with_champions, {1, 0}, out.string());
  const Organization again =
      groundswell::org::read_organization_tables((out / "nodes.csv").string(), (out / "edges.csv").string());
  CHECK(again.attribute_names == std::vector<std::string>{"note", "champion"});
  CHECK(again.attributes[0][1] == "1");
}

TEST_CASE("write failures throw std::runtime_error naming the path and leave no temporary", "[unit]") {
  Organization org;
  org.manager = {kNoManager, 0};
  org.level = {0, 1};
  org.department = {0, 0};
  org.department_count = 1;
  org.network = groundswell::org::build_network(2, {{1, 0, 1.0F, true}});
  groundswell::org::mark_formal_leaders(org);
  const TempDir dir;

  SECTION("the directory is a regular file") {
    const std::string file = dir.write("not_a_directory", "x");
    try {
      groundswell::org::write_organization_tables(org, {}, file);
      FAIL("no exception thrown");
    } catch (const std::runtime_error& e) {
      CHECK_THAT(e.what(), Contains(file));
    }
  }
  SECTION("nodes.csv cannot be replaced") {
    fs::create_directories(dir.path() / "nodes.csv" / "occupied");
    try {
      groundswell::org::write_organization_tables(org, {}, dir.path().string());
      FAIL("no exception thrown");
    } catch (const std::runtime_error& e) {
      CHECK_THAT(e.what(), Contains((dir.path() / "nodes.csv").string()));
    }
    for (const auto& entry : fs::directory_iterator(dir.path()))  // no temporary left
      CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
  }
}
