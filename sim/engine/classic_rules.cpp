// Classic diffusion rules on the shared engine (MODEL.md 6): states N and A,
// A absorbing. Exposure is kept incrementally: when j adopts, every agent
// that listens to j gains w_ij, so a step costs only the new adopters' ties
// (and threshold checks only the agents those ties reach).
#include <cmath>
#include <utility>

#include "engine/detail/rules.hpp"

namespace groundswell::engine::detail {
namespace {

/// Phase "exposure": the adopters of the last step raise their listeners'
/// adopted weight; with `kMark` each listener reached gets its bit set in `changed`.
template <bool kMark = false>
void spread_exposure(const TrialContext& ctx, const RunState& s, Workspace& w) {
  const auto& out = *ctx.listeners;
  for (AgentId j : s.newly_adopted)
    for (EdgeIndex e = out.offsets[j]; e < out.offsets[j + 1]; ++e) {
      const AgentId i = out.sources[e];
      w.adopted_weight[i] += out.weights[e];
      if constexpr (kMark) w.changed[i >> 6] |= std::uint64_t{1} << (i & 63);
    }
}

/// Phase "adopt": the new adopters of this step become A (synchronous update).
void adopt(RunState& s, const std::vector<AgentId>& adopters) {
  for (AgentId i : adopters) s.current.state[i] = State::A;
}

double exposure(const TrialContext& ctx, const Workspace& w, AgentId i) {
  return static_cast<double>(w.adopted_weight[i]) * ctx.inverse_total_weight[i];
}

/// The end of a step: the adopters decided in w.adopters become A, then spread.
template <bool kMark>
void adopt_and_spread(const TrialContext& ctx, RunState& s, Workspace& w, Step t) {
  adopt(s, w.adopters);
  s.newly_adopted.swap(w.adopters);
  spread_exposure<kMark>(ctx, s, w);
  s.time = t;
}

/// Phase "decide" over every agent in N, then adopt and spread.
template <bool kMark = false, typename Decide>
void classic_step(const TrialContext& ctx, RunState& s, Workspace& w, Decide&& decide) {
  const Step t = s.time + 1;
  auto& adopters = w.adopters;
  adopters.clear();
  const AgentId n = ctx.setup.organization.size();
  for (AgentId i = 0; i < n; ++i)
    if (s.current.state[i] == State::N && decide(i, t)) adopters.push_back(i);
  adopt_and_spread<kMark>(ctx, s, w, t);
}

}  // namespace

void classic_start(const TrialContext& ctx, RunState& s, Workspace& w) {
  const AgentId n = ctx.setup.organization.size();
  w.adopted_weight.assign(n, 0.0f);
  w.changed.assign((static_cast<std::size_t>(n) + 63) / 64, 0);
  w.checked_all = false;
  s.pressure.assign(n, 0.0f);
  s.newly_adopted.clear();
  for (AgentId i = 0; i < n; ++i)
    if (s.current.state[i] == State::A) s.newly_adopted.push_back(i);
  spread_exposure(ctx, s, w);
}

/// The outside influence p(t) of bass at step t = 1..T (docs/model.md, "bass"),
/// in this order of double operations.
double bass_outside_influence(const model::BassParams& b, Step t, Step steps) {
  switch (b.outside) {
    case model::BassOutside::Constant:
      break;
    case model::BassOutside::Linear:
      if (steps <= 1) break;
      return b.p + (b.p_end - b.p) * static_cast<double>(t - 1) / static_cast<double>(steps - 1);
    case model::BassOutside::Piecewise:
      if (b.period_3 > 0 && t >= b.period_3) return b.p_3;
      if (b.period_2 > 0 && t >= b.period_2) return b.p_2;
      break;
  }
  return b.p;
}

/// Bass (1969), Management Science 15:215, doi:10.1287/mnsc.15.5.215:
/// hazard p(t) + q x_i, probability 1 - exp(-(p(t) + q x_i)) per step, for
/// agents in the market potential (everyone when m = 1).
void bass_step(const TrialContext& ctx, RunState& s, Workspace& w) {
  const auto& bass = ctx.spec.bass;
  const double q = bass.q;
  const auto& potential = ctx.setup.in_potential;
  const double p = bass_outside_influence(bass, s.time + 1, ctx.steps);
  classic_step(ctx, s, w, [&](AgentId i, Step t) {
    if (!potential.empty() && !potential[i]) return false;
    const double hazard = p + q * exposure(ctx, w, i);
    return to_unit(ctx.rng.bits(static_cast<std::uint32_t>(t), i)[0]) < 1.0 - std::exp(-hazard);
  });
}

/// Granovetter (1978), AJS 83:1420; Watts (2002), PNAS 99:5766,
/// doi:10.1073/pnas.082090499: adopt iff the adopted share x_i >= theta_i.
/// Thresholds and weights are float32; a share that equals the threshold up
/// to float resolution (e.g. 3/10 against 0.3) counts as reaching it, as in
/// the exact rational arithmetic of the model.
void threshold_step(const TrialContext& ctx, RunState& s, Workspace& w) {
  constexpr double kFloatResolution = 1e-6;
  auto decide = [&](AgentId i, Step) {
    return ctx.inverse_total_weight[i] > 0 &&
           exposure(ctx, w, i) >= static_cast<double>(ctx.setup.threshold[i]) - kFloatResolution;
  };
  if (!w.checked_all) {  // the first step checks everyone (theta near 0 adopts unexposed)
    classic_step<true>(ctx, s, w, decide);
    w.checked_all = true;
    return;
  }
  // The rule is deterministic: an agent whose exposure did not change decides
  // as it did last step, i.e. not to adopt. Those changed are visited in
  // ascending order, so the adopters come out as a full scan lists them.
  const Step t = s.time + 1;
  auto& adopters = w.adopters;
  adopters.clear();
  for (std::size_t k = 0; k < w.changed.size(); ++k)
    for (std::uint64_t bits = std::exchange(w.changed[k], 0); bits != 0; bits &= bits - 1) {
      const auto i = static_cast<AgentId>(k * 64 + static_cast<std::size_t>(__builtin_ctzll(bits)));
      if (s.current.state[i] == State::N && decide(i, t)) adopters.push_back(i);
    }
  adopt_and_spread<true>(ctx, s, w, t);
}

/// Independent cascade, Kempe, Kleinberg and Tardos (2003), KDD,
/// doi:10.1145/956750.956769: each adopter of step t-1 gets one chance to
/// convert each agent that listens to it, with probability w_ij * p.
void cascade_step(const TrialContext& ctx, RunState& s, Workspace& w) {
  const Step t = s.time + 1;
  const auto& out = *ctx.listeners;
  auto& adopters = w.adopters;
  auto& converters = w.converters;
  adopters.clear();
  converters.clear();
  for (AgentId j : s.newly_adopted)
    for (EdgeIndex e = out.offsets[j]; e < out.offsets[j + 1]; ++e) {
      const AgentId i = out.sources[e];
      if (s.current.state[i] != State::N) continue;
      const double chance = static_cast<double>(out.weights[e]) * ctx.spec.cascade.p;
      if (to_unit(ctx.rng.bits(static_cast<std::uint32_t>(t), e)[0]) < chance) {
        s.current.state[i] = State::A;  // marks i so that it is converted once
        adopters.push_back(i);
        converters.push_back(j);
      }
    }
  s.newly_adopted.swap(adopters);
  s.converted_by.swap(converters);
  spread_exposure(ctx, s, w);
  s.time = t;
}

}  // namespace groundswell::engine::detail
