// The self-determination rule `sdt` (MODEL.md 4 and 5). One step reads the
// state at the end of step t-1 (`current`) and writes step t into `next`.
// Mechanisms: Deci and Ryan (2000), Psychological Inquiry 11:227,
// doi:10.1207/S15327965PLI1104_01 (autonomy, competence, relatedness);
// Granovetter (1978), AJS 83:1420 (thresholds); Brehm (1966) reactance.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "engine/detail/parallel.hpp"
#include "engine/detail/rules.hpp"

namespace groundswell::engine::detail {
namespace {

using model::Issuers;

inline float clamp01(float v) { return std::min(1.0f, std::max(0.0f, v)); }

/// 1 - exp(-H) in single precision; a series for small H keeps the relative
/// error below 1e-6 where 1 - expf(-H) would cancel.
inline float change_probability(float H) {
  if (H < 0.01f) return H * (1.0f - H * (0.5f - H * (1.0f / 6.0f)));
  return 1.0f - std::exp(-H);
}

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

/// The sdt parameters in single precision, converted once per step.
struct SdtRates {
  float tau, w_a, w_c, w_r, beta0, beta_s, beta_p, rho_p, rho_s, kappa_i, lambda_l, lambda_a, lambda_r;
  float eta_a, zeta_a, eta_c, practice, resources, zeta_c, eta_r, zeta_r;
  explicit SdtRates(const model::SdtParams& p)
      : tau(f(p.tau)), w_a(f(p.w_a)), w_c(f(p.w_c)), w_r(f(p.w_r)), beta0(f(p.beta0)), beta_s(f(p.beta_s)),
        beta_p(f(p.beta_p)), rho_p(f(p.rho_p)), rho_s(f(p.rho_s)), kappa_i(f(p.kappa_i)), lambda_l(f(p.lambda_l)),
        lambda_a(f(p.lambda_a)), lambda_r(f(p.lambda_r)), eta_a(f(p.eta_a)), zeta_a(f(p.zeta_a)), eta_c(f(p.eta_c)),
        practice(f(p.practice)), resources(f(p.resources)), zeta_c(f(p.zeta_c)), eta_r(f(p.eta_r)), zeta_r(f(p.zeta_r)) {}
  static float f(double v) { return static_cast<float>(v); }
};

struct SdtKernel {
  const TrialContext& ctx;
  RunState& s;
  Step t;       // the step being computed
  float mu;     // mandate intensity at t
  float value[kStateCount];  // v(N), v(C), v(A), v(R)
  SdtRates rate;

  /// Phase "listen": one pass over every agent's in-edges computing the four
  /// weighted sums x, u, k, q together (MODEL.md 5.1, 5.5-5.7), as one 4-lane
  /// vector operation per tie. Each lane keeps its own order of additions, so
  /// results do not depend on the hardware. This pass does nothing but gather,
  /// so the processor overlaps many agents' memory accesses; on large
  /// organizations the signals do not fit in cache and that is what counts.
  void listen(std::size_t begin, std::size_t end) const {
    using Float4 = float __attribute__((vector_size(16)));
    // lanes (v(s), champion, knowledge, [s = A]) for each code, knowledge filled per tie
    Float4 decode[8];
    for (int code = 0; code < 8; ++code) {
      const int st = code & 3;
      decode[code] = Float4{value[st], code >= 4 ? 1.0f : 0.0f, 0.0f, st == static_cast<int>(State::A) ? 1.0f : 0.0f};
    }
    const auto& net = ctx.setup.organization.network;
    const Signal* signal = s.signal.data();
    const AgentId* source = net.sources.data();
    const float* weight = net.weights.data();
    const EdgeIndex last = net.edge_count();
    constexpr EdgeIndex kAhead = 32;  // ties ahead to prefetch
    auto heard_from = [&](EdgeIndex e) {
      const Signal& sj = signal[source[e]];
      Float4 x = decode[sj.code];
      x[2] = sj.knowledge;
      return weight[e] * x;
    };
    for (std::size_t i = begin; i < end; ++i) {
      // Two accumulators (even and odd ties) halve the chain of dependent additions.
      Float4 even = {0, 0, 0, 0}, odd = {0, 0, 0, 0};
      EdgeIndex e = net.offsets[i];
      const EdgeIndex stop = net.offsets[i + 1];
      for (; e + 1 < stop; e += 2) {
        if (e + kAhead + 1 < last) {
          __builtin_prefetch(&signal[source[e + kAhead]]);
          __builtin_prefetch(&signal[source[e + kAhead + 1]]);
        }
        even += heard_from(e);
        odd += heard_from(e + 1);
      }
      if (e < stop) even += heard_from(e);
      const Float4 sum = (even + odd) * ctx.inverse_total_weight[i];
      std::memcpy(&s.heard[i], &sum, sizeof sum);
    }
  }

  /// Phase "publish": what each agent shows its listeners this step.
  void publish(std::size_t begin, std::size_t end) const {
    for (std::size_t k = begin; k < end; ++k) {
      const State sj = s.current.state[k];
      s.signal[k] = {sj == State::A ? s.current.competence[k] : 0.0f,
                     static_cast<std::uint8_t>(static_cast<int>(sj) + (ctx.setup.is_champion[k] ? 4 : 0))};
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

  /// Two agents share one Philox call: agent i uses lanes 2(i mod 2) and
  /// 2(i mod 2) + 1 of block (t, i / 2), so each agent still has its own numbers.
  struct Draws {
    const CounterStream& rng;
    std::uint32_t step;
    std::uint64_t pair = ~std::uint64_t{0};
    std::array<std::uint32_t, 4> bits{};
    std::pair<double, double> uniforms(AgentId i) {
      if ((i >> 1) != pair) {
        pair = i >> 1;
        bits = rng.bits(step, pair);
      }
      const unsigned lane = (i & 1u) * 2;
      return {to_unit(bits[lane]), to_unit(bits[lane + 1])};
    }
  };

  /// MODEL.md 5.8: competing hazards; the probability of a change is 1 - exp(-H).
  State transition(AgentId i, const Neighbourhood& nb, float P, Draws& draws) const {
    const State si = s.current.state[i];
    if (s.committed[i]) return si;
    const float a = s.current.autonomy[i], c = s.current.competence[i], r = s.current.relatedness[i];
    const float theta = ctx.setup.threshold[i];
    const float tau = rate.tau;
    const float motivation = rate.w_a * a + rate.w_c * c + rate.w_r * r;
    float h[kStateCount] = {0, 0, 0, 0};  // hazard to N, C, A, R
    switch (si) {
      case State::N: {
        const float S = pull(nb.exposure - theta, tau);
        const float S_neg = pull(-nb.exposure - theta, tau);
        h[2] = (rate.beta0 + rate.beta_s * S) * motivation;
        h[1] = rate.beta_p * P;
        h[3] = rate.rho_p * P * (1 - a) + rate.rho_s * S_neg;
        break;
      }
      case State::C:
        h[2] = rate.kappa_i * c * a;
        h[0] = rate.lambda_l * std::max(0.0f, 1 - P) * (1 - motivation);
        break;
      case State::A:
        h[0] = rate.lambda_a * (1 - motivation);
        break;
      case State::R:
        h[0] = rate.lambda_r * pull(nb.exposure - theta, tau) * r;
        break;
    }
    const float H = h[0] + h[1] + h[2] + h[3];
    if (H <= 0.0f) return si;
    const auto [change, which] = draws.uniforms(i);
    if (change >= change_probability(H)) return si;
    float pick = static_cast<float>(which) * H;
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
    const float a = s.current.autonomy[i], c = s.current.competence[i], r = s.current.relatedness[i];
    const State si = s.current.state[i];
    const float practising = si == State::A || si == State::C ? rate.practice : 0.0f;
    const float learning = nb.knowledge + rate.resources * s.resources + practising;
    s.next.autonomy[i] = clamp01(a + rate.eta_a * (nb.support * (1 - a) - rate.zeta_a * P * a));
    s.next.competence[i] = clamp01(c + rate.eta_c * (learning * (1 - c) - rate.zeta_c * P * c));
    s.next.relatedness[i] = clamp01(r + rate.eta_r * (nb.belonging * (1 - r) - rate.zeta_r * P * r));
  }

  /// Phase "agents": the fused pass, one agent at a time.
  void update(std::size_t begin, std::size_t end) const {
    Draws draws{ctx.rng, static_cast<std::uint32_t>(t)};
    for (std::size_t k = begin; k < end; ++k) {
      const auto i = static_cast<AgentId>(k);
      const Heard& heard = s.heard[i];
      const Neighbourhood nb{heard.exposure, heard.support, heard.knowledge, heard.belonging};
      const float P = pressure(i);
      s.pressure[i] = P;
      s.next.state[i] = transition(i, nb, P, draws);
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
  s.heard.assign(n, Heard{});
}

void sdt_step(const TrialContext& ctx, RunState& s) {
  const Step t = s.time + 1;
  if (s.formalized_at >= 0) s.resources = 1.0f;  // F = 1 from the step after formalization
  issue_mandate(ctx, s);
  const auto& p = ctx.spec.sdt;
  const SdtKernel kernel{ctx, s, t, static_cast<float>(mandate_intensity(ctx.spec.mandate, t)),
                         {0.0f, static_cast<float>(p.gamma_c), 1.0f, -static_cast<float>(p.gamma_r)},
                         SdtRates(p)};
  const std::size_t n = ctx.setup.organization.size();
  for_each_agent_block(n, [&](std::size_t b, std::size_t e) { kernel.publish(b, e); });
  for_each_agent_block(n, [&](std::size_t b, std::size_t e) { kernel.listen(b, e); });
  for_each_agent_block(n, [&](std::size_t b, std::size_t e) { kernel.update(b, e); });
  std::swap(s.current, s.next);
  s.time = t;
  formalize(ctx, s);
}

}  // namespace groundswell::engine::detail
