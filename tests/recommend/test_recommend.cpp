// Choosing change agents (recommend.hpp): greedy against the best subset on
// small graphs, CELF against plain greedy, and the fresh-trial check against
// a selection artefact.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>

#include "groundswell/recommend/recommend.hpp"

using namespace groundswell;

namespace {

double mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

/// Two stars of five (a centre and four who listen to it), written as node and edge tables.
std::string two_stars_dir() {
  const auto dir = std::filesystem::temp_directory_path() / ("groundswell-recommend-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream nodes(dir / "nodes.csv"), edges(dir / "edges.csv");
  nodes << "id,manager,department,level\n";
  edges << "source,target,weight,type\n";
  for (const char* star : {"a", "b"}) {
    nodes << star << "0,," << star << ",0\n";
    for (int k = 1; k <= 4; ++k) {
      nodes << star << k << "," << star << "0," << star << ",1\n";
      edges << star << k << "," << star << "0,1,formal\n";
    }
  }
  return dir.string();
}

}  // namespace

TEST_CASE("recommend finds the centre of a star and both centres of two disjoint stars", "[unit][recommend]") {
  SECTION("a star: the top of an org chart of one manager and seven reports") {
    const auto x = model::parse_experiment(R"(
rule = "cascade"
[experiment]
seed = 3
trials = 30
steps = 4
[organization]
size = 8
span = 7
advisors = 0
[cascade]
p = 1
[[scenario]]
name = "seed"
champions = { count = 1 }
)",
                                           "star.toml", ".");
    recommend::Options o;
    o.count = 1;
    o.threads = 2;
    const auto r = recommend::recommend(x, o);
    REQUIRE(r.picks.size() == 1);
    CHECK(r.picks[0].person.agent == 0);
    CHECK(r.picks[0].person.formal_leader);
  }
  SECTION("two disjoint stars") {
    const std::string dir = two_stars_dir();
    const auto x = model::parse_experiment(R"(
rule = "cascade"
[experiment]
seed = 3
trials = 20
steps = 3
[organization]
generator = "file"
nodes = ")" + dir + R"(/nodes.csv"
edges = ")" + dir + R"(/edges.csv"
[cascade]
p = 1
[[scenario]]
name = "seed"
champions = { count = 2 }
)",
                                           "stars.toml", ".");
    recommend::Options o;
    o.count = 2;
    const auto r = recommend::recommend(x, o);
    REQUIRE(r.picks.size() == 2);
    CHECK(r.picks[0].person.label == "a0");
    CHECK(r.picks[1].person.label == "b0");
    CHECK(r.recommended.mean == 1.0);  // conversion is certain: everyone by week 1
    std::filesystem::remove_all(dir);
  }
}

TEST_CASE("greedy reaches at least 1 - 1/e of the best subset for the independent cascade (Kempe et al. 2003)",
          "[unit][recommend]") {
  // Ten agents, so every 3-subset (120) can be scored on the same trials.
  const auto x = model::parse_experiment(R"(
rule = "cascade"
[experiment]
seed = 11
trials = 200
steps = 10
[organization]
generator = "erdos_renyi"
size = 10
mean_degree = 2
[cascade]
p = 0.6
[[scenario]]
name = "seed"
champions = { count = 3 }
)",
                                         "small.toml", ".");
  recommend::Options o;
  o.count = 3;
  o.trials = 200;
  o.test_trials = 50;
  const auto r = recommend::recommend(x, o);
  double best = 0;
  for (AgentId a = 0; a < 10; ++a)
    for (AgentId b = a + 1; b < 10; ++b)
      for (AgentId c = b + 1; c < 10; ++c)
        best = std::max(best, mean(recommend::score_set(x, o, {a, b, c}, 0, o.trials)));
  const double greedy = r.picks.back().value.mean;  // the same trials as the subsets
  INFO("greedy " << greedy << ", best 3-subset " << best);
  CHECK(greedy >= (1 - 1 / std::exp(1.0)) * best);
  CHECK(greedy <= best + 1e-12);  // the best is the best
}

TEST_CASE("CELF chooses the same set as plain greedy on the same trials, with fewer evaluations", "[unit][recommend]") {
  const auto x = model::parse_experiment(R"(
rule = "cascade"
[experiment]
seed = 5
trials = 60
steps = 10
[organization]
generator = "erdos_renyi"
size = 40
mean_degree = 3
[cascade]
p = 0.4
[[scenario]]
name = "seed"
champions = { count = 4 }
)",
                                         "celf.toml", ".");
  recommend::Options o;
  o.count = 4;
  o.test_trials = 10;
  const auto lazy = recommend::recommend(x, o);
  o.lazy = false;
  const auto plain = recommend::recommend(x, o);
  std::vector<AgentId> a, b;
  for (const auto& p : lazy.picks) a.push_back(p.person.agent);
  for (const auto& p : plain.picks) b.push_back(p.person.agent);
  INFO("CELF " << lazy.evaluations << " evaluations, plain greedy " << plain.evaluations);
  CHECK(a == b);
  CHECK(lazy.evaluations < plain.evaluations);
  CHECK(plain.evaluations == 1 + 40 + 39 + 38 + 37);
}

TEST_CASE("the fresh-trial check is unbiased: among alike agents the chosen set does not beat random",
          "[stat][recommend]") {
  // On a complete graph every agent is alike, so any gain on the choosing
  // trials is selection on noise; on fresh trials it must vanish.
  const auto x = model::parse_experiment(R"(
rule = "bass"
[experiment]
seed = 17
trials = 60
steps = 12
[organization]
generator = "complete"
size = 40
[bass]
p = 0.01
q = 0.4
[[scenario]]
name = "seed"
champions = { count = 3, selection = "random" }
)",
                                         "alike.toml", ".");
  recommend::Options o;
  o.count = 3;
  o.test_trials = 400;
  const auto r = recommend::recommend(x, o);
  const auto& random = r.rules.at(0);
  REQUIRE(random.rule == "random");
  const double se = (random.difference.high - random.difference.low) / (2 * 1.96);
  INFO("recommended minus random on fresh trials " << random.difference.mean << " (SE " << se << "); in-sample value "
                                                   << r.picks.back().value.mean << ", fresh " << r.recommended.mean);
  CHECK(std::abs(random.difference.mean) <= 4 * se);
}

TEST_CASE("recommend refuses what it cannot do, naming the fix", "[unit][recommend]") {
  const auto x = model::parse_experiment(R"(
rule = "sdt"
[experiment]
seed = 1
trials = 4
steps = 5
[organization]
size = 30
[[scenario]]
name = "none"
[[scenario]]
name = "agents"
champions = { count = 2 }
)",
                                         "bad.toml", ".");
  recommend::Options o;
  o.count = 2;
  o.scenario = "nope";
  CHECK_THROWS_WITH(recommend::recommend(x, o), Catch::Contains("no such scenario") && Catch::Contains("agents"));
  o.scenario = "";
  o.count = 31;
  CHECK_THROWS_WITH(recommend::recommend(x, o), Catch::Contains("only 30 people may be chosen"));
  o.count = 2;
  o.constraints.require = {1, 2, 3};
  CHECK_THROWS_WITH(recommend::recommend(x, o), Catch::Contains("more than --count"));
  o.constraints.require = {1};
  o.constraints.exclude = {1};
  CHECK_THROWS_WITH(recommend::recommend(x, o), Catch::Contains("both"));
  o.constraints = {};
  o.constraints.formal_only = o.constraints.informal_only = true;
  CHECK_THROWS_WITH(recommend::recommend(x, o), Catch::Contains("exclude each other"));
  o.constraints = {};
  o.horizon = 9;
  CHECK_THROWS_WITH(recommend::recommend(x, o), Catch::Contains("1..5"));
}

TEST_CASE("recommend gives the same people, gains and comparisons for 1, 2 and 8 threads", "[seed][recommend]") {
  const auto x = model::parse_experiment(R"(
rule = "sdt"
[experiment]
seed = 23
trials = 12
steps = 20
[organization]
size = 120
[[scenario]]
name = "agents"
champions = { count = 3, selection = "distributed", coalition = true }
)",
                                         "threads.toml", ".");
  recommend::Options o;
  o.count = 3;
  o.shortlist = 15;
  o.curve = recommend::CurveSpec{0, 4, 2};
  o.target = recommend::Target{0.2, 20};
  o.key_people = 2;
  auto run = [&](unsigned threads) {
    o.threads = threads;
    return recommend::recommend(x, o);
  };
  const auto one = run(1);
  for (unsigned threads : {2u, 8u}) {
    const auto other = run(threads);
    INFO(threads << " threads");
    REQUIRE(one.picks.size() == other.picks.size());
    for (std::size_t k = 0; k < one.picks.size(); ++k) {
      CHECK(one.picks[k].person.agent == other.picks[k].person.agent);
      CHECK(one.picks[k].gain.mean == other.picks[k].gain.mean);
    }
    CHECK(one.evaluations == other.evaluations);
    for (std::size_t k = 0; k < one.rules.size(); ++k)
      CHECK(one.rules[k].difference.mean == other.rules[k].difference.mean);
    for (std::size_t k = 0; k < one.curve.size(); ++k)
      for (std::size_t c = 0; c < one.curve[k].value.size(); ++c)
        CHECK(one.curve[k].value[c].mean == other.curve[k].value[c].mean);
    for (std::size_t k = 0; k < one.key_people.size(); ++k) {
      CHECK(one.key_people[k].person.agent == other.key_people[k].person.agent);
      CHECK(one.key_people[k].loss.mean == other.key_people[k].loss.mean);
    }
  }
}

TEST_CASE("the --curve machinery shows the critical mass of committed agents (Xie et al. 2011, PRE 84:011130)",
          "[stat][recommend]") {
  // Binary agreement on a complete organization of 200: below p_c ~ 0.098
  // committed agents (here 6%) the organization stays mostly B for the 150
  // steps; above it (14%, 16%) consensus on A comes well within them.
  const auto x = model::parse_experiment(R"(
rule = "agreement"
[experiment]
seed = 2011
trials = 4
steps = 150
[organization]
generator = "complete"
size = 200
[[scenario]]
name = "committed"
champions = { count = 12, selection = "random" }
)",
                                         "critical.toml", ".");
  recommend::Options o;
  o.count = 1;
  o.shortlist = 4;  // every agent is alike: choosing is not the point here
  o.trials = 2;
  o.test_trials = 40;
  o.curve = recommend::CurveSpec{12, 32, 4};  // 6%, 8%, ..., 16% committed
  o.target = recommend::Target{0.99, 150};
  const auto r = recommend::recommend(x, o);
  const auto row = std::find_if(r.curve.begin(), r.curve.end(), [](const auto& c) { return c.rule == "random"; });
  REQUIRE(row != r.curve.end());
  const auto at = [&](std::uint32_t count) {
    const auto k = std::find(row->counts.begin(), row->counts.end(), count) - row->counts.begin();
    return row->at_target[static_cast<std::size_t>(k)];
  };
  INFO("internalized at step 150: 6% committed " << at(12).mean << ", 8% " << at(16).mean << ", 14% " << at(28).mean
                                                 << ", 16% " << at(32).mean);
  // Below p_c the A share stays near the mean-field fixed point (0.07 at p = 0.06): far below consensus.
  CHECK(at(12).high < 0.2);
  // Above it every trial reaches consensus: the mean is above 0.99 by more than its error.
  CHECK(at(28).low > 0.99);
  CHECK(at(32).low > 0.99);
  REQUIRE(row->reaches);
  CHECK(*row->reaches >= 20);  // the smallest count to consensus is at 10% or more ...
  CHECK(*row->reaches <= 28);  // ... and at 14% at most: a steep fall around p_c
}
