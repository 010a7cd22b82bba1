// Attribution (MODEL.md 7): every entry into A split by cause, the peer part
// credited to the people listened to. Checked on hand-made organizations
// against the formula, and on whole scenarios of every rule for exact
// conservation and for leaving the run's bits unchanged.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <numeric>

#include "engine/hand_made.hpp"
#include "groundswell/engine/recorder.hpp"
#include "groundswell/experiment/ensemble.hpp"
#include "groundswell/model/scenario.hpp"

using namespace groundswell;
using engine::Cause;
using engine::Role;
using groundswell::testing::make_setup;
using groundswell::testing::quiet_spec;

namespace {

float entries(const engine::TrialAttribution& a, Cause c, std::size_t t) { return a.entries[static_cast<int>(c)][t]; }
float credit(const engine::TrialAttribution& a, Role r, std::size_t t) { return a.credit[static_cast<int>(r)][t]; }

/// Runs `steps` steps keeping the attribution (per agent) and every step's states.
void run_attributed(const model::ScenarioSpec& spec, const engine::TrialSetup& setup, std::uint64_t key, Step steps,
                    engine::TrialAttribution& out, engine::SnapshotRecorder& states) {
  engine::TrialSimulation sim(spec, setup, key);
  engine::AttributionRecorder attribution(out, true);
  engine::Recorders both{&attribution, &states};
  REQUIRE(engine::run_trial(sim, steps, both));
}

const char* kAllMechanisms = R"(
rule = "sdt"
[experiment]
seed = 77
trials = 6
steps = 60
[organization]
size = 300
[sdt]
lambda_b = 0.1
[[scenario]]
name = "issuers_and_formalization"
mandate = { issuers = "leaders", levels = 1, half_life = 8 }
champions = { count = 12, selection = "distributed", coalition = true }
formalization = { at = 0.2, pressure = 0.3 }
[[scenario]]
name = "pressing_issuers"
mandate = { issuers = "top", issuers_adopt = false, half_life = inf }
champions = { count = 5, selection = "formal" }
formalization = { at = 0.1, leaders_adopt = false }
[[scenario]]
name = "step_pull"
sdt = { tau = 0 }
champions = { count = 10, selection = "central" }
connectors = { bridges = 15 }
)";

const char* kClassic = R"(
[experiment]
seed = 5
trials = 4
steps = 25
[organization]
generator = "erdos_renyi"
size = 300
mean_degree = 6
[[scenario]]
name = "bass"
rule = "bass"
bass = { p = 0.01, q = 0.5 }
champions = { count = 3, selection = "random" }
[[scenario]]
name = "threshold"
rule = "threshold"
champions = { count = 30, selection = "central" }
agents = { threshold_mean = 0.15, threshold_sd = 0.05 }
[[scenario]]
name = "cascade"
rule = "cascade"
cascade = { p = 0.4 }
champions = { count = 3, selection = "random" }
[[scenario]]
name = "agreement"
rule = "agreement"
champions = { count = 40, selection = "central" }
[[scenario]]
name = "agreement_weighted"
rule = "agreement"
organization = { generator = "hierarchy", advisors = 4 }
champions = { count = 30, selection = "distributed" }
)";

}  // namespace

TEST_CASE("attribution on a three-agent organization equals the formula of MODEL.md 7", "[unit][attribution]") {
  // Agent 2 listens to its manager 1 (formal, weight 1, complying) and to
  // champion 0 (weight 0.5, internalized). With beta0 = beta_s = 20 its N -> A
  // hazard is near 16: it enters A in step 1.
  auto setup = make_setup({kNoManager, kNoManager, 1}, {{2, 0, 0.5f, false}});
  setup.agents.state = {State::A, State::C, State::N};
  setup.is_champion = {1, 0, 0};
  setup.champions = {0};
  auto spec = quiet_spec();
  spec.sdt.beta0 = 20;
  spec.sdt.beta_s = 20;
  spec.sdt.tau = 0.5;
  engine::TrialAttribution a;
  engine::SnapshotRecorder states;
  run_attributed(spec, setup, 11, 1, a, states);
  REQUIRE(states.at(1)[2] == State::A);
  REQUIRE(states.at(1)[1] == State::C);  // no internalization hazard in this spec

  const double gamma_c = spec.sdt.gamma_c;
  const double positive = 1.0 * gamma_c + 0.5 * 1.0;  // w v(C) + w v(A)
  const double x = positive / 1.5;
  const double S = 1 / (1 + std::exp(-(x - 0.4) / 0.5));
  const double peer = 20 * S / (20 + 20 * S);   // beta_s S / (beta0 + beta_s S)
  CHECK(entries(a, Cause::Seeded, 0) == 1.0f);  // the champion; a complying agent is not an entry into A
  CHECK(entries(a, Cause::Peer, 1) == Approx(peer).epsilon(1e-6));
  CHECK(entries(a, Cause::Spontaneous, 1) == Approx(1 - peer).epsilon(1e-6));
  for (Cause c : {Cause::Seeded, Cause::Issuer, Cause::Formalized, Cause::Internalized}) CHECK(entries(a, c, 1) == 0);
  CHECK(credit(a, Role::Champion, 1) == Approx(peer * 0.5 / positive).epsilon(1e-6));
  CHECK(credit(a, Role::FormalLeader, 1) == Approx(peer * gamma_c / positive).epsilon(1e-6));
  CHECK(credit(a, Role::Others, 1) == 0);
  CHECK(a.credit_by_agent[0] == Approx(peer * 0.5 / positive).epsilon(1e-6));
  CHECK(a.credit_by_agent[1] == Approx(peer * gamma_c / positive).epsilon(1e-6));
  CHECK(a.credit_by_agent[2] == 0);
  CHECK(a.agent_role == std::vector<std::int8_t>{2, 1, 0});
}

TEST_CASE("an entry with nobody positive to credit is spontaneous, resisters are never credited",
          "[unit][attribution]") {
  // Agent 1 listens only to a resister (v < 0): its pull is the sigmoid's tail.
  auto setup = make_setup({kNoManager, 0});
  setup.agents.state = {State::R, State::N};
  auto spec = quiet_spec();
  spec.sdt.beta0 = 30;
  spec.sdt.beta_s = 30;
  spec.sdt.tau = 1;  // a wide sigmoid: S > 0 at negative exposure
  engine::TrialAttribution a;
  engine::SnapshotRecorder states;
  run_attributed(spec, setup, 3, 1, a, states);
  REQUIRE(states.at(1)[1] == State::A);
  CHECK(entries(a, Cause::Spontaneous, 1) == 1.0f);
  CHECK(entries(a, Cause::Peer, 1) == 0.0f);
  CHECK(a.credit_by_agent == std::vector<float>{0, 0});
}

TEST_CASE("classic rules: bass splits p / (p + q x), a cascade entry goes to its converter", "[unit][attribution]") {
  SECTION("bass") {
    // Agent 2 listens to the seed 0 and to agent 1 (weight 1 each): x = 1/2.
    auto setup = make_setup({kNoManager, kNoManager, kNoManager}, {{2, 0, 1.0f, false}, {2, 1, 1.0f, false}});
    setup.agents.state = {State::A, State::N, State::N};
    setup.is_champion = {1, 0, 0};
    model::ScenarioSpec spec;
    spec.rule = model::Rule::Bass;
    spec.bass = {4.0, 6.0};
    engine::TrialAttribution a;
    engine::SnapshotRecorder states;
    run_attributed(spec, setup, 8, 1, a, states);
    REQUIRE(states.at(1)[2] == State::A);
    const double peer = 6.0 * 0.5 / (4.0 + 6.0 * 0.5);
    const double lone = states.at(1)[1] == State::A ? 1.0 : 0.0;  // agent 1 listens to nobody: spontaneous
    CHECK(entries(a, Cause::Peer, 1) == Approx(peer).epsilon(1e-6));
    CHECK(entries(a, Cause::Spontaneous, 1) == Approx(1 - peer + lone).epsilon(1e-6));
    CHECK(a.credit_by_agent[0] == Approx(peer).epsilon(1e-6));
    CHECK(a.credit_by_agent[1] == 0);
  }
  SECTION("cascade") {
    // A chain 0 -> 1 -> 2 (1 listens to 0, 2 to 1) with certain conversion.
    auto setup = make_setup({kNoManager, 0, 1});
    setup.agents.state = {State::A, State::N, State::N};
    setup.is_champion = {1, 0, 0};
    model::ScenarioSpec spec;
    spec.rule = model::Rule::Cascade;
    spec.cascade.p = 1.0;
    engine::TrialAttribution a;
    engine::SnapshotRecorder states;
    run_attributed(spec, setup, 8, 3, a, states);
    CHECK(entries(a, Cause::Peer, 1) == 1.0f);
    CHECK(entries(a, Cause::Peer, 2) == 1.0f);
    CHECK(a.credit_by_agent == std::vector<float>{1, 1, 0});
    CHECK(credit(a, Role::Champion, 1) == 1.0f);      // the seed
    CHECK(credit(a, Role::FormalLeader, 2) == 1.0f);  // agent 1 manages agent 2
  }
}

TEST_CASE("attribution is exactly conservative at every step, for every rule and mechanism", "[unit][attribution]") {
  for (const char* text : {kAllMechanisms, kClassic}) {
    const auto x = model::parse_experiment(text, "attribution.toml", ".");
    for (std::size_t s = 0; s < x.scenarios.size(); ++s) {
      const auto& spec = x.scenarios[s];
      double formalized_total = 0, issuer_total = 0;
      for (TrialIndex k = 0; k < x.trials; ++k) {
        INFO(spec.name << " trial " << k);
        const auto setup = experiment::prepare_scenario_trial(x, s, k);
        engine::TrialSimulation sim(spec, setup, engine::dynamics_key(x.seed, spec.name, k));
        engine::TrialAttribution a;
        engine::AttributionRecorder attribution(a, true);
        engine::SnapshotRecorder states;
        engine::Recorders both{&attribution, &states};
        REQUIRE(engine::run_trial(sim, x.steps, both));
        const AgentId n = states.agents();
        double peer_total = 0;
        for (Step t = 0; t <= x.steps; ++t) {
          const auto row = static_cast<std::size_t>(t);
          // entries into A and C counted from the states themselves
          std::size_t into_A = 0, into_C = 0;
          for (AgentId i = 0; i < n; ++i) {
            const State now = states.at(t)[i], was = t > 0 ? states.at(t - 1)[i] : State::N;
            into_A += now == State::A && was != State::A;
            into_C += t > 0 && now == State::C && was != State::C;
          }
          double causes = 0;
          for (int c = 0; c < engine::kCauseCount; ++c) causes += a.entries[c][row];
          double roles = 0;
          for (int r = 0; r < engine::kRoleCount; ++r) roles += a.credit[r][row];
          INFO("step " << t);
          CHECK(causes == Approx(static_cast<double>(into_A)).margin(1e-4));
          CHECK(roles == Approx(a.entries[static_cast<int>(Cause::Peer)][row]).margin(1e-4));
          CHECK(a.entries_complying[row] == static_cast<float>(into_C));
          peer_total += a.entries[static_cast<int>(Cause::Peer)][row];
          if (t != sim.state().formalized_at) CHECK(entries(a, Cause::Formalized, row) == 0);
          if (t != spec.mandate.start) CHECK(entries(a, Cause::Issuer, row) == 0);
          if (t > 0) CHECK(entries(a, Cause::Seeded, row) == 0);
          formalized_total += entries(a, Cause::Formalized, row);
          issuer_total += entries(a, Cause::Issuer, row);
        }
        const double by_agent = std::accumulate(a.credit_by_agent.begin(), a.credit_by_agent.end(), 0.0);
        CHECK(by_agent == Approx(peer_total).epsilon(1e-4));
      }
      INFO(spec.name);
      // the mechanisms that switch agents to A did so, and only where they should
      if (spec.name == "issuers_and_formalization") {
        CHECK(formalized_total > 0);
        CHECK(issuer_total > 0);
      } else {
        CHECK(formalized_total == 0);  // leaders_adopt = false, or no formalization
        CHECK(issuer_total == 0);      // issuers_adopt = false, or no mandate
      }
    }
  }
}

TEST_CASE("results are bit-identical with attribution recorded and without", "[unit][attribution]") {
  for (const char* text : {kAllMechanisms, kClassic}) {
    const auto x = model::parse_experiment(text, "attribution.toml", ".");
    for (std::size_t s = 0; s < x.scenarios.size(); ++s) {
      const auto& spec = x.scenarios[s];
      INFO(spec.name);
      const auto setup = experiment::prepare_scenario_trial(x, s, 1);
      const std::uint64_t key = engine::dynamics_key(x.seed, spec.name, 1);
      engine::TrialCurves alone, with;
      REQUIRE(engine::run_trial(spec, setup, key, x.steps, alone));
      engine::TrialAttribution a;
      REQUIRE(engine::run_trial(spec, setup, key, x.steps, with, {}, &a));
      for (int st = 0; st < kStateCount; ++st) CHECK(alone.share[st] == with.share[st]);
      CHECK(alone.mean_autonomy == with.mean_autonomy);
      CHECK(alone.mean_competence == with.mean_competence);
      CHECK(alone.mean_relatedness == with.mean_relatedness);
      CHECK(alone.mean_pressure == with.mean_pressure);
      CHECK(alone.department_adopted == with.department_adopted);
      CHECK(alone.department_internalized == with.department_internalized);
      CHECK(alone.active_champions == with.active_champions);
    }
  }
}

TEST_CASE("the step pull (tau = 0) at its boundary is decided as the kernel decides it", "[unit][attribution]") {
  // Agent 5 listens to five agents, two of them in A: x = 2/5, exactly its threshold 0.4 in exact
  // arithmetic (0.4000000059 as a float). The pull is 1, so the entry is mostly peer.
  std::vector<org::Tie> ties;
  for (AgentId j = 0; j < 5; ++j) ties.push_back({5, j, 1.0f, false});
  auto setup = make_setup({kNoManager, kNoManager, kNoManager, kNoManager, kNoManager, kNoManager}, ties);
  setup.agents.state = {State::A, State::A, State::N, State::N, State::N, State::N};
  auto spec = quiet_spec();
  spec.sdt.tau = 0;
  spec.sdt.beta0 = 0.05;
  spec.sdt.beta_s = 40;
  engine::TrialAttribution a;
  engine::SnapshotRecorder states;
  run_attributed(spec, setup, 5, 1, a, states);
  REQUIRE(states.at(1)[5] == State::A);
  CHECK(entries(a, Cause::Peer, 1) == Approx(40 / 40.05).epsilon(1e-6));
  CHECK(a.credit_by_agent[0] == Approx(20 / 40.05).epsilon(1e-6));
}

TEST_CASE("issuers switched at mandate.start are entries by issuer, whatever their state, burnout is no entry",
          "[unit][attribution]") {
  // Agent 0 (top) issues the mandate at step 1 from C; agent 1 is a lone champion who burns out.
  auto setup = make_setup({kNoManager, kNoManager});
  setup.agents.state = {State::C, State::A};
  setup.is_champion = {0, 1};
  auto spec = quiet_spec();
  spec.mandate.issuers = model::Issuers::Top;
  spec.sdt.lambda_b = 50;  // burns out in step 1
  engine::TrialAttribution a;
  engine::SnapshotRecorder states;
  engine::TrialSimulation sim(spec, setup, 9);
  engine::AttributionRecorder attribution(a, true);
  engine::Recorders both{&attribution, &states};
  REQUIRE(engine::run_trial(sim, 2, both));
  REQUIRE_FALSE(sim.state().champion[1]);  // burnt out, still in A
  REQUIRE(states.at(2)[1] == State::A);
  CHECK(entries(a, Cause::Seeded, 0) == 1.0f);
  CHECK(entries(a, Cause::Issuer, 1) == 1.0f);
  for (std::size_t t : {1, 2}) {
    double all = 0;
    for (int c = 0; c < engine::kCauseCount; ++c) all += a.entries[c][t];
    CHECK(all == (t == 1 ? 1.0 : 0.0));  // the issuer only: the burnt-out champion never left A
  }
}
