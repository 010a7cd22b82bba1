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

TEST_CASE("key people (--key-people) ranks the two centres of two stars first, with their true loss",
          "[stat][recommend]") {
  // Two stars of five; each leaf listens to its centre, and in the
  // independent cascade (p = 1/2) a converted centre converts each of its
  // leaves with probability 1/2. The scenario's two change agents are the top
  // of the org chart (formal: lowest level first, then lowest id).
  //   everyone:      a0 and b0           -> (2 + 8/2) / 10 = 0.6
  //   without a0:    a1, a2 (now tops)   ->  2 / 9
  //   without b0:    a0, b1              -> (2 + 4/2) / 9 = 4/9
  //   without a leaf: a0, b0             -> (2 + 7/2) / 9 = 11/18
  // so the losses are 0.6 - 2/9 = 0.378 (a0), 0.6 - 4/9 = 0.156 (b0) and
  // 0.6 - 11/18 = -0.011 (each leaf): a0, then b0.
  const std::string dir = two_stars_dir();
  const auto x = model::parse_experiment(R"(
rule = "cascade"
[experiment]
seed = 8
trials = 100
steps = 3
[organization]
generator = "file"
nodes = ")" + dir + R"(/nodes.csv"
edges = ")" + dir + R"(/edges.csv"
[cascade]
p = 0.5
[[scenario]]
name = "top"
champions = { count = 2, selection = "formal" }
)",
                                         "stars.toml", ".");
  recommend::Options o;
  o.count = 1;
  o.test_trials = 800;
  o.key_people = 2;
  const auto r = recommend::recommend(x, o);
  REQUIRE(r.key_people.size() == 2);
  const double truth[] = {0.6 - 2.0 / 9, 0.6 - 4.0 / 9};
  const char* centre[] = {"a0", "b0"};
  for (std::size_t k = 0; k < 2; ++k) {
    const auto& loss = r.key_people[k].loss;
    const double se = (loss.high - loss.low) / (2 * 1.96);
    INFO(r.key_people[k].person.label << ": loss " << loss.mean << " (SE " << se << "), true " << truth[k]);
    CHECK(r.key_people[k].person.label == centre[k]);
    CHECK(r.key_people[k].person.formal_leader);
    CHECK(se > 0);
    CHECK(std::abs(loss.mean - truth[k]) <= 4 * se);
  }
  std::filesystem::remove_all(dir);
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
  // trials is selection on noise (few choosing trials: much of it); on fresh
  // trials it must vanish. And the check has power: the gain on the choosing
  // trials, what a check that reused them would report, lies far outside the
  // fresh check's tolerance.
  const auto x = model::parse_experiment(R"(
rule = "bass"
[experiment]
seed = 17
trials = 10
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
  std::vector<AgentId> chosen;
  for (const auto& pick : r.picks) chosen.push_back(pick.person.agent);
  // in-sample: the chosen set against the mean of 60 random sets, on the 10 choosing trials
  double random_in_sample = 0;
  std::uint64_t state = 12345;
  for (int k = 0; k < 60; ++k) {
    std::vector<AgentId> set;
    while (set.size() < 3) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;  // a fixed LCG: any alike set will do
      const auto a = static_cast<AgentId>((state >> 33) % 40);
      if (std::find(set.begin(), set.end(), a) == set.end()) set.push_back(a);
    }
    random_in_sample += mean(recommend::score_set(x, o, set, 0, 10)) / 60;
  }
  const double in_sample_gain = mean(recommend::score_set(x, o, chosen, 0, 10)) - random_in_sample;
  INFO("recommended minus random on fresh trials " << random.difference.mean << " (SE " << se
                                                   << "); on the choosing trials " << in_sample_gain);
  CHECK(std::abs(random.difference.mean) <= 4 * se);
  CHECK(in_sample_gain > 4 * se);
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
  CHECK_THROWS_WITH(recommend::recommend(x, o), Catch::Contains("--require 1: is also --exclude'd"));
  o.constraints = {};
  o.constraints.formal_only = o.constraints.informal_only = true;
  CHECK_THROWS_WITH(recommend::recommend(x, o), Catch::Contains("exclude each other"));
  o.constraints = {};
  o.horizon = 9;
  CHECK_THROWS_WITH(recommend::recommend(x, o), Catch::Contains("1..5"));
}

TEST_CASE("constraints: --require must obey them, and the curve stops where they do", "[unit][recommend]") {
  // The two stars: a0 = 0, a1..a4 = 1..4 (department a), b0 = 5, b1..b4 = 6..9 (department b).
  const std::string dir = two_stars_dir();
  const auto x = model::parse_experiment(R"(
rule = "cascade"
[experiment]
seed = 3
trials = 6
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
  SECTION("--require is refused, by the id in the data, where it would override a constraint") {
    o.constraints.require = {1};
    o.constraints.exclude = {1};
    CHECK_THROWS_WITH(recommend::recommend(x, o), Catch::Contains("--require a1: is also --exclude'd"));
    o.constraints = {};
    o.constraints.require = {1};
    o.constraints.formal_only = true;
    CHECK_THROWS_WITH(recommend::recommend(x, o), Catch::Contains("--require a1: is not a formal leader"));
    o.constraints = {};
    o.constraints.require = {5};
    o.constraints.informal_only = true;
    CHECK_THROWS_WITH(recommend::recommend(x, o), Catch::Contains("--require b0: is a formal leader"));
    o.constraints = {};
    o.constraints.require = {0, 1};
    o.constraints.max_per_department = 1;
    CHECK_THROWS_WITH(recommend::recommend(x, o), Catch::Contains("--require a1: would be required change agent "
                                                                  "number 2 in department a, beyond "
                                                                  "--max-per-department 1"));
    o.constraints.require = {0, 6};  // one per department: allowed
    CHECK(recommend::recommend(x, o).picks.size() == 2);
  }
  SECTION("counts are said in the singular and the plural") {
    o.candidates = {1};
    CHECK_THROWS_WITH(recommend::recommend(x, o), Catch::Contains("asked for 2 change agents but only 1 person may"));
    o.candidates = {};
    o.count = 1;
    o.constraints.require = {1, 2};
    CHECK_THROWS_WITH(recommend::recommend(x, o), Catch::Contains("--require lists 2 people, more than --count 1"));
  }
  SECTION("--max-per-department and --formal-only: --count must fit, the greedy curve is NaN beyond what fits") {
    o.curve = recommend::CurveSpec{0, 4, 1};
    for (const bool by_department : {true, false}) {
      INFO((by_department ? "--max-per-department 1" : "--formal-only"));
      o.constraints = {};
      if (by_department)
        o.constraints.max_per_department = 1;
      else
        o.constraints.formal_only = true;
      const auto r = recommend::recommend(x, o);
      REQUIRE(r.picks.size() == 2);
      CHECK(r.picks[0].person.label == "a0");
      CHECK(r.picks[1].person.label == "b0");
      REQUIRE(r.curve.size() == 6);
      const auto& greedy = r.curve[0];
      REQUIRE(greedy.rule == "greedy");
      REQUIRE(greedy.value.size() == 5);
      for (std::size_t k = 0; k < 5; ++k) CHECK((greedy.value[k].n == 0) == (k > 2));  // n = 0: NaN in the file
      CHECK(greedy.value[2].mean == 1.0);
      CHECK_THAT(recommend::format_result(r),
                 Catch::Contains("  greedy        0.000 \u00b10.000  0.500 \u00b10.000  1.000 \u00b10.000             -"
                                 "             -\n"));
      for (std::size_t row = 1; row < 6; ++row)
        for (const auto& e : r.curve[row].value) CHECK(e.n == 6);  // the rules are not constrained
      o.count = 3;
      CHECK_THROWS_WITH(
          recommend::recommend(x, o),
          Catch::Contains(by_department ? "only 2 change agents fit the constraints (--max-per-department 1); "
                                          "asked for --count 3"
                                        : "asked for 3 change agents but only 2 people may be chosen"));
      o.count = 2;
    }
  }
  std::filesystem::remove_all(dir);
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
  // Binary agreement on the complete organization of 500 of
  // scenarios/validation/critical_mass.toml (docs/validation.md 6), its
  // scenario p0.10, with the committed share swept by --curve 20:80:10
  // (p = 0.04 .. 0.16), 30 fresh trials and 150 steps instead of 200 and 300.
  // Below p_c ~ 0.098 the organization stays at the B-dominated mixed state
  // (mean-field A share 0.111 at p = 0.08); above it consensus on A comes in
  // a mean 38 steps at p = 0.12, and at p = 0.10 only in a mean 97 (so most,
  // not all, trials by step 150): the smallest count whose mean A share
  // reaches 0.99 by step 150 is at 10% or 12%.
  auto x = model::load_experiment(GROUNDSWELL_SOURCE_DIR "/scenarios/validation/critical_mass.toml");
  x.steps = 150;
  recommend::Options o;
  o.scenario = "p0.10";
  o.count = 1;
  o.shortlist = 2;  // every agent is alike: choosing is not the point here
  o.trials = 2;
  o.test_trials = 30;
  o.curve = recommend::CurveSpec{20, 80, 10};
  o.target = recommend::Target{0.99, 150};
  const auto r = recommend::recommend(x, o);
  const auto row = std::find_if(r.curve.begin(), r.curve.end(), [](const auto& c) { return c.rule == "random"; });
  REQUIRE(row != r.curve.end());
  REQUIRE(row->counts == std::vector<std::uint32_t>{20, 30, 40, 50, 60, 70, 80});
  const auto at = [&](std::uint32_t count) {
    const auto k = std::find(row->counts.begin(), row->counts.end(), count) - row->counts.begin();
    return row->at_target[static_cast<std::size_t>(k)];
  };
  for (std::uint32_t k : row->counts) UNSCOPED_INFO("A share at step 150 with " << k << " committed: " << at(k).mean);
  // Below p_c the A share stays near the mean-field mixed state: far below consensus.
  for (std::uint32_t k : {20u, 30u, 40u}) CHECK(at(k).high < 0.2);
  // Above it every trial reaches consensus: the mean is above 0.99 by more than its error.
  for (std::uint32_t k : {60u, 70u, 80u}) CHECK(at(k).low > 0.99);
  REQUIRE(row->reaches);
  CHECK(*row->reaches >= 50);  // the smallest count to consensus is at 10% or more ...
  CHECK(*row->reaches <= 60);  // ... and at 12% at most: a steep fall around p_c
}
