#pragma once
// Recorders turn run state into curves and metrics (MODEL.md 7, STYLE.md 2).
#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "groundswell/engine/trial.hpp"

namespace groundswell::engine {

/// Curves of one trial, each of length steps + 1 (step 0 = initial state).
struct TrialCurves {
  Step steps = 0;
  DepartmentId departments = 0;
  std::array<std::vector<float>, kStateCount> share;  ///< shares of N, C, A, R
  std::vector<float> mean_autonomy, mean_competence, mean_relatedness, mean_pressure;
  std::vector<float> department_adopted;        ///< [(steps+1) x departments], A + C share
  std::vector<std::uint32_t> department_size;   ///< agents per department
  std::vector<double> recorder_scratch;         ///< per-block partial sums (reserved by resize)
  std::vector<std::uint32_t> department_tally;  ///< per-block adopter counts (sized by resize)

  /// Sizes every curve for `steps` steps of `organization` (allocates; outside the step loop).
  void resize(Step steps, const org::Organization& organization);
};

/// Per-trial metrics of MODEL.md 7.
struct TrialMetrics {
  float final_adopted = 0;               ///< (A + C) / N at T
  float final_internalized = 0;          ///< A / N at T
  std::int32_t t50 = -1;                 ///< first step with A + C >= 0.5, -1 if never
  float peak_compliance = 0;             ///< max over steps of C / N
  float peak_resistance = 0;             ///< max over steps of R / N
  std::int32_t departments_reached = 0;  ///< departments with A + C >= 0.5 at T
};

/// Writes the state at `state.time` into row `state.time` of the curves.
void record_step(const RunState& state, const org::Organization& organization, TrialCurves& curves);

/// Metrics from finished curves.
TrialMetrics compute_metrics(const TrialCurves& curves);

/// Runs a prepared trial for `steps` steps, recording every step. Returns
/// false if `stop` became true (checked at each step boundary) before the end.
bool run_trial(const model::ScenarioSpec& spec, const TrialSetup& setup, std::uint64_t dynamics_key, Step steps,
               TrialCurves& curves, const std::atomic<bool>* stop = nullptr);

}  // namespace groundswell::engine
