#pragma once
// The summary table printed after a run and by `groundswell info`, in the
// words of MODEL.md 7 (internalized first).
#include <optional>
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

/// The median of a time that some trials never reach by T (right-censored,
/// all at T). With one censoring time the Kaplan-Meier estimate is the
/// empirical distribution with the censored times above T, so the median is
/// the ceil(n/2)-th smallest time, and its distribution-free 95% interval
/// the order statistics at ranks floor(n/2 - 1.96 sqrt(n)/2) and
/// ceil(n/2 + 1.96 sqrt(n)/2) + 1 (normal approximation to the binomial,
/// rounded outwards). A rank that falls on a censored trial, or past n, is
/// "not reached": no value; a rank below 1 gives step 0.
struct CensoredMedian {
  std::optional<double> median, low, high;
  std::size_t reached = 0, n = 0;
};
CensoredMedian censored_median(const std::vector<std::optional<std::int32_t>>& times);

struct ScenarioSummary {
  std::string name;
  std::size_t trials = 0;
  Interval final_internalized, final_adopted, peak_compliance, peak_resistance;
  CensoredMedian t50_internalized, t50;  ///< weeks to 50% internalized, to 50% adopted
};

ScenarioSummary summarize(const std::string& name, const std::vector<engine::TrialMetrics>& metrics);

/// A fixed-width table, one row per scenario.
/// @param steps T, shown for times not reached ("> T")
std::string format_summary(const std::vector<ScenarioSummary>& rows, Step steps);

/// A duration for progress lines: "42 s", "3 min 05 s", "2 h 07 min".
/// @param seconds the duration; negative, NaN or absurdly large means unknown
/// @return the text, "?" when unknown
std::string duration_text(double seconds);

}  // namespace groundswell::experiment
