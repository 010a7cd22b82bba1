// Philox4x32-10 four and eight blocks at a time (engine/detail/philox_lanes.hpp).
#include "engine/detail/philox_lanes.hpp"

#if defined(__x86_64__)
#include <immintrin.h>

namespace groundswell::engine::detail {

// The constants are random.hpp's (groundswell::philox), the rounds those of
// philox4x32 there, lane by lane.

/// Four blocks (step, first + b, 0, 0), b = 0..3, into out[4b .. 4b + 3].
void philox_four_blocks(const CounterStream& rng, std::uint32_t step, std::uint32_t first, std::uint32_t* out) {
  std::array<std::uint32_t, 2> key = rng.key();
  const __m128i m0 = _mm_set1_epi32(static_cast<int>(philox::kM0)), m1 = _mm_set1_epi32(static_cast<int>(philox::kM1));
  const __m128i low = _mm_set1_epi64x(0xFFFFFFFFll), high = _mm_slli_epi64(low, 32);
  __m128i c0 = _mm_set1_epi32(static_cast<int>(step));
  __m128i c1 = _mm_add_epi32(_mm_set1_epi32(static_cast<int>(first)), _mm_setr_epi32(0, 1, 2, 3));
  __m128i c2 = _mm_setzero_si128(), c3 = _mm_setzero_si128();
  for (int round = 0; round < 10; ++round) {
    // 64-bit products of the even lanes, then of the odd ones shifted down
    const __m128i p0_even = _mm_mul_epu32(c0, m0), p0_odd = _mm_mul_epu32(_mm_srli_epi64(c0, 32), m0);
    const __m128i p1_even = _mm_mul_epu32(c2, m1), p1_odd = _mm_mul_epu32(_mm_srli_epi64(c2, 32), m1);
    const __m128i hi0 = _mm_or_si128(_mm_srli_epi64(p0_even, 32), _mm_and_si128(p0_odd, high));
    const __m128i lo0 = _mm_or_si128(_mm_and_si128(p0_even, low), _mm_slli_epi64(p0_odd, 32));
    const __m128i hi1 = _mm_or_si128(_mm_srli_epi64(p1_even, 32), _mm_and_si128(p1_odd, high));
    const __m128i lo1 = _mm_or_si128(_mm_and_si128(p1_even, low), _mm_slli_epi64(p1_odd, 32));
    c0 = _mm_xor_si128(_mm_xor_si128(hi1, c1), _mm_set1_epi32(static_cast<int>(key[0])));
    c1 = lo1;
    c2 = _mm_xor_si128(_mm_xor_si128(hi0, c3), _mm_set1_epi32(static_cast<int>(key[1])));
    c3 = lo0;
    key[0] += philox::kW0;
    key[1] += philox::kW1;
  }
  // Word-major (c_w holds word w of the four blocks) to block-major.
  const __m128i t0 = _mm_unpacklo_epi32(c0, c1), t1 = _mm_unpacklo_epi32(c2, c3);
  const __m128i t2 = _mm_unpackhi_epi32(c0, c1), t3 = _mm_unpackhi_epi32(c2, c3);
  auto* to = reinterpret_cast<__m128i*>(out);
  _mm_storeu_si128(to + 0, _mm_unpacklo_epi64(t0, t1));
  _mm_storeu_si128(to + 1, _mm_unpackhi_epi64(t0, t1));
  _mm_storeu_si128(to + 2, _mm_unpacklo_epi64(t2, t3));
  _mm_storeu_si128(to + 3, _mm_unpackhi_epi64(t2, t3));
}

/// Eight blocks (step, first + b, 0, 0), b = 0..7, into out[4b .. 4b + 3].
[[gnu::target("avx2")]] void philox_eight_blocks(const CounterStream& rng, std::uint32_t step, std::uint32_t first,
                                                 std::uint32_t* out) {
  std::array<std::uint32_t, 2> key = rng.key();
  const __m256i m0 = _mm256_set1_epi32(static_cast<int>(philox::kM0));
  const __m256i m1 = _mm256_set1_epi32(static_cast<int>(philox::kM1));
  __m256i c0 = _mm256_set1_epi32(static_cast<int>(step));
  __m256i c1 = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(first)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  __m256i c2 = _mm256_setzero_si256(), c3 = _mm256_setzero_si256();
  for (int round = 0; round < 10; ++round) {
    const __m256i p0_even = _mm256_mul_epu32(c0, m0), p0_odd = _mm256_mul_epu32(_mm256_srli_epi64(c0, 32), m0);
    const __m256i p1_even = _mm256_mul_epu32(c2, m1), p1_odd = _mm256_mul_epu32(_mm256_srli_epi64(c2, 32), m1);
    // 0xAA takes the odd 32-bit lanes from the second operand
    const __m256i hi0 = _mm256_blend_epi32(_mm256_srli_epi64(p0_even, 32), p0_odd, 0xAA);
    const __m256i lo0 = _mm256_blend_epi32(p0_even, _mm256_slli_epi64(p0_odd, 32), 0xAA);
    const __m256i hi1 = _mm256_blend_epi32(_mm256_srli_epi64(p1_even, 32), p1_odd, 0xAA);
    const __m256i lo1 = _mm256_blend_epi32(p1_even, _mm256_slli_epi64(p1_odd, 32), 0xAA);
    c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, c1), _mm256_set1_epi32(static_cast<int>(key[0])));
    c1 = lo1;
    c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, c3), _mm256_set1_epi32(static_cast<int>(key[1])));
    c3 = lo0;
    key[0] += philox::kW0;
    key[1] += philox::kW1;
  }
  // Word-major to block-major: within each 128-bit half as for four blocks
  // (blocks 0-3 low, 4-7 high), then the halves put in order.
  const __m256i t0 = _mm256_unpacklo_epi32(c0, c1), t1 = _mm256_unpacklo_epi32(c2, c3);
  const __m256i t2 = _mm256_unpackhi_epi32(c0, c1), t3 = _mm256_unpackhi_epi32(c2, c3);
  const __m256i b04 = _mm256_unpacklo_epi64(t0, t1), b15 = _mm256_unpackhi_epi64(t0, t1);
  const __m256i b26 = _mm256_unpacklo_epi64(t2, t3), b37 = _mm256_unpackhi_epi64(t2, t3);
  auto* to = reinterpret_cast<__m256i*>(out);
  _mm256_storeu_si256(to + 0, _mm256_permute2x128_si256(b04, b15, 0x20));
  _mm256_storeu_si256(to + 1, _mm256_permute2x128_si256(b26, b37, 0x20));
  _mm256_storeu_si256(to + 2, _mm256_permute2x128_si256(b04, b15, 0x31));
  _mm256_storeu_si256(to + 3, _mm256_permute2x128_si256(b26, b37, 0x31));
}

}  // namespace groundswell::engine::detail
#endif
