#pragma once
// A parameter sweep read from a scenario file's [sweep] section
// (docs/sweeps.md): the design, its table of points, and the experiment of
// each point, validated by the scenario parser like any scenario file.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "groundswell/model/scenario.hpp"
#include "groundswell/sweep/design.hpp"

namespace groundswell::sweep {

/// Quantiles of every per-point summary (of the metrics and of the curves).
inline constexpr double kQuantiles[] = {0.05, 0.25, 0.5, 0.75, 0.95};
inline constexpr std::size_t kQuantileCount = sizeof kQuantiles / sizeof kQuantiles[0];

/// The Integer keys of the parameter table (counts, sizes, levels): ranges
/// of these are sampled as integers (see design_points()).
const std::vector<std::string>& integer_keys();

/// The [sweep] section.
struct SweepSpec {
  DesignSpec design;
  TrialIndex trials = 0;               ///< trials per point and scenario (default: experiment.trials)
  std::vector<std::string> scenarios;  ///< scenarios run at every point, in file order (default: all)
  bool curves = false;                 ///< also store every trial's curves, not only their summaries
};

/// Changes made on the command line (`groundswell sweep --set`): applied to
/// the base and to every point's experiment after its swept values.
struct Adjustment {
  std::function<void(model::ExperimentSpec&)> apply;  ///< empty: none
  std::string label;                                  ///< the changes as text; part of the fingerprint
};

/// A loaded sweep. Cheap to copy (shares its immutable state).
class Plan {
 public:
  /// Reads and validates a scenario file with a [sweep] section, and every
  /// point of its design. Throws InputError naming the file, line and key, or
  /// the point and its values, for anything the scenario parser would refuse.
  static Plan load(const std::string& path, const Adjustment& adjust = {});
  /// The same from text (`source_name` in messages, `base_dir` for relative network paths).
  static Plan parse(const std::string& text, const std::string& source_name, const std::string& base_dir,
                    const Adjustment& adjust = {});

  /// The file as `groundswell run` reads it (no sweep values applied).
  const model::ExperimentSpec& base() const noexcept;
  const SweepSpec& spec() const noexcept;
  const std::vector<Parameter>& parameters() const noexcept { return spec().design.parameters; }
  /// Points of the design (P).
  std::uint64_t points() const noexcept;
  /// The table of points, row-major (P x parameters); see design_points().
  const std::vector<double>& values() const noexcept;
  /// The experiment seed of point p: stream_key(Purpose::SweepPoint, experiment.seed, p), so
  /// each point reproduces alone; engine streams then follow (seed, scenario, trial).
  std::uint64_t point_seed(std::uint64_t p) const;
  /// Point p's experiment: the file with each swept value set over the
  /// top-level section and every scenario's own value, validated by the
  /// scenario parser, with the point's seed, the sweep's trials and only the
  /// sweep's scenarios. Throws InputError naming the point and its values.
  model::ExperimentSpec experiment(std::uint64_t p) const;
  /// Point p's values as text: "champions.count = 5, mandate.half_life = inf".
  std::string describe(std::uint64_t p) const;
  /// Identity of the sweep: a 64-bit hash (hex) of the whole scenario text and
  /// the sweep format version. Shards, parts and resumed runs must agree on it.
  const std::string& fingerprint() const noexcept;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace groundswell::sweep
