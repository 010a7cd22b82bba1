// The real data sets, read in place from the data directory (docs/data.md):
// the counts of nodes and ties per relation are exactly those documented in
// each ../shared/data/raw/<set>/SOURCE.md, and the mappings used by
// scenarios/real/ give the documented structure. Without the data directory
// (GROUNDSWELL_DATA, or ../shared/data/raw beside the repository) each test
// says so and passes without checking.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>

#include "groundswell/calibrate/calibration.hpp"
#include "groundswell/data_dir.hpp"
#include "groundswell/model/scenario.hpp"
#include "groundswell/org/describe.hpp"
#include "groundswell/org/generate.hpp"
#include "groundswell/org/import.hpp"

namespace {

namespace fs = std::filesystem;
using namespace groundswell;

/// The path of a data file, or "" (after a warning) if it is not there.
std::string data_file(const std::string& relative) {
  const std::string path = resolve_input_path("data:" + relative, ".");
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    WARN("SKIPPED: real data file " << path << " not found (data directory " << data_directory() << ", from "
                                    << data_directory_origin()
                                    << "); set GROUNDSWELL_DATA to the folder that holds the data sets");
    return {};
  }
  return path;
}

std::size_t count_arcs(const org::RawNetwork& raw, const std::string& name) {
  for (const auto& r : raw.relations)
    if (r.name == name) return r.arcs.size();
  FAIL("no relation " << name);
  return 0;
}

const org::RawRelation& relation(const org::RawNetwork& raw, const std::string& name) {
  for (const auto& r : raw.relations)
    if (r.name == name) return r;
  FAIL("no relation " << name);
  throw;
}

std::size_t self_loops(const org::RawRelation& r) {
  return static_cast<std::size_t>(
      std::count_if(r.arcs.begin(), r.arcs.end(), [](const org::RawArc& a) { return a.from == a.to; }));
}

std::size_t duplicates(const org::RawRelation& r) {
  std::set<std::pair<AgentId, AgentId>> seen;
  std::size_t d = 0;
  for (const auto& a : r.arcs) d += seen.insert({a.from, a.to}).second ? 0 : 1;
  return d;
}

/// Arcs whose reverse arc is in the relation too.
std::size_t reciprocated(const org::RawRelation& r, AgentId below = ~AgentId{0}) {
  std::set<std::pair<AgentId, AgentId>> arcs;
  for (const auto& a : r.arcs) arcs.insert({a.from, a.to});
  std::size_t n = 0;
  for (const auto& [i, j] : arcs)
    if (i < below && j < below && arcs.count({j, i})) ++n;
  return n;
}

std::size_t index_of(const org::Organization& o, const std::string& id) {
  const auto it = std::find(o.ids.begin(), o.ids.end(), id);
  REQUIRE(it != o.ids.end());
  return static_cast<std::size_t>(it - o.ids.begin());
}

std::string manager_of(const org::Organization& o, const std::string& id) {
  const std::int32_t m = o.manager[index_of(o, id)];
  return m == kNoManager ? std::string() : o.ids[static_cast<std::size_t>(m)];
}

std::size_t attribute(const org::RawNetwork& raw, const std::string& name) {
  const auto it = std::find(raw.attribute_names.begin(), raw.attribute_names.end(), name);
  REQUIRE(it != raw.attribute_names.end());
  return static_cast<std::size_t>(it - raw.attribute_names.begin());
}

}  // namespace

TEST_CASE("real data: Krackhardt's high-tech managers (SOURCE.md counts, reports_to gives the hierarchy)",
          "[unit][org][import][real]") {
  const std::string path = data_file("krackhardt-hightech/HighTech.paj");
  if (path.empty()) return;
  const org::RawNetwork raw = org::read_pajek(path);
  CHECK(raw.size() == 21);
  CHECK(raw.ids.front() == "v1");
  CHECK(count_arcs(raw, "gives_advice_to") == 190);
  CHECK(count_arcs(raw, "is_friend_of") == 102);
  CHECK(count_arcs(raw, "reports_to") == 20);
  CHECK(raw.attribute_names == std::vector<std::string>{"Department", "Level", "Age", "Tenure"});
  // SOURCE.md's direction check: the advice arcs out of node 1 are 2, 4, 8, 16, 18, 21.
  std::vector<std::string> out_of_1;
  for (const auto& a : relation(raw, "gives_advice_to").arcs)
    if (a.from == 0) out_of_1.push_back(raw.ids[a.to]);
  CHECK(out_of_1 == std::vector<std::string>{"v2", "v4", "v8", "v16", "v18", "v21"});

  model::ImportSpec spec;
  spec.listen = "gives_advice_to";
  spec.direction = model::TieDirection::Forward;
  spec.formal = "reports_to";
  org::ImportReport report;
  const org::Organization o = org::map_network(raw, spec, 0.5F, &report);
  // v7 is the CEO; v2, v14, v18, v21 the vice-presidents; the rest report to them.
  CHECK(manager_of(o, "v7").empty());
  for (const char* vp : {"v2", "v14", "v18", "v21"}) CHECK(manager_of(o, vp) == "v7");
  CHECK(report.tops == 1);
  CHECK(o.depth() == 3);
  // The file's Level partition (1 CEO, 2 VP, 3 manager) is the derived level + 1,
  // and its Department partition is the level-1 ancestor (0 for the CEO).
  const std::size_t level = attribute(raw, "Level"), department = attribute(raw, "Department");
  std::map<std::string, std::string> department_of_head;
  for (std::size_t i = 0; i < o.size(); ++i) {
    CHECK(raw.attributes[i][level] == std::to_string(o.level[i] + 1));
    if (o.level[i] == 0) continue;
    const std::string head = o.department_names[static_cast<std::size_t>(o.department[i])];
    const auto [it, is_new] = department_of_head.emplace(head, raw.attributes[i][department]);
    CHECK(it->second == raw.attributes[i][department]);
  }
  CHECK(department_of_head.size() == 4);
  CHECK(o.department_count == 4);
  CHECK(report.listen_ties == 190);
  CHECK(report.formal_ties + report.formal_already_informal == 20);
}

TEST_CASE("real data: Thurman's office (SOURCE.md counts, immediate superiors from the closed THURA)",
          "[unit][org][import][real]") {
  const std::string path = data_file("thurman-office/THUROFF.DAT");
  if (path.empty()) return;
  const org::RawNetwork raw = org::read_ucinet(path);
  CHECK(raw.ids == std::vector<std::string>{"ANN", "AMY", "KATY", "BILL", "PETE", "TINA", "ANDY", "LISA", "PRESIDENT",
                                            "MINNA", "MARY", "EMMA", "ROSE", "MIKE", "PEG"});
  CHECK(count_arcs(raw, "THURA") == 34);
  CHECK(count_arcs(raw, "THURM") == 66);
  CHECK(reciprocated(relation(raw, "THURM")) == 66);  // symmetric: 33 edges
  CHECK(self_loops(relation(raw, "THURA")) == 0);

  model::ImportSpec spec;
  spec.listen = "THURM";
  spec.direction = model::TieDirection::Both;
  spec.formal = "THURA";
  spec.formal_direction = model::TieDirection::Reverse;  // row is above column
  spec.department = "level2";
  org::ImportReport report;
  const org::Organization o = org::map_network(raw, spec, 0.5F, &report);
  CHECK(manager_of(o, "PRESIDENT").empty());
  CHECK(manager_of(o, "PETE") == "PRESIDENT");
  for (const char* p : {"AMY", "LISA"}) CHECK(manager_of(o, p) == "MINNA");
  for (const char* p : {"TINA", "MARY", "ROSE", "MIKE", "PEG"}) CHECK(manager_of(o, p) == "EMMA");
  for (const char* p : {"ANN", "KATY", "BILL", "ANDY", "MINNA", "EMMA"}) CHECK(manager_of(o, p) == "PETE");
  CHECK(report.closure_people == 13);  // everyone but the PRESIDENT and PETE has several superiors
  CHECK(o.depth() == 4);
  CHECK(report.listen_ties == 66);
}

TEST_CASE("real data: Lazega's law firm (SOURCE.md counts and checks)", "[unit][org][import][real]") {
  const std::string path = data_file("lazega-lawfirm/Lazega-Law-Firm.paj");
  if (path.empty()) return;
  const org::RawNetwork raw = org::read_pajek(path);
  CHECK(raw.size() == 71);
  CHECK(raw.ids.front() == "L1");
  CHECK(raw.ids.back() == "L71");
  CHECK(count_arcs(raw, "advice") == 892);
  CHECK(count_arcs(raw, "friendship") == 575);
  CHECK(count_arcs(raw, "co-work") == 1104);
  for (const auto& r : raw.relations) CHECK(self_loops(r) == 0);
  // The finder's checks: 756 reciprocated co-work arcs (378 edges, Snijders'
  // ELwork.dat); 115 reciprocated co-work edges among the 36 partners.
  CHECK(reciprocated(relation(raw, "co-work")) == 756);
  CHECK(reciprocated(relation(raw, "co-work"), 36) == 2 * 115);
  CHECK(raw.attribute_names ==
        std::vector<std::string>{"status", "gender", "office", "practice", "lawSchool", "age", "seniority"});
  const std::size_t status = attribute(raw, "status");
  for (std::size_t i = 0; i < raw.size(); ++i) CHECK(raw.attributes[i][status] == (i < 36 ? "1" : "2"));

  // The assumed formal structure of scenarios/real/lazega.toml.
  model::ImportSpec spec;
  spec.listen = "advice";
  spec.direction = model::TieDirection::Forward;
  spec.leaders = "status=1";
  spec.department = "office,practice";
  org::ImportReport report;
  const org::Organization o = org::map_network(raw, spec, 0.5F, &report);
  CHECK(report.tops == 36);
  for (std::size_t i = 0; i < o.size(); ++i) {
    CHECK(o.level[i] == (i < 36 ? 0 : 1));
    if (i >= 36) CHECK(o.manager[i] < 36);
  }
  CHECK(o.department_count == 6);
}

TEST_CASE("real data: email-Eu-core (SOURCE.md counts)", "[unit][org][import][real]") {
  const std::string edges = data_file("email-eu-core/email-Eu-core.txt");
  const std::string labels = data_file("email-eu-core/email-Eu-core-department-labels.txt");
  if (edges.empty() || labels.empty()) return;
  const org::RawNetwork raw = org::read_snap(edges, labels);
  CHECK(raw.size() == 1005);
  CHECK(raw.ids.front() == "0");
  CHECK(raw.ids.back() == "1004");
  REQUIRE(raw.relations.size() == 1);
  CHECK(raw.relations[0].arcs.size() == 25571);
  CHECK(self_loops(raw.relations[0]) == 642);
  std::set<std::string> departments;
  for (const auto& row : raw.attributes) departments.insert(row.at(0));
  CHECK(departments.size() == 42);
  CHECK(departments.count("0") == 1);
  CHECK(departments.count("41") == 1);

  model::ImportSpec spec;
  spec.direction = model::TieDirection::Reverse;
  spec.department = "label";
  org::ImportReport report;
  const org::Organization o = org::map_network(raw, spec, 0.5F, &report);
  CHECK(report.self_loops == 642);
  CHECK(report.listen_ties == 25571 - 642);
  CHECK(o.department_count == 42);
  CHECK(o.depth() == 1);
}

TEST_CASE("real data: Medical Innovation (SOURCE.md counts, towns and adoption months)", "[unit][org][import][real]") {
  const std::string edges = data_file("medical-innovation-ckm/CKM-Physicians-Innovation_multiplex.edges");
  const std::string layers = data_file("medical-innovation-ckm/CKM-Physicians-Innovation_layers.txt");
  const std::string nodes = data_file("medical-innovation-ckm/CKM-Physicians-Innovation_nodes.txt");
  if (edges.empty() || layers.empty() || nodes.empty()) return;
  const org::RawNetwork raw = org::read_multiplex(edges, layers, nodes);
  CHECK(raw.size() == 246);
  REQUIRE(raw.relations.size() == 3);
  CHECK(count_arcs(raw, "advice") == 480);
  CHECK(count_arcs(raw, "discussion") == 565);
  CHECK(count_arcs(raw, "friend") == 506);
  for (const auto& r : raw.relations) {
    CHECK(self_loops(r) == 0);
    CHECK(duplicates(r) == 0);
  }
  CHECK(raw.attribute_names.size() == 13);
  // Towns: contiguous id blocks 1-117, 118-167, 168-211, 212-246.
  const std::size_t city = attribute(raw, "nodeCity"), adoption = attribute(raw, "nodeAdoptionDate");
  std::map<std::string, std::size_t> per_city;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    CHECK(raw.ids[i] == std::to_string(i + 1));
    const std::string expected = i < 117 ? "1" : i < 167 ? "2" : i < 211 ? "3" : "4";
    CHECK(raw.attributes[i][city] == expected);
    ++per_city[raw.attributes[i][city]];
  }
  CHECK(per_city == std::map<std::string, std::size_t>{{"1", 117}, {"2", 50}, {"3", 44}, {"4", 35}});
  // Adoption month: 1..17 for 109, 18 (never) for 16, 98 for 91 and 99 for 30 (missing).
  std::size_t adopted = 0, never = 0, m98 = 0, m99 = 0;
  for (const auto& row : raw.attributes) {
    const int month = std::stoi(row[adoption]);
    adopted += month >= 1 && month <= 17;
    never += month == 18;
    m98 += month == 98;
    m99 += month == 99;
  }
  CHECK(adopted == 109);
  CHECK(never == 16);
  CHECK(m98 == 91);
  CHECK(m99 == 30);
}

TEST_CASE("real data: the scenarios of scenarios/real read and build their organizations",
          "[unit][org][import][real]") {
  const std::string probe = data_file("krackhardt-hightech/HighTech.paj");
  if (probe.empty()) return;
  const fs::path dir = fs::path(GROUNDSWELL_SOURCE_DIR) / "scenarios" / "real";
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".toml") continue;
    ++files;
    INFO(entry.path().string());
    std::ifstream text_in(entry.path());
    const std::string text((std::istreambuf_iterator<char>(text_in)), std::istreambuf_iterator<char>());
    if (text.find("\n[observed]") != std::string::npos) {  // a calibration file (docs/calibration.md)
      const calibrate::CalibrationSpec c = calibrate::load_calibration(entry.path().string());
      CHECK(org::generate_organization(c.experiment.scenarios[0].organization, 0).size() == 246);
      continue;
    }
    const model::ExperimentSpec x = model::load_experiment(entry.path().string());
    REQUIRE(!x.scenarios.empty());
    const org::Organization o = org::generate_organization(x.scenarios[0].organization, 0);
    CHECK(o.size() >= 15);
    // Champion counts are 2% of the organization, at least 2.
    const auto expected = std::max<std::uint32_t>(2, static_cast<std::uint32_t>(0.02 * o.size() + 0.5));
    for (const auto& s : x.scenarios)
      if (s.champions.count > 0) CHECK(s.champions.count == expected);
    // A mandate comes from the top of the imported hierarchy, never "agent 0".
    for (const auto& s : x.scenarios) CHECK(s.mandate.issuers != model::Issuers::Top);
  }
  CHECK(files >= 4);
}
