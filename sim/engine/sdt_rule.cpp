// The self-determination rule `sdt` (MODEL.md 4 and 5). One step reads the
// state at the end of step t-1 (`current`) and writes step t into `next`.
// Mechanisms: Deci and Ryan (2000), Psychological Inquiry 11:227,
// doi:10.1207/S15327965PLI1104_01 (autonomy, competence, relatedness);
// Granovetter (1978), AJS 83:1420 (thresholds); Brehm (1966) reactance.
#include <algorithm>
#include <atomic>
#include <cmath>

#include "engine/detail/parallel.hpp"
#include "engine/detail/rules.hpp"
#include "engine/detail/sdt_kernel.hpp"
#include "groundswell/engine/isa.hpp"

namespace groundswell::engine::detail {
namespace {

using model::Issuers;

/// Phase "interventions": at mandate.start the issuers are marked; with
/// issuers_adopt they switch to A and are committed from then on, not before
/// (MODEL.md 4), else their state follows MODEL.md 5 like anyone's.
/// Returns whether it changed a state.
bool issue_mandate(const TrialContext& ctx, RunState& s) {
  const auto& m = ctx.spec.mandate;
  if (m.issuers == Issuers::None || s.time + 1 != m.start) return false;
  bool changed = false;
  const auto& o = ctx.setup.organization;
  for (AgentId i = 0; i < o.size(); ++i) {
    const bool issues = m.issuers == Issuers::Top ? i == 0 : o.is_formal_leader[i] && o.level[i] <= m.levels;
    if (!issues) continue;
    s.issuer[i] = 1;
    if (!m.issuers_adopt) continue;
    s.committed[i] = 1;
    changed = changed || s.current.state[i] != State::A;
    s.current.state[i] = State::A;
  }
  return changed;
}

/// Phase "formalization" (MODEL.md 4): at the end of the first step where the
/// adopted share reaches formalize_at, formal leaders not resisting adopt
/// (uncommitted) unless leaders_adopt is false; either way resources flow,
/// and formalization.pressure acts, from the next step on. Returns whether
/// it changed a state.
bool formalize(const TrialContext& ctx, RunState& s) {
  if (!ctx.spec.formalize_at || s.formalized_at >= 0) return false;
  const auto& o = ctx.setup.organization;
  std::size_t adopted = 0;
  for (State st : s.current.state) adopted += st == State::A || st == State::C;
  if (static_cast<double>(adopted) < *ctx.spec.formalize_at * o.size()) return false;
  s.formalized_at = s.time;
  if (!ctx.spec.formalization.leaders_adopt) return false;
  for (AgentId i = 0; i < o.size(); ++i) {
    State& st = s.current.state[i];
    if (!o.is_formal_leader[i] || st == State::R || st == State::A) continue;
    st = State::A;
    s.formalized.push_back(i);  // once per trial; for attribution (MODEL.md 7)
  }
  return !s.formalized.empty();
}

/// The agent pass compiled for `isa` (sim/engine/sdt_kernel_*.cpp).
using AgentPass = void (*)(const SdtStep&, std::size_t, std::size_t);
AgentPass agent_pass(InstructionSet isa) {
  switch (isa) {
    case InstructionSet::avx512:
      return sdt_agents_avx512;
    case InstructionSet::avx2:
      return sdt_agents_avx2;
    case InstructionSet::sse2:
      break;
  }
  return sdt_agents_sse2;
}

}  // namespace

double mandate_intensity(const model::MandateSpec& m, Step t) {
  if (m.issuers == Issuers::None || t < m.start) return 0.0;
  if (std::isinf(m.half_life)) return m.intensity;
  return m.intensity * std::exp2(-static_cast<double>(t - m.start) / m.half_life);
}

void sdt_start(const TrialContext& ctx, RunState& s, Workspace& w) {
  const AgentId n = ctx.setup.organization.size();
  s.committed.assign(ctx.setup.is_champion.begin(), ctx.setup.is_champion.end());
  s.champion.assign(ctx.setup.is_champion.begin(), ctx.setup.is_champion.end());  // active from t = 0
  s.issuer.assign(n, 0);
  s.pressure.assign(n, 0.0f);
  const auto& leader = ctx.setup.organization.is_formal_leader;
  s.formalized.clear();
  s.formalized.reserve(static_cast<std::size_t>(std::count(leader.begin(), leader.end(), 1)));  // none in the steps
  w.next = s.current;
  if (large_organization(n)) {
    for (CompactSignals* signals : {&w.compact_signal, &w.next_compact_signal}) {
      signals->code.assign(n, 0);
      signals->knowledge.assign(static_cast<std::size_t>(n) + 1, 0.0f);
    }
    for (auto* column : {&w.heard_exposure, &w.heard_support, &w.heard_knowledge, &w.heard_belonging})
      column->assign(n, 0.0f);
  } else {
    w.signal.assign(n, Signal{});
    w.next_signal.assign(n, Signal{});
  }
  w.signals_stale = true;
}

void sdt_step(const TrialContext& ctx, RunState& s, Workspace& w) {
  const Step t = s.time + 1;
  if (s.formalized_at >= 0) s.resources = 1.0f;  // F = 1 from the step after formalization
  if (issue_mandate(ctx, s)) w.signals_stale = true;
  const auto& p = ctx.spec.sdt;
  const SdtStep step{ctx,
                     s,
                     w,
                     t,
                     static_cast<float>(mandate_intensity(ctx.spec.mandate, t)),
                     s.formalized_at >= 0 ? static_cast<float>(ctx.spec.formalization.pressure) : 0.0f,
                     {0.0f, static_cast<float>(p.gamma_c), 1.0f, -static_cast<float>(p.gamma_r)},
                     SdtRates(p)};
  const auto agents = agent_pass(instruction_set());
  const std::size_t n = ctx.setup.organization.size();
  const bool large = large_organization(n);
  // The agent pass publishes the signals of the next step; a pass of its
  // own only at the start and after a mandate or formalization changed states.
  if (w.signals_stale) {
    if (large)
      for_each_agent_block(n, [&](std::size_t b, std::size_t e) { step.publish<true>(b, e); });
    else
      for_each_agent_block(n, [&](std::size_t b, std::size_t e) { step.publish<false>(b, e); });
    w.signals_stale = false;
  }
  if (large) {
    // Large organizations listen in a pass of their own: a pass that does
    // nothing but gather keeps many memory accesses in flight at once.
    const HeardColumns heard{w.heard_exposure.data(), w.heard_support.data(), w.heard_knowledge.data(),
                             w.heard_belonging.data()};
    // knowledge[j] is 0 for every source j not in A. While few ties come
    // from sources in A, listen reads it only for those (after the code
    // says so); once many do, always, beside the code and without the wait:
    // the same sums. The share is sampled (the first tie of every 64th
    // agent) in the step before; measured on 1e6 agents, the two are equal at 5-8%, and
    // reading always is 14% faster at 15-35% and 20% slower at 1%.
    constexpr double kManyAdopterTies = 0.1;
    std::atomic<std::size_t> first_ties_adopted{0};
    if (w.adopter_tie_share > kManyAdopterTies)
      for_each_agent_block(n, [&](std::size_t b, std::size_t e) {
        first_ties_adopted += step.listen<true, true>(b, e - b, heard.at(b));
      });
    else
      for_each_agent_block(n, [&](std::size_t b, std::size_t e) {
        first_ties_adopted += step.listen<true, false>(b, e - b, heard.at(b));
      });
    const std::size_t sampled = (n + SdtStep::kSampleEvery - 1) / SdtStep::kSampleEvery;
    w.adopter_tie_share = static_cast<double>(first_ties_adopted.load()) / static_cast<double>(sampled);
  }
  for_each_agent_block(n, [&](std::size_t b, std::size_t e) { agents(step, b, e); });
  std::swap(s.current, w.next);
  std::swap(w.signal, w.next_signal);
  std::swap(w.compact_signal, w.next_compact_signal);
  s.time = t;
  if (formalize(ctx, s)) w.signals_stale = true;
}

}  // namespace groundswell::engine::detail
