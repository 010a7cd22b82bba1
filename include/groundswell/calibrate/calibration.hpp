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
#include "groundswell/org/organization.hpp"
#include "groundswell/types.hpp"

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

/// What a calibration does with the agents the record has no time for (a
/// code of observed.missing, or no row): Simulate keeps them in the network,
/// simulated but out of the distance; Drop removes them from the organization
/// (org::without_agents) before anything is simulated.
enum class Unrecorded { Simulate, Drop };

/// "simulate" or "drop", as the file spells them.
const char* to_string(Unrecorded u) noexcept;
/// The treatment spelled `text` ("simulate" or "drop"); nullopt for any other text.
std::optional<Unrecorded> unrecorded_from_string(const std::string& text) noexcept;

/// The [observed] section: per-agent adoption steps read from a table, or a cumulative curve.
struct ObservedSpec {
  std::string file;  ///< table with a header line; blanks, tabs or commas separate columns
  std::string id_column, time_column;
  std::vector<std::int64_t> never = {};          ///< codes of "never adopted"
  std::vector<std::int64_t> missing = {};        ///< codes of "not observed": in the network, out of the distance
  std::vector<double> curve;                     ///< alternative: cumulative adopted share at steps 1..T, all agents
  Unrecorded unrecorded = Unrecorded::Simulate;  ///< observed.unrecorded (needs observed.file for Drop)
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

/// The observed record as a calibration compares it with its simulations:
/// the organization it simulates and each agent's observed step and role.
struct ObservedRecord {
  org::Organization organization;  ///< trial 0's organization; without the unrecorded agents under Drop
  Step steps = 0;                  ///< T = experiment.steps
  std::int32_t never = 0;          ///< the code of "never adopted": T + 1
  /// Per agent of `organization`: the observed step 1..T, T + 1 for never, -1
  /// for missing (a code of observed.missing, no row, or observed.curve's agents).
  std::vector<std::int32_t> observed;
  std::vector<std::uint8_t> role;  ///< per agent: 0 out of the distance, 1 fitted, 2 held out
  std::uint32_t fit = 0, holdout = 0;
  std::uint32_t missing = 0;      ///< agents of the organization read with no time (before any drop)
  std::uint32_t never_count = 0;  ///< agents observed never to adopt
  std::uint32_t dropped = 0;      ///< agents removed by unrecorded = "drop" (0 under "simulate")
};

/// Reads the observed record of `spec` against its organization: what
/// run_calibration fits (and the Python module's observed_record shows).
/// Generates or reads the organization of trial 0 (engine::organization_key(seed, 0)).
/// With observed.curve every agent is fitted and its `observed` is -1.
/// @throws InputError naming the file, line and fix for a fault of the
///         observed table or the network, or when no agent is left to fit
ObservedRecord observed_record(const CalibrationSpec& spec);

/// Each agent's first step in A or C (engine::AdoptionTimeRecorder: 0 for the
/// seeds, steps + 1 if never) in trials 0..trials-1 of `scenario`, as a
/// calibration simulates a particle: trial k is engine::prepare_trial(scenario,
/// seed, k, organization) run with engine::dynamics_key(seed, scenario.name, k),
/// so with the experiment seed trial k is trial k of `groundswell run` on the
/// same organization. `organization` null: trial k's own organization
/// (engine::organization_key(seed, k)), as `run` builds it; every trial must
/// then have the same size. Bit-identical for any thread count.
/// @return [trials x agents] adoption steps
/// @throws InputError for a scenario the organization cannot have, or
///         organizations of different sizes
/// Cost: trials engine trials, on `threads` threads (0 = every core).
std::vector<std::int32_t> simulate_adoption_times(const model::ScenarioSpec& scenario,
                                                  const org::Organization* organization, Step steps, std::uint64_t seed,
                                                  TrialIndex trials, unsigned threads,
                                                  const std::atomic<bool>* stop = nullptr);

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
  std::uint32_t dropped_agents = 0;              ///< removed by observed.unrecorded = "drop"
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
