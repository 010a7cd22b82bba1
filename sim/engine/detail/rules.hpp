#pragma once
// The step of each rule, as phases over the run state (MODEL.md 5 and 6).
#include <cstddef>
#include <cstdint>
#include <vector>

#include "groundswell/engine/trial.hpp"
#include "groundswell/random.hpp"

namespace groundswell::engine::detail {

/// Read-only data of a running trial, derived once from the setup.
struct TrialContext {
  const model::ScenarioSpec& spec;
  const TrialSetup& setup;
  CounterStream rng;
  Step steps;                                        ///< the run's length T; 0 = not known
  std::vector<float> inverse_total_weight;           ///< 1 / W_i, 0 when i listens to nobody
  org::InfluenceNetwork transposed;                  ///< classic rules: the transpose, unless the network is symmetric
  const org::InfluenceNetwork* listeners = nullptr;  ///< classic rules: who listens to j (transposed or the network)
};

/// What agent j shows the agents that listen to it during one step, as the
/// four terms it contributes to x, u, k, q of MODEL.md 5.1, 5.5-5.7: v(s_j),
/// [j champion], c_j [s_j = A] and [s_j = A]. The pass over the ties then
/// does one multiply-add of four lanes per tie.
struct alignas(16) Signal {
  float value, champion, knowledge, adopted;
};

/// The same for organizations whose signals would not fit in cache, in two
/// columns: a code per agent (state + 4 x champion), from which v(s_j),
/// [j champion] and [s_j = A] follow, and c_j, read only for agents in A.
/// The codes take one byte an agent, so the column every tie reads stays in
/// cache for organizations eight times larger; knowledge[N] is 0 and stands
/// for every agent not in A, whose knowledge term is 0.
struct CompactSignals {
  std::vector<std::uint8_t> code;
  std::vector<float> knowledge;  ///< N + 1 entries
};

/// The weighted means agents hear, x, u, k, q of MODEL.md 5, as one column
/// each (agent k of a range at [k]), so that the passes after listen load
/// them as whole vectors of agents.
struct HeardColumns {
  float* exposure;
  float* support;
  float* knowledge;
  float* belonging;
  HeardColumns at(std::size_t k) const { return {exposure + k, support + k, knowledge + k, belonging + k}; }
};

/// One slot of a speaker's alias table (Walker 1977; Vose 1991): slot k is
/// kept with probability `keep`, else it stands for the listener in slot `alias`.
struct AliasSlot {
  float keep;
  std::uint32_t alias;
};

/// The step's caches and scratch, sized once per trial by the rule's start:
/// derived from the run state, never read by recorders.
struct Workspace {
  AgentArrays next;                    ///< sdt: the step being computed (swapped with the state's)
  std::vector<Signal> signal;          ///< sdt: each agent's signal, what listen reads in a step
  CompactSignals compact_signal;       ///< sdt, large organizations: the same, compact (one of the two is used)
  std::vector<Signal> next_signal;     ///< sdt: the signals of the step being computed (swapped with `signal`)
  CompactSignals next_compact_signal;  ///< sdt, large organizations: the same, compact
  bool signals_stale = true;           ///< sdt: states changed since the signals were published
  double adopter_tie_share = 0;        ///< sdt, large organizations: share of ties from A, sampled last step
  /// sdt, large organizations: x, u, k, q this step, a column each (small ones keep them per chunk)
  std::vector<float> heard_exposure, heard_support, heard_knowledge, heard_belonging;
  std::vector<float> adopted_weight;  ///< classic rules: sum of w_ij over adopted j, kept incrementally
  std::vector<AgentId> adopters;      ///< classic rules: this step's adopters (keeps its capacity)
  /// threshold: a bit per agent whose exposure changed in the last step, the
  /// only agents that can adopt next once every agent was checked (`checked_all`)
  std::vector<std::uint64_t> changed;
  bool checked_all = false;
  std::vector<AgentId> converters;  ///< cascade, agreement: who converted each of them
  /// agreement: speaker j's alias table over its listeners is
  /// alias[alias_offset[j] .. alias_offset[j + 1]), empty when all their weights are equal
  std::vector<EdgeIndex> alias_offset;
  std::vector<AliasSlot> alias;          ///< agreement: the alias tables, one slot per listener
  std::vector<State> step_start;         ///< agreement: the states at the start of the step
  std::vector<AgentId> moved_into_a_by;  ///< agreement: who last moved each agent into A this step
};

/// 1 / W_i for every agent i, W_i the sum of its in-tie weights (in
/// double); 0 for an agent who listens to nobody (TrialContext).
std::vector<float> inverse_total_weights(const org::InfluenceNetwork& net);

void sdt_start(const TrialContext& ctx, RunState& state, Workspace& work);
void sdt_step(const TrialContext& ctx, RunState& state, Workspace& work);
double mandate_intensity(const model::MandateSpec& mandate, Step t);

/// p(t) of bass at step t of a run of `steps` steps (docs/model.md, "bass").
double bass_outside_influence(const model::BassParams& bass, Step t, Step steps);

void classic_start(const TrialContext& ctx, RunState& state, Workspace& work);
void bass_step(const TrialContext& ctx, RunState& state, Workspace& work);
void threshold_step(const TrialContext& ctx, RunState& state, Workspace& work);
void cascade_step(const TrialContext& ctx, RunState& state, Workspace& work);

void agreement_start(const TrialContext& ctx, RunState& state, Workspace& work);
void agreement_step(const TrialContext& ctx, RunState& state, Workspace& work);

}  // namespace groundswell::engine::detail
