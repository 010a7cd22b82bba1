#pragma once
// Calibration of a rule's free parameters against an observed adoption
// record by approximate Bayesian computation (docs/calibration.md):
// rejection ABC, and ABC-SMC (population Monte Carlo) with an adaptive
// tolerance (Beaumont, Cornuet, Marin and Robert 2009, Biometrika 96:983,
// doi:10.1093/biomet/asp052; Toni, Welch, Strelkowa, Ipsen and Stumpf 2009,
// J R Soc Interface 6:187, doi:10.1098/rsif.2008.0172).
//
// A calibration file is a scenario file with one scenario (the organization,
// the rule and its fixed parameters, experiment.seed and experiment.steps)
// and four more sections: [observed] (the adoption record), [[parameter]]
// (free parameters and their priors), [abc] (the algorithm) and [holdout]
// (departments left out of the fit and predicted).
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "groundswell/model/scenario.hpp"

namespace groundswell::calibrate {

enum class Prior { Uniform, LogUniform };

/// One free parameter: a scenario key (e.g. "bass.q") and its prior on [lower, upper].
/// LogUniform: log(value) is uniform on [log lower, log upper] (lower > 0).
/// Integer keys (champions.count) are drawn continuously and rounded.
struct FreeParameter {
  std::string key;
  Prior prior = Prior::Uniform;
  double lower = 0, upper = 1;
  bool integer = false;
};

enum class Method { Rejection, Smc };

/// How a simulation is compared with the observed record (among the agents of the fit):
/// Curve: RMSE over steps 1..T between the cumulative adopted shares (mean over trials);
/// DepartmentCurves: the same over every (department, step) of the per-department shares;
/// Agent: root mean square over agents and trials of simulated - observed adoption step
/// (never = T + 1), in steps.
enum class Distance { Curve, DepartmentCurves, Agent };

/// The [abc] section.
struct AbcSpec {
  Method method = Method::Smc;
  std::uint32_t particles = 200;  ///< posterior sample size
  std::uint32_t generations = 5;  ///< smc: populations, the first drawn from the prior
  double quantile = 0.5;          ///< smc: tolerance of generation g = this quantile of g-1's distances
  double min_acceptance = 0.005;  ///< smc: stop after a generation accepted fewer of its attempts
  std::uint32_t draws = 0;        ///< rejection: prior draws (0 = 10 x particles)
  std::optional<double> epsilon;  ///< rejection: accept every draw with distance <= epsilon
  /// Engine trials per particle; the distance uses their mean curve. Only 1
  /// targets the ABC posterior: a mean of k trials varies less than one
  /// record does, so k > 1 fits as if the data had 1/k of their noise (a
  /// posterior too narrow, roughly the likelihood to the power k).
  std::uint32_t trials = 1;
  Distance distance = Distance::Curve;
  std::uint32_t predictive = 100;  ///< posterior predictive draws (one trial each)
};

/// The [observed] section: per-agent adoption steps read from a table, or a cumulative curve.
struct ObservedSpec {
  std::string file;  ///< table with a header line; blanks, tabs or commas separate columns
  std::string id_column, time_column;
  std::vector<std::int64_t> never = {};    ///< codes of "never adopted"
  std::vector<std::int64_t> missing = {};  ///< codes of "not observed": in the network, out of the distance
  std::vector<double> curve;               ///< alternative: cumulative adopted share at steps 1..T, all agents
};

/// A loaded calibration file.
struct CalibrationSpec {
  model::ExperimentSpec experiment;  ///< exactly one scenario; trials unused
  std::vector<FreeParameter> parameters;
  ObservedSpec observed;
  AbcSpec abc;
  std::vector<std::string> holdout;  ///< department names held out of the fit
};

/// Reads and validates a calibration file. Throws InputError naming the file,
/// line, key and the fix for any fault (unknown key, bad prior, a parameter
/// the scenario parser would refuse at a prior bound, ...). Does not open the
/// observed file or the network (run_calibration does).
/// `adjust`, when given, changes the scenario part (the command line's --set)
/// before the free parameters, the prior box and the rest are checked against it.
CalibrationSpec load_calibration(const std::string& path,
                                 const std::function<void(model::ExperimentSpec&)>& adjust = {});
CalibrationSpec parse_calibration(const std::string& text, const std::string& source_name, const std::string& base_dir,
                                  const std::function<void(model::ExperimentSpec&)>& adjust = {});

/// Scenario keys that can be free parameters.
const std::vector<std::string>& calibratable_keys();

/// Sets `key` of a scenario to `value` (rounded for integer keys). Throws InputError for an unknown key.
void set_parameter(model::ScenarioSpec& scenario, const std::string& key, double value);

struct Generation {
  double epsilon = 0;             ///< tolerance (inf for a generation drawn from the prior)
  std::uint64_t attempts = 0;     ///< proposals simulated
  std::vector<double> samples;    ///< [particles x parameters], parameter values
  std::vector<double> weights;    ///< normalized importance weights
  std::vector<double> distances;  ///< of the accepted particles
};

struct CalibrationResult {
  std::vector<Generation> generations;               ///< the last one is the posterior
  std::vector<double> draw_samples, draw_distances;  ///< rejection: every prior draw
  std::vector<double> median, lower, upper;          ///< weighted 50%, 5% and 95% quantiles per parameter
  Step steps = 0;
  std::uint32_t fit_agents = 0, holdout_agents = 0, missing_agents = 0, never_agents = 0;
  std::vector<std::string> departments;          ///< department names, in id order
  std::vector<double> observed_curve;            ///< fit agents: cumulative share, steps 0..T
  std::vector<double> observed_holdout_curve;    ///< holdout agents (empty without holdout)
  std::vector<double> predictive_samples;        ///< [draws x parameters]
  std::vector<float> predictive_curves;          ///< fit agents [draws x (T + 1)]
  std::vector<float> predictive_holdout_curves;  ///< holdout agents [draws x (T + 1)]
  double fit = 0;                                ///< RMSE of the predictive mean curve to the observed one (fit agents)
  double out_of_sample = 0;                      ///< the same for the held-out agents (NaN without holdout)
  double naive_out_of_sample = 0;  ///< RMSE of the fit agents' observed curve to the held-out one (NaN without holdout)
  double seconds = 0;
  bool interrupted = false;
};

struct CalibrationOptions {
  unsigned threads = 0;  ///< 0 = all cores
  const std::atomic<bool>* stop = nullptr;
  std::function<void(const std::string&)> progress;  ///< one line per generation
};

/// Runs the calibration. Bit-identical for any thread count: attempt a of
/// generation g draws from streams keyed by (seed, g, a), attempts are
/// simulated in fixed batches and accepted in attempt order. Throws
/// InputError for faults of the observed file or the network.
CalibrationResult run_calibration(const CalibrationSpec& spec, const CalibrationOptions& options);

/// The peak memory of run_calibration(spec) with `threads` threads, in bytes
/// (docs/errors.md, "Sizes that cannot fit"): the organization compared
/// (experiment::organization_memory, with reading file tables) and its
/// observed record, one trial per thread (experiment::trial_memory) with its
/// adoption times, every draw of rejection (abc.draws x parameters values,
/// kept and written), the SMC populations, and the posterior predictive
/// curves (abc.predictive x (steps + 1) floats, twice with a holdout).
/// For `calibrate`, to refuse with experiment::require_memory before work.
double calibration_memory(const CalibrationSpec& spec, unsigned threads);

/// Writes the HDF5 calibration file (docs/calibration.md) under a temporary
/// name and renames it into place; nothing is left on failure.
void write_calibration(const std::string& path, const CalibrationSpec& spec, const CalibrationResult& result,
                       unsigned threads);

/// The printed summary: posterior medians with 90% intervals, the fit, the holdout errors.
/// Kish's effective sample size of importance weights, 1 / sum w^2 (weights summing to 1):
/// far below the particle count means a few particles carry the posterior.
double effective_sample_size(const std::vector<double>& weights);

std::string format_calibration(const CalibrationSpec& spec, const CalibrationResult& result);

/// Weighted q-quantile (linear interpolation of the weighted empirical CDF's midpoints).
double weighted_quantile(const std::vector<double>& values, const std::vector<double>& weights, double q);

}  // namespace groundswell::calibrate
