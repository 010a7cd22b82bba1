// One point of a sweep: run its experiment, keep the metrics, summarize the curves.
#include "groundswell/sweep/point.hpp"

#include <algorithm>
#include <cmath>

#include "groundswell/experiment/memory.hpp"

namespace groundswell::sweep {
namespace {

const std::vector<float>& curve(const engine::TrialCurves& c, std::size_t k) {
  switch (k) {
    case 0:
    case 1:
    case 2:
    case 3:
      return c.share[k];
    case 4:
      return c.mean_autonomy;
    case 5:
      return c.mean_competence;
    case 6:
      return c.mean_relatedness;
    default:
      return c.mean_pressure;
  }
}

/// Thrown by the collector to end a point early at a batch boundary.
struct Stopped {};

/// Keeps the curves of every trial of one point, [scenario][curve][trial x (steps + 1)].
struct Collector final : experiment::TrialSink {
  const std::atomic<bool>* stop = nullptr;
  std::size_t row = 0;
  std::vector<std::array<std::vector<float>, kCurveCount>> curves;
  std::vector<std::vector<engine::TrialMetrics>> metrics;

  Collector(std::size_t scenarios, std::size_t trials, std::size_t row_length)
      : row(row_length), curves(scenarios), metrics(scenarios) {
    for (auto& s : curves)
      for (auto& c : s) c.assign(trials * row, 0.0f);
  }
  void write_batch(TrialIndex first, const experiment::TrialBatch& out) override {
    const auto& batch = out.curves;
    const auto& m = out.metrics;
    if (stop && stop->load()) throw Stopped{};
    for (std::size_t s = 0; s < batch.size(); ++s) {
      for (std::size_t k = 0; k < batch[s].size(); ++k)
        for (std::size_t c = 0; c < kCurveCount; ++c) {
          const auto& v = curve(batch[s][k], c);
          std::copy(v.begin(), v.end(), curves[s][c].begin() + static_cast<std::ptrdiff_t>((first + k) * row));
        }
      metrics[s].insert(metrics[s].end(), m[s].begin(), m[s].end());
    }
  }
};

}  // namespace

double quantile_sorted(const std::vector<double>& x, double q) {
  if (x.empty()) return NAN;
  const double h = (static_cast<double>(x.size()) - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, x.size() - 1);
  return x[lo] + (h - static_cast<double>(lo)) * (x[hi] - x[lo]);
}

double point_memory(const Plan& plan, unsigned threads) {
  const std::uint64_t n = plan.points();
  const std::uint64_t stride = std::max<std::uint64_t>(1, n / 256);
  double worst = 0;
  for (std::uint64_t p = 0; p < n; p += stride)
    worst = std::max(worst, experiment::run_memory(plan.experiment(p), threads));
  if (n) worst = std::max(worst, experiment::run_memory(plan.experiment(n - 1), threads));
  const auto scenarios = static_cast<double>(plan.spec().scenarios.size()),
             trials = static_cast<double>(plan.spec().trials), row = static_cast<double>(plan.base().steps) + 1;
  const double curves = scenarios * kCurveCount * trials * row * 4;  // the collector
  const double kept = plan.spec().curves ? 2 * curves : 0;           // the result's copy and the part
  return worst + curves + kept + scenarios * trials * 2 * sizeof(engine::TrialMetrics);
}

std::optional<PointResult> run_point(const Plan& plan, std::uint64_t p, const experiment::RunOptions& options) {
  const model::ExperimentSpec x = plan.experiment(p);
  const std::size_t row = static_cast<std::size_t>(x.steps) + 1, trials = x.trials;
  Collector sink(x.scenarios.size(), trials, row);
  // A stop is honoured between batches of a few trials per thread
  // (stop_between_batches, and the collector): run_experiment's own stop (at
  // step boundaries) can leave a batch's unfinished trials unsized when it
  // computes their metrics.
  experiment::RunOptions run = options;
  sink.stop = options.stop;
  run.stop = nullptr;
  run.stop_between_batches = options.stop;
  if (!run.batch_trials) run.batch_trials = 4 * std::max(1u, options.threads);
  if (options.stop && options.stop->load()) return std::nullopt;
  try {
    const experiment::ExperimentResults done = experiment::run_experiment(x, run, &sink);
    if (done.interrupted || done.trials_done != x.trials) return std::nullopt;
  } catch (const Stopped&) {
    return std::nullopt;
  }

  PointResult r;
  r.index = p;
  r.seed = x.seed;
  const std::size_t d = plan.parameters().size();
  r.values.assign(plan.values().begin() + static_cast<std::ptrdiff_t>(p * d),
                  plan.values().begin() + static_cast<std::ptrdiff_t>((p + 1) * d));
  r.scenarios.resize(x.scenarios.size());
  std::vector<double> column(trials);
  for (std::size_t s = 0; s < x.scenarios.size(); ++s) {
    ScenarioResult& out = r.scenarios[s];
    out.trials = std::move(sink.metrics[s]);
    for (std::size_t c = 0; c < kCurveCount; ++c) {
      const std::vector<float>& all = sink.curves[s][c];
      out.mean[c].resize(row);
      out.quantiles[c].resize(kQuantileCount * row);
      for (std::size_t t = 0; t < row; ++t) {
        double sum = 0;
        for (std::size_t k = 0; k < trials; ++k) sum += (column[k] = all[k * row + t]);
        out.mean[c][t] = static_cast<float>(sum / static_cast<double>(trials));
        std::sort(column.begin(), column.end());
        for (std::size_t q = 0; q < kQuantileCount; ++q)
          out.quantiles[c][q * row + t] = static_cast<float>(quantile_sorted(column, kQuantiles[q]));
      }
      if (plan.spec().curves) out.curves[c] = all;
    }
  }
  return r;
}

}  // namespace groundswell::sweep
