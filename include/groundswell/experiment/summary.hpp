#pragma once
// The summary table printed after a run and by `groundswell info`.
#include <string>
#include <vector>

#include "groundswell/engine/recorder.hpp"

namespace groundswell::experiment {

/// Mean with a normal-approximation 95% interval, mean +- 1.96 SE.
struct Interval {
  double mean = 0, low = 0, high = 0;
  std::size_t n = 0;
};
Interval mean_interval(const std::vector<double>& values);

struct ScenarioSummary {
  std::string name;
  std::size_t trials = 0;
  Interval final_adopted, final_internalized, peak_compliance, peak_resistance;
  Interval t50;               ///< over the trials that reached 50%
  std::size_t reached50 = 0;  ///< trials that reached 50% adopted
};

ScenarioSummary summarize(const std::string& name, const std::vector<engine::TrialMetrics>& metrics);

/// A fixed-width table, one row per scenario.
std::string format_summary(const std::vector<ScenarioSummary>& rows);

}  // namespace groundswell::experiment
