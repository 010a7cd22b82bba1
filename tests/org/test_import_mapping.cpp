// The mapping of docs/data.md, on raw networks built in the test: directions,
// merged and dropped arcs, managers from reports-to and from transitively
// closed relations, leaders chosen by attribute, departments, formal ties;
// and generator = "file" with format and mapping keys in a scenario file.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "groundswell/data_dir.hpp"
#include "groundswell/experiment/ensemble.hpp"
#include "groundswell/org/describe.hpp"
#include "groundswell/org/generate.hpp"
#include "groundswell/org/import.hpp"

namespace {

using namespace groundswell;
using Catch::Matchers::Contains;
using model::TieDirection;

/// A raw network with ids "0".."n-1" and the given relations of (from, to, weight).
org::RawNetwork raw_network(
    std::size_t n, const std::vector<std::pair<std::string, std::vector<std::tuple<int, int, double>>>>& relations) {
  org::RawNetwork raw;
  raw.format = "test";
  raw.path = "test.net";
  for (std::size_t i = 0; i < n; ++i) raw.ids.push_back(std::to_string(i));
  raw.attributes.assign(n, {});
  std::size_t line = 1;
  for (const auto& [name, arcs] : relations) {
    org::RawRelation r;
    r.name = name;
    r.number = std::to_string(raw.relations.size() + 1);
    for (const auto& [from, to, w] : arcs)
      r.arcs.push_back(org::RawArc{static_cast<AgentId>(from), static_cast<AgentId>(to), w, ++line, true});
    raw.relations.push_back(r);
  }
  return raw;
}

void add_attribute(org::RawNetwork& raw, const std::string& name, const std::vector<std::string>& values) {
  raw.attribute_names.push_back(name);
  for (std::size_t i = 0; i < values.size(); ++i) raw.attributes[i].push_back(values[i]);
}

model::ImportSpec listen_spec(const std::string& listen, TieDirection direction) {
  model::ImportSpec spec;
  spec.listen = listen;
  spec.direction = direction;
  return spec;
}

/// Who agent i listens to, with weights, in CSR order.
std::vector<std::pair<AgentId, float>> in_ties(const org::Organization& o, AgentId i) {
  std::vector<std::pair<AgentId, float>> out;
  for (EdgeIndex e = o.network.offsets[i]; e < o.network.offsets[i + 1]; ++e)
    out.emplace_back(o.network.sources[e], o.network.weights[e]);
  return out;
}

std::string map_error(const org::RawNetwork& raw, const model::ImportSpec& spec) {
  try {
    org::map_network(raw, spec, 0.5F);
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL("no InputError");
  return {};
}

}  // namespace

TEST_CASE("direction says who listens to whom", "[unit][org][import]") {
  const auto raw = raw_network(3, {{"advice", {{0, 1, 1.0}, {2, 1, 2.0}}}});
  const auto forward = org::map_network(raw, listen_spec("advice", TieDirection::Forward), 0.5F);
  CHECK(in_ties(forward, 0) == std::vector<std::pair<AgentId, float>>{{1, 1.0F}});  // 0 -> 1: 0 listens to 1
  CHECK(in_ties(forward, 1).empty());
  CHECK(in_ties(forward, 2) == std::vector<std::pair<AgentId, float>>{{1, 2.0F}});
  const auto reverse = org::map_network(raw, listen_spec("advice", TieDirection::Reverse), 0.5F);
  CHECK(in_ties(reverse, 0).empty());
  CHECK(in_ties(reverse, 1) == std::vector<std::pair<AgentId, float>>{{0, 1.0F}, {2, 2.0F}});
  const auto both = org::map_network(raw, listen_spec("advice", TieDirection::Both), 0.5F);
  CHECK(both.network.edge_count() == 4);
  // Relations are found by label, by number, or by label in another case.
  CHECK(org::map_network(raw, listen_spec("1", TieDirection::Forward), 0.5F).network.sources ==
        forward.network.sources);
  CHECK(org::map_network(raw, listen_spec("ADVICE", TieDirection::Forward), 0.5F).network.sources ==
        forward.network.sources);
  // Undirected edges need no direction and go both ways.
  auto undirected = raw;
  for (auto& a : undirected.relations[0].arcs) a.directed = false;
  CHECK(org::map_network(undirected, listen_spec("advice", TieDirection::Unset), 0.5F).network.edge_count() == 4);
}

TEST_CASE("repeated arcs keep the largest weight within a relation and add across relations, self-loops go",
          "[unit][org][import]") {
  const auto raw = raw_network(3, {{"advice", {{0, 1, 1.0}, {0, 1, 3.0}, {1, 1, 1.0}, {1, 2, 1.0}}},
                                   {"discussion", {{0, 1, 0.5}, {2, 0, 1.0}, {2, 2, 4.0}}}});
  org::ImportReport report;
  const auto o = org::map_network(raw, listen_spec("advice, discussion", TieDirection::Forward), 0.5F, &report);
  CHECK(in_ties(o, 0) == std::vector<std::pair<AgentId, float>>{{1, 3.5F}});  // max(1, 3) + 0.5
  CHECK(in_ties(o, 1) == std::vector<std::pair<AgentId, float>>{{2, 1.0F}});
  CHECK(in_ties(o, 2) == std::vector<std::pair<AgentId, float>>{{0, 1.0F}});
  CHECK(report.self_loops == 2);
  CHECK(report.merged == 2);
  CHECK(report.listen_ties == 3);
  // Symmetric data read "both" ways are not doubled.
  const auto symmetric = raw_network(2, {{"m", {{0, 1, 1.0}, {1, 0, 1.0}}}});
  const auto both = org::map_network(symmetric, listen_spec("m", TieDirection::Both), 0.5F);
  CHECK(both.network.weights == std::vector<float>{1.0F, 1.0F});
}

TEST_CASE("managers from a reports-to relation, and from a transitively closed 'above' relation",
          "[unit][org][import]") {
  // 0 is the top; 1 and 2 report to 0; 3 reports to 1; 4 reports to 3.
  const std::vector<std::tuple<int, int, double>> reports = {{1, 0, 1}, {2, 0, 1}, {3, 1, 1}, {4, 3, 1}};
  auto raw = raw_network(5, {{"advice", {{1, 2, 1.0}, {3, 1, 1.0}}}, {"reports_to", reports}});
  auto spec = listen_spec("advice", TieDirection::Forward);
  spec.formal = "reports_to";
  org::ImportReport report;
  const auto o = org::map_network(raw, spec, 0.25F, &report);
  CHECK(o.manager == std::vector<std::int32_t>{kNoManager, 0, 0, 1, 3});
  CHECK(o.level == std::vector<std::int32_t>{0, 1, 1, 2, 3});
  CHECK(o.is_formal_leader == std::vector<std::uint8_t>{1, 1, 0, 1, 0});
  // Formal ties of weight 0.25 to the manager, except 3 -> 1 (already an advice tie).
  CHECK(in_ties(o, 1) == std::vector<std::pair<AgentId, float>>{{2, 1.0F}, {0, 0.25F}});
  CHECK(in_ties(o, 3) == std::vector<std::pair<AgentId, float>>{{1, 1.0F}});
  CHECK(report.formal_ties == 3);
  CHECK(report.formal_already_informal == 1);
  // Default departments: the level-1 ancestor; the top joins its first report's.
  CHECK(o.department_names == std::vector<std::string>{"1", "2"});
  CHECK(o.department == std::vector<DepartmentId>{0, 0, 1, 0, 0});
  // level2: ancestors at level 2; people above join their first report's department.
  spec.department = "level2";
  const auto level2 = org::map_network(raw, spec, 0.25F);
  CHECK(level2.department_names == std::vector<std::string>{"3", "2"});
  CHECK(level2.department == std::vector<DepartmentId>{0, 0, 1, 0, 0});
  spec.department.clear();

  // The same hierarchy as "row is above column", transitively closed (reverse).
  std::vector<std::tuple<int, int, double>> above;
  for (const auto& [person, boss, w] : reports) {
    for (int b = boss;;) {
      above.emplace_back(b, person, w);
      int next = -1;
      for (const auto& [p2, b2, w2] : reports)
        if (p2 == b) next = b2;
      if (next < 0) break;
      b = next;
    }
  }
  REQUIRE(above.size() == 7);  // 1 + 1 + 2 + 3
  raw = raw_network(5, {{"advice", {{1, 2, 1.0}, {3, 1, 1.0}}}, {"above", above}});
  spec.formal = "above";
  spec.formal_direction = TieDirection::Reverse;
  org::ImportReport closed;
  const auto from_closure = org::map_network(raw, spec, 0.25F, &closed);
  CHECK(from_closure.manager == o.manager);
  CHECK(from_closure.network.sources == o.network.sources);
  CHECK(closed.closure_people == 2);  // 3 (above: 1, 0) and 4 (above: 3, 1, 0)
}

TEST_CASE("a formal relation that is not a tree or its closure is an error naming the line", "[unit][org][import]") {
  auto spec = listen_spec("advice", TieDirection::Forward);
  spec.formal = "reports_to";
  // 2 reports to both 0 and 1, and neither is above the other.
  auto raw = raw_network(3, {{"advice", {{0, 1, 1.0}}}, {"reports_to", {{2, 0, 1}, {2, 1, 1}}}});
  std::string error = map_error(raw, spec);
  CHECK_THAT(error, Contains("test.net:") && Contains("\"2\" has the superiors") && Contains("is not above"));
  // A cycle: 0 reports to 1 and 1 to 0.
  raw = raw_network(3, {{"advice", {{0, 1, 1.0}}}, {"reports_to", {{0, 1, 1}, {1, 0, 1}}}});
  error = map_error(raw, spec);
  CHECK_THAT(error, Contains("test.net:3: the manager chain is a cycle: \"0\" -> \"1\" -> \"0\" (each reports to the "
                             "next); the formal relation \"reports_to\" gives it: check formal_direction"));
  // formal_direction both is refused; so are undirected formal ties.
  spec.formal_direction = TieDirection::Both;
  CHECK_THAT(map_error(raw, spec), Contains("cannot be"));
  spec.formal_direction = TieDirection::Unset;
  raw = raw_network(3, {{"advice", {{0, 1, 1.0}}}, {"reports_to", {{2, 0, 1}}}});
  raw.relations[1].arcs[0].directed = false;
  CHECK_THAT(map_error(raw, spec), Contains("test.net:3:") && Contains("must be directed"));
}

TEST_CASE("leaders by attribute: each other person reports to the leader of their department they listen to most",
          "[unit][org][import]") {
  // 0, 1, 2 are partners; 3..6 associates. Departments: a = {0, 1, 3, 4}, b = {2, 5}, c = {6}.
  auto raw = raw_network(7, {{"advice",
                              {{3, 1, 1.0},
                               {3, 0, 2.0},  // 3 listens most to 0
                               {4, 2, 5.0},  // 4 listens only to a partner of another department
                               {0, 1, 1.0},
                               {3, 1, 1.0},  // 1 is the most listened-to partner in a
                               {5, 2, 1.0},
                               {6, 0, 1.0},
                               {4, 0, 1.0}}}});  // 0 is the most listened-to overall
  add_attribute(raw, "status", {"1", "1", "1", "2", "2", "2", "2"});
  add_attribute(raw, "dept", {"a", "a", "b", "a", "a", "b", "c"});
  auto spec = listen_spec("advice", TieDirection::Forward);
  spec.leaders = "status=1";
  spec.department = "dept";
  org::ImportReport report;
  const auto o = org::map_network(raw, spec, 0.5F, &report);
  // 3 -> 0 (listens most); 4 listens more to 2 but 2 is in b, so 0; 5 -> 2;
  // 6 has no partner in c: the most listened-to partner overall, 2 (weight 6).
  CHECK(o.manager == std::vector<std::int32_t>{kNoManager, kNoManager, kNoManager, 0, 0, 2, 2});
  CHECK(o.level == std::vector<std::int32_t>{0, 0, 0, 1, 1, 1, 1});
  CHECK(o.department_names == std::vector<std::string>{"a", "b", "c"});
  CHECK(report.tops == 3);
  // An associate who listens to no partner of their department gets its most listened-to partner.
  raw.relations[0].arcs.erase(raw.relations[0].arcs.begin() + 7);  // 4 no longer listens to 0
  const auto o2 = org::map_network(raw, spec, 0.5F);
  // Listened to within a: 0 by 3 (2); 1 by 3 (the repeated arc keeps 1) and by 0 (1): a tie, so the lower id.
  CHECK(o2.manager[4] == 0);
  spec.leaders = "status=9";
  CHECK_THAT(map_error(raw, spec), Contains("matches nobody") && Contains("\"1\" and \"2\""));
  spec.leaders = "rank=1";
  CHECK_THAT(map_error(raw, spec), Contains("\"rank\" is not a node attribute") && Contains("\"status\" and \"dept\""));
}

TEST_CASE("departments from one or several attributes, or a single one", "[unit][org][import]") {
  auto raw = raw_network(4, {{"advice", {{0, 1, 1.0}}}});
  add_attribute(raw, "office", {"1", "1", "2", "2"});
  add_attribute(raw, "practice", {"x", "y", "x", "x"});
  add_attribute(raw, "level", {"7", "7", "7", "7"});  // a name the tables use: kept as level_file
  auto spec = listen_spec("advice", TieDirection::Forward);
  spec.department = "office,practice";
  const auto o = org::map_network(raw, spec, 0.5F);
  CHECK(o.department_names == std::vector<std::string>{"1/x", "1/y", "2/x"});
  CHECK(o.department == std::vector<DepartmentId>{0, 1, 2, 2});
  CHECK(o.attribute_names == std::vector<std::string>{"office", "practice", "level_file"});
  spec.department.clear();
  const auto flat = org::map_network(raw, spec, 0.5F);
  CHECK(flat.department_count == 1);
  CHECK(flat.depth() == 1);
  CHECK(flat.is_formal_leader == std::vector<std::uint8_t>{0, 0, 0, 0});
  spec.department = "floor";
  CHECK_THAT(map_error(raw, spec), Contains("\"floor\" is not a node attribute"));
  spec.department = "level1";
  CHECK_THAT(map_error(raw, spec), Contains("needs a formal relation"));
}

TEST_CASE("mapping mistakes are errors that say what to give", "[unit][org][import]") {
  const auto raw = raw_network(3, {{"advice", {{0, 1, 1.0}}}, {"friends", {{1, 2, -1.0}}}});
  CHECK_THAT(map_error(raw, listen_spec("", TieDirection::Forward)),
             Contains("say which relation people listen along") && Contains("\"advice\" (1), \"friends\" (2)"));
  CHECK_THAT(map_error(raw, listen_spec("advise", TieDirection::Forward)),
             Contains("\"advise\" is not a relation") && Contains("\"advice\""));
  CHECK_THAT(map_error(raw, listen_spec("advice", TieDirection::Unset)),
             Contains("say who listens to whom") && Contains("forward"));
  CHECK_THAT(map_error(raw, listen_spec("friends", TieDirection::Forward)),
             Contains("test.net:3:") && Contains("weight -1") && Contains("> 0"));
  auto both = listen_spec("advice", TieDirection::Forward);
  both.formal = "friends";
  both.leaders = "x=1";
  CHECK_THAT(map_error(raw, both), Contains("not both"));
}

TEST_CASE("describe: ties, reciprocity, silos, informal and formal leaders", "[unit][org][import]") {
  // 0 top; 1, 2 report to 0; 3 reports to 1. Advice: 1 <-> 2, 3 -> 2, 0 -> 2, 3 -> 1.
  auto raw = raw_network(4, {{"advice", {{1, 2, 1.0}, {2, 1, 1.0}, {3, 2, 2.0}, {0, 2, 1.0}, {3, 1, 1.0}}},
                             {"reports_to", {{1, 0, 1}, {2, 0, 1}, {3, 1, 1}}}});
  auto spec = listen_spec("advice", TieDirection::Forward);
  spec.formal = "reports_to";
  const auto o = org::map_network(raw, spec, 0.5F);
  const auto d = org::describe_organization(o, 2);
  CHECK(d.agents == 4);
  CHECK(d.departments == 2);
  CHECK(d.depth == 3);
  CHECK(d.tops == 1);
  CHECK(d.formal_leader_count == 2);
  CHECK(d.informal_ties == 5);
  CHECK(d.formal_ties == 2);  // 1 -> 0 and 2 -> 0; 3 already listens to 1
  CHECK(d.listen_to_manager == 3);
  CHECK(d.reciprocity == Approx(0.4));                      // 1 <-> 2: two of five informal ties
  CHECK(d.cross_department == Approx(0.8));                 // departments {0, 1, 3} and {2}: all but 3 -> 1
  CHECK(d.informal_leaders == std::vector<AgentId>{2, 1});  // weights 4 and 2
  CHECK(d.formal_leaders == std::vector<AgentId>{0, 1});
  CHECK(d.overlap == std::vector<AgentId>{1});
  CHECK(d.listened_to_by.max == 3);
  CHECK(d.listens_to.median == 2);
  const std::string text = org::format_description(o, d);
  CHECK_THAT(text, Contains("informal leaders") && Contains("1 of the informal leaders are formal leaders: 1"));
}

TEST_CASE("generator = \"file\" runs a Pajek file directly, with paths in the data directory",
          "[unit][org][import][seed]") {
  const std::string dir = std::string(GROUNDSWELL_SOURCE_DIR) + "/tests/org";
  const std::string body = R"(
[experiment]
seed = 5
trials = 2
steps = 20
[organization]
generator = "file"
format = "pajek"
network = "data:small.paj"
listen = "advice"
direction = "forward"
formal = "reports_to"
department = "dept"
[[scenario]]
name = "distributed"
champions = { count = 2, selection = "distributed", coalition = true }
[[scenario]]
name = "top_down"
mandate = { issuers = "leaders", levels = 0 }
)";
  set_data_directory(dir + "/data");
  const auto x = model::parse_experiment(body, "real.toml", ".");
  set_data_directory("");
  const auto& spec = x.scenarios[0].organization;
  CHECK(spec.import.format == model::NetworkFormat::Pajek);
  CHECK(spec.import.network == dir + "/data/small.paj");
  CHECK(spec.import.direction == TieDirection::Forward);
  const auto o = org::generate_organization(spec, 0);
  CHECK(o.department_names == std::vector<std::string>{"1", "2"});  // the dept partition
  CHECK(o.manager == std::vector<std::int32_t>{2, 2, kNoManager, 0, 0, 1});
  // Runs, and the same seed gives the same curves.
  struct Sink : experiment::TrialSink {
    std::vector<std::vector<engine::TrialCurves>> curves;
    void write_batch(TrialIndex, const experiment::TrialBatch& out) override {
      const auto& batch = out.curves;
      curves.resize(batch.size());
      for (std::size_t s = 0; s < batch.size(); ++s)
        curves[s].insert(curves[s].end(), batch[s].begin(), batch[s].end());
    }
  } a, b;
  experiment::run_experiment(x, {}, &a);
  experiment::run_experiment(x, {}, &b);
  REQUIRE(a.curves.size() == 2);
  REQUIRE(a.curves[0].size() == 2);
  CHECK(a.curves[0][0].share == b.curves[0][0].share);
}

TEST_CASE("scenario files: file keys that do not fit together are errors", "[unit][org][import]") {
  const std::string head = "[experiment]\nseed = 1\n[organization]\n";
  const auto error = [&](const std::string& org) {
    try {
      model::parse_experiment(head + org, "bad.toml", ".");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(error("generator = \"file\"\nformat = \"pajek\"\n"), Contains("needs 'organization.network'"));
  CHECK_THAT(error("generator = \"file\"\nformat = \"pajek\"\nnetwork = \"x.paj\"\nnodes = \"n.csv\"\n"),
             Contains("'organization.nodes' does not apply"));
  CHECK_THAT(error("generator = \"file\"\nnodes = \"n.csv\"\nedges = \"e.csv\"\nlisten = \"advice\"\n"),
             Contains("do not apply to format = \"csv\""));
  CHECK_THAT(error("generator = \"hierarchy\"\nformat = \"pajek\"\n"), Contains("apply to generator = \"file\" only"));
  CHECK_THAT(error("generator = \"file\"\nformat = \"snap\"\nedges = \"e.txt\"\ndepartment = \"level1\"\n"),
             Contains("needs 'organization.formal'"));
  CHECK_THAT(
      error("generator = \"file\"\nformat = \"ucinet\"\nnetwork = \"x.dl\"\nformal = \"a\"\nleaders = \"s=1\"\n"),
      Contains("not both"));
  CHECK_THAT(error("generator = \"file\"\nformat = \"ucinet\"\nnetwork = \"x.dl\"\ndirection = \"up\"\n"),
             Contains("organization.direction") && Contains("\"forward\", \"reverse\", \"both\""));
  CHECK_THAT(error("generator = \"file\"\nformat = \"gml\"\n"), Contains("\"pajek\""));
  CHECK_THAT(error("generator = \"file\"\nformat = \"multiplex\"\nedges = \"e\"\nleaders = \"status\"\n"),
             Contains("attribute=value"));
}

TEST_CASE("the data directory: flag over GROUNDSWELL_DATA over the default", "[unit][org][import]") {
  const char* saved = std::getenv("GROUNDSWELL_DATA");
  const std::string keep = saved ? saved : "";
  ::setenv("GROUNDSWELL_DATA", "/from/env", 1);
  CHECK(data_directory() == "/from/env");
  CHECK(resolve_input_path("data:set/file.paj", "/scenarios") == "/from/env/set/file.paj");
  CHECK(resolve_input_path("local.paj", "/scenarios") == "/scenarios/local.paj");
  CHECK(resolve_input_path("/abs/x.paj", "/scenarios") == "/abs/x.paj");
  set_data_directory("/from/flag");
  CHECK(data_directory() == "/from/flag");
  CHECK(data_directory_origin() == "--data-dir");
  set_data_directory("");
  ::unsetenv("GROUNDSWELL_DATA");
  CHECK(data_directory_origin() == "default");
  // The default is looked up at run time, never compiled in: the nearest
  // shared/data/raw above the executable, else above the current directory.
  // This test binary lies in a build directory of the clone, so it finds the
  // shared/ beside the clone when there is one.
  const std::string source_dir = std::filesystem::path(GROUNDSWELL_SOURCE_DIR).lexically_normal().string();
  const std::string beside = std::filesystem::path(source_dir + "/../shared/data/raw").lexically_normal().string();
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string found = data_directory();
  CHECK(found.size() >= 15);
  CHECK(found.compare(found.size() - 15, 15, "shared/data/raw") == 0);
  if (std::filesystem::is_directory(beside) && exe.compare(0, source_dir.size(), source_dir) == 0)
    CHECK(found == beside);
  if (saved) ::setenv("GROUNDSWELL_DATA", keep.c_str(), 1);
  // A missing file in the data directory says where the data directory is.
  try {
    org::read_pajek(resolve_input_path("data:no-such-set/x.paj", "."));
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK_THAT(std::string(e.what()),
               Contains("not found") && Contains("the data directory is") && Contains("GROUNDSWELL_DATA"));
  }
}
