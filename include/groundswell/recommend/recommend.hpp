#pragma once
// Choosing change agents (`groundswell recommend`): whom to ask, how many,
// and who the organization cannot lose, for one scenario of an experiment.
// Greedy selection with lazy evaluation (CELF; Leskovec, Krause, Guestrin,
// Faloutsos, VanBriesen and Glance 2007, KDD, doi:10.1145/1281192.1281239)
// over a fixed set of trials with common random numbers (MODEL.md 7), then
// checked on fresh trials not used for choosing.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "groundswell/model/scenario.hpp"
#include "groundswell/types.hpp"

namespace groundswell::recommend {

/// What a set of change agents is chosen to maximize, per trial, at the horizon h.
enum class Objective {
  Internalized,  ///< share in A at h (the default)
  Adopted,       ///< share in A + C at h
  T50,           ///< time to 50% internalized, restricted to h (not reached: h); smaller is better
  Area,          ///< mean internalized share over steps 1..h
};
const char* to_string(Objective objective);
/// @throws InputError naming the accepted words
Objective objective_from_string(const std::string& word);

/// Who may be chosen.
struct Constraints {
  std::vector<AgentId> exclude;          ///< never chosen
  std::vector<AgentId> require;          ///< chosen first, in this order (count includes them)
  std::uint32_t max_per_department = 0;  ///< 0: no limit
  bool formal_only = false, informal_only = false;
};

/// The objective against the number of change agents, per selection rule.
struct CurveSpec {
  std::uint32_t from = 0, to = 0, step = 1;
};

/// "Half the staff internalized by week 52": level 0.5 at week 52.
struct Target {
  double level = 0.5;
  Step week = 0;
};

struct Options {
  std::string scenario;     ///< empty: the first scenario with champions
  std::uint32_t count = 0;  ///< change agents to choose (K)
  Objective objective = Objective::Internalized;
  Step horizon = 0;                 ///< 0: the experiment's steps
  TrialIndex trials = 0;            ///< choosing trials 0..trials-1; 0: the experiment's
  TrialIndex test_trials = 0;       ///< fresh trials after those; 0: as many as for choosing
  std::uint32_t shortlist = 0;      ///< > 0: only the most listened-to `shortlist` agents are candidates
  std::vector<AgentId> candidates;  ///< non-empty: only these (before constraints)
  Constraints constraints;
  bool lazy = true;  ///< CELF; false: plain greedy (every candidate every round)
  std::optional<CurveSpec> curve;
  std::optional<Target> target;
  std::uint32_t key_people = 0;  ///< rank this many people whose departure costs most
  unsigned threads = 0;          ///< 0: all cores
  const std::atomic<bool>* stop = nullptr;
  std::function<void(const std::string&)> progress;  ///< a line at a time, on the calling thread
};

/// A mean over trials with its 95% interval (mean +- 1.96 SE).
struct Estimate {
  double mean = 0, low = 0, high = 0;
  std::size_t n = 0;
};
/// Mean and interval of `values`.
Estimate estimate(const std::vector<double>& values);

/// Someone of the organization, as the data name them.
struct Person {
  AgentId agent = 0;
  std::string label;       ///< the id in the data, or the number
  std::string department;  ///< its name in the data, or the number
  std::int32_t level = 0;
  bool formal_leader = false;
  double listeners = 0;  ///< people who listen to them (mean over the choosing trials)
};

/// One change agent of the recommended set, in the order chosen.
struct Pick {
  Person person;
  bool required = false;
  Estimate gain;   ///< marginal gain on the choosing trials, paired (in-sample: see the fresh comparison)
  Estimate value;  ///< objective of the set up to this pick, choosing trials
};

/// The recommended set against a selection rule, on fresh trials, paired.
struct RuleComparison {
  std::string rule;
  Estimate value;       ///< the rule's objective with the same count
  Estimate difference;  ///< recommended minus the rule
};

struct CurveRow {
  std::string rule;  ///< a selection rule, or "greedy" (the nested recommended sets)
  std::vector<std::uint32_t> counts;
  std::vector<Estimate> value;           ///< objective at each count, fresh trials
  std::vector<Estimate> at_target;       ///< internalized share at the target's week (with a target)
  std::optional<std::uint32_t> reaches;  ///< smallest count whose mean reaches the target
};

/// Someone whose departure (before the change) lowers the objective.
struct KeyPerson {
  Person person;
  Estimate loss;  ///< objective with them minus without, fresh trials, paired
};

/// Someone credited with adoptions by their peers (MODEL.md 7, attribution).
struct CreditedPerson {
  Person person;
  double champion_share = 0;  ///< share of the fresh trials in which they were a change agent of the scenario
  Estimate credit;            ///< peer credit over the run, per fresh trial
};

struct Result {
  std::string scenario;
  Objective objective = Objective::Internalized;
  Step horizon = 0;
  TrialIndex trials = 0, test_trials = 0;  ///< choosing, fresh
  std::uint64_t seed = 0;
  std::size_t candidates = 0;     ///< after shortlist and constraints
  std::uint64_t evaluations = 0;  ///< set evaluations over the choosing trials (each: `trials` runs)
  bool lazy = true;
  /// Re-evaluations whose gain came out larger than the stale bound: the
  /// objective is not submodular here, so lazy evaluation may have accepted
  /// picks plain greedy would not (--plain-greedy).
  std::uint64_t gains_grew = 0;
  std::vector<Pick> picks;
  Estimate recommended;               ///< the set on fresh trials
  std::vector<RuleComparison> rules;  ///< random, formal, central, bridging, distributed
  std::vector<CurveRow> curve;
  std::vector<KeyPerson> key_people;
  std::vector<CreditedPerson> credited;
  double seconds = 0;
  bool interrupted = false;
};

/// The peak memory of recommend(x, o), in bytes: the organizations it caches
/// (one per choosing and fresh trial for generated organizations, one for
/// files), the trials running at once, the scores of every candidate on every
/// choosing trial, and the per-person credit of the fresh trials. The
/// candidates are o.candidates, else the shortlist, else everyone.
double memory_estimate(const model::ExperimentSpec& x, const Options& o);

/// Chooses and checks the change agents. Deterministic for any thread count.
/// @throws InputError for a scenario, count, candidate or constraint the
///   experiment cannot have (named, with the fix)
Result recommend(const model::ExperimentSpec& experiment, const Options& options);

/// The objective of the given change agents on trials [first, first + count)
/// of the scenario of `options` (its objective, horizon and threads), one
/// score per trial, larger is better (t50: minus the weeks). The trials are
/// those recommend() chooses on (0..trials-1) and checks on (after them).
/// @throws InputError as recommend() does
std::vector<double> score_set(const model::ExperimentSpec& experiment, const Options& options,
                              const std::vector<AgentId>& champions, TrialIndex first, TrialIndex count);

/// The report printed by the command: the picks, the comparison, the curve and the key people.
std::string format_result(const Result& result);

/// Writes the result to an HDF5 file (docs/recommend.md), safely (never half-written).
/// @throws std::runtime_error naming the file and the cause
void write_result(const std::string& path, const model::ExperimentSpec& experiment, const Options& options,
                  const Result& result);

}  // namespace groundswell::recommend
