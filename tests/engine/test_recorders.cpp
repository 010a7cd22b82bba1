// The one trial loop (engine/run.hpp) and its recorders: curves, adoption
// times and snapshots of one run agree with each other, and a stop request
// is honoured at a step boundary.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstring>

#include "groundswell/engine/recorder.hpp"
#include "groundswell/engine/run.hpp"
#include "groundswell/experiment/ensemble.hpp"
#include "groundswell/model/scenario.hpp"

using namespace groundswell;

namespace {

const char* kTrial = R"(
rule = "sdt"
[experiment]
seed = 17
trials = 1
steps = 30
[organization]
size = 300
[[scenario]]
name = "hybrid"
mandate = { issuers = "top" }
champions = { count = 6, selection = "distributed", coalition = true }
)";

}  // namespace

TEST_CASE("the curve and adoption time and snapshot recorders of one run agree", "[unit]") {
  const auto x = model::parse_experiment(kTrial, "recorders.toml", ".");
  const auto& spec = x.scenarios.front();
  const engine::TrialSetup setup = experiment::prepare_scenario_trial(x, 0, 0);
  const std::uint64_t key = engine::dynamics_key(x.seed, spec.name, 0);
  const AgentId n = setup.organization.size();

  engine::TrialSimulation sim(spec, setup, key);
  engine::TrialCurves curves;
  engine::CurveRecorder curve_recorder(curves);
  std::vector<std::int32_t> times(n, -7);
  engine::AdoptionTimeRecorder time_recorder(times.data());
  engine::SnapshotRecorder snapshots;
  engine::Recorders all{&curve_recorder, &time_recorder, &snapshots};
  REQUIRE(engine::run_trial(sim, x.steps, all));
  REQUIRE(snapshots.recorded() == x.steps + 1);
  REQUIRE(snapshots.agents() == n);

  for (Step t = 0; t <= x.steps; ++t) {
    std::size_t count[kStateCount] = {0, 0, 0, 0};
    for (AgentId i = 0; i < n; ++i) ++count[static_cast<int>(snapshots.at(t)[i])];
    for (int s = 0; s < kStateCount; ++s)
      CHECK(curves.share[s][static_cast<std::size_t>(t)] ==
            static_cast<float>(static_cast<double>(count[s]) / static_cast<double>(n)));
  }
  const std::int32_t never = engine::AdoptionTimeRecorder::never(x.steps);
  for (AgentId i = 0; i < n; ++i) {
    std::int32_t first = never;
    for (Step t = x.steps; t >= 0; --t) {
      const State s = snapshots.at(t)[i];
      if (s == State::A || s == State::C) first = t;
    }
    CHECK(times[i] == first);
  }
  CHECK(std::memcmp(snapshots.at(x.steps), sim.state().current.state.data(), n * sizeof(State)) == 0);

  // The curves alone, through the convenience run_trial, are the same bits.
  engine::TrialCurves alone;
  REQUIRE(engine::run_trial(spec, setup, key, x.steps, alone));
  CHECK(std::memcmp(alone.share[2].data(), curves.share[2].data(), curves.share[2].size() * sizeof(float)) == 0);
  CHECK(std::memcmp(alone.mean_competence.data(), curves.mean_competence.data(),
                    curves.mean_competence.size() * sizeof(float)) == 0);
}

TEST_CASE("a stop requested before a step ends the trial at that step boundary", "[unit]") {
  const auto x = model::parse_experiment(kTrial, "recorders.toml", ".");
  const auto& spec = x.scenarios.front();
  const engine::TrialSetup setup = experiment::prepare_scenario_trial(x, 0, 0);
  engine::TrialSimulation sim(spec, setup, engine::dynamics_key(x.seed, spec.name, 0));
  engine::SnapshotRecorder snapshots;
  std::atomic<bool> stop{true};
  CHECK_FALSE(engine::run_trial(sim, x.steps, snapshots, &stop));
  CHECK(snapshots.recorded() == 1);  // the state at t = 0 only
  CHECK(sim.state().time == 0);
}
