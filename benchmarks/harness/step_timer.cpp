// groundswell_step_timer: times one trial of the first scenario of a scenario
// file, phase by phase: organization generation, trial setup, and every step.
// Prints one line of key=value pairs for benchmarks/run to collect.
//   groundswell_step_timer FILE.toml [--threads T] [--steps S]
#include <tbb/global_control.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
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
    std::fprintf(stderr, "usage: groundswell_step_timer FILE.toml [--threads T] [--steps S]\n");
    return 2;
  }
  unsigned threads = 2;
  Step steps = -1;
  for (int k = 2; k + 1 < argc; k += 2) {
    if (!std::strcmp(argv[k], "--threads")) threads = static_cast<unsigned>(std::stoul(argv[k + 1]));
    if (!std::strcmp(argv[k], "--steps")) steps = static_cast<Step>(std::stol(argv[k + 1]));
  }
  try {
    const auto x = model::load_experiment(argv[1]);
    if (steps < 0) steps = x.steps;
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    const auto& spec = x.scenarios.front();
    auto t0 = Clock::now();
    const auto base = org::generate_organization(spec.organization, engine::organization_key(x.seed, 0));
    const double generate = seconds_since(t0);
    t0 = Clock::now();
    const auto setup = engine::prepare_trial(spec, x.seed, 0, base);
    engine::TrialSimulation sim(spec, setup, engine::dynamics_key(x.seed, spec.name, 0));
    engine::TrialCurves curves;
    curves.resize(steps, setup.organization);
    const double prepare = seconds_since(t0);
    std::vector<double> step_ms;
    for (Step t = 1; t <= steps; ++t) {
      t0 = Clock::now();
      sim.step();
      record_step(sim.state(), setup.organization, curves);
      step_ms.push_back(1e3 * seconds_since(t0));
    }
    std::vector<double> sorted = step_ms;
    std::sort(sorted.begin(), sorted.end());
    double total = 0;
    for (double v : step_ms) total += v;
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const double n = setup.organization.size(), edges = static_cast<double>(setup.organization.network.edge_count());
    std::printf("agents=%.0f edges=%.0f threads=%u generate_s=%.3f prepare_s=%.3f steps=%d ms_per_step_mean=%.2f "
                "ms_per_step_median=%.2f ms_per_step_max=%.2f agent_steps_per_s=%.3g edge_visits_per_s=%.3g peak_rss_mb=%.0f "
                "final_adopted=%.4f\n",
                n, edges, threads, generate, prepare, steps, total / steps, sorted[sorted.size() / 2], sorted.back(),
                n * steps / (total / 1e3), edges * steps / (total / 1e3), static_cast<double>(usage.ru_maxrss) / 1024.0,
                curves.share[1][static_cast<std::size_t>(steps)] + curves.share[2][static_cast<std::size_t>(steps)]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "groundswell_step_timer: %s\n", e.what());
    return 2;
  }
  return 0;
}
