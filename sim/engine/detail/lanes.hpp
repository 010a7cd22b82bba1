#pragma once
// Four agents at a time with the compiler's vector extensions (GCC and Clang;
// SSE2 on x86-64), used by the hazard and trait passes of the sdt rule. Each
// lane is one agent: single-precision operations in a fixed order, lanes
// never combined, so an agent's result does not depend on which group of four
// it falls in. The default x86-64 target has no fused multiply-add, so the
// compiler forms none, and the bits are the same on every x86-64.
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace groundswell::engine::detail {

using Float4 = float __attribute__((vector_size(16)));
using Int4 = std::int32_t __attribute__((vector_size(16)));
inline constexpr std::size_t kLanes = 4;

inline Float4 splat(float v) { return Float4{v, v, v, v}; }

/// The first `valid` (1..4) values at p; the other lanes are 0.
inline Float4 load4(const float* p, std::size_t valid) {
  Float4 v = {0, 0, 0, 0};
  if (valid == kLanes) {
    std::memcpy(&v, p, sizeof v);
  } else {
    for (std::size_t l = 0; l < valid; ++l) v[l] = p[l];
  }
  return v;
}

/// Stores the first `valid` (1..4) lanes at p.
inline void store4(float* p, Float4 v, std::size_t valid) {
  if (valid == kLanes) {
    std::memcpy(p, &v, sizeof v);
  } else {
    for (std::size_t l = 0; l < valid; ++l) p[l] = v[l];
  }
}

/// std::max(a, b) and std::min(a, b) lane by lane (same result for NaN).
inline Float4 max4(Float4 a, Float4 b) { return a < b ? b : a; }
inline Float4 min4(Float4 a, Float4 b) { return b < a ? b : a; }
inline Float4 clamp01(Float4 v) { return min4(splat(1.0f), max4(splat(0.0f), v)); }

/// e^x in single precision. Cody and Waite (1980) range reduction
/// x = n ln2 + r, |r| <= ln2/2; e^r by its Taylor polynomial of degree 6
/// (truncation error < 1.3e-7 relative, 2.6e-7 measured over all inputs);
/// 2^n from the exponent bits. x is clamped to [-87, 88], where e^x stays a
/// normal float. Additions and multiplications only: the same bits on every
/// x86-64, and no library call in the agent loop.
inline Float4 exp4(Float4 x) {
  x = min4(splat(88.0f), max4(splat(-87.0f), x));
  const Float4 t = x * splat(1.44269504f);
  const Int4 n = __builtin_convertvector(t + (t >= splat(0.0f) ? splat(0.5f) : splat(-0.5f)), Int4);
  const Float4 nf = __builtin_convertvector(n, Float4);
  const Float4 r = (x - nf * splat(0.693145752f)) - nf * splat(1.42860677e-6f);  // ln 2 = hi + lo, hi exact
  const Float4 p =
      splat(1.0f) +
      r * (splat(1.0f) +
           r * (splat(0.5f) +
                r * (splat(1.0f / 6) + r * (splat(1.0f / 24) + r * (splat(1.0f / 120) + r * splat(1.0f / 720))))));
  const Int4 exponent = (n + 127) << 23;
  Float4 scale;
  std::memcpy(&scale, &exponent, sizeof scale);
  return p * scale;
}

}  // namespace groundswell::engine::detail
