// Contagion classes (MODEL.md 6, last paragraph): on watts_strogatz rings,
// random long ties speed a simple contagion (bass, cascade) and slow a complex
// one (threshold with theta at half a neighbourhood).
//
// Centola, D. and Macy, M. (2007). Complex contagions and the weakness of long
// ties. AJS 113(3):702-734, doi:10.1086/521848. Rings: Watts, D. J. and
// Strogatz, S. H. (1998), Nature 393:440-442, doi:10.1038/30918.
//
// The scenarios are those of scenarios/validation/contagion_classes.toml (read
// from the file, so the file stays what is tested): N = 1000, k = 4 (and 6),
// 4 contiguous seeds (champions "formal": ids 0..3 on a flat organization),
// beta = 0 against beta = 0.1. Each rewire value is its own organization, and
// the dynamics streams are keyed by scenario name, so the comparisons across
// beta are unpaired: the tolerance is 4 unpaired standard errors,
// sqrt(s0^2/n0 + s1^2/n1), from the trials, fixed seed 2007, never widened.
// Numbers: docs/validation.md, "Contagion classes".
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "groundswell/experiment/ensemble.hpp"
#include "groundswell/model/scenario.hpp"

using namespace groundswell;

namespace {

constexpr int kA = static_cast<int>(State::A);
constexpr TrialIndex kTrials = 200;

/// The named scenarios of the validation file, `kTrials` trials each.
model::ExperimentSpec contagion_classes(const std::vector<std::string>& names) {
  auto x = model::load_experiment(GROUNDSWELL_SOURCE_DIR "/scenarios/validation/contagion_classes.toml");
  x.trials = kTrials;
  std::vector<model::ScenarioSpec> chosen;
  for (const auto& name : names)
    for (const auto& s : x.scenarios)
      if (s.name == name) chosen.push_back(s);
  REQUIRE(chosen.size() == names.size());
  x.scenarios = chosen;
  return x;
}

/// Keeps the adopted-share curve of every trial of every scenario.
struct ShareSink : experiment::TrialSink {
  std::vector<std::vector<std::vector<float>>> adopted;  ///< [scenario][trial][step]
  void write_batch(TrialIndex, const experiment::TrialBatch& out) override {
    const auto& curves = out.curves;
    adopted.resize(curves.size());
    for (std::size_t s = 0; s < curves.size(); ++s)
      for (const auto& c : curves[s]) adopted[s].push_back(c.share[kA]);
  }
};

ShareSink run_serial(const model::ExperimentSpec& x) {
  ShareSink sink;
  experiment::RunOptions options;
  options.threads = 1;  // the time budget is per core
  const auto results = experiment::run_experiment(x, options, &sink);
  REQUIRE(results.trials_done == x.trials);
  return sink;
}

struct Sample {
  double mean = 0, variance = 0;
  std::size_t n = 0;
};

/// The adopted share at `step` over the trials of one scenario.
Sample share_at(const std::vector<std::vector<float>>& trials, std::size_t step) {
  Sample s;
  s.n = trials.size();
  for (const auto& c : trials) s.mean += c.at(step);
  s.mean /= static_cast<double>(s.n);
  for (const auto& c : trials) s.variance += (c[step] - s.mean) * (c[step] - s.mean);
  s.variance /= static_cast<double>(s.n - 1);
  return s;
}

/// Unpaired standard error of a difference of two means.
double unpaired_se(const Sample& a, const Sample& b) {
  return std::sqrt(a.variance / static_cast<double>(a.n) + b.variance / static_cast<double>(b.n));
}

/// The seeds of trial `trial` of each scenario are the same contiguous block 0..count-1.
void check_contiguous_seeds(const model::ExperimentSpec& x, TrialIndex trial) {
  for (std::size_t s = 0; s < x.scenarios.size(); ++s) {
    const auto setup = experiment::prepare_scenario_trial(x, s, trial);
    std::vector<AgentId> expected(x.scenarios[s].champions.count);
    for (AgentId i = 0; i < expected.size(); ++i) expected[i] = i;
    INFO("scenario " << x.scenarios[s].name << ", trial " << trial);
    CHECK(setup.champions == expected);
  }
}

/// Checks that scenario `faster` is ahead of scenario `slower` at `step` by more than 4 unpaired SE.
void check_ahead(const model::ExperimentSpec& x, const ShareSink& sink, std::size_t faster, std::size_t slower,
                 std::size_t step) {
  const Sample f = share_at(sink.adopted[faster], step), s = share_at(sink.adopted[slower], step);
  const double diff = f.mean - s.mean, se = unpaired_se(f, s);
  INFO("adopted share at step " << step << ": " << x.scenarios[faster].name << " " << f.mean << " (sd "
                                << std::sqrt(f.variance) << "), " << x.scenarios[slower].name << " " << s.mean
                                << " (sd " << std::sqrt(s.variance) << "); difference " << diff << ", unpaired SE "
                                << se << " (" << diff / se << " SE)");
  CHECK(diff > 4 * se);
}

}  // namespace

// Simple contagion: one adopted contact is enough to have a chance. On the
// ring (beta = 0) the change creeps along from the seeds (bass also from its
// rare spontaneous adopters, p = 1e-4); ties rewired at random carry it to far
// parts of the ring, where it starts new fronts. With 10% of the ties rewired,
// bass is far ahead at step 50 and the cascade, which dies out on the ring
// (one-dimensional percolation), reaches a large part of the organization.
TEST_CASE("rewiring a ring speeds simple contagion (bass and cascade): Centola and Macy (2007)", "[stat][classic]") {
  const auto x = contagion_classes({"bass_ring", "bass_beta0.1", "cascade_ring", "cascade_beta0.1"});
  for (const auto& s : x.scenarios) {
    REQUIRE(s.organization.generator == model::Generator::WattsStrogatz);
    REQUIRE(s.organization.neighbours == 4);
  }
  REQUIRE(x.scenarios[0].organization.rewire == 0.0);
  REQUIRE(x.scenarios[1].organization.rewire == 0.1);
  REQUIRE(x.steps >= 100);
  check_contiguous_seeds(x, 0);
  check_contiguous_seeds(x, 1);
  const ShareSink sink = run_serial(x);
  check_ahead(x, sink, 1, 0, 50);   // bass: adopted share at step 50
  check_ahead(x, sink, 3, 2, 100);  // cascade: adopted share at step 100 (the cascade is over)
}

// Complex contagion: theta = 0.5 for everyone, half a neighbourhood (2 of 4 or
// 3 of 6 contacts). On the ring the agent next to the adopted block has exactly
// half its contacts adopted, so the front moves one agent per step on each side
// and the share at step t is (count + 2 t)/N in every trial, exactly. A
// rewired tie is taken from a neighbourhood: the agents at the front then have
// fewer than half their contacts among adopters (or more contacts), the spread
// stalls near the seeds, and a long tie into a far neighbourhood brings a
// single adopted contact, half only for the few agents left with k/2 ties.
// With 10% rewired the spread reaches far less at step 100 than on the ring.
TEST_CASE("rewiring a ring slows complex contagion (threshold at half a neighbourhood): Centola and Macy (2007)",
          "[stat][classic]") {
  const auto x =
      contagion_classes({"threshold_ring", "threshold_beta0.1", "threshold_k6_ring", "threshold_k6_beta0.1"});
  for (const auto& s : x.scenarios) {
    REQUIRE(s.rule == model::Rule::Threshold);
    REQUIRE(s.agents.threshold_sd == 0.0);
    REQUIRE(s.agents.threshold_mean * s.organization.neighbours == Approx(s.organization.neighbours / 2.0));
  }
  REQUIRE(x.scenarios[0].organization.neighbours == 4);
  REQUIRE(x.scenarios[2].organization.neighbours == 6);
  check_contiguous_seeds(x, 0);
  check_contiguous_seeds(x, 1);
  const ShareSink sink = run_serial(x);
  const std::size_t steps = x.steps;
  for (std::size_t ring : {std::size_t{0}, std::size_t{2}}) {
    const auto& s = x.scenarios[ring];
    const double n = s.organization.size, count = s.champions.count;
    REQUIRE(count + 2.0 * static_cast<double>(steps) < n);  // the two fronts do not meet
    INFO(s.name << ": the front moves one agent per step on each side");
    for (std::size_t t = 0; t <= steps; ++t) {
      const double expected = std::min(1.0, (count + 2.0 * static_cast<double>(t)) / n);
      const Sample m = share_at(sink.adopted[ring], t);
      CHECK(m.variance == 0.0);
      CHECK(m.mean == Approx(expected).margin(1e-6));
    }
  }
  check_ahead(x, sink, 0, 1, steps);  // k = 4: the ring reaches more at the end than beta = 0.1
  check_ahead(x, sink, 2, 3, steps);  // k = 6
}

// The strong version: over the whole rewiring range of the file (beta = 0,
// 0.01, 0.1, 1), 2000 trials, every step up in beta speeds bass (share at step
// 50) and the cascade (share at step 100) and slows the threshold rule (share at
// step 100), each by more than 4 unpaired SE. The weakest comparison is the
// cascade at beta = 0.01 against the ring (4.2 SE at 200 trials, so not in the
// default test). ~25 s on one core.
TEST_CASE("rewiring a ring speeds simple and slows complex contagion at every beta: Centola and Macy (2007)",
          "[stat][classic_slow][.slow]") {
  const std::vector<std::string> betas{"ring", "beta0.01", "beta0.1", "beta1"};
  for (const std::string rule : {"bass", "cascade", "threshold"}) {
    std::vector<std::string> names;
    for (const auto& b : betas) names.push_back(rule + "_" + b);
    auto x = contagion_classes(names);
    x.trials = 2000;
    const ShareSink sink = run_serial(x);
    const std::size_t step = rule == "bass" ? 50 : 100;
    for (std::size_t s = 0; s + 1 < names.size(); ++s) {
      if (rule == "threshold")
        check_ahead(x, sink, s, s + 1, step);
      else
        check_ahead(x, sink, s + 1, s, step);
    }
  }
}
