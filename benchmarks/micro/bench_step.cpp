// Micro-benchmarks of the step kernel and the random streams.
#include <benchmark/benchmark.h>

#include "groundswell/engine/trial.hpp"
#include "groundswell/org/generate.hpp"
#include "groundswell/random.hpp"

using namespace groundswell;

static void BM_Philox(benchmark::State& st) {
  CounterStream rng(12345);
  std::uint32_t acc = 0;
  std::uint64_t i = 0;
  for (auto _ : st) {
    acc ^= rng.bits(7, i++)[0];
    benchmark::DoNotOptimize(acc);
  }
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()));
}
BENCHMARK(BM_Philox);

static void BM_SdtStep(benchmark::State& st) {
  model::ScenarioSpec spec;
  spec.name = "distributed";
  spec.organization.size = static_cast<std::uint32_t>(st.range(0));
  spec.champions = {spec.organization.size / 50, model::Selection::Distributed, true};
  const auto base = org::generate_organization(spec.organization, engine::organization_key(1, 0));
  const auto setup = engine::prepare_trial(spec, 1, 0, base);
  engine::TrialSimulation sim(spec, setup, engine::dynamics_key(1, spec.name, 0));
  for (auto _ : st) sim.step();
  st.SetItemsProcessed(static_cast<int64_t>(st.iterations()) * spec.organization.size);
  st.counters["edges"] = static_cast<double>(setup.organization.network.edge_count());
}
BENCHMARK(BM_SdtStep)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
