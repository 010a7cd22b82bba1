#pragma once
// The agent pass of the sdt rule (MODEL.md 5), written once for L lanes and
// compiled for each instruction set by sim/engine/sdt_kernel_*.cpp (isa.hpp
// chooses one at run time). Every function is always inlined into those
// entries, so each entry is compiled whole for its instruction set and no
// wider instruction leaks into code that the other paths share.
// Mechanisms: Deci and Ryan (2000), Psychological Inquiry 11:227,
// doi:10.1207/S15327965PLI1104_01 (autonomy, competence, relatedness);
// Granovetter (1978), AJS 83:1420 (thresholds); Brehm (1966) reactance.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "engine/detail/lanes.hpp"
#include "engine/detail/philox_lanes.hpp"
#include "engine/detail/rules.hpp"

namespace groundswell::engine::detail {

/// The sdt parameters in single precision, converted once per step.
struct SdtRates {
  float tau, w_a, w_c, w_r, beta0, beta_s, beta_p, rho_p, rho_s, kappa_i, lambda_l, lambda_a, lambda_r;
  float eta_a, zeta_a, eta_c, practice, resources, zeta_c, eta_r, zeta_r, lambda_b;
  explicit SdtRates(const model::SdtParams& p)
      : tau(f(p.tau)),
        w_a(f(p.w_a)),
        w_c(f(p.w_c)),
        w_r(f(p.w_r)),
        beta0(f(p.beta0)),
        beta_s(f(p.beta_s)),
        beta_p(f(p.beta_p)),
        rho_p(f(p.rho_p)),
        rho_s(f(p.rho_s)),
        kappa_i(f(p.kappa_i)),
        lambda_l(f(p.lambda_l)),
        lambda_a(f(p.lambda_a)),
        lambda_r(f(p.lambda_r)),
        eta_a(f(p.eta_a)),
        zeta_a(f(p.zeta_a)),
        eta_c(f(p.eta_c)),
        practice(f(p.practice)),
        resources(f(p.resources)),
        zeta_c(f(p.zeta_c)),
        eta_r(f(p.eta_r)),
        zeta_r(f(p.zeta_r)),
        lambda_b(f(p.lambda_b)) {}
  static float f(double v) { return static_cast<float>(v); }
};

// States as integers for the branch-free passes; committed agents have no
// hazards, active champions only burnout (MODEL.md 5.8).
constexpr int kN = static_cast<int>(State::N), kC = static_cast<int>(State::C), kA = static_cast<int>(State::A),
              kR = static_cast<int>(State::R), kCommitted = kStateCount, kChampion = kStateCount + 1;

/// Signals up to this many bytes are taken to stay in cache (the L2 of one
/// core); beyond, the organization is "large" (compact signals, prefetching).
/// Measured on this project's machine (2 MB of L2 a core): the large path is
/// faster from about 130,000 agents (2 MB of signals) on, the small one below.
constexpr std::size_t kSignalsInCache = std::size_t{2} << 20;
inline bool large_organization(std::size_t n) { return n * sizeof(Signal) > kSignalsInCache; }

/// 1 - exp(-H) in single precision, L at a time; a series for small H keeps
/// the relative error below 1e-6 where 1 - e^-H would cancel. 0 for H = 0.
/// Most agents' hazards are small in most steps, so a group of L whose
/// lanes all take the series skips the exponential (the same lanes either way).
template <std::size_t L>
[[gnu::always_inline]] inline FloatV<L> change_probability(FloatV<L> H) {
  const FloatV<L> series = H * (splat<L>(1.0f) - H * (splat<L>(0.5f) - H * splat<L>(1.0f / 6.0f)));
  const IntV<L> small = H < splat<L>(0.01f);
  if (!any<L>(~small)) return series;
  return small ? series : splat<L>(1.0f) - exp_lanes<L>(-H);
}

/// What one step of the agent pass reads and writes, built once per step,
/// and the passes that do not depend on the lane count: publish, listen,
/// pressure (four-lane signals, one agent at a time).
struct SdtStep {
  const TrialContext& ctx;
  RunState& s;
  Workspace& w;
  Step t;                    // the step being computed
  float mu;                  // mandate intensity at t
  float formal_pressure;     // formalization.pressure from the step after formalization, else 0
  float value[kStateCount];  // v(N), v(C), v(A), v(R)
  SdtRates rate;

  /// Phase "listen": one pass over every agent's in-edges computing the four
  /// weighted sums x, u, k, q together (MODEL.md 5.1, 5.5-5.7), as one 4-lane
  /// multiply-add per tie. Each lane keeps its own order of additions, so
  /// results do not depend on the hardware. This pass does nothing but gather,
  /// so the processor overlaps many agents' memory accesses. On large
  /// organizations (kLarge) the signals do not fit in cache and that is what
  /// counts: there each tie reads a one-byte code (decoded per tie), and the
  /// knowledge of its source only if the source is in A (kManyAdopters:
  /// always, beside the code, since it is 0 for the others); the codes of
  /// ties ahead are prefetched. All give the same sums. Returns, for large
  /// organizations, how many agents i = 0 mod kSampleEvery have a first tie
  /// from a source in A.
  static constexpr std::size_t kSampleEvery = 64;
  template <bool kLarge, bool kManyAdopters = false>
  [[gnu::always_inline]] inline std::size_t listen(std::size_t first, std::size_t count, HeardColumns heard) const {
    static_assert(sizeof(Signal) == sizeof(Float4));
    const std::array<Float4, 8> decode = decode_table();  // knowledge filled per tie
    const auto& net = ctx.setup.organization.network;
    const Signal* signal = w.signal.data();
    const std::uint8_t* code = w.compact_signal.code.data();
    const float* knowledge = w.compact_signal.knowledge.data();
    const auto nobody = static_cast<AgentId>(w.compact_signal.code.size());  // knowledge[nobody] = 0
    const AgentId* source = net.sources.data();
    const float* weight = net.weights.data();
    const EdgeIndex last = net.edge_count();
    constexpr EdgeIndex kAhead = 64;  // ties ahead to prefetch
    std::size_t sampled_adopted = 0;  // of every 64th agent's first tie (not in the loop over ties)
    if constexpr (kLarge)
      for (std::size_t i = (first + kSampleEvery - 1) / kSampleEvery * kSampleEvery; i < first + count;
           i += kSampleEvery)
        if (net.offsets[i] < net.offsets[i + 1]) sampled_adopted += (code[source[net.offsets[i]]] & 3) == kA;
    auto heard_from = [&](EdgeIndex e) __attribute__((always_inline)) {
      Float4 x;
      if constexpr (kLarge) {
        const AgentId j = source[e];
        const std::uint8_t c = code[j];
        x = decode[c];
        x[2] = knowledge[kManyAdopters || (c & 3) == kA ? j : nobody];
      } else {
        std::memcpy(&x, &signal[source[e]], sizeof x);
      }
      return weight[e] * x;
    };
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t i = first + k;
      // Two accumulators (even and odd ties) halve the chain of dependent additions.
      Float4 even = {0, 0, 0, 0}, odd = {0, 0, 0, 0};
      EdgeIndex e = net.offsets[i];
      const EdgeIndex stop = net.offsets[i + 1];
      for (; e + 1 < stop; e += 2) {
        if (kLarge && e + kAhead + 1 < last) {
          __builtin_prefetch(&code[source[e + kAhead]]);
          __builtin_prefetch(&code[source[e + kAhead + 1]]);
          if constexpr (kManyAdopters) {
            __builtin_prefetch(&knowledge[source[e + kAhead]]);
            __builtin_prefetch(&knowledge[source[e + kAhead + 1]]);
          }
        }
        even += heard_from(e);
        odd += heard_from(e + 1);
      }
      if (e < stop) even += heard_from(e);
      const Float4 sum = (even + odd) * ctx.inverse_total_weight[i];
      heard.exposure[k] = sum[0];
      heard.support[k] = sum[1];
      heard.knowledge[k] = sum[2];
      heard.belonging[k] = sum[3];
    }
    return sampled_adopted;
  }

  /// The four lanes of each signal code (state + 4 x champion), knowledge 0.
  [[gnu::always_inline]] inline std::array<Float4, 8> decode_table() const {
    std::array<Float4, 8> decode;
    for (int code = 0; code < 8; ++code) {
      const int st = code & 3;
      decode[code] = Float4{value[st], code >= 4 ? 1.0f : 0.0f, 0.0f, st == kA ? 1.0f : 0.0f};
    }
    return decode;
  }

  /// What agent k shows its listeners: its state, whether it is an active
  /// champion (only they give autonomy support, MODEL.md 5.5) and, in A, its
  /// competence. Written into `signal` (small) or `compact` (large).
  template <bool kLarge>
  [[gnu::always_inline]] static inline void publish_agent(const std::array<Float4, 8>& decode, std::size_t k, State sj,
                                                          float competence, bool champion, std::vector<Signal>& signal,
                                                          CompactSignals& compact) {
    const int code = static_cast<int>(sj) + (champion ? 4 : 0);
    const float knowledge = sj == State::A ? competence : 0.0f;
    if constexpr (kLarge) {
      compact.code[k] = static_cast<std::uint8_t>(code);
      compact.knowledge[k] = knowledge;
    } else {
      Float4 x = decode[code];
      x[2] = knowledge;
      std::memcpy(&signal[k], &x, sizeof x);
    }
  }

  /// Phase "publish" of the run state as it stands (the start of a trial,
  /// and after a mandate or formalization changed states between steps):
  /// the signals listen reads. In every other step the agent pass publishes
  /// each agent's next state as it computes it (publish_next).
  template <bool kLarge>
  void publish(std::size_t begin, std::size_t end) const {
    const std::array<Float4, 8> decode = decode_table();
    for (std::size_t k = begin; k < end; ++k)
      publish_agent<kLarge>(decode, k, s.current.state[k], s.current.competence[k], s.champion[k] != 0, w.signal,
                            w.compact_signal);
  }

  /// The signals of the step being computed, agents [first, first + count),
  /// into the buffers the next step's listen reads (swapped at the end of
  /// the step): listen of this step still reads the current ones.
  template <bool kLarge>
  [[gnu::always_inline]] inline void publish_next(const std::array<Float4, 8>& decode, std::size_t first,
                                                  std::size_t count) const {
    for (std::size_t k = first; k < first + count; ++k)
      publish_agent<kLarge>(decode, k, w.next.state[k], w.next.competence[k], s.champion[k] != 0, w.next_signal,
                            w.next_compact_signal);
  }

  /// MODEL.md 4: pressure reaches i when its manager issued the mandate or
  /// went along (C or A) by the start of the step.
  [[gnu::always_inline]] inline float pressure(AgentId i) const {
    if (mu <= 0.0f) return 0.0f;
    const std::int32_t m = ctx.setup.organization.manager[i];
    if (m == kNoManager) return 0.0f;
    const auto mi = static_cast<AgentId>(m);
    const State sm = s.current.state[mi];
    return s.issuer[mi] || sm == State::C || sm == State::A ? mu : 0.0f;
  }
};

/// Phase "agents" with L lanes: pressure, listen, hazards, draws and choices,
/// traits, over agents [begin, end). Defined by sim/engine/sdt_kernel_*.cpp,
/// one per instruction set; `isa.cpp` says which the processor can run.
void sdt_agents_sse2(const SdtStep& step, std::size_t begin, std::size_t end);
void sdt_agents_avx2(const SdtStep& step, std::size_t begin, std::size_t end);
void sdt_agents_avx512(const SdtStep& step, std::size_t begin, std::size_t end);

template <std::size_t L>
struct SdtKernel {
  const SdtStep& step;

  /// Phase "agents", in chunks of agents small enough to stay in the first
  /// level cache. Each chunk goes through passes that do one thing to all of
  /// its agents: pressure, listen, hazards, draws and choices, traits. What a
  /// chunk hears stays in the chunk (no array of it goes through memory). The
  /// hazard and trait passes have no branches (a state selects among values
  /// computed for every state), so the compiler works on L agents per
  /// instruction.
  static constexpr std::size_t kChunk = 64;
  static_assert(kChunk % L == 0);
  static constexpr std::size_t kPhiloxGroup = L == 4 ? 4 : 8;  // Philox blocks per instruction (philox_lanes.hpp)
  struct Chunk {
    float heard[4][kChunk];             // x, u, k, q (HeardColumns)
    float hazard[kStateCount][kChunk];  // to N, C, A, R; kChunk is a multiple of L
    // Philox blocks of four words; a chunk not starting at a multiple of 4
    // spans one more block, and blocks are made kPhiloxGroup at a time
    std::uint32_t words[4 * ((kChunk / 4 + 1 + kPhiloxGroup - 1) / kPhiloxGroup * kPhiloxGroup)];
  };
  using V = FloatV<L>;
  using I = IntV<L>;

  /// `valid` (1..L) bytes at p (states or flags) as integers; the other lanes 0.
  template <std::size_t M>
  [[gnu::always_inline]] static inline I bytes(const void* p, std::size_t valid) {
    typedef std::uint8_t Bytes
        __attribute__((vector_size(M)));  // NOLINT(modernize-use-using): the attribute needs typedef
    Bytes b{};
    if (valid == M)
      std::memcpy(&b, p, M);  // a constant size is one load, a variable one a call to memcpy
    else
      std::memcpy(&b, p, valid);
    return __builtin_convertvector(b, I);
  }

  /// The hazard pass's state of agents i..i+valid-1: kCommitted for committed
  /// agents (no hazards), kChampion for active champions (committed too; only
  /// burnout), else the state. Lanes past `valid` are committed.
  [[gnu::always_inline]] inline I states(std::size_t i, std::size_t valid) const {
    const RunState& s = step.s;
    static_assert(sizeof(State) == 1 && sizeof(s.committed[0]) == 1 && sizeof(s.champion[0]) == 1);
    const I state = bytes<L>(&s.current.state[i], valid), committed = bytes<L>(&s.committed[i], valid),
            champion = bytes<L>(&s.champion[i], valid);
    I st = committed != 0 ? (champion != 0 ? splat_int<L>(kChampion) : splat_int<L>(kCommitted)) : state;
    for (std::size_t l = valid; l < L; ++l) st[l] = kCommitted;
    return st;
  }

  /// MODEL.md 5.8, the hazards of each agent's current state, L agents at a
  /// time (lanes.hpp); committed agents have none. An active champion has
  /// one, burnout lambda_b (1 - q_i), held in the slot "to A" (it stays in A;
  /// choose() ends the role). kSmooth: tau > 0, else the step function.
  template <bool kSmooth>
  [[gnu::always_inline]] inline void hazards(std::size_t first, std::size_t count, HeardColumns heard,
                                             Chunk& chunk) const {
    const RunState& s = step.s;
    const SdtRates& rate = step.rate;
    const V tau = splat<L>(rate.tau);
    auto pull = [tau](V z) __attribute__((always_inline)) {  // sigma(z / tau) of MODEL.md 5.2
      if constexpr (kSmooth)
        return splat<L>(1.0f) / (splat<L>(1.0f) + exp_lanes<L>(-z / tau));
      else {
        static_cast<void>(tau);                                        // used by the smooth pull only
        return z >= splat<L>(0.0f) ? splat<L>(1.0f) : splat<L>(0.0f);  // Granovetter's step
      }
    };
    const V zero = splat<L>(0.0f), one = splat<L>(1.0f);
    for (std::size_t k = 0; k < count; k += L) {
      const std::size_t i = first + k, valid = std::min(L, count - k);
      const V a = load<L>(&s.current.autonomy[i], valid), c = load<L>(&s.current.competence[i], valid),
              r = load<L>(&s.current.relatedness[i], valid), P = load<L>(&s.pressure[i], valid),
              theta = load<L>(&step.ctx.setup.threshold[i], valid);
      const V x = load<L>(heard.exposure + k, valid), q = load<L>(heard.belonging + k, valid);
      const I st = states(i, valid);
      const V motivation = splat<L>(rate.w_a) * a + splat<L>(rate.w_c) * c + splat<L>(rate.w_r) * r;
      const I in_N = st == kN, in_C = st == kC, in_A = st == kA, in_R = st == kR;
      // The pulls matter only in N and R; once most agents have adopted, most
      // groups of L have neither (skipping them changes no lane's result).
      const bool any_pulled = any<L>(in_N | in_R);
      const V S = any_pulled ? pull(x - theta) : zero, S_neg = any_pulled ? pull(-x - theta) : zero;
      const V to_N = in_C   ? splat<L>(rate.lambda_l) * max_lanes<L>(zero, one - P) * (one - motivation)
                     : in_A ? splat<L>(rate.lambda_a) * (one - motivation)
                     : in_R ? splat<L>(rate.lambda_r) * S * r
                            : zero;
      const V to_C = in_N ? splat<L>(rate.beta_p) * P : zero;
      const V to_A = in_N              ? (splat<L>(rate.beta0) + splat<L>(rate.beta_s) * S) * motivation
                     : in_C            ? splat<L>(rate.kappa_i) * c * a
                     : st == kChampion ? splat<L>(rate.lambda_b) * (one - q)  // burnout
                                       : zero;
      const V to_R = in_N ? splat<L>(rate.rho_p) * P * (one - a) + splat<L>(rate.rho_s) * S_neg : zero;
      std::memcpy(&chunk.hazard[0][k], &to_N, sizeof to_N);  // the chunk holds whole groups of L
      std::memcpy(&chunk.hazard[1][k], &to_C, sizeof to_C);
      std::memcpy(&chunk.hazard[2][k], &to_A, sizeof to_A);
      std::memcpy(&chunk.hazard[3][k], &to_R, sizeof to_R);
    }
  }

  /// MODEL.md 5.8: with H the sum of the hazards, the agent changes state with
  /// probability p = 1 - exp(-H), to a state chosen with probability h / H.
  /// One uniform u decides both: a change iff u < p, and then u / p, uniform
  /// on (0, 1) given u < p, picks the state. Agent i uses word i mod 4 of
  /// Philox block (t, i / 4), so each agent has its own number whichever
  /// chunk, thread or lane count computes it. The test u < p runs L agents at
  /// a time; only the few agents that change go on to pick their new state.
  /// An active champion's change is its burnout: it stays in A and, from the
  /// next step, is neither champion nor committed (unless a committed issuer).
  [[gnu::always_inline]] inline void choose(std::size_t first, std::size_t count, Chunk& chunk) const {
    RunState& s = step.s;
    const std::size_t first_block = first / 4;
    const std::size_t blocks = (first + count - 1) / 4 - first_block + 1;
    philox_blocks<kPhiloxGroup>(step.ctx.rng, static_cast<std::uint32_t>(step.t),
                                static_cast<std::uint32_t>(first_block), blocks, chunk.words);
    const std::uint32_t* word = chunk.words + (first - 4 * first_block);  // agent `first`'s word
    for (std::size_t k = 0; k < count; k += L) {
      const std::size_t valid = std::min(L, count - k);
      V h[kStateCount];
      for (int j = 0; j < kStateCount; ++j) std::memcpy(&h[j], &chunk.hazard[j][k], sizeof h[j]);
      const V H = h[0] + h[1] + h[2] + h[3];
      const V p = change_probability<L>(H);
      // The top 24 bits of each agent's word: agents' words are consecutive in the chunk's blocks.
      typedef std::uint32_t Words __attribute__((vector_size(4 * L)));  // NOLINT(modernize-use-using)
      Words words{};
      if (valid == L)
        std::memcpy(&words, word + k, sizeof words);
      else
        std::memcpy(&words, word + k, valid * sizeof(std::uint32_t));
      const I high_bits = reinterpret_cast<I>(words >> 8);
      // (m + 1/2) 2^-24 for m = 0..2^24-1: exact in single precision, inside (0, 1)
      const V u = (__builtin_convertvector(high_bits, V) + splat<L>(0.5f)) * splat<L>(1.0f / 16777216.0f);
      const I change = u < p;
      if (valid == L)  // most agents keep their state
        std::memcpy(&step.w.next.state[first + k], &s.current.state[first + k], L);
      else
        std::memcpy(&step.w.next.state[first + k], &s.current.state[first + k], valid);
      if (!any<L>(change)) continue;
      for (std::size_t l = 0; l < valid; ++l) {
        if (!change[l]) continue;
        const std::size_t i = first + k + l;
        float pick = u[l] / p[l] * H[l];
        int chosen = -1;
        for (int j = 0; j < kStateCount && chosen < 0; ++j) {
          if (h[j][l] <= 0.0f) continue;
          if (pick < h[j][l]) chosen = j;
          pick -= h[j][l];
        }
        for (int j = kStateCount - 1; j >= 0 && chosen < 0; --j)  // rounding: the last state with a hazard
          if (h[j][l] > 0.0f) chosen = j;
        step.w.next.state[i] = static_cast<State>(chosen);
        if (s.champion[i]) {  // burnout; only agent i reads its flags in this pass
          s.champion[i] = 0;
          s.committed[i] = s.issuer[i] && step.ctx.spec.mandate.issuers_adopt;
        }
      }
    }
  }

  /// MODEL.md 5.9: needs grow with support, coaching and belonging and are
  /// eroded by pressure ("you must", "you were doing it wrong", blame).
  [[gnu::always_inline]] inline void traits(std::size_t first, std::size_t count, HeardColumns heard) const {
    const RunState& s = step.s;
    const SdtRates& rate = step.rate;
    AgentArrays& next = step.w.next;
    const V zero = splat<L>(0.0f), one = splat<L>(1.0f);
    const V resourced = splat<L>(rate.resources * s.resources);
    for (std::size_t k = 0; k < count; k += L) {
      const std::size_t i = first + k, valid = std::min(L, count - k);
      const V a = load<L>(&s.current.autonomy[i], valid), c = load<L>(&s.current.competence[i], valid),
              r = load<L>(&s.current.relatedness[i], valid), P = load<L>(&s.pressure[i], valid);
      const V support = load<L>(heard.support + k, valid), knowledge = load<L>(heard.knowledge + k, valid),
              belonging = load<L>(heard.belonging + k, valid);
      const I st = bytes<L>(&s.current.state[i], valid);
      const V practising = st == kA || st == kC ? splat<L>(rate.practice) : zero;
      const V learning = knowledge + resourced + practising;
      store<L>(&next.autonomy[i],
               clamp01<L>(a + splat<L>(rate.eta_a) * (support * (one - a) - splat<L>(rate.zeta_a) * P * a)), valid);
      store<L>(&next.competence[i],
               clamp01<L>(c + splat<L>(rate.eta_c) * (learning * (one - c) - splat<L>(rate.zeta_c) * P * c)), valid);
      store<L>(&next.relatedness[i],
               clamp01<L>(r + splat<L>(rate.eta_r) * (belonging * (one - r) - splat<L>(rate.zeta_r) * P * r)), valid);
    }
  }

  /// Phase "agents": pressure, listen, hazards, choices, traits and the
  /// signals of the next step, chunk by chunk. Large organizations have
  /// listened already (phase "listen").
  template <bool kLarge>
  [[gnu::always_inline]] inline void update(std::size_t begin, std::size_t end) const {
    RunState& s = step.s;
    Chunk chunk;
    const std::array<Float4, 8> decode = step.decode_table();
    for (std::size_t first = begin; first < end; first += kChunk) {
      const std::size_t count = std::min(end - first, kChunk);
      if (step.mu > 0.0f || step.formal_pressure > 0.0f) {
        for (std::size_t i = first; i < first + count; ++i) {
          const float P = step.pressure(static_cast<AgentId>(i));
          // MODEL.md 4: once formal, a "must" for everyone not in A
          s.pressure[i] = s.current.state[i] != State::A ? std::max(P, step.formal_pressure) : P;
        }
      } else {
        std::fill_n(s.pressure.begin() + static_cast<std::ptrdiff_t>(first), count, 0.0f);
      }
      const HeardColumns heard = kLarge ? HeardColumns{step.w.heard_exposure.data(), step.w.heard_support.data(),
                                                       step.w.heard_knowledge.data(), step.w.heard_belonging.data()}
                                              .at(first)
                                        : HeardColumns{chunk.heard[0], chunk.heard[1], chunk.heard[2], chunk.heard[3]};
      if constexpr (!kLarge) step.listen<false>(first, count, heard);
      if (step.rate.tau > 0.0f)
        hazards<true>(first, count, heard, chunk);
      else
        hazards<false>(first, count, heard, chunk);
      choose(first, count, chunk);
      traits(first, count, heard);
      step.publish_next<kLarge>(decode, first, count);
    }
  }

  /// The whole pass over agents [begin, end), small or large organization.
  [[gnu::always_inline]] inline void run(std::size_t begin, std::size_t end) const {
    if (large_organization(step.ctx.setup.organization.size()))
      update<true>(begin, end);
    else
      update<false>(begin, end);
  }
};

}  // namespace groundswell::engine::detail
