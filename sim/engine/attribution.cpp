// Attribution (MODEL.md 7): who and what caused each entry into A. The
// recorder reads the run state after each step and the states it kept from
// the step before; the causes follow from the hazards of that step. It draws
// no random number, so a trial is the same with or without it.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "groundswell/engine/recorder.hpp"

namespace groundswell::engine {

const char* to_string(Cause cause) {
  switch (cause) {
    case Cause::Seeded:
      return "seeded";
    case Cause::Issuer:
      return "issuer";
    case Cause::Formalized:
      return "formalized";
    case Cause::Spontaneous:
      return "spontaneous";
    case Cause::Peer:
      return "peer";
    case Cause::Internalized:
      return "internalized";
  }
  return "?";
}

const char* to_string(Role role) {
  switch (role) {
    case Role::Others:
      return "others";
    case Role::FormalLeader:
      return "formal_leaders";
    case Role::Champion:
      return "champions";
  }
  return "?";
}

void TrialAttribution::resize(Step steps_, AgentId agents) {
  steps = steps_;
  const auto len = static_cast<std::size_t>(steps) + 1;
  for (auto& e : entries) e.assign(len, 0.0f);
  entries_complying.assign(len, 0.0f);
  for (auto& c : credit) c.assign(len, 0.0f);
  credit_by_agent.assign(agents, 0.0f);
  agent_role.assign(agents, 0);
}

void AttributionRecorder::begin(const TrialSimulation& trial, Step steps) {
  const TrialSetup& setup = trial.setup();
  const AgentId n = setup.organization.size();
  out_.resize(steps, per_agent_ ? n : 0);
  before_.assign(n, State::N);
  formalized_.assign(n, 0);
  agent_credit_.assign(per_agent_ ? n : 0, 0.0);
  role_.resize(n);
  for (AgentId i = 0; i < n; ++i)
    role_[i] = static_cast<std::int8_t>(setup.is_champion[i]                     ? Role::Champion
                                        : setup.organization.is_formal_leader[i] ? Role::FormalLeader
                                                                                 : Role::Others);
  if (per_agent_) out_.agent_role.assign(role_.begin(), role_.end());
  recorded_ = -1;
}

void AttributionRecorder::credit(AgentId j, double amount, std::size_t) {
  credit_[static_cast<std::size_t>(static_cast<std::uint8_t>(role_[j]))] += amount;
  if (per_agent_) {
    agent_credit_[j] += amount;
    out_.credit_by_agent[j] = static_cast<float>(agent_credit_[j]);
  }
}

/// An N -> A entry of agent i. Its hazard (beta0 + beta_s S_i) m_i (sdt) or
/// p(t) + q x_i (bass) splits it into a spontaneous part and a peer part f_i;
/// threshold entries are all peer. The peer part goes to the people i
/// listens to with a positive value v(s_j) at the start of the step, in
/// proportion to w_ij v(s_j). Someone who heard nobody positive entered on
/// the tail of the pull alone: nobody can be credited, so it is spontaneous.
void AttributionRecorder::peer_entry(const TrialSimulation& trial, AgentId i, std::size_t row) {
  const model::ScenarioSpec& spec = trial.spec();
  const auto& net = trial.setup().organization.network;
  const bool sdt = spec.rule == model::Rule::Sdt;
  auto value = [&](State st) {  // v(s) of MODEL.md 5.1; classic rules: adopted or not
    switch (st) {
      case State::A:
        return 1.0;
      case State::C:
        return sdt ? spec.sdt.gamma_c : 0.0;
      case State::R:
        return sdt ? -spec.sdt.gamma_r : 0.0;
      case State::N:
        return 0.0;
    }
    return 0.0;
  };
  double total_weight = 0, exposure = 0, positive = 0;
  for (EdgeIndex e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
    const double w = net.weights[e], v = value(before_[net.sources[e]]);
    total_weight += w;
    exposure += w * v;
    if (v > 0) positive += w * v;
  }
  auto& entries = entries_;
  if (positive <= 0) {
    entries[static_cast<int>(Cause::Spontaneous)] += 1.0;
    return;
  }
  const double x = exposure / total_weight;
  double peer = 1.0;  // threshold
  if (sdt) {
    const auto& p = spec.sdt;
    const double theta = trial.setup().threshold[i];
    // The step function (tau = 0) as the kernel decides it in float32: a share
    // equal to the threshold up to float resolution (2 of 5 against 0.4)
    // reaches it, as in exact arithmetic (and the rule threshold, MODEL.md 6).
    constexpr double kFloatResolution = 1e-6;
    const double S =
        p.tau > 0 ? 1.0 / (1.0 + std::exp(-(x - theta) / p.tau)) : (x >= theta - kFloatResolution ? 1.0 : 0.0);
    const double hazard = p.beta0 + p.beta_s * S;
    peer = hazard > 0 ? p.beta_s * S / hazard : 0.0;
  } else if (spec.rule == model::Rule::Bass) {
    const double hazard = trial.outside_influence(trial.state().time) + spec.bass.q * x;
    peer = hazard > 0 ? spec.bass.q * x / hazard : 0.0;
  }
  entries[static_cast<int>(Cause::Spontaneous)] += 1.0 - peer;
  entries[static_cast<int>(Cause::Peer)] += peer;
  if (peer <= 0) return;
  for (EdgeIndex e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
    const AgentId j = net.sources[e];
    const double v = value(before_[j]);
    if (v > 0) credit(j, peer * net.weights[e] * v / positive, row);
  }
}

void AttributionRecorder::record(const TrialSimulation& trial) {
  const RunState& s = trial.state();
  const model::ScenarioSpec& spec = trial.spec();
  const auto row = static_cast<std::size_t>(s.time);
  const State* now = s.current.state.data();
  const auto n = static_cast<AgentId>(before_.size());
  // Sums of the step in double, stored once: the causes add up to the entries exactly.
  entries_.fill(0.0);
  credit_.fill(0.0);
  double complying = 0;
  auto count = [&](Cause c) { entries_[static_cast<int>(c)] += 1.0; };
  // Bass, threshold and cascade only move N -> A, and only the step's
  // adopters (bass and threshold list them ascending, as the pass over the
  // agents meets them): the same sums in the same order from that list.
  const bool only_adopt =
      spec.rule == model::Rule::Bass || spec.rule == model::Rule::Threshold || spec.rule == model::Rule::Cascade;
  const bool from_adopters = only_adopt && row > 0 && recorded_ >= 0 && s.time == recorded_ + 1;
  recorded_ = s.time;
  if (from_adopters) {
    if (spec.rule == model::Rule::Cascade)
      for (std::size_t k = 0; k < s.newly_adopted.size(); ++k) {
        count(Cause::Peer);
        credit(s.converted_by[k], 1.0, row);
      }
    else
      for (AgentId i : s.newly_adopted) peer_entry(trial, i, row);
    for (AgentId i : s.newly_adopted) before_[i] = State::A;
  } else if (row > 0) {
    // The states the step was computed from: issuers switch to A at the
    // start of step mandate.start, before anything else (MODEL.md 4).
    const auto& m = spec.mandate;
    if (spec.rule == model::Rule::Sdt && m.issuers != model::Issuers::None && m.issuers_adopt && s.time == m.start)
      for (AgentId i = 0; i < n; ++i)
        if (s.issuer[i] && before_[i] != State::A) {
          count(Cause::Issuer);
          before_[i] = State::A;
        }
    const bool formalized_now = s.formalized_at == s.time;
    if (formalized_now)
      for (AgentId i : s.formalized) formalized_[i] = 1;
    // cascade and agreement name who converted each entry (RunState::converted_by)
    const bool converted = spec.rule == model::Rule::Cascade || spec.rule == model::Rule::Agreement;
    // Only agents whose state changed count, and most keep theirs over a
    // step: eight states are compared at once and skipped when all are equal.
    constexpr AgentId kWord = sizeof(std::uint64_t);
    for (AgentId i = 0; i < n;) {
      if (i + kWord <= n && std::memcmp(now + i, before_.data() + i, kWord) == 0) {
        i += kWord;
        continue;
      }
      for (const AgentId end = std::min(n, i + kWord); i < end; ++i) {
        const State was = before_[i];
        if (now[i] == State::C && was != State::C) complying += 1.0;  // net over the step
        if (now[i] != State::A || was == State::A || converted) continue;
        if (formalized_[i])
          count(Cause::Formalized);
        else if (was == State::C)
          count(Cause::Internalized);
        else if (was == State::N)
          peer_entry(trial, i, row);
        else  // R -> A takes two steps (MODEL.md 5.8)
          throw std::logic_error("attribution: an entry into A from R in one step");
      }
    }
    if (formalized_now)
      for (AgentId i : s.formalized) formalized_[i] = 0;
    // MODEL.md 7: a cascade entry is credited to the agent that converted it;
    // an agreement entry (B or AB at the start of the step, A at its end) to
    // the other party of the last interaction that moved it into A: the
    // speaker whose A the listener took, or the listener who confirmed the
    // speaker's A (docs/model.md, "Interpretations and departures").
    if (converted)
      for (std::size_t k = 0; k < s.newly_adopted.size(); ++k) {
        count(Cause::Peer);
        credit(s.converted_by[k], 1.0, row);
      }
  } else {
    for (AgentId i = 0; i < n; ++i)
      if (now[i] == State::A) count(Cause::Seeded);  // champions, or the seeds of a classic rule
  }
  for (int c = 0; c < kCauseCount; ++c) out_.entries[c][row] = static_cast<float>(entries_[c]);
  for (int r = 0; r < kRoleCount; ++r) out_.credit[r][row] = static_cast<float>(credit_[r]);
  out_.entries_complying[row] = static_cast<float>(complying);
  if (!from_adopters) std::copy(now, now + n, before_.begin());
}

}  // namespace groundswell::engine
