#include "groundswell/experiment/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace groundswell::experiment {

Interval mean_interval(const std::vector<double>& v) {
  Interval r;
  r.n = v.size();
  if (v.empty()) return r;
  double sum = 0;
  for (double x : v) sum += x;
  r.mean = sum / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - r.mean) * (x - r.mean);
  const double se =
      v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1) / static_cast<double>(v.size())) : 0.0;
  r.low = r.mean - 1.96 * se;
  r.high = r.mean + 1.96 * se;
  return r;
}

CensoredMedian censored_median(const std::vector<std::optional<std::int32_t>>& times) {
  CensoredMedian m;
  m.n = times.size();
  std::vector<double> reached;
  for (const auto& t : times)
    if (t) reached.push_back(*t);
  m.reached = reached.size();
  if (m.n == 0) return m;
  std::sort(reached.begin(), reached.end());
  const double n = static_cast<double>(m.n), half_width = 1.96 * std::sqrt(n) / 2;
  // 1-based ranks into all n times, the censored ones last. A rank past n
  // (few trials) has no upper bound, shown as not reached; a rank below 1
  // has the smallest possible time, step 0, as its lower bound.
  auto at_rank = [&](double rank) -> std::optional<double> {
    if (rank < 1) return 0.0;
    const auto k = static_cast<std::size_t>(rank);
    if (k > reached.size()) return std::nullopt;
    return reached[k - 1];
  };
  m.median = at_rank(std::ceil(n / 2));
  m.low = at_rank(std::floor(n / 2 - half_width));
  m.high = at_rank(std::ceil(n / 2 + half_width) + 1);
  return m;
}

ScenarioSummary summarize(const std::string& name, const std::vector<engine::TrialMetrics>& metrics) {
  ScenarioSummary s;
  s.name = name;
  s.trials = metrics.size();
  std::vector<double> fa, fi, pc, pr;
  std::vector<std::optional<std::int32_t>> t50, t50i;
  for (const auto& m : metrics) {
    fa.push_back(m.final_adopted);
    fi.push_back(m.final_internalized);
    pc.push_back(m.peak_compliance);
    pr.push_back(m.peak_resistance);
    t50.push_back(m.t50);
    t50i.push_back(m.t50_internalized);
  }
  s.final_internalized = mean_interval(fi);
  s.final_adopted = mean_interval(fa);
  s.peak_compliance = mean_interval(pc);
  s.peak_resistance = mean_interval(pr);
  s.t50_internalized = censored_median(t50i);
  s.t50 = censored_median(t50);
  return s;
}

namespace {

std::string cell(const Interval& i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f [%.3f,%.3f]", i.mean, i.low, i.high);
  return buf;
}

/// "26 [24,29] 100%": median week with its interval and the share of trials
/// that reached it; "> T" where the median or a bound was not reached.
std::string time_cell(const CensoredMedian& m, Step steps) {
  if (m.n == 0) return "not in this file";
  const std::string never = ">" + std::to_string(steps);
  auto week = [&](const std::optional<double>& v) { return v ? std::to_string(static_cast<long>(*v)) : never; };
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s [%s,%s] %3.0f%%", week(m.median).c_str(), week(m.low).c_str(),
                week(m.high).c_str(),
                100.0 * static_cast<double>(m.reached) / static_cast<double>(std::max<std::size_t>(m.n, 1)));
  return buf;
}

}  // namespace

std::string format_summary(const std::vector<ScenarioSummary>& rows, Step steps) {
  std::size_t width = 8;
  for (const auto& r : rows) width = std::max(width, r.name.size());
  std::string out;
  char line[512];
  const char* const header = "%-*s  %6s  %-19s  %-19s  %-18s  %-18s  %-19s\n";
  std::snprintf(line, sizeof line, header, static_cast<int>(width), "scenario", "trials", "internalized (A)",
                "adopted (A + C)", "weeks to 50% A", "weeks to 50% A + C", "peak resisting (R)");
  out += line;
  for (const auto& r : rows) {
    std::snprintf(line, sizeof line, header, static_cast<int>(width), r.name.c_str(), std::to_string(r.trials).c_str(),
                  cell(r.final_internalized).c_str(), cell(r.final_adopted).c_str(),
                  time_cell(r.t50_internalized, steps).c_str(), time_cell(r.t50, steps).c_str(),
                  cell(r.peak_resistance).c_str());
    out += line;
  }
  out +=
      "Shares at the last step: means with 95% intervals (mean +- 1.96 SE over trials). Weeks to 50%: median\n"
      "[95% interval] over all trials, those that never got there counted as later than week " +
      std::to_string(steps) +
      " (censored,\n"
      "not dropped), and the share of trials that got there; \">" +
      std::to_string(steps) + "\" = not reached by the last step.\n";
  return out;
}

std::string duration_text(double seconds) {
  if (!(seconds >= 0) || seconds > 1e9) return "?";
  const long long whole = std::llround(seconds);
  char buf[48];
  if (whole < 60)
    std::snprintf(buf, sizeof buf, "%lld s", whole);
  else if (whole < 3600)
    std::snprintf(buf, sizeof buf, "%lld min %02lld s", whole / 60, whole % 60);
  else
    std::snprintf(buf, sizeof buf, "%lld h %02lld min", whole / 3600, whole / 60 % 60);
  return buf;
}

}  // namespace groundswell::experiment
