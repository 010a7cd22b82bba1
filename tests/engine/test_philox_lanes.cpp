// Philox4x32-10 four and eight blocks at a time (engine/detail/philox_lanes.hpp)
// must give the words of CounterStream::bits, one block at a time, for any
// key, step and first counter: the agent pass draws with them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "engine/detail/philox_lanes.hpp"
#include "groundswell/engine/isa.hpp"
#include "groundswell/random.hpp"

using namespace groundswell;
using namespace groundswell::engine::detail;

namespace {

template <std::size_t kGroup>
void check_against_scalar(const CounterStream& rng, std::uint32_t step, std::uint32_t first, std::size_t count) {
  const std::size_t groups = (count + kGroup - 1) / kGroup;
  std::vector<std::uint32_t> words(4 * kGroup * groups);
  philox_blocks<kGroup>(rng, step, first, count, words.data());
  for (std::size_t b = 0; b < kGroup * groups; ++b) {  // the rounding up too
    const auto block = rng.bits(step, first + b);
    INFO("group " << kGroup << " step " << step << " block " << first + b);
    REQUIRE(std::equal(block.begin(), block.end(), words.begin() + static_cast<std::ptrdiff_t>(4 * b)));
  }
}

}  // namespace

TEST_CASE("Philox four and eight blocks at a time give the words of one block at a time", "[unit][seed]") {
  const auto supported = engine::supported_instruction_sets();
  const bool avx2 = std::find(supported.begin(), supported.end(), engine::InstructionSet::avx2) != supported.end();
  for (const std::uint64_t key : {0ull, 1ull, 0x0123456789ABCDEFull, ~0ull}) {
    const CounterStream rng(key);
    for (const std::uint32_t step : {0u, 1u, 104u, 0xFFFFFFFFu}) {
      for (const std::uint32_t first : {0u, 3u, 16u, 250000u, 0xFFFFFFE0u}) {
        check_against_scalar<4>(rng, step, first, 17);
        if (avx2) check_against_scalar<8>(rng, step, first, 17);
      }
    }
  }
  if (!avx2) WARN("this processor has no AVX2: eight blocks at a time not checked");
}
