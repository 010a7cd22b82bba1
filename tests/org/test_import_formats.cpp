// The network readers (docs/data.md): one small organization written in
// Pajek, UCINET DL, GraphML and the multiplex format (tests/org/data/small*)
// reads as the same organization; each format's own features read as
// documented; the SNAP edge list with its label file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "groundswell/org/import.hpp"
#include "groundswell/org/tables.hpp"

namespace {

namespace fs = std::filesystem;
using namespace groundswell;
using model::NetworkFormat;
using model::TieDirection;

const std::string kData = std::string(GROUNDSWELL_SOURCE_DIR) + "/tests/org/data/";

/// A fresh directory removed at the end, for files written by a test.
class TempDir {
 public:
  TempDir() {
    std::random_device entropy;
    do {
      path_ = fs::temp_directory_path() / ("groundswell_test_import_" + std::to_string(entropy()));
    } while (!fs::create_directory(path_));
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream out(path_ / name, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    return (path_ / name).string();
  }

 private:
  fs::path path_;
};

const org::RawRelation& relation(const org::RawNetwork& raw, const std::string& name) {
  for (const auto& r : raw.relations)
    if (r.name == name) return r;
  FAIL("no relation " << name);
  throw;
}

/// (from, to) of every arc, as ids.
std::vector<std::pair<std::string, std::string>> arcs(const org::RawNetwork& raw, const std::string& name) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& a : relation(raw, name).arcs) out.emplace_back(raw.ids[a.from], raw.ids[a.to]);
  return out;
}

model::OrganizationSpec small_spec(NetworkFormat format) {
  model::OrganizationSpec spec;
  spec.generator = model::Generator::File;
  spec.import.format = format;
  spec.import.listen = "advice";
  spec.import.direction = TieDirection::Forward;
  switch (format) {
    case NetworkFormat::Pajek:
      spec.import.network = kData + "small.paj";
      spec.import.formal = "reports_to";
      break;
    case NetworkFormat::Ucinet:  // "above": row is above column, transitively closed
      spec.import.network = kData + "small.dl";
      spec.import.formal = "above";
      spec.import.formal_direction = TieDirection::Reverse;
      break;
    case NetworkFormat::Graphml:
      spec.import.network = kData + "small.graphml";
      spec.import.formal = "reports_to";
      break;
    case NetworkFormat::Multiplex:
      spec.edges_file = kData + "small_multiplex.edges";
      spec.import.layers = kData + "small_layers.txt";
      spec.nodes_file = kData + "small_nodes.txt";
      spec.import.formal = "reports_to";
      break;
    default:
      FAIL("not a small-organization format");
  }
  return spec;
}

}  // namespace

TEST_CASE("one small organization reads the same from Pajek, UCINET DL, GraphML and multiplex files",
          "[unit][org][import]") {
  for (NetworkFormat format :
       {NetworkFormat::Pajek, NetworkFormat::Ucinet, NetworkFormat::Graphml, NetworkFormat::Multiplex}) {
    INFO("format " << model::to_string(format));
    org::ImportReport report;
    const org::Organization o = org::import_organization(small_spec(format), &report);
    REQUIRE(o.size() == 6);
    CHECK(o.ids == std::vector<std::string>{"A", "B", "C", "D", "E", "F"});
    // C is the top; A and B report to C; D and E to A; F to B.
    CHECK(o.manager == std::vector<std::int32_t>{2, 2, kNoManager, 0, 0, 1});
    CHECK(o.level == std::vector<std::int32_t>{1, 1, 0, 2, 2, 2});
    CHECK(o.is_formal_leader == std::vector<std::uint8_t>{1, 1, 1, 0, 0, 0});
    // Level-1 ancestors: A's and B's subtrees; the top joins its first report's (A).
    CHECK(o.department_names == std::vector<std::string>{"A", "B"});
    CHECK(o.department == std::vector<DepartmentId>{0, 1, 0, 0, 0, 1});
    // Advice, forward: i -> j is "i listens to j"; F does not ask B, its
    // manager, so a formal tie F <- B of weight 0.5 is added.
    CHECK(o.network.offsets == std::vector<EdgeIndex>{0, 1, 2, 3, 5, 6, 8});
    CHECK(o.network.sources == std::vector<AgentId>{2, 2, 0, 0, 4, 0, 0, 1});
    CHECK(o.network.weights == std::vector<float>{1, 1, 1, 1, 1, 1, 1, 0.5F});
    CHECK(o.network.formal == std::vector<std::uint8_t>{0, 0, 0, 0, 0, 0, 0, 1});
    CHECK(report.listen_ties == 7);
    CHECK(report.formal_ties == 1);
    CHECK(report.formal_already_informal == 4);
    CHECK(report.tops == 1);
    CHECK(report.closure_people == (format == NetworkFormat::Ucinet ? 3u : 0u));  // D, E and F have two superiors
  }
}

TEST_CASE("Pajek: relations, partitions and vectors of a project file", "[unit][org][import]") {
  const org::RawNetwork raw = org::read_pajek(kData + "small.paj");
  CHECK(raw.format == "Pajek");
  REQUIRE(raw.relations.size() == 3);
  CHECK(raw.relations[0].name == "advice");
  CHECK(raw.relations[0].number == "1");
  CHECK(raw.relations[2].name == "reports_to");
  CHECK(relation(raw, "advice").arcs.size() == 7);
  CHECK(relation(raw, "friendship").arcs.size() == 3);
  CHECK(arcs(raw, "reports_to") ==
        std::vector<std::pair<std::string, std::string>>{{"A", "C"}, {"B", "C"}, {"D", "A"}, {"E", "A"}, {"F", "B"}});
  CHECK(relation(raw, "advice").arcs[0].line == 12);
  // *Partition dept.clu and *Vector age.vec become the attributes dept and age.
  CHECK(raw.attribute_names == std::vector<std::string>{"dept", "age"});
  CHECK(raw.attributes[0] == std::vector<std::string>{"1", "41.5"});
  CHECK(raw.attributes[5] == std::vector<std::string>{"2", "45"});
}

TEST_CASE("Pajek: relation prefixes, edges, lists, matrices, CRLF, and ids when labels clash", "[unit][org][import]") {
  TempDir dir;
  // Lazega-style: relations declared by headers, arcs given with "k:" prefixes.
  const std::string prefixed =
      dir.write("prefixed.net",
                "*Vertices 3\r\n1 \"x\"\r\n2 \"y\"\r\n3 \"z\"\r\n*arcs :1 \"advice\"\r\n"
                "*arcs :2 \"friendship\"\r\n*arcs\r\n1:  1 2 1 \r\n2:  2 3 2 \r\n1:  3 1 1 \r\n\r\n");
  org::RawNetwork raw = org::read_pajek(prefixed);
  REQUIRE(raw.relations.size() == 2);
  CHECK(arcs(raw, "advice") == std::vector<std::pair<std::string, std::string>>{{"x", "y"}, {"z", "x"}});
  CHECK(relation(raw, "friendship").arcs.at(0).weight == 2.0);

  // *Edges are undirected; *Arcslist and *Matrix; unnumbered sections are relation 1.
  const std::string mixed = dir.write("mixed.net",
                                      "*Vertices 3\n1 a\n2 b\n3 c\n*Edges\n1 2\n*Arcslist\n3 1 2\n"
                                      "*Matrix :2 \"m\"\n0 0 0\n0 0 3\n0 0 0\n");
  raw = org::read_pajek(mixed);
  REQUIRE(raw.relations.size() == 2);
  const auto& first = relation(raw, "1");
  REQUIRE(first.arcs.size() == 3);
  CHECK_FALSE(first.arcs[0].directed);
  CHECK(first.arcs[1].directed);
  CHECK(arcs(raw, "1") == std::vector<std::pair<std::string, std::string>>{{"a", "b"}, {"c", "a"}, {"c", "b"}});
  CHECK(arcs(raw, "m") == std::vector<std::pair<std::string, std::string>>{{"b", "c"}});
  CHECK(relation(raw, "m").arcs[0].weight == 3.0);

  // Two vertices labelled alike (and one without a line): ids are the numbers.
  raw = org::read_pajek(dir.write("clash.net", "*Vertices 3\n1 \"same\"\n2 \"same\"\n*Arcs\n1 3\n"));
  CHECK(raw.ids == std::vector<std::string>{"1", "2", "3"});
  REQUIRE(raw.notes.size() == 1);
  CHECK_THAT(raw.notes[0], Catch::Matchers::Contains("both labelled \"same\""));
}

TEST_CASE("UCINET DL: labels, matrix labels, DIAGONAL ABSENT, and no labels", "[unit][org][import]") {
  const org::RawNetwork raw = org::read_ucinet(kData + "small.dl");
  CHECK(raw.ids == std::vector<std::string>{"A", "B", "C", "D", "E", "F"});
  REQUIRE(raw.relations.size() == 3);
  CHECK(raw.relations[2].name == "above");
  CHECK(raw.relations[2].number == "3");
  CHECK(relation(raw, "advice").arcs.size() == 7);
  CHECK(relation(raw, "above").arcs.size() == 8);
  CHECK(relation(raw, "advice").arcs[0].line == 15);  // row A of the first matrix

  TempDir dir;
  const org::RawNetwork absent = org::read_ucinet(
      dir.write("absent.dl", "dl n = 3, format = fullmatrix diagonal absent\ndata:\n1 0\n0 2.5\n1 1\n"));
  CHECK(absent.ids == std::vector<std::string>{"1", "2", "3"});
  REQUIRE(absent.relations.size() == 1);
  CHECK(absent.relations[0].name == "1");
  // Row 1: (1,2)=1, (1,3)=0; row 2: (2,1)=0, (2,3)=2.5; row 3: (3,1)=1, (3,2)=1.
  CHECK(arcs(absent, "1") ==
        std::vector<std::pair<std::string, std::string>>{{"1", "2"}, {"2", "3"}, {"3", "1"}, {"3", "2"}});
  CHECK(absent.relations[0].arcs[1].weight == 2.5);
}

TEST_CASE("GraphML: keys and defaults, undirected edges, entities, and files without a relation key",
          "[unit][org][import]") {
  const org::RawNetwork raw = org::read_graphml(kData + "small.graphml");
  CHECK(raw.attribute_names == std::vector<std::string>{"dept", "age"});
  CHECK(raw.attributes[0] == std::vector<std::string>{"x", "41.5"});  // dept from the key's default
  CHECK(raw.attributes[1] == std::vector<std::string>{"y", "38"});
  REQUIRE(raw.relations.size() == 3);
  CHECK(raw.relations[1].name == "friendship");
  CHECK_FALSE(relation(raw, "friendship").arcs[0].directed);  // directed="false"
  CHECK(relation(raw, "friendship").arcs[1].directed);

  TempDir dir;
  const org::RawNetwork plain = org::read_graphml(
      dir.write("plain.graphml",
                "<?xml version=\"1.0\"?>\n<graphml>\n<key id=\"w\" for=\"edge\" attr.name=\"weight\"/>\n"
                "<key id=\"n\" for=\"node\" attr.name=\"name\"/>\n"
                "<graph edgedefault=\"undirected\">\n<!-- a comment with <tags> -->\n"
                "<node id=\"p&amp;q\"><data key=\"n\">Fran&#231;oise &lt;F&gt;</data></node>\n<node id=\"r\"/>\n"
                "<edge source=\"p&amp;q\" target=\"r\"><data key=\"w\">0.25</data></edge>\n</graph>\n</graphml>\n"));
  CHECK(plain.ids == std::vector<std::string>{"p&q", "r"});
  CHECK(plain.attributes[0] == std::vector<std::string>{"Fran\xC3\xA7oise <F>"});
  REQUIRE(plain.relations.size() == 1);
  CHECK(plain.relations[0].name == "edges");
  REQUIRE(plain.relations[0].arcs.size() == 1);
  CHECK_FALSE(plain.relations[0].arcs[0].directed);
  CHECK(plain.relations[0].arcs[0].weight == 0.25);
  CHECK(plain.relations[0].arcs[0].line == 9);
}

TEST_CASE("SNAP: comments, a label file, numeric order, weights", "[unit][org][import]") {
  const org::RawNetwork raw = org::read_snap(kData + "small_snap.txt", kData + "small_snap_labels.txt");
  // Nodes are those of the label file, in its order, with 70 who sends nothing.
  CHECK(raw.ids == std::vector<std::string>{"10", "20", "30", "40", "50", "60", "70"});
  CHECK(raw.attribute_names == std::vector<std::string>{"label"});
  CHECK(raw.attributes[6] == std::vector<std::string>{"z"});
  REQUIRE(raw.relations.size() == 1);
  CHECK(raw.relations[0].name == "edges");
  CHECK(raw.relations[0].arcs.size() == 8);
  CHECK(raw.relations[0].arcs[0].line == 3);

  TempDir dir;
  const org::RawNetwork bare = org::read_snap(dir.write("bare.txt", "# comment\n5 3 2.5\n3 10\n10 5\n"), "");
  CHECK(bare.ids == std::vector<std::string>{"3", "5", "10"});  // integers in numeric order
  CHECK(arcs(bare, "edges") == std::vector<std::pair<std::string, std::string>>{{"5", "3"}, {"3", "10"}, {"10", "5"}});
  CHECK(bare.relations[0].arcs[0].weight == 2.5);

  // Mapped: reverse ("u sent to v": v listens to u), labels as departments, the self-loop dropped.
  model::OrganizationSpec spec;
  spec.generator = model::Generator::File;
  spec.import.format = NetworkFormat::Snap;
  spec.edges_file = kData + "small_snap.txt";
  spec.nodes_file = kData + "small_snap_labels.txt";
  spec.import.direction = TieDirection::Reverse;
  spec.import.department = "label";
  org::ImportReport report;
  const org::Organization o = org::import_organization(spec, &report);
  CHECK(report.self_loops == 1);
  CHECK(report.listen_ties == 7);
  CHECK(o.department_names == std::vector<std::string>{"x", "y", "z"});
  CHECK(o.depth() == 1);
  CHECK(std::count(o.manager.begin(), o.manager.end(), kNoManager) == 7);
  // 10 listens to 30, 40, 50 and 60 (they sent to 10).
  CHECK(std::vector<AgentId>(o.network.sources.begin() + static_cast<std::ptrdiff_t>(o.network.offsets[0]),
                             o.network.sources.begin() + static_cast<std::ptrdiff_t>(o.network.offsets[1])) ==
        std::vector<AgentId>{2, 3, 4, 5});
}

TEST_CASE("multiplex: layers and nodes files are optional", "[unit][org][import]") {
  const org::RawNetwork raw =
      org::read_multiplex(kData + "small_multiplex.edges", kData + "small_layers.txt", kData + "small_nodes.txt");
  CHECK(raw.attribute_names == std::vector<std::string>{"dept", "age"});
  CHECK(raw.attributes[3] == std::vector<std::string>{"x", "29"});
  REQUIRE(raw.relations.size() == 3);
  CHECK(raw.relations[0].name == "advice");
  CHECK(raw.relations[0].number == "1");

  TempDir dir;
  const org::RawNetwork bare = org::read_multiplex(dir.write("bare.edges", "2 7 5 1\n1 5 7 0.5\n2 5 9\n"), "", "");
  CHECK(bare.ids == std::vector<std::string>{"5", "7", "9"});
  REQUIRE(bare.relations.size() == 2);
  CHECK(bare.relations[0].name == "1");  // layer ids in numeric order
  CHECK(bare.relations[0].arcs[0].weight == 0.5);
  CHECK(arcs(bare, "2") == std::vector<std::pair<std::string, std::string>>{{"7", "5"}, {"5", "9"}});
}

TEST_CASE("the format of a file is told from its name and content", "[unit][org][import]") {
  CHECK(org::detect_format(kData + "small.paj") == NetworkFormat::Pajek);
  CHECK(org::detect_format(kData + "small.dl") == NetworkFormat::Ucinet);
  CHECK(org::detect_format(kData + "small.graphml") == NetworkFormat::Graphml);
  CHECK(org::detect_format(kData + "small_multiplex.edges") == NetworkFormat::Multiplex);
  CHECK(org::detect_format(kData + "small_snap.txt") == NetworkFormat::Snap);
  TempDir dir;
  CHECK(org::detect_format(dir.write("thur.dat", "DL\r\nN=2\r\nDATA:\r\n0 1\r\n1 0\r\n")) == NetworkFormat::Ucinet);
  CHECK(org::detect_format(dir.write("x.txt", "% comment\n*Vertices 2\n")) == NetworkFormat::Pajek);
  CHECK(org::detect_format(dir.write("t.csv", "source,target,weight,type\n")) == NetworkFormat::Csv);
  CHECK_THROWS_WITH(org::detect_format(dir.write("odd.txt", "hello there my friend\n")),
                    Catch::Matchers::Contains("cannot tell the format") && Catch::Matchers::Contains("--format"));
}

TEST_CASE("an imported organization round-trips through the CSV tables", "[unit][org][import]") {
  const org::Organization o = org::import_organization(small_spec(NetworkFormat::Pajek));
  TempDir dir;
  org::write_organization_tables(o, {}, dir.path().string());
  const org::Organization back =
      org::read_organization_tables((dir.path() / "nodes.csv").string(), (dir.path() / "edges.csv").string());
  CHECK(back.ids == o.ids);
  CHECK(back.manager == o.manager);
  CHECK(back.level == o.level);
  CHECK(back.department == o.department);
  CHECK(back.department_names == o.department_names);
  CHECK(back.attribute_names == o.attribute_names);
  CHECK(back.attributes == o.attributes);
  CHECK(back.network.offsets == o.network.offsets);
  CHECK(back.network.sources == o.network.sources);
  CHECK(back.network.weights == o.network.weights);
  CHECK(back.network.formal == o.network.formal);

  // The csv format reads the tables as generator = "file" always did.
  model::OrganizationSpec spec;
  spec.generator = model::Generator::File;
  spec.nodes_file = (dir.path() / "nodes.csv").string();
  spec.edges_file = (dir.path() / "edges.csv").string();
  org::ImportReport report;
  const org::Organization again = org::import_organization(spec, &report);
  CHECK(again.manager == o.manager);
  CHECK(report.formal_ties == 1);
  CHECK(report.listen_ties == 7);
}
