// The self-determination rule `sdt` (MODEL.md 4 and 5). One step reads the
// state at the end of step t-1 (`current`) and writes step t into `next`.
// Mechanisms: Deci and Ryan (2000), Psychological Inquiry 11:227,
// doi:10.1207/S15327965PLI1104_01 (autonomy, competence, relatedness);
// Granovetter (1978), AJS 83:1420 (thresholds); Brehm (1966) reactance.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/detail/parallel.hpp"
#include "engine/detail/rules.hpp"

namespace groundswell::engine::detail {
namespace {

using model::Issuers;

inline float clamp01(float v) { return std::min(1.0f, std::max(0.0f, v)); }

/// sigma((z)/tau) with tau = 0 as the step function (Granovetter).
inline float pull(float z, float tau) {
  if (tau <= 0.0f) return z >= 0.0f ? 1.0f : 0.0f;
  return 1.0f / (1.0f + std::exp(-z / tau));
}

/// Phase "interventions": at mandate.start the issuers switch to A and are
/// committed from then on (MODEL.md 4).
void issue_mandate(const TrialContext& ctx, RunState& s) {
  const auto& m = ctx.spec.mandate;
  if (m.issuers == Issuers::None || s.time + 1 != m.start) return;
  const auto& o = ctx.setup.organization;
  for (AgentId i = 0; i < o.size(); ++i) {
    const bool issues = m.issuers == Issuers::Top ? i == 0
                                                  : o.is_formal_leader[i] && o.level[i] <= m.levels;
    if (!issues) continue;
    s.issuer[i] = 1;
    s.committed[i] = 1;
    s.current.state[i] = State::A;
  }
}

/// Local quantities of agent i from one pass over its in-edges (MODEL.md 5.1,
/// 5.5-5.7): exposure x, autonomy support u, knowledge k, belonging q.
struct Neighbourhood {
  float exposure, support, knowledge, belonging;
};

struct SdtKernel {
  const TrialContext& ctx;
  RunState& s;
  Step t;       // the step being computed
  float mu;     // mandate intensity at t
  float value[kStateCount];  // v(N), v(C), v(A), v(R)

  /// One pass over i's in-edges: four weighted sums of the listened-to
  /// signals, as one 4-lane vector operation per tie (each lane keeps its
  /// own order of additions, so results do not depend on the hardware).
  Neighbourhood neighbourhood(AgentId i) const {
    using Float4 = float __attribute__((vector_size(16)));
    const auto& net = ctx.setup.organization.network;
    const Signal* signal = s.signal.data();
    // Two accumulators (even and odd ties) halve the chain of dependent additions.
    Float4 even = {0, 0, 0, 0}, odd = {0, 0, 0, 0};
    EdgeIndex e = net.offsets[i];
    const EdgeIndex end = net.offsets[i + 1];
    for (; e + 1 < end; e += 2) {
      Float4 a, b;
      std::memcpy(&a, &signal[net.sources[e]], sizeof a);
      std::memcpy(&b, &signal[net.sources[e + 1]], sizeof b);
      even += net.weights[e] * a;
      odd += net.weights[e + 1] * b;
    }
    if (e < end) {
      Float4 a;
      std::memcpy(&a, &signal[net.sources[e]], sizeof a);
      even += net.weights[e] * a;
    }
    const Float4 acc = even + odd;
    const float inv = ctx.inverse_total_weight[i];
    return {acc[0] * inv, acc[1] * inv, acc[2] * inv, acc[3] * inv};
  }

  /// Phase "publish": what each agent shows its listeners this step.
  void publish(std::size_t begin, std::size_t end) const {
    for (std::size_t k = begin; k < end; ++k) {
      const State sj = s.current.state[k];
      const float adopted = sj == State::A ? 1.0f : 0.0f;
      s.signal[k] = {value[static_cast<int>(sj)], ctx.setup.is_champion[k] ? 1.0f : 0.0f,
                     adopted * s.current.competence[k], adopted};
    }
  }

  /// MODEL.md 4: pressure reaches i when its manager issued the mandate or
  /// went along (C or A) by the start of the step.
  float pressure(AgentId i) const {
    if (mu <= 0.0f) return 0.0f;
    const std::int32_t m = ctx.setup.organization.manager[i];
    if (m == kNoManager) return 0.0f;
    const auto mi = static_cast<AgentId>(m);
    const State sm = s.current.state[mi];
    return s.issuer[mi] || sm == State::C || sm == State::A ? mu : 0.0f;
  }

  /// MODEL.md 5.8: competing hazards; the probability of a change is 1 - exp(-H).
  State transition(AgentId i, const Neighbourhood& nb, float P) const {
    const State si = s.current.state[i];
    if (s.committed[i]) return si;
    const auto& p = ctx.spec.sdt;
    const float a = s.current.autonomy[i], c = s.current.competence[i], r = s.current.relatedness[i];
    const float theta = ctx.setup.threshold[i];
    const auto tau = static_cast<float>(p.tau);
    const float motivation = static_cast<float>(p.w_a) * a + static_cast<float>(p.w_c) * c + static_cast<float>(p.w_r) * r;
    float h[kStateCount] = {0, 0, 0, 0};  // hazard to N, C, A, R
    switch (si) {
      case State::N: {
        const float S = pull(nb.exposure - theta, tau);
        const float S_neg = pull(-nb.exposure - theta, tau);
        h[2] = static_cast<float>(p.beta0 + p.beta_s * S) * motivation;
        h[1] = static_cast<float>(p.beta_p) * P;
        h[3] = static_cast<float>(p.rho_p) * P * (1 - a) + static_cast<float>(p.rho_s) * S_neg;
        break;
      }
      case State::C:
        h[2] = static_cast<float>(p.kappa_i) * c * a;
        h[0] = static_cast<float>(p.lambda_l) * std::max(0.0f, 1 - P) * (1 - motivation);
        break;
      case State::A:
        h[0] = static_cast<float>(p.lambda_a) * (1 - motivation);
        break;
      case State::R:
        h[0] = static_cast<float>(p.lambda_r) * pull(nb.exposure - theta, tau) * r;
        break;
    }
    const float H = h[0] + h[1] + h[2] + h[3];
    if (H <= 0.0f) return si;
    const auto bits = ctx.rng.bits(static_cast<std::uint32_t>(t), i);
    if (to_unit(bits[0]) >= 1.0 - std::exp(-static_cast<double>(H))) return si;
    float pick = static_cast<float>(to_unit(bits[1])) * H;
    for (int k = 0; k < kStateCount; ++k) {
      if (h[k] <= 0.0f) continue;
      if (pick < h[k]) return static_cast<State>(k);
      pick -= h[k];
    }
    for (int k = kStateCount - 1; k >= 0; --k)  // rounding: the last state with a hazard
      if (h[k] > 0.0f) return static_cast<State>(k);
    return si;
  }

  /// MODEL.md 5.9: needs grow with support, coaching and belonging and are
  /// eroded by pressure ("you must", "you were doing it wrong", blame).
  void traits(AgentId i, const Neighbourhood& nb, float P) const {
    const auto& p = ctx.spec.sdt;
    const float a = s.current.autonomy[i], c = s.current.competence[i], r = s.current.relatedness[i];
    const State si = s.current.state[i];
    const float practising = si == State::A || si == State::C ? static_cast<float>(p.practice) : 0.0f;
    const float learning = nb.knowledge + static_cast<float>(p.resources) * s.resources + practising;
    s.next.autonomy[i] = clamp01(a + static_cast<float>(p.eta_a) * (nb.support * (1 - a) - static_cast<float>(p.zeta_a) * P * a));
    s.next.competence[i] = clamp01(c + static_cast<float>(p.eta_c) * (learning * (1 - c) - static_cast<float>(p.zeta_c) * P * c));
    s.next.relatedness[i] = clamp01(r + static_cast<float>(p.eta_r) * (nb.belonging * (1 - r) - static_cast<float>(p.zeta_r) * P * r));
  }

  /// Phase "agents": the fused pass, one agent at a time.
  void update(std::size_t begin, std::size_t end) const {
    for (std::size_t k = begin; k < end; ++k) {
      const auto i = static_cast<AgentId>(k);
      const Neighbourhood nb = neighbourhood(i);
      const float P = pressure(i);
      s.pressure[i] = P;
      s.next.state[i] = transition(i, nb, P);
      traits(i, nb, P);
    }
  }
};

/// Phase "formalization" (MODEL.md 4): at the end of the first step where the
/// adopted share reaches formalize_at, formal leaders not resisting adopt
/// (uncommitted) and resources flow from the next step on.
void formalize(const TrialContext& ctx, RunState& s) {
  if (!ctx.spec.formalize_at || s.formalized_at >= 0) return;
  const auto& o = ctx.setup.organization;
  std::size_t adopted = 0;
  for (State st : s.current.state) adopted += st == State::A || st == State::C;
  if (static_cast<double>(adopted) < *ctx.spec.formalize_at * o.size()) return;
  s.formalized_at = s.time;
  for (AgentId i = 0; i < o.size(); ++i)
    if (o.is_formal_leader[i] && s.current.state[i] != State::R) s.current.state[i] = State::A;
}

}  // namespace

double mandate_intensity(const model::MandateSpec& m, Step t) {
  if (m.issuers == Issuers::None || t < m.start) return 0.0;
  if (std::isinf(m.half_life)) return m.intensity;
  return m.intensity * std::exp2(-static_cast<double>(t - m.start) / m.half_life);
}

void sdt_start(const TrialContext& ctx, RunState& s) {
  const AgentId n = ctx.setup.organization.size();
  s.committed.assign(ctx.setup.is_champion.begin(), ctx.setup.is_champion.end());
  s.issuer.assign(n, 0);
  s.pressure.assign(n, 0.0f);
  s.signal.assign(n, Signal{});
}

void sdt_step(const TrialContext& ctx, RunState& s) {
  const Step t = s.time + 1;
  if (s.formalized_at >= 0) s.resources = 1.0f;  // F = 1 from the step after formalization
  issue_mandate(ctx, s);
  const auto& p = ctx.spec.sdt;
  const SdtKernel kernel{ctx, s, t, static_cast<float>(mandate_intensity(ctx.spec.mandate, t)),
                         {0.0f, static_cast<float>(p.gamma_c), 1.0f, -static_cast<float>(p.gamma_r)}};
  const std::size_t n = ctx.setup.organization.size();
  for_each_agent_block(n, [&](std::size_t b, std::size_t e) { kernel.publish(b, e); });
  for_each_agent_block(n, [&](std::size_t b, std::size_t e) { kernel.update(b, e); });
  std::swap(s.current, s.next);
  s.time = t;
  formalize(ctx, s);
}

}  // namespace groundswell::engine::detail
