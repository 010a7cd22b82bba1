// The formal hierarchy's shared rules (include/groundswell/org/hierarchy.hpp):
// one manager-cycle check and one level-from-manager computation, used by the
// CSV tables and by every importer (map_network), which therefore report a
// cycle in the same words; the CSV `level` column must agree with `manager`.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "groundswell/org/hierarchy.hpp"
#include "groundswell/org/import.hpp"
#include "groundswell/org/tables.hpp"

namespace {

namespace fs = std::filesystem;
using namespace groundswell;
using Catch::Matchers::Contains;

/// Writes a node table and an empty edge table to a fresh directory and
/// reads them; returns the InputError's message, or "" if they read.
std::string read_nodes_error(const std::string& nodes) {
  std::random_device entropy;
  fs::path dir;
  do {
    dir = fs::temp_directory_path() / ("groundswell_test_hierarchy_" + std::to_string(entropy()));
  } while (!fs::create_directory(dir));
  std::ofstream(dir / "nodes.csv", std::ios::binary) << nodes;
  std::ofstream(dir / "edges.csv", std::ios::binary) << "source,target,weight,type\n";
  std::string message;
  try {
    org::read_organization_tables((dir / "nodes.csv").string(), (dir / "edges.csv").string());
  } catch (const InputError& e) {
    message = e.what();
  }
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return message;
}

/// The part of a message after "PATH:LINE: " and before "; the fix".
std::string fault_of(const std::string& message) {
  const std::size_t start = message.find(": ");
  const std::size_t end = message.find("; ", start);
  return message.substr(start + 2, end - start - 2);
}

}  // namespace

TEST_CASE("levels from managers: a top at 0, everyone one below their manager", "[unit][org]") {
  // A manager may come after their reports; two tops.
  const std::vector<std::int32_t> manager = {3, 0, kNoManager, kNoManager, 1, 2};
  CHECK(org::levels_from_managers(manager) == std::vector<std::int32_t>{1, 2, 0, 0, 3, 1});
  CHECK(org::levels_from_managers({}).empty());
  CHECK(org::find_manager_cycle(manager) == kNoManager);
  // 1 -> 4 -> 5 -> 1, found at 1 (the first person met twice from agent 0).
  const std::vector<std::int32_t> cyclic = {1, 4, kNoManager, 2, 5, 1};
  CHECK(org::find_manager_cycle(cyclic) == 1);
  CHECK(org::describe_manager_cycle(cyclic, {}, 1) ==
        "the manager chain is a cycle: \"1\" -> \"4\" -> \"5\" -> \"1\" (each reports to the next)");
}

TEST_CASE("a manager cycle in the CSV tables and in an importer is reported by the same message", "[unit][org]") {
  // "0" reports to "1" and "1" to "0"; "2" is a top.
  const std::string csv = read_nodes_error("id,department,manager,level\n0,X,1,1\n1,X,0,1\n2,X,,0\n");
  org::RawNetwork raw;
  raw.format = "test";
  raw.path = "test.net";
  raw.ids = {"0", "1", "2"};
  raw.attributes.assign(3, {});
  org::RawRelation reports_to;
  reports_to.name = reports_to.number = "reports_to";
  reports_to.arcs = {org::RawArc{0, 1, 1.0, 2, true}, org::RawArc{1, 0, 1.0, 3, true}};
  raw.relations.push_back(reports_to);
  model::ImportSpec spec;
  spec.listen = "reports_to";
  spec.direction = model::TieDirection::Forward;
  spec.formal = "reports_to";
  std::string imported;
  try {
    org::map_network(raw, spec, 0.5F);
  } catch (const InputError& e) {
    imported = e.what();
  }
  const std::string words = "the manager chain is a cycle: \"0\" -> \"1\" -> \"0\" (each reports to the next)";
  CHECK_THAT(csv, Contains("nodes.csv:2: " + words + "; give someone on it an empty manager"));
  CHECK_THAT(imported, Contains("test.net:2: " + words + "; the formal relation \"reports_to\" gives it"));
  CHECK(fault_of(csv) == fault_of(imported));
}

TEST_CASE("a CSV level that disagrees with the manager column is rejected with the expected level", "[unit][org]") {
  const std::string header = "id,department,manager,level\n";
  // "c" reports to "b" at level 1, so c's level is 2, not 1.
  const std::string wrong = read_nodes_error(header + "c,X,b,1\na,X,,0\nb,X,a,1\n");
  CHECK_THAT(wrong, Contains("nodes.csv:2: level 1 (column 4) disagrees with the manager column: \"c\" reports to "
                             "\"b\" at level 1, so the level is 2; write 2, or fix the manager"));
  // A top is at level 0; the column is named where it is.
  CHECK_THAT(read_nodes_error("level,id,manager,department\n0,a,,X\n2,b,,X\n"),
             Contains("nodes.csv:3: level 2 (column 1) disagrees with the manager column: \"b\" has no manager (a top "
                      "of the hierarchy), so the level is 0; write 0"));
  // The first row in file order is reported.
  CHECK_THAT(read_nodes_error(header + "a,X,,0\nb,X,a,2\nc,X,a,3\n"), Contains("nodes.csv:3: level 2"));
}

TEST_CASE("a CSV level that agrees with the manager column passes", "[unit][org]") {
  const std::string header = "id,department,manager,level\n";
  CHECK(read_nodes_error(header + "c,X,b,2\na,X,,0\nb,X,a,1\nd,Y,,0\ne,Y,d,1\n").empty());
  CHECK(read_nodes_error(header + "solo,X,,0\n").empty());
}

namespace {

/// Six people: 0 at the top; 1 and 2 report to 0; 3 and 4 to 1; 5 to 3; each
/// listens to their manager (formal ties, weight 1), plus the `informal` ties.
org::Organization six_people(const std::vector<org::Tie>& informal) {
  org::Organization o;
  o.manager = {kNoManager, 0, 0, 1, 1, 3};
  o.department = {0, 1, 2, 1, 1, 1};
  o.department_count = 3;
  o.ids = {"ceo", "vp", "cfo", "m", "x", "y"};
  o.level = org::levels_from_managers(o.manager);
  org::mark_formal_leaders(o);
  std::vector<org::Tie> ties;
  for (AgentId i = 1; i < 6; ++i) ties.push_back({i, static_cast<AgentId>(o.manager[i]), 1.0f, true});
  ties.insert(ties.end(), informal.begin(), informal.end());
  o.network = org::build_network(6, ties);
  return o;
}

}  // namespace

TEST_CASE("without_agent: a departure's reports report to its manager, ties and ids follow", "[unit][org]") {
  // 0 at the top; 1 and 2 report to 0; 3 and 4 to 1; 5 to 3. Everyone listens
  // to their manager (formal ties), and 4 also to 2, 2 to 1 (informal).
  const org::Organization o = six_people({{4, 2, 0.5f, false}, {2, 1, 0.25f, false}});

  SECTION("a middle manager departs: its reports move up to its manager") {
    const org::Organization w = org::without_agent(o, 1);
    REQUIRE(w.size() == 5);
    CHECK(w.ids == std::vector<std::string>{"ceo", "cfo", "m", "x", "y"});
    // m and x (reports of vp) now report to ceo (0); y keeps m, now id 2.
    CHECK(w.manager == std::vector<std::int32_t>{kNoManager, 0, 0, 0, 2});
    CHECK(w.level == std::vector<std::int32_t>{0, 1, 1, 1, 2});
    CHECK(w.is_formal_leader == std::vector<std::uint8_t>{1, 0, 1, 0, 0});
    CHECK(w.department == std::vector<DepartmentId>{0, 2, 1, 1, 1});
    // Ties to and from vp are gone (vp listened to ceo; m, x and cfo to vp); the other three are renumbered.
    CHECK(w.network.edge_count() == 3);
    CHECK(org::listens_to(w.network, 1, 0));   // cfo -> ceo
    CHECK(org::listens_to(w.network, 4, 2));   // y -> m
    CHECK(org::listens_to(w.network, 3, 1));   // x -> cfo (informal)
    CHECK(!org::listens_to(w.network, 2, 0));  // m did not listen to ceo: only the reporting line moved
  }
  SECTION("the top departs: its reports become tops") {
    const org::Organization w = org::without_agent(o, 0);
    CHECK(w.manager == std::vector<std::int32_t>{kNoManager, kNoManager, 0, 0, 2});
    CHECK(w.level == std::vector<std::int32_t>{0, 0, 1, 1, 2});
  }
  SECTION("a report departs: nobody else changes manager") {
    const org::Organization w = org::without_agent(o, 5);
    CHECK(w.manager == std::vector<std::int32_t>{kNoManager, 0, 0, 1, 1});
    CHECK(w.is_formal_leader == std::vector<std::uint8_t>{1, 1, 0, 0, 0});
  }
  CHECK_THROWS_AS(org::without_agent(o, 6), std::out_of_range);
}

TEST_CASE("without_agents: ties of the removed go both ways, reports move to the nearest kept manager, ids kept",
          "[unit][org]") {
  // 0 at the top; 1 and 2 report to 0; 3 and 4 to 1; 5 to 3. Everyone listens
  // to their manager (formal ties), and 4 also to 2, 2 to 1, 5 to 4 (informal).
  org::Organization o = six_people({{4, 2, 0.5f, false}, {2, 1, 0.25f, false}, {5, 4, 0.75f, false}});
  o.department_names = {"top", "ops", "money"};

  SECTION("a manager and its manager leave: y reports to the ceo, two levels up") {
    const org::Organization w = org::without_agents(o, {1, 0, 1, 0, 1, 1});  // vp and m leave
    REQUIRE(w.size() == 4);
    CHECK(w.ids == std::vector<std::string>{"ceo", "cfo", "x", "y"});
    CHECK(w.manager == std::vector<std::int32_t>{kNoManager, 0, 0, 0});
    CHECK(w.level == std::vector<std::int32_t>{0, 1, 1, 1});
    CHECK(w.is_formal_leader == std::vector<std::uint8_t>{1, 0, 0, 0});
    CHECK(w.department == std::vector<DepartmentId>{0, 2, 1, 1});
    CHECK(w.department_count == 3);
    CHECK(w.department_names == o.department_names);
    // Left: cfo -> ceo, x -> cfo (0.5), y -> x (0.75); every tie to or from vp and m is gone.
    CHECK(w.network.edge_count() == 3);
    CHECK(org::listens_to(w.network, 1, 0));
    CHECK(org::listens_to(w.network, 2, 1));
    CHECK(org::listens_to(w.network, 3, 2));
    CHECK(!org::listens_to(w.network, 3, 0));  // only the reporting line moved, not a tie
  }
  SECTION("the same as without_agent for one agent") {
    const org::Organization a = org::without_agents(o, {1, 0, 1, 1, 1, 1});
    const org::Organization b = org::without_agent(o, 1);
    CHECK(a.manager == b.manager);
    CHECK(a.ids == b.ids);
    CHECK(a.network.offsets == b.network.offsets);
    CHECK(a.network.sources == b.network.sources);
    CHECK(a.network.weights == b.network.weights);
  }
  SECTION("keeping everyone changes nothing; a generated organization keeps its numbers as ids") {
    const org::Organization all = org::without_agents(o, std::vector<std::uint8_t>(6, 1));
    CHECK(all.manager == o.manager);
    CHECK(all.network.sources == o.network.sources);
    org::Organization g = o;
    g.ids.clear();
    CHECK(org::without_agents(g, std::vector<std::uint8_t>(6, 1)).ids.empty());
    CHECK(org::without_agents(g, {0, 1, 1, 1, 1, 1}).ids == std::vector<std::string>{"1", "2", "3", "4", "5"});
  }
  CHECK_THROWS_AS(org::without_agents(o, {1, 1}), std::invalid_argument);
}
