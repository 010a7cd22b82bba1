#pragma once
// Recorders turn run state into what a caller keeps (MODEL.md 7, STYLE.md 2):
// curves and metrics (runs, sweeps), each agent's adoption step
// (calibration), every step's states (the trainer's animation). Each is a
// Recorder for the one trial loop, run_trial (engine/run.hpp).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "groundswell/engine/run.hpp"
#include "groundswell/engine/trial.hpp"

namespace groundswell::engine {

/// Curves of one trial, each of length steps + 1 (step 0 = initial state).
struct TrialCurves {
  Step steps = 0;
  DepartmentId departments = 0;
  std::array<std::vector<float>, kStateCount> share;  ///< shares of N, C, A, R
  std::vector<float> mean_autonomy, mean_competence, mean_relatedness, mean_pressure;
  std::vector<float> department_adopted;       ///< [(steps+1) x departments], A + C share
  std::vector<float> department_internalized;  ///< [(steps+1) x departments], A share
  std::vector<std::int32_t> active_champions;  ///< champions not burnt out (MODEL.md 3)
  std::vector<std::uint32_t> department_size;  ///< agents per department
  std::vector<std::string> department_names;   ///< the organization's names; empty: 0..D-1

  /// Sizes every curve for `steps` steps of `organization` (allocates; outside the step loop).
  void resize(Step steps, const org::Organization& organization);
};

/// Per-trial metrics of MODEL.md 7. A time to 50% not reached by T is
/// censored: it has no value (never a number a mean would take in).
struct TrialMetrics {
  float final_internalized = 0;                  ///< A / N at T
  float final_adopted = 0;                       ///< (A + C) / N at T
  std::optional<std::int32_t> t50_internalized;  ///< first step with A >= 0.5; none if not reached by T
  std::optional<std::int32_t> t50;               ///< first step with A + C >= 0.5; none if not reached by T
  float peak_compliance = 0;                     ///< max over steps of C / N
  float peak_resistance = 0;                     ///< max over steps of R / N
  std::int32_t departments_internalized = 0;     ///< departments with A >= 0.5 at T
  std::int32_t departments_reached = 0;          ///< departments with A + C >= 0.5 at T
};

/// Causes of an entry into A (MODEL.md 7, "Attribution"), in the order of the results file.
enum class Cause : std::uint8_t { Seeded, Issuer, Formalized, Spontaneous, Peer, Internalized };
inline constexpr int kCauseCount = 6;
/// Roles of the people credited with peer entries; a champion who is a formal leader counts as a champion.
enum class Role : std::uint8_t { Others, FormalLeader, Champion };
inline constexpr int kRoleCount = 3;
const char* to_string(Cause cause);
const char* to_string(Role role);

/// Who and what caused the entries into A of one trial (MODEL.md 7), each
/// per step of length steps + 1 (row 0: the champions or seeds at t = 0), in
/// numbers of agents (fractional).
struct TrialAttribution {
  Step steps = 0;
  std::array<std::vector<float>, kCauseCount> entries;  ///< entries into A by cause
  std::vector<float> entries_complying;                 ///< entries into C (all caused by pressure)
  std::array<std::vector<float>, kRoleCount> credit;    ///< peer credit received, by role of the credited
  std::vector<float> credit_by_agent;                   ///< per agent, summed over the run (record.credit)
  std::vector<std::int8_t> agent_role;                  ///< per agent, Role (record.credit)

  /// Sizes every series for `steps` steps; per agent for `agents` > 0 (allocates).
  void resize(Step steps, AgentId agents);
};

/// Metrics from finished curves.
TrialMetrics compute_metrics(const TrialCurves& curves);

/// Records the curves of MODEL.md 7 into `curves`: row t of every curve at
/// step t. Sums run over fixed blocks of agents (in parallel for large
/// organizations), then over blocks in order, so the curves never depend on
/// the thread count. Cost per step: a pass over the agents' traits, and the
/// counts of states changed only for the agents whose state changed; for
/// bass, threshold and cascade, whose agents only move N -> A and keep their
/// traits, after step 0 only a pass over the step's adopters.
class CurveRecorder final : public Recorder {
 public:
  /// @param curves resized by begin; must outlive the recorder's use
  explicit CurveRecorder(TrialCurves& curves) noexcept : curves_(curves) {}
  void begin(const TrialSimulation& trial, Step steps) override;
  void record(const TrialSimulation& trial) override;

 private:
  TrialCurves& curves_;
  std::vector<double> partial_;        ///< per block: sums of a, c, r, P, active champions
  std::vector<std::uint32_t> tally_;   ///< per block: counts of N, C, A, R, adopters and internalized per department
  std::vector<std::uint64_t> totals_;  ///< the counts over all blocks
  std::vector<State> before_;          ///< the states the counts are of
  std::array<double, 5> sums_{};       ///< the sums of a, c, r, P and the active champions
  Step recorded_ = -1;                 ///< the last step recorded (-1: none yet; then the counts hold)
  void sum_agents(const TrialSimulation& trial);
  void add_adopters(const TrialSimulation& trial);
};

/// Splits every entry into A by cause, and credits the peer part to the
/// people listened to (MODEL.md 7, "Attribution"), from the state at the
/// start of each step and the hazards of that step. It draws no random
/// number and writes nothing the simulation reads: a trial gives the same
/// bits with or without it. Cost per step: one pass over the agents' states,
/// eight at a time (bass, threshold, cascade after step 0: over the step's
/// adopters), plus the in-ties of the agents that entered A.
class AttributionRecorder final : public Recorder {
 public:
  /// @param attribution resized by begin; must outlive the recorder's use
  /// @param per_agent also keep each agent's credit over the run (record.credit)
  AttributionRecorder(TrialAttribution& attribution, bool per_agent) noexcept
      : out_(attribution), per_agent_(per_agent) {}
  void begin(const TrialSimulation& trial, Step steps) override;
  void record(const TrialSimulation& trial) override;

 private:
  void peer_entry(const TrialSimulation& trial, AgentId i, std::size_t row);
  void credit(AgentId j, double amount, std::size_t row);
  TrialAttribution& out_;
  bool per_agent_;
  std::vector<State> before_;                  ///< states at the start of the step being attributed
  std::vector<std::uint8_t> formalized_;       ///< 1 for agents formalization switched to A in this step
  std::vector<std::int8_t> role_;              ///< Role per agent
  std::array<double, kCauseCount> entries_{};  ///< this step's entries by cause
  std::array<double, kRoleCount> credit_{};    ///< this step's credit by role
  std::vector<double> agent_credit_;           ///< per agent, over the run (record.credit)
  Step recorded_ = -1;                         ///< the last step recorded (-1: none yet)
};

/// Records each agent's first step in A or C: 0 for those adopted at the
/// start, never(steps) = steps + 1 for those that do not adopt by the end.
/// Cost per step: one pass over the agents' states.
class AdoptionTimeRecorder final : public Recorder {
 public:
  /// @param times one value per agent of the trial's organization, written by
  ///        begin and record; must outlive the recorder's use
  explicit AdoptionTimeRecorder(std::int32_t* times) noexcept : times_(times) {}
  /// The code of an agent that never adopted in a trial of `steps` steps.
  static constexpr std::int32_t never(Step steps) noexcept { return steps + 1; }
  void begin(const TrialSimulation& trial, Step steps) override;
  void record(const TrialSimulation& trial) override;

 private:
  std::int32_t* times_;
  std::int32_t never_ = 0;
  AgentId agents_ = 0;
};

/// Records every agent's state at every step (for the trainer's animation).
/// Memory: (steps + 1) x agents bytes, allocated by begin.
class SnapshotRecorder final : public Recorder {
 public:
  void begin(const TrialSimulation& trial, Step steps) override;
  void record(const TrialSimulation& trial) override;
  /// Agents per snapshot.
  AgentId agents() const noexcept { return agents_; }
  /// Snapshots recorded: steps + 1 after a full run, fewer if it was stopped.
  Step recorded() const noexcept { return recorded_; }
  /// The states of step t < recorded(): agents() values.
  const State* at(Step t) const noexcept { return states_.data() + static_cast<std::size_t>(t) * agents_; }

 private:
  std::vector<State> states_;  ///< [(steps + 1) x agents]
  AgentId agents_ = 0;
  Step recorded_ = 0;
};

/// Runs a prepared trial for `steps` steps with a CurveRecorder into `curves`
/// and, if `attribution` is given, an AttributionRecorder into it (per agent
/// when the scenario sets record.credit); run_trial of engine/run.hpp.
/// Returns false if `stop` was requested before the end.
/// @param dynamics_key the key of the trial's step stream, dynamics_key(seed, scenario, trial)
bool run_trial(const model::ScenarioSpec& spec, const TrialSetup& setup, std::uint64_t dynamics_key, Step steps,
               TrialCurves& curves, StopToken stop = {}, TrialAttribution* attribution = nullptr);

}  // namespace groundswell::engine
