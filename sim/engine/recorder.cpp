// Recorders: run state to curves and per-trial metrics (MODEL.md 7).
#include "groundswell/engine/recorder.hpp"

#include <algorithm>

#include "engine/detail/parallel.hpp"

namespace groundswell::engine {
namespace {
constexpr std::size_t kSums = 8;  // counts of N, C, A, R; sums of a, c, r, P
}

void TrialCurves::resize(Step steps_, const org::Organization& o) {
  steps = steps_;
  departments = o.department_count;
  department_size.assign(static_cast<std::size_t>(departments), 0);
  for (DepartmentId d : o.department) ++department_size[static_cast<std::size_t>(d)];
  const auto len = static_cast<std::size_t>(steps) + 1;
  for (auto& s : share) s.assign(len, 0.0f);
  mean_autonomy.assign(len, 0.0f);
  mean_competence.assign(len, 0.0f);
  mean_relatedness.assign(len, 0.0f);
  mean_pressure.assign(len, 0.0f);
  department_adopted.assign(len * static_cast<std::size_t>(departments), 0.0f);
  const std::size_t blocks = (o.size() + detail::kAgentBlock - 1) / detail::kAgentBlock;
  recorder_scratch.reserve(blocks * (kSums + static_cast<std::size_t>(departments)));
}

/// Sums over fixed blocks of agents (in parallel for large organizations),
/// then over blocks in order: the result never depends on the thread count.
void record_step(const RunState& state, const org::Organization& o, TrialCurves& curves) {
  const AgentId n = o.size();
  const auto row = static_cast<std::size_t>(state.time);
  const auto d_count = static_cast<std::size_t>(curves.departments);
  const std::size_t width = kSums + d_count;
  const std::size_t blocks = (n + detail::kAgentBlock - 1) / detail::kAgentBlock;
  auto& partial = curves.recorder_scratch;
  partial.assign(blocks * width, 0.0);
  detail::for_each_block_index(blocks, [&](std::size_t b) {
    double* sum = partial.data() + b * width;
    const std::size_t end = std::min<std::size_t>(n, (b + 1) * detail::kAgentBlock);
    for (std::size_t i = b * detail::kAgentBlock; i < end; ++i) {
      const State s = state.current.state[i];
      sum[static_cast<int>(s)] += 1.0;
      sum[4] += state.current.autonomy[i];
      sum[5] += state.current.competence[i];
      sum[6] += state.current.relatedness[i];
      sum[7] += state.pressure[i];
      if (s == State::A || s == State::C) sum[kSums + static_cast<std::size_t>(o.department[i])] += 1.0;
    }
  });
  for (std::size_t b = 1; b < blocks; ++b)
    for (std::size_t k = 0; k < width; ++k) partial[k] += partial[b * width + k];
  const double* total = partial.data();
  for (int k = 0; k < kStateCount; ++k) curves.share[k][row] = static_cast<float>(total[k] / n);
  curves.mean_autonomy[row] = static_cast<float>(total[4] / n);
  curves.mean_competence[row] = static_cast<float>(total[5] / n);
  curves.mean_relatedness[row] = static_cast<float>(total[6] / n);
  curves.mean_pressure[row] = static_cast<float>(total[7] / n);
  float* dept = curves.department_adopted.data() + row * d_count;
  for (std::size_t d = 0; d < d_count; ++d) {
    const auto size = curves.department_size[d];
    dept[d] = size ? static_cast<float>(total[kSums + d] / size) : 0.0f;
  }
}

TrialMetrics compute_metrics(const TrialCurves& curves) {
  TrialMetrics m;
  const auto T = static_cast<std::size_t>(curves.steps);
  const auto& C = curves.share[static_cast<int>(State::C)];
  const auto& A = curves.share[static_cast<int>(State::A)];
  const auto& R = curves.share[static_cast<int>(State::R)];
  m.final_adopted = A[T] + C[T];
  m.final_internalized = A[T];
  for (std::size_t t = 0; t <= T; ++t) {
    if (m.t50 < 0 && A[t] + C[t] >= 0.5f) m.t50 = static_cast<std::int32_t>(t);
    m.peak_compliance = std::max(m.peak_compliance, C[t]);
    m.peak_resistance = std::max(m.peak_resistance, R[t]);
  }
  const auto d_count = static_cast<std::size_t>(curves.departments);
  for (std::size_t d = 0; d < d_count; ++d) m.departments_reached += curves.department_adopted[T * d_count + d] >= 0.5f;
  return m;
}

bool run_trial(const model::ScenarioSpec& spec, const TrialSetup& setup, std::uint64_t key, Step steps,
               TrialCurves& curves, const std::atomic<bool>* stop) {
  curves.resize(steps, setup.organization);
  TrialSimulation sim(spec, setup, key);
  record_step(sim.state(), setup.organization, curves);
  for (Step t = 1; t <= steps; ++t) {
    if (stop && stop->load(std::memory_order_relaxed)) return false;
    sim.step();
    record_step(sim.state(), setup.organization, curves);
  }
  return true;
}

}  // namespace groundswell::engine
