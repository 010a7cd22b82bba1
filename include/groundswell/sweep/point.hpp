#pragma once
// Running one point of a sweep and summarizing it (docs/sweeps.md).
#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "groundswell/engine/recorder.hpp"
#include "groundswell/experiment/ensemble.hpp"
#include "groundswell/sweep/plan.hpp"

namespace groundswell::sweep {

/// The curves summarized per point, in this order (docs/output.md names).
inline constexpr std::size_t kCurveCount = 8;
inline constexpr const char* kCurveNames[kCurveCount] = {
    "N", "C", "A", "R", "mean_autonomy", "mean_competence", "mean_relatedness", "mean_pressure"};

/// One scenario at one point.
struct ScenarioResult {
  std::vector<engine::TrialMetrics> trials;  ///< per-trial metrics (MODEL.md 7), trial order
  /// Per curve: the mean over trials at each step [steps + 1], and the
  /// quantiles kQuantiles over trials at each step [kQuantileCount x (steps + 1)].
  std::array<std::vector<float>, kCurveCount> mean, quantiles;
  /// Per curve, only when the sweep stores curves: every trial [trials x (steps + 1)].
  std::array<std::vector<float>, kCurveCount> curves;
};

/// One finished point: everything the sweep file holds about it.
struct PointResult {
  std::uint64_t index = 0;
  std::uint64_t seed = 0;
  std::vector<double> values;             ///< the point's row of the table of points
  std::vector<ScenarioResult> scenarios;  ///< the sweep's scenarios, in file order
};

/// The peak memory of one sweep process computing points with `threads`
/// threads: the largest run_memory (experiment/memory.hpp) of up to 256
/// points spread over the design, plus what a point keeps (every trial's
/// curves, their copy in the result with `curves = true`, the encoded part).
/// run_sweep refuses a sweep above the available memory with it.
double point_memory(const Plan& plan, unsigned threads);

/// Runs point p of the plan: every sweep scenario for the sweep's trials,
/// with the point's seed. Returns nothing if `options.stop` became true
/// before the point finished. Bit-identical for any thread count, process,
/// MPI rank or shard. Throws InputError for problems found only when building
/// an organization.
std::optional<PointResult> run_point(const Plan& plan, std::uint64_t p, const experiment::RunOptions& options);

/// The q-quantile of sorted values by linear interpolation between order
/// statistics (Hyndman and Fan 1996 type 7, numpy's default); NaN if empty.
double quantile_sorted(const std::vector<double>& sorted, double q);

}  // namespace groundswell::sweep
