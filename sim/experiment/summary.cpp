#include "groundswell/experiment/summary.hpp"

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

ScenarioSummary summarize(const std::string& name, const std::vector<engine::TrialMetrics>& metrics) {
  ScenarioSummary s;
  s.name = name;
  s.trials = metrics.size();
  std::vector<double> fa, fi, pc, pr, t50;
  for (const auto& m : metrics) {
    fa.push_back(m.final_adopted);
    fi.push_back(m.final_internalized);
    pc.push_back(m.peak_compliance);
    pr.push_back(m.peak_resistance);
    if (m.t50 >= 0) t50.push_back(m.t50);
  }
  s.final_adopted = mean_interval(fa);
  s.final_internalized = mean_interval(fi);
  s.peak_compliance = mean_interval(pc);
  s.peak_resistance = mean_interval(pr);
  s.t50 = mean_interval(t50);
  s.reached50 = t50.size();
  return s;
}

namespace {
std::string cell(const Interval& i, const char* fmt) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, i.mean, i.low, i.high);
  return buf;
}
}  // namespace

std::string format_summary(const std::vector<ScenarioSummary>& rows) {
  std::size_t width = 8;
  for (const auto& r : rows) width = std::max(width, r.name.size());
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-*s  %6s  %-21s  %-21s  %-25s  %-21s\n", static_cast<int>(width), "scenario",
                "trials", "final adopted", "final internalized", "t50 weeks (reached)", "peak resistance");
  out += line;
  for (const auto& r : rows) {
    std::string t50 = r.reached50 ? cell(r.t50, "%5.1f [%5.1f,%5.1f]") : std::string("     never       ");
    char reached[32];
    std::snprintf(reached, sizeof reached, " %3.0f%%",
                  100.0 * static_cast<double>(r.reached50) / static_cast<double>(std::max<std::size_t>(r.trials, 1)));
    std::snprintf(line, sizeof line, "%-*s  %6zu  %-21s  %-21s  %-25s  %-21s\n", static_cast<int>(width),
                  r.name.c_str(), r.trials, cell(r.final_adopted, "%.3f [%.3f,%.3f]").c_str(),
                  cell(r.final_internalized, "%.3f [%.3f,%.3f]").c_str(), (t50 + reached).c_str(),
                  cell(r.peak_resistance, "%.3f [%.3f,%.3f]").c_str());
    out += line;
  }
  out += "Means with 95% intervals (mean +- 1.96 SE over trials); t50 over the trials that reached 50% adopted.\n";
  return out;
}

}  // namespace groundswell::experiment
