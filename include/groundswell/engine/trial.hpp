#pragma once
// The run state of one trial and the simulation that advances it (STYLE.md 2):
// agents as structure-of-arrays, the organization as CSR, one step = named
// phases in order (MODEL.md 5 and 6).
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "groundswell/model/scenario.hpp"
#include "groundswell/org/organization.hpp"
#include "groundswell/types.hpp"

namespace groundswell::engine {

/// Agents' state and traits, one array per quantity (structure of arrays).
struct AgentArrays {
  std::vector<State> state;
  std::vector<float> autonomy, competence, relatedness;
  void resize(AgentId n) {
    state.resize(n);
    autonomy.resize(n);
    competence.resize(n);
    relatedness.resize(n);
  }
};

/// What a trial starts from: its organization (after coalition and bridges),
/// champions and initial agents, all drawn from (seed, trial) alone so that
/// scenarios are paired by common random numbers (MODEL.md 7).
struct TrialSetup {
  org::Organization organization;
  std::vector<AgentId> champions;
  std::vector<std::uint8_t> is_champion;
  AgentArrays agents;
  std::vector<float> threshold;
  /// bass with market_potential m < 1: 1 if agent i may ever adopt, drawn per
  /// trial (docs/model.md, "bass"); empty = everyone may (m = 1, nothing drawn)
  std::vector<std::uint8_t> in_potential;
};

/// The market potential of bass: agent i (of the organization as given) is
/// in it iff to_unit(Philox(key, counter {0, i, 0, 0})[0]) < m, with key
/// stream_key(Purpose::Potential, seed, trial). Independent of the rule's
/// other draws, of the thread and of the scenario's name (scenarios of a
/// trial share it: common random numbers; a larger m keeps everyone a smaller
/// m had).
std::vector<std::uint8_t> draw_market_potential(double m, AgentId n, std::uint64_t key);

/// Initial traits and states of MODEL.md 3 drawn from the stream `key`.
/// Classic rules have no resisters (states N and A only).
void draw_initial_agents(const model::AgentSpec& spec, bool with_resisters, AgentId n, std::uint64_t key,
                         AgentArrays& agents, std::vector<float>& threshold);

/// Champions of MODEL.md 4 in the order chosen; ties broken by lower id.
/// "Listened to" is the weighted in-degree of `organization` as given.
/// Throws InputError when count exceeds the organization's size.
std::vector<AgentId> select_champions(const org::Organization& organization, const model::ChampionSpec& spec,
                                      std::uint64_t key);

/// Coalition of MODEL.md 4: for every ordered pair of distinct champions,
/// i listens to j with weight max(w_ij, 1), one tie per pair: an existing tie
/// i <- j keeps its place and takes the larger weight (every existing i <- j
/// if the organization has parallel ones), a missing one is added with weight 1.
/// Cost O(count^2 x in-degree).
void add_coalition(org::Organization& organization, const std::vector<AgentId>& champions);

/// `count` connectors of MODEL.md 4, each a pair i <- j and j <- i with its own
/// trust ~ Beta(trust_a, trust_b): i and j drawn uniformly and redrawn while
/// they share a department or a tie already joins them in either direction
/// (organization, coalition or an earlier connector), so exactly 2 x count
/// ties are added.
/// Throws InputError if the organization has a single department or fewer
/// than `count` such pairs.
void add_bridges(org::Organization& organization, std::uint32_t count, double trust_a, double trust_b,
                 std::uint64_t key);

/// How a trial's setup may depart from its scenario (for `recommend`): the
/// change agents given instead of chosen by the scenario's rule, and an agent
/// who left the organization before the change starts.
struct TrialVariant {
  const std::vector<AgentId>* champions = nullptr;  ///< ids in the organization as given; null: the rule's
  std::optional<AgentId> without;                   ///< removed after the traits are drawn, so the others keep theirs
};

/// Builds the setup of trial `trial` of a scenario on `base` (the trial's
/// organization). With exposure.definition = "structural_equivalence" the
/// setup's network is then org::structural_equivalence_network of the
/// organization with its coalition and connectors (champions are chosen on
/// the listens-to network before).
/// @param variant given champions or a departure; the default is the scenario as written
/// @throws InputError for champions or a mandate the organization cannot have, or
///   structural equivalence on more than model::kMaxStructuralEquivalenceAgents agents
TrialSetup prepare_trial(const model::ScenarioSpec& spec, std::uint64_t seed, TrialIndex trial,
                         const org::Organization& base, const TrialVariant& variant = {});

/// Stream keys of MODEL.md 7: the organization and initial state come from
/// (seed, trial); dynamics from (seed, scenario, trial).
std::uint64_t organization_key(std::uint64_t seed, TrialIndex trial);
std::uint64_t dynamics_key(std::uint64_t seed, const std::string& scenario, TrialIndex trial);

/// The state of a running trial at the end of step `time`: what recorders
/// read. The step's caches and scratch (signals, what agents hear, the
/// arrays of the step being computed) belong to the simulation, not here.
struct RunState {
  Step time = 0;
  AgentArrays current;                  ///< agents at the end of step `time`
  std::vector<std::uint8_t> committed;  ///< active champions, committed issuers, agreement's seeds: never leave A
  std::vector<std::uint8_t> champion;   ///< active champions (MODEL.md 3) until burnout; always committed
  std::vector<std::uint8_t> issuer;     ///< issued the mandate (from mandate.start on)
  std::vector<float> pressure;          ///< P_i of the last step (0 for classic rules)
  float resources = 0;                  ///< F of MODEL.md 5: 1 after formalization
  Step formalized_at = -1;              ///< step at which formalization fired, -1 not yet
  std::vector<AgentId> formalized;      ///< agents formalization switched to A (from N or C), at formalized_at
  /// classic rules: adopted in the last step (agreement: in A at its end and not at its start)
  std::vector<AgentId> newly_adopted;
  /// cascade: who converted newly_adopted[k]; agreement: the other party of
  /// the last interaction that moved it into A (MODEL.md 6, 7)
  std::vector<AgentId> converted_by;
};

/// Advances one trial of one scenario. Not thread-safe; one per trial. Run
/// it with run_trial (engine/run.hpp) and recorders, or step by step.
class TrialSimulation {
 public:
  /// Prepares step 1 of the trial `setup` of `spec`; both must outlive the
  /// simulation and stay unchanged while it runs (signals and caches are
  /// derived from them once).
  /// @param dynamics_key the key of the step's stream, dynamics_key(seed, scenario, trial)
  /// @param steps the run's length T (experiment.steps), which bass with
  ///   outside = "linear" needs; 0 = not known
  /// @throws std::invalid_argument for bass.outside = "linear" without steps
  TrialSimulation(const model::ScenarioSpec& spec, const TrialSetup& setup, std::uint64_t dynamics_key, Step steps = 0);
  ~TrialSimulation();
  TrialSimulation(const TrialSimulation&) = delete;
  TrialSimulation& operator=(const TrialSimulation&) = delete;

  /// One step t -> t+1: the rule's phases in order (MODEL.md 5 / 6).
  void step();
  const RunState& state() const noexcept { return state_; }
  const TrialSetup& setup() const noexcept { return setup_; }
  const model::ScenarioSpec& spec() const noexcept { return spec_; }
  /// Mandate intensity mu(t) of MODEL.md 4.
  double mandate_intensity(Step t) const noexcept;
  /// The outside influence p(t) of bass at step t (docs/model.md, "bass").
  double outside_influence(Step t) const noexcept;

 private:
  struct Impl;
  const model::ScenarioSpec& spec_;
  const TrialSetup& setup_;
  RunState state_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace groundswell::engine
