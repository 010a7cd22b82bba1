#pragma once
// Philox4x32-10 (random.hpp) for many consecutive counters at once: the
// words CounterStream::bits(step, index) gives for index = first .. first +
// count - 1, four or eight blocks per instruction. Integer operations only,
// so every block is the same bits as the scalar function's. Used by the
// sdt agent pass, where one block per four agents and step was 7% of W1 as
// a scalar loop (32 x 32 -> 64-bit products one at a time).
//
// The four- and eight-block functions are compiled once, in
// philox_lanes.cpp, the eight-block one for AVX2: GCC does not inline a
// function for AVX2 into the kernel templates, which carry no target of
// their own. A call makes 32 agents' draws.
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "groundswell/random.hpp"

namespace groundswell::engine::detail {

#if defined(__x86_64__)
/// Four blocks (step, first + b, 0, 0), b = 0..3, into out[4b .. 4b + 3] (SSE2).
void philox_four_blocks(const CounterStream& rng, std::uint32_t step, std::uint32_t first, std::uint32_t* out);
/// The same for eight blocks, b = 0..7 (AVX2: call only where the processor has it).
void philox_eight_blocks(const CounterStream& rng, std::uint32_t step, std::uint32_t first, std::uint32_t* out);
#endif

/// Blocks (step, first + b) for b = 0 .. count - 1, rounded up to a whole
/// number of groups: out must hold 4 x kGroup x ceil(count / kGroup) words.
/// The counters stay below 2^32 (they are agent / 4). kGroup = 8 uses AVX2
/// (x86-64 only), 4 SSE2; elsewhere one block at a time.
template <std::size_t kGroup>
[[gnu::always_inline]] inline void philox_blocks(const CounterStream& rng, std::uint32_t step, std::uint32_t first,
                                                 std::size_t count, std::uint32_t* out) {
  static_assert(kGroup == 4 || kGroup == 8);
  assert(std::uint64_t{first} + (count + kGroup - 1) / kGroup * kGroup <= std::uint64_t{1} << 32);
  for (std::size_t b = 0; b < count; b += kGroup) {
    const auto index = static_cast<std::uint32_t>(first + b);
#if defined(__x86_64__)
    if constexpr (kGroup == 8)
      philox_eight_blocks(rng, step, index, out + 4 * b);
    else
      philox_four_blocks(rng, step, index, out + 4 * b);
#else
    for (std::size_t k = 0; k < kGroup; ++k) {
      const auto block = rng.bits(step, index + k);
      std::memcpy(out + 4 * (b + k), block.data(), sizeof block);
    }
#endif
  }
}

}  // namespace groundswell::engine::detail
