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

namespace {

/// The curves of step t as counted from scratch from the states alone: the
/// shares of N, C, A, R and, per department, of adopters (A + C) and the internalized (A).
void check_counts(const engine::TrialCurves& curves, const org::Organization& o, const State* states, Step t) {
  const AgentId n = o.size();
  const auto d_count = static_cast<std::size_t>(o.department_count);
  std::vector<double> count(kStateCount, 0.0), adopted(d_count, 0.0), internalized(d_count, 0.0);
  for (AgentId i = 0; i < n; ++i) {
    const State s = states[i];
    count[static_cast<std::size_t>(s)] += 1;
    adopted[static_cast<std::size_t>(o.department[i])] += s == State::A || s == State::C;
    internalized[static_cast<std::size_t>(o.department[i])] += s == State::A;
  }
  const auto row = static_cast<std::size_t>(t);
  for (int s = 0; s < kStateCount; ++s)
    CHECK(curves.share[static_cast<std::size_t>(s)][row] ==
          static_cast<float>(count[static_cast<std::size_t>(s)] / static_cast<double>(n)));
  for (std::size_t d = 0; d < d_count; ++d) {
    const double size = curves.department_size[d];
    CHECK(curves.department_adopted[row * d_count + d] == static_cast<float>(adopted[d] / size));
    CHECK(curves.department_internalized[row * d_count + d] == static_cast<float>(internalized[d] / size));
  }
}

}  // namespace

// The curve recorder keeps its counts from one record to the next and
// changes them only for the agents whose state changed (classic rules: for
// the step's adopters). Checked against counts from scratch at every step:
// an organization larger than two agent blocks (parallel blocks, a size not
// a multiple of 8), mandates and formalization that change states between
// steps, records skipped (a gap of steps), and one recorder reused for a
// second trial.
TEST_CASE("the curve recorder's counts kept from step to step equal counts from scratch", "[unit]") {
  const char* kFile = R"(
rule = "sdt"
[experiment]
seed = 23
trials = 2
steps = 40
[organization]
size = 20001
[sdt]
beta0 = 0.02
[[scenario]]
name = "sdt"
champions = { count = 300, selection = "distributed", coalition = false }
mandate = { issuers = "leaders", levels = 2, issuers_adopt = true, start = 4 }
formalization = { at = 0.1 }
[[scenario]]
name = "threshold"
rule = "threshold"
champions = { count = 400, selection = "random", coalition = false }
agents = { threshold_mean = 0.15, threshold_sd = 0.1 }
[[scenario]]
name = "bass"
rule = "bass"
)";
  const auto x = model::parse_experiment(kFile, "counts.toml", ".");
  for (std::size_t sc = 0; sc < x.scenarios.size(); ++sc) {
    const auto& spec = x.scenarios[sc];
    INFO("scenario " << spec.name);
    engine::TrialCurves curves;
    engine::CurveRecorder recorder(curves);
    for (TrialIndex trial = 0; trial < 2; ++trial) {  // the same recorder, begun again
      const engine::TrialSetup setup = experiment::prepare_scenario_trial(x, sc, trial);
      engine::TrialSimulation sim(spec, setup, engine::dynamics_key(x.seed, spec.name, trial), x.steps);
      recorder.begin(sim, x.steps);
      bool formalized = false;
      for (Step t = 0; t <= x.steps; ++t) {
        if (t > 0) sim.step();
        if (t % 7 == 3) continue;  // records skipped: the next one spans two steps
        recorder.record(sim);
        check_counts(curves, setup.organization, sim.state().current.state.data(), t);
        formalized = formalized || sim.state().formalized_at >= 0;
      }
      if (spec.name == "sdt") CHECK(formalized);
      CHECK(curves.share[static_cast<std::size_t>(State::A)][static_cast<std::size_t>(x.steps)] > 0.2f);
    }
  }
}
