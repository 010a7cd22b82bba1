// Champion selections, coalition and connectors (MODEL.md 4).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "groundswell/engine/trial.hpp"
#include "groundswell/org/generate.hpp"

using namespace groundswell;

namespace {
org::Organization hierarchy(std::uint32_t n, std::uint64_t key = 1) {
  model::OrganizationSpec spec;
  spec.size = n;
  return org::generate_organization(spec, key);
}
model::ChampionSpec champions(std::uint32_t count, model::Selection selection) { return {count, selection, false}; }
}  // namespace

TEST_CASE("formal champions are the top of the org chart in breadth-first order", "[unit][champions]") {
  const auto o = hierarchy(1000);
  const auto c = engine::select_champions(o, champions(20, model::Selection::Formal), 1);
  REQUIRE(c.size() == 20);
  for (AgentId k = 0; k < 20; ++k) CHECK(c[k] == k);
}

TEST_CASE("central champions are the most listened to, ties go to the lower id", "[unit][champions]") {
  const auto o = hierarchy(1000);
  const auto score = org::listened_to(o, false);
  const auto c = engine::select_champions(o, champions(30, model::Selection::Central), 1);
  std::vector<double> sorted = score;
  std::sort(sorted.rbegin(), sorted.rend());
  for (std::size_t k = 0; k < c.size(); ++k) CHECK(score[c[k]] == sorted[k]);
  // on a complete graph everyone ties: the lowest ids win
  model::OrganizationSpec complete;
  complete.generator = model::Generator::Complete;
  complete.size = 50;
  const auto flat = org::generate_organization(complete, 1);
  const auto d = engine::select_champions(flat, champions(5, model::Selection::Central), 1);
  CHECK(d == std::vector<AgentId>{0, 1, 2, 3, 4});
}

TEST_CASE("bridging champions are the most listened to from other departments", "[unit][champions]") {
  const auto o = hierarchy(1000);
  const auto cross = org::listened_to(o, true);
  const auto c = engine::select_champions(o, champions(10, model::Selection::Bridging), 1);
  const double tenth = cross[c.back()];
  std::size_t above = 0;
  for (double s : cross) above += s > tenth;
  CHECK(above < 10);
  CHECK(cross[c.front()] > 0);
}

TEST_CASE("distributed champions go round-robin over departments", "[unit][champions]") {
  const auto o = hierarchy(1000);
  const auto score = org::listened_to(o, false);
  const auto c = engine::select_champions(o, champions(20, model::Selection::Distributed), 1);
  REQUIRE(c.size() == 20);
  REQUIRE(o.department_count == 7);
  for (std::size_t k = 0; k < 20; ++k) CHECK(o.department[c[k]] == static_cast<DepartmentId>(k % 7));
  // each department's first pick is its most listened-to member
  for (DepartmentId d = 0; d < 7; ++d) {
    double best = -1;
    for (AgentId i = 0; i < o.size(); ++i)
      if (o.department[i] == d) best = std::max(best, score[i]);
    CHECK(score[c[static_cast<std::size_t>(d)]] == best);
  }
}

TEST_CASE("random champions are distinct and drawn from the trial's stream", "[unit][champions]") {
  const auto o = hierarchy(500);
  const auto a = engine::select_champions(o, champions(100, model::Selection::Random), 5);
  const auto b = engine::select_champions(o, champions(100, model::Selection::Random), 5);
  const auto c = engine::select_champions(o, champions(100, model::Selection::Random), 6);
  CHECK(std::set<AgentId>(a.begin(), a.end()).size() == 100);
  CHECK(a == b);
  CHECK(a != c);
  CHECK_THROWS_AS(engine::select_champions(o, champions(501, model::Selection::Random), 5), InputError);
}

TEST_CASE("a coalition makes champions listen to each other, bridges cross departments", "[unit][champions]") {
  auto o = hierarchy(300);
  const auto before = o.network.edge_count();
  const std::vector<AgentId> team{3, 40, 77, 150};
  engine::add_coalition(o, team);
  for (AgentId i : team)
    for (AgentId j : team)
      if (i != j) CHECK(org::listens_to(o.network, i, j));
  CHECK(o.network.edge_count() <= before + 12);
  const auto with_coalition = o.network.edge_count();
  engine::add_bridges(o, 25, 2, 2, 9);
  CHECK(o.network.edge_count() == with_coalition + 50);
  // the added ties are the last in-edges of their listeners and all cross departments
  std::size_t crossing = 0;
  for (AgentId i = 0; i < o.size(); ++i)
    for (EdgeIndex e = o.network.offsets[i]; e < o.network.offsets[i + 1]; ++e)
      crossing += o.department[o.network.sources[e]] != o.department[i];
  auto plain = hierarchy(300);
  std::size_t crossing_before = 0;
  for (AgentId i = 0; i < plain.size(); ++i)
    for (EdgeIndex e = plain.network.offsets[i]; e < plain.network.offsets[i + 1]; ++e)
      crossing_before += plain.department[plain.network.sources[e]] != plain.department[i];
  std::size_t coalition_crossing = 0;
  for (AgentId i : team)
    for (AgentId j : team) coalition_crossing += i != j && o.department[i] != o.department[j];
  CHECK(crossing >= crossing_before + 50);
  CHECK(crossing <= crossing_before + 50 + coalition_crossing);
  model::OrganizationSpec one_dept;
  one_dept.generator = model::Generator::Complete;
  one_dept.size = 10;
  auto flat = org::generate_organization(one_dept, 1);
  CHECK_THROWS_AS(engine::add_bridges(flat, 1, 2, 2, 1), InputError);
}

TEST_CASE("champions start adopted with competence at least 0.8", "[unit][champions]") {
  model::ScenarioSpec spec;
  spec.organization.size = 300;
  spec.champions = {15, model::Selection::Distributed, true};
  const auto base = org::generate_organization(spec.organization, 3);
  const auto setup = engine::prepare_trial(spec, 3, 0, base);
  REQUIRE(setup.champions.size() == 15);
  for (AgentId c : setup.champions) {
    CHECK(setup.agents.state[c] == State::A);
    CHECK(setup.agents.competence[c] >= 0.8f);
    CHECK(setup.is_champion[c] == 1);
  }
}

// ---- v2: coalition and connector rules (MODEL.md 4) ----

namespace {

/// A flat organization (no managers) with the given departments and ties.
org::Organization flat(const std::vector<DepartmentId>& department, const std::vector<org::Tie>& ties) {
  org::Organization o;
  const auto n = static_cast<AgentId>(department.size());
  o.manager.assign(n, kNoManager);
  o.level.assign(n, 0);
  o.department = department;
  o.department_count = *std::max_element(department.begin(), department.end()) + 1;
  org::mark_formal_leaders(o);
  o.network = org::build_network(n, ties);
  return o;
}

/// The ties i <- j as (listener, source, weight), in CSR order.
std::multiset<std::pair<AgentId, AgentId>> pairs(const org::Organization& o) {
  std::multiset<std::pair<AgentId, AgentId>> p;
  for (AgentId i = 0; i < o.size(); ++i)
    for (EdgeIndex e = o.network.offsets[i]; e < o.network.offsets[i + 1]; ++e) p.insert({i, o.network.sources[e]});
  return p;
}

float weight_of(const org::Organization& o, AgentId i, AgentId j) {
  for (EdgeIndex e = o.network.offsets[i]; e < o.network.offsets[i + 1]; ++e)
    if (o.network.sources[e] == j) return o.network.weights[e];
  return -1.0f;
}

}  // namespace

TEST_CASE("coalition: one tie per ordered pair of champions, weight max(existing, 1)", "[unit][champions]") {
  // 0 <- 1 weak (0.3), 1 <- 0 strong (2.5), 2 <- 3 formal (0.5); 4 is no champion.
  auto o = flat({0, 0, 1, 1, 1}, {{0, 1, 0.3f, false}, {1, 0, 2.5f, false}, {2, 3, 0.5f, true}, {4, 0, 0.7f, false}});
  engine::add_coalition(o, {0, 1, 2, 3});
  // 12 ordered pairs, 3 of them tied already: 9 new ties, none parallel
  CHECK(o.network.edge_count() == 4 + 9);
  const auto p = pairs(o);
  for (AgentId i = 0; i < 4; ++i)
    for (AgentId j = 0; j < 4; ++j)
      if (i != j) CHECK(p.count({i, j}) == 1);
  CHECK(weight_of(o, 0, 1) == 1.0f);  // raised to 1
  CHECK(weight_of(o, 1, 0) == 2.5f);  // kept: larger than 1
  CHECK(weight_of(o, 2, 3) == 1.0f);
  CHECK(weight_of(o, 2, 0) == 1.0f);  // new
  CHECK(weight_of(o, 4, 0) == 0.7f);  // not between champions: untouched
  for (EdgeIndex e = o.network.offsets[2]; e < o.network.offsets[3]; ++e)
    if (o.network.sources[e] == 3) CHECK(o.network.formal[e] == 1);  // the formal tie keeps its flag
}

TEST_CASE("connectors are never drawn over an existing pair: B bridges add exactly 2B ties", "[unit][champions]") {
  auto o = hierarchy(300);
  const std::vector<AgentId> team{3, 40, 77, 150};
  engine::add_coalition(o, team);
  const auto before = pairs(o);
  engine::add_bridges(o, 200, 2, 2, 9);
  REQUIRE(o.network.edge_count() == before.size() + 400);
  auto after = pairs(o);
  for (const auto& t : before) after.erase(after.find(t));
  REQUIRE(after.size() == 400);
  for (const auto& [i, j] : after) {
    INFO("bridge " << i << " <- " << j);
    CHECK(o.department[i] != o.department[j]);
    CHECK(before.count({i, j}) == 0);  // not over an organization or coalition tie
    CHECK(before.count({j, i}) == 0);  // in either direction
    CHECK(after.count({i, j}) == 1);   // nor over an earlier bridge
    CHECK(after.count({j, i}) == 1);   // both ways
  }
}

TEST_CASE("connectors: fewer open pairs than B is an InputError", "[unit][champions]") {
  // departments {0, 1} and {2, 3}: 4 cross pairs, one of them tied (0 <- 2) and one both ways (1 <- 3, 3 <- 1)
  const auto make = [] { return flat({0, 0, 1, 1}, {{0, 2, 1.0f, false}, {1, 3, 1.0f, false}, {3, 1, 1.0f, false}}); };
  auto o = make();
  engine::add_bridges(o, 2, 2, 2, 1);  // exactly the two open pairs {0, 3} and {1, 2}
  CHECK(o.network.edge_count() == 3 + 4);
  const auto p = pairs(o);
  CHECK(p.count({0, 3}) == 1);
  CHECK(p.count({3, 0}) == 1);
  CHECK(p.count({1, 2}) == 1);
  CHECK(p.count({2, 1}) == 1);
  auto full = make();
  CHECK_THROWS_AS(engine::add_bridges(full, 3, 2, 2, 1), InputError);
  CHECK(full.network.edge_count() == 3);  // unchanged
}

TEST_CASE("champions start in A whatever the initial-resister draw", "[unit][champions]") {
  model::ScenarioSpec spec;
  spec.organization.size = 200;
  spec.agents.initial_resisters = 1.0;  // everyone draws R
  spec.champions = {12, model::Selection::Random, false};
  const auto base = org::generate_organization(spec.organization, 4);
  const auto setup = engine::prepare_trial(spec, 4, 0, base);
  std::size_t resisting = 0;
  for (AgentId i = 0; i < base.size(); ++i) {
    if (setup.is_champion[i])
      CHECK(setup.agents.state[i] == State::A);
    else
      resisting += setup.agents.state[i] == State::R;
  }
  CHECK(resisting == 200 - 12);
}
