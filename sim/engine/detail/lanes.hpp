#pragma once
// L agents at a time with the compiler's vector extensions (GCC and Clang),
// used by the hazard, choice and trait passes of the sdt rule. Each lane is
// one agent: single-precision operations in a fixed order, lanes never
// combined, so an agent's result does not depend on how many lanes there are
// or which group it falls in. That is what lets one binary run 4 lanes on
// SSE2, 8 on AVX2 and 16 on AVX-512 with the same bits (isa.hpp): every lane
// does the same IEEE operations on every path. The kernels are compiled with
// -ffp-contract=off, since AVX-512 has fused multiply-add and the compiler
// would otherwise fuse a * b + c there and nowhere else.
//
// Every function here is always inlined, so it takes the instruction set of
// the kernel entry it is inlined into (sim/engine/sdt_kernel_*.cpp).
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace groundswell::engine::detail {

template <std::size_t L>
struct Lanes {
  static_assert(L == 4 || L == 8 || L == 16);
  typedef float Float __attribute__((vector_size(4 * L)));  // NOLINT(modernize-use-using): the attribute needs typedef
  typedef std::int32_t Int __attribute__((vector_size(4 * L)));  // NOLINT(modernize-use-using)
};
template <std::size_t L>
using FloatV = typename Lanes<L>::Float;
template <std::size_t L>
using IntV = typename Lanes<L>::Int;
using Float4 = FloatV<4>;
using Int4 = IntV<4>;

template <std::size_t L>
[[gnu::always_inline]] inline FloatV<L> splat(float v) {
  FloatV<L> r = {};
  for (std::size_t l = 0; l < L; ++l) r[l] = v;
  return r;
}

template <std::size_t L>
[[gnu::always_inline]] inline IntV<L> splat_int(std::int32_t v) {
  IntV<L> r = {};
  for (std::size_t l = 0; l < L; ++l) r[l] = v;
  return r;
}

/// The first `valid` (1..L) values at p; the other lanes are 0.
template <std::size_t L>
[[gnu::always_inline]] inline FloatV<L> load(const float* p, std::size_t valid) {
  FloatV<L> v = splat<L>(0.0f);
  if (valid == L) {
    std::memcpy(&v, p, sizeof v);
  } else {
    for (std::size_t l = 0; l < valid; ++l) v[l] = p[l];
  }
  return v;
}

/// Stores the first `valid` (1..L) lanes at p.
template <std::size_t L>
[[gnu::always_inline]] inline void store(float* p, FloatV<L> v, std::size_t valid) {
  if (valid == L) {
    std::memcpy(p, &v, sizeof v);
  } else {
    for (std::size_t l = 0; l < valid; ++l) p[l] = v[l];
  }
}

/// Whether any lane of a comparison result is set.
/// Halves are or-ed down to two 64-bit words (a lane-by-lane loop becomes L
/// extractions).
template <std::size_t L>
[[gnu::always_inline]] inline bool any(IntV<L> mask) {
  if constexpr (L == 4) {
    std::uint64_t half[2];
    std::memcpy(half, &mask, sizeof half);
    return (half[0] | half[1]) != 0;
  } else {
    IntV<L / 2> low, high;
    std::memcpy(&low, &mask, sizeof low);
    std::memcpy(&high, reinterpret_cast<const char*>(&mask) + sizeof low, sizeof high);
    return any<L / 2>(low | high);
  }
}

/// std::max(a, b) and std::min(a, b) lane by lane (same result for NaN).
template <std::size_t L>
[[gnu::always_inline]] inline FloatV<L> max_lanes(FloatV<L> a, FloatV<L> b) {
  return a < b ? b : a;
}
template <std::size_t L>
[[gnu::always_inline]] inline FloatV<L> min_lanes(FloatV<L> a, FloatV<L> b) {
  return b < a ? b : a;
}
template <std::size_t L>
[[gnu::always_inline]] inline FloatV<L> clamp01(FloatV<L> v) {
  return min_lanes<L>(splat<L>(1.0f), max_lanes<L>(splat<L>(0.0f), v));
}

/// e^x in single precision. Cody and Waite (1980) range reduction
/// x = n ln2 + r, |r| <= ln2/2; e^r by its Taylor polynomial of degree 6
/// (truncation error < 1.3e-7 relative, 2.6e-7 measured over all inputs);
/// 2^n from the exponent bits. x is clamped to [-87, 88], where e^x stays a
/// normal float. Additions and multiplications only (never fused): the same
/// bits on every x86-64 and every lane count, and no library call in the
/// agent loop.
template <std::size_t L>
[[gnu::always_inline]] inline FloatV<L> exp_lanes(FloatV<L> x) {
  using V = FloatV<L>;
  x = min_lanes<L>(splat<L>(88.0f), max_lanes<L>(splat<L>(-87.0f), x));
  const V t = x * splat<L>(1.44269504f);
  const IntV<L> n = __builtin_convertvector(t + (t >= splat<L>(0.0f) ? splat<L>(0.5f) : splat<L>(-0.5f)), IntV<L>);
  const V nf = __builtin_convertvector(n, V);
  const V r = (x - nf * splat<L>(0.693145752f)) - nf * splat<L>(1.42860677e-6f);  // ln 2 = hi + lo, hi exact
  const V p = splat<L>(1.0f) +
              r * (splat<L>(1.0f) +
                   r * (splat<L>(0.5f) +
                        r * (splat<L>(1.0f / 6) +
                             r * (splat<L>(1.0f / 24) + r * (splat<L>(1.0f / 120) + r * splat<L>(1.0f / 720))))));
  const IntV<L> exponent = (n + 127) << 23;
  FloatV<L> scale;
  std::memcpy(&scale, &exponent, sizeof scale);
  return p * scale;
}

}  // namespace groundswell::engine::detail
