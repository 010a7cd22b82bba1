// groundswell_step_timer: times trials of the first scenario of a scenario
// file, phase by phase: organization generation, trial setup, and every step.
// Prints one line of key=value pairs for benchmarks/run to collect.
//   groundswell_step_timer FILE.toml [--threads T] [--steps S] [--trials K]
// With K > 1 the K trials advance side by side, each step of all of them in
// parallel, as the engine runs small organizations (one trial per core);
// generation and setup are timed for trial 0 only.
#include <sys/resource.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "groundswell/engine/recorder.hpp"
#include "groundswell/engine/trial.hpp"
#include "groundswell/model/scenario.hpp"
#include "groundswell/org/generate.hpp"

using namespace groundswell;
using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: groundswell_step_timer FILE.toml [--threads T] [--steps S] [--trials K]\n");
    return 2;
  }
  unsigned threads = 2;
  Step steps = -1;
  int trials = 1;
  for (int k = 2; k + 1 < argc; k += 2) {
    if (!std::strcmp(argv[k], "--trials")) trials = std::max(1, std::stoi(argv[k + 1]));
    if (!std::strcmp(argv[k], "--threads")) threads = static_cast<unsigned>(std::stoul(argv[k + 1]));
    if (!std::strcmp(argv[k], "--steps")) steps = static_cast<Step>(std::stol(argv[k + 1]));
  }
  try {
    const auto x = model::load_experiment(argv[1]);
    if (steps < 0) steps = x.steps;
    tbb::task_arena arena(static_cast<int>(threads));  // the run's threads, as experiment::for_each_index
    const auto& spec = x.scenarios.front();
    auto t0 = Clock::now();
    const auto base = org::generate_organization(spec.organization, engine::organization_key(x.seed, 0));
    const double generate = seconds_since(t0);
    t0 = Clock::now();
    std::vector<engine::TrialSetup> setups;
    setups.reserve(static_cast<std::size_t>(trials));
    setups.push_back(engine::prepare_trial(spec, x.seed, 0, base));
    std::vector<std::unique_ptr<engine::TrialSimulation>> sims;
    sims.push_back(
        std::make_unique<engine::TrialSimulation>(spec, setups[0], engine::dynamics_key(x.seed, spec.name, 0)));
    const double prepare = seconds_since(t0);
    for (int k = 1; k < trials; ++k) {
      const auto base_k = org::generate_organization(spec.organization, engine::organization_key(x.seed, k));
      setups.push_back(engine::prepare_trial(spec, x.seed, k, base_k));
      sims.push_back(
          std::make_unique<engine::TrialSimulation>(spec, setups.back(), engine::dynamics_key(x.seed, spec.name, k)));
    }
    // Each trial's step and record timed together, as run_trial does them.
    std::vector<engine::TrialCurves> curves(static_cast<std::size_t>(trials));
    std::vector<engine::CurveRecorder> recorders;
    recorders.reserve(static_cast<std::size_t>(trials));
    for (int k = 0; k < trials; ++k) {
      recorders.emplace_back(curves[k]);
      recorders[k].begin(*sims[k], steps);
    }
    const auto& setup = setups[0];
    std::vector<double> step_ms;
    for (Step t = 1; t <= steps; ++t) {
      t0 = Clock::now();
      arena.execute([&] {
        tbb::parallel_for(0, trials, [&](int k) {
          sims[k]->step();
          recorders[k].record(*sims[k]);
        });
      });
      step_ms.push_back(1e3 * seconds_since(t0));
    }
    std::vector<double> sorted = step_ms;
    std::sort(sorted.begin(), sorted.end());
    double total = 0;
    for (double v : step_ms) total += v;
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const double n = setup.organization.size(), edges = static_cast<double>(setup.organization.network.edge_count());
    std::printf(
        "trials=%d agents=%.0f edges=%.0f threads=%u generate_s=%.3f prepare_s=%.3f steps=%d ms_per_step_mean=%.2f "
        "ms_per_step_median=%.2f ms_per_step_max=%.2f agent_steps_per_s=%.3g edge_visits_per_s=%.3g peak_rss_mb=%.0f "
        "final_adopted=%.4f\n",
        trials, n, edges, threads, generate, prepare, steps, total / steps, sorted[sorted.size() / 2], sorted.back(),
        n * trials * steps / (total / 1e3), edges * trials * steps / (total / 1e3),
        static_cast<double>(usage.ru_maxrss) / 1024.0,
        curves[0].share[1][static_cast<std::size_t>(steps)] + curves[0].share[2][static_cast<std::size_t>(steps)]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "groundswell_step_timer: %s\n", e.what());
    return 2;
  }
  return 0;
}
