// Recorders: run state to curves and per-trial metrics (MODEL.md 7).
#include "groundswell/engine/recorder.hpp"

#include <algorithm>

namespace groundswell::engine {

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
}

void record_step(const RunState& state, const org::Organization& o, TrialCurves& curves) {
  const AgentId n = o.size();
  const auto row = static_cast<std::size_t>(state.time);
  std::size_t count[kStateCount] = {0, 0, 0, 0};
  double a = 0, c = 0, r = 0, p = 0;
  const auto d_count = static_cast<std::size_t>(curves.departments);
  float* dept = curves.department_adopted.data() + row * d_count;
  std::fill(dept, dept + d_count, 0.0f);
  for (AgentId i = 0; i < n; ++i) {
    const State s = state.current.state[i];
    ++count[static_cast<int>(s)];
    a += state.current.autonomy[i];
    c += state.current.competence[i];
    r += state.current.relatedness[i];
    p += state.pressure[i];
    if (s == State::A || s == State::C) dept[o.department[i]] += 1.0f;
  }
  for (int k = 0; k < kStateCount; ++k) curves.share[k][row] = static_cast<float>(static_cast<double>(count[k]) / n);
  curves.mean_autonomy[row] = static_cast<float>(a / n);
  curves.mean_competence[row] = static_cast<float>(c / n);
  curves.mean_relatedness[row] = static_cast<float>(r / n);
  curves.mean_pressure[row] = static_cast<float>(p / n);
  for (std::size_t d = 0; d < d_count; ++d) {
    const auto size = curves.department_size[d];
    dept[d] = size ? static_cast<float>(static_cast<double>(dept[d]) / size) : 0.0f;
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
