// Malformed network files of every format are InputErrors that name the
// file, the line and the fault (in the style of the CSV tables' reader).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "groundswell/org/import.hpp"

namespace {

namespace fs = std::filesystem;
using namespace groundswell;

struct Case {
  const char* what;
  const char* format;  ///< pajek, ucinet, graphml, snap, multiplex (edges), layers, nodes, labels
  std::string content;
  std::vector<std::string> fragments;  ///< ":LINE: " first, then words of the fault
};

/// Writes `content` to a fresh file and reads it with the reader of `format`;
/// returns "path|message" so that the test can check the path too.
std::string read_error(const Case& c, const fs::path& dir) {
  const std::string name = std::string("bad_") + c.format + ".txt";
  const fs::path file = dir / name;
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(c.content.data(), static_cast<std::streamsize>(c.content.size()));
  }
  const fs::path good_edges = dir / "good.edges", good_snap = dir / "good_snap.txt";
  std::ofstream(good_edges, std::ios::binary | std::ios::trunc) << "1 1 2 1\n";
  std::ofstream(good_snap, std::ios::binary | std::ios::trunc) << "1 2\n";
  const std::string f = c.format;
  try {
    if (f == "pajek")
      org::read_pajek(file.string());
    else if (f == "ucinet")
      org::read_ucinet(file.string());
    else if (f == "graphml")
      org::read_graphml(file.string());
    else if (f == "snap")
      org::read_snap(file.string(), "");
    else if (f == "labels")
      org::read_snap(good_snap.string(), file.string());
    else if (f == "multiplex")
      org::read_multiplex(file.string(), "", "");
    else if (f == "layers")
      org::read_multiplex(good_edges.string(), file.string(), "");
    else if (f == "nodes")
      org::read_multiplex(good_edges.string(), "", file.string());
  } catch (const InputError& e) {
    return file.string() + "|" + e.what();
  }
  return file.string() + "|no error";
}

}  // namespace

TEST_CASE("malformed network files name the file, the line and the fault", "[unit][org][import]") {
  const std::vector<Case> cases = {
      // Pajek
      {"arcs before vertices", "pajek", "*Arcs\n1 2\n", {":1: ", "before *Vertices"}},
      {"vertex out of range", "pajek", "*Vertices 3\n*Arcs\n1 2\n2 4\n", {":4: ", "outside the vertices 1..3"}},
      {"vertex not a number", "pajek", "*Vertices 3\n*Arcs\n1 two\n", {":3: ", "\"two\" is not a vertex number"}},
      {"weight not a number", "pajek", "*Vertices 3\n*Arcs\n1 2 1,5\n", {":3: ", "weight \"1,5\" is not a number"}},
      {"extra number", "pajek", "*Vertices 3\n*Arcs\n1 2 1 7\n", {":3: ", "extra number \"7\""}},
      {"unknown section", "pajek", "*Vertices 2\n*Arks\n1 2\n", {":2: ", "unknown section \"*Arks\""}},
      {"two-mode", "pajek", "*Vertices 5 2\n", {":1: ", "two-mode"}},
      {"vertex given twice", "pajek", "*Vertices 2\n1 \"a\"\n1 \"b\"\n", {":3: ", "already given on line 2"}},
      {"unclosed quote", "pajek", "*Vertices 2\n1 \"a\n", {":2: ", "not closed"}},
      {"partition too short",
       "pajek",
       "*Vertices 3\n*Partition p\n*Vertices 3\n1\n2\n",
       {":3: ", "has 2 values for 3 vertices"}},
      {"partition for another size",
       "pajek",
       "*Vertices 3\n*Partition p\n*Vertices 4\n",
       {":3: ", "is for 4 vertices"}},
      {"partition value",
       "pajek",
       "*Vertices 2\n*Vector v\n*Vertices 2\n1.5\nhigh\n",
       {":5: ", "\"high\"", "is not a number"}},
      {"relation labelled twice",
       "pajek",
       "*Vertices 2\n*Arcs :1 \"a\"\n*Arcs :1 \"b\"\n",
       {":3: ", "labelled \"b\" here but \"a\""}},
      {"bad relation prefix", "pajek", "*Vertices 2\n*Arcs\nx: 1 2\n", {":3: ", "relation prefix \"x:\""}},
      {"matrix row short", "pajek", "*Vertices 2\n*Matrix\n0 1\n1\n", {":4: ", "has 1 values but the network has 2"}},
      {"second network", "pajek", "*Vertices 1\n*Network again\n", {":2: ", "second network"}},
      {"binary", "pajek", std::string("*Vertices 1\n1 \"a\0b\"\n", 17), {":2: ", "NUL byte"}},
      {"latin-1", "pajek", "*Vertices 1\n1 \"Fran\xE7oise\"\n", {":2: ", "not valid UTF-8", "iconv"}},
      {"no vertices", "pajek", "% only a comment\n", {"is empty"}},
      // UCINET DL
      {"not DL", "ucinet", "LD N=2\n", {":1: ", "expected DL"}},
      {"edgelist format",
       "ucinet",
       "DL N=2\nFORMAT = EDGELIST1\nDATA:\n1 2\n",
       {":2: ", "FORMAT = EDGELIST1 is not read"}},
      {"two-mode", "ucinet", "DL NR=2, NC=3\n", {":1: ", "two-mode"}},
      {"value not a number", "ucinet", "DL N=2\nDATA:\n0 1\nx 0\n", {":4: ", "value \"x\"", "row 2, column 1"}},
      {"too few values", "ucinet", "DL N=2\nDATA:\n0 1\n1\n", {"the data end after 3 of the 4 values"}},
      {"too many values", "ucinet", "DL N=2\nDATA:\n0 1\n1 0\n1\n", {":5: ", "unexpected value \"1\""}},
      {"labels short", "ucinet", "DL N=3\nLABELS:\nA B\nDATA:\n", {":4: ", "2 labels where 3 are needed"}},
      {"labels repeated", "ucinet", "DL N=2\nROW LABELS:\nA\nA\nDATA:\n", {":4: ", "\"A\" appears twice"}},
      {"column labels differ",
       "ucinet",
       "DL N=2\nROW LABELS:\nA B\nCOLUMN LABELS:\nA C\nDATA:\n0 0 0 0\n",
       {":4: ", "differ from the row labels"}},
      {"embedded labels", "ucinet", "DL N=2\nLABELS EMBEDDED\n", {":2: ", "LABELS EMBEDDED is not read"}},
      {"no data", "ucinet", "DL N=2\n", {"never reaches DATA:"}},
      {"unknown key", "ucinet", "DL N=2 XY=3\n", {":1: ", "unknown header key \"XY=3\""}},
      // GraphML
      {"not graphml", "graphml", "<?xml version=\"1.0\"?>\n<gexf>\n", {":2: ", "expected the <graphml> root"}},
      {"mismatched tag",
       "graphml",
       "<graphml>\n<graph edgedefault=\"directed\">\n<node id=\"a\">\n</graph>\n",
       {":4: ", "</graph> closes <node>"}},
      {"edge to unknown node",
       "graphml",
       "<graphml>\n<graph edgedefault=\"directed\">\n<node id=\"a\"/>\n<edge source=\"a\" "
       "target=\"b\"/>\n</graph>\n</graphml>\n",
       {":4: ", "target \"b\" is not the id of a <node>"}},
      {"duplicate node",
       "graphml",
       "<graphml>\n<graph edgedefault=\"directed\">\n<node id=\"a\"/>\n<node id=\"a\"/>\n",
       {":4: ", "already used on line 3"}},
      {"undeclared key",
       "graphml",
       "<graphml>\n<graph edgedefault=\"directed\">\n<node id=\"a\">\n<data "
       "key=\"k\">1</data></node></graph></graphml>\n",
       {":4: ", "not declared"}},
      {"no edgedefault", "graphml", "<graphml>\n<graph>\n", {":2: ", "edgedefault"}},
      {"bad weight",
       "graphml",
       "<graphml><key id=\"w\" for=\"edge\" attr.name=\"weight\"/>\n<graph edgedefault=\"directed\">\n<node "
       "id=\"a\"/><node id=\"b\"/>\n"
       "<edge source=\"a\" target=\"b\"><data key=\"w\">heavy</data></edge>\n</graph></graphml>\n",
       {":4: ", "weight \"heavy\" is not a number"}},
      {"bad entity", "graphml", "<graphml>\n<graph edgedefault=\"directed\">\n<node id=\"a&b\"/>\n", {":3: ", "&"}},
      {"unclosed",
       "graphml",
       "<graphml>\n<graph edgedefault=\"directed\">\n<node id=\"a\"/>\n",
       {":2: ", "never closed"}},
      {"hyperedge", "graphml", "<graphml>\n<graph edgedefault=\"directed\">\n<hyperedge/>\n", {":3: ", "hyperedges"}},
      {"unquoted attribute", "graphml", "<graphml>\n<graph edgedefault=directed>\n", {":2: ", "must be in quotes"}},
      // SNAP edge list and label file
      {"one column", "snap", "# c\n1 2\n3\n", {":3: ", "\"u v\" or \"u v weight\""}},
      {"weight", "snap", "1 2 x\n", {":1: ", "weight \"x\" is not a number"}},
      {"label file width", "labels", "1 a\n2 b c\n", {":2: ", "two words"}},
      {"label twice", "labels", "1 a\n2 b\n1 c\n", {":3: ", "already has a label on line 1"}},
      {"node not in labels", "labels", "1 a\n", {"good_snap.txt:1: ", "node \"2\" is not in the label file"}},
      // Multiplex edges, layers and nodes
      {"edge line", "multiplex", "1 2 3 1\n1 2\n", {":2: ", "\"layer node node [weight]\""}},
      {"edge weight", "multiplex", "1 2 3 w\n", {":1: ", "weight \"w\""}},
      {"layer twice", "layers", "layerID layerLabel\n1 advice\n1 friends\n", {":3: ", "already given on line 2"}},
      {"layer unknown", "layers", "2 advice\n", {"good.edges:1: ", "layer \"1\" is not in the layers file"}},
      {"nodes row width", "nodes", "nodeID city\n1 4\n2\n", {":3: ", "row has 1 columns but the header"}},
      {"node twice", "nodes", "nodeID city\n1 4\n2 4\n1 5\n", {":4: ", "already given on line 2"}},
  };
  const fs::path dir =
      fs::temp_directory_path() / ("groundswell_import_errors_" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  for (const Case& c : cases) {
    INFO(c.format << ": " << c.what);
    const std::string result = read_error(c, dir);
    const std::string path = result.substr(0, result.find('|'));
    const std::string message = result.substr(result.find('|') + 1);
    INFO("message: " << message);
    // Every message starts with the path of the file at fault (the bad file, or the edge list it is checked with).
    CHECK((message.rfind(path, 0) == 0 || message.rfind((dir / "good").string(), 0) == 0));
    for (const auto& fragment : c.fragments) CHECK_THAT(message, Catch::Matchers::Contains(fragment));
  }
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

TEST_CASE("missing files and directories are named", "[unit][org][import]") {
  const fs::path dir = fs::temp_directory_path();
  CHECK_THROWS_WITH(org::read_pajek("/no/such/file.paj"),
                    Catch::Matchers::Contains("/no/such/file.paj: Pajek file not found"));
  CHECK_THROWS_WITH(org::read_ucinet(dir.string()), Catch::Matchers::Contains("is a directory"));
  CHECK_THROWS_WITH(org::read_graphml("/no/such.graphml"), Catch::Matchers::Contains("GraphML file not found"));
  CHECK_THROWS_WITH(org::read_multiplex("/no/e.edges", "", ""), Catch::Matchers::Contains("not found"));
}
