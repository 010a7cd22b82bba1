#pragma once
// Counter-based random numbers: Philox4x32-10 (Salmon, Moraes, Dror and Shaw
// 2011, "Parallel random numbers: as easy as 1, 2, 3", SC'11,
// doi:10.1145/2063384.2063405). A draw is a pure function of (key, counter),
// so each trial, scenario, step and agent has its own stream and no result
// depends on the thread that computed it (MODEL.md 7).
#include <array>
#include <cstdint>
#include <limits>
#include <string_view>

namespace groundswell {

/// The multipliers and key increments of Philox4x32 (Salmon et al. 2011, table 2).
namespace philox {
inline constexpr std::uint32_t kM0 = 0xD2511F53u, kM1 = 0xCD9E8D57u;
inline constexpr std::uint32_t kW0 = 0x9E3779B9u, kW1 = 0xBB67AE85u;
}  // namespace philox

/// Philox4x32 with 10 rounds: 4 x 32-bit outputs for a 128-bit counter and a 64-bit key.
inline std::array<std::uint32_t, 4> philox4x32(std::array<std::uint32_t, 4> ctr,
                                               std::array<std::uint32_t, 2> key) noexcept {
  using philox::kM0, philox::kM1, philox::kW0, philox::kW1;
  for (int round = 0; round < 10; ++round) {
    const std::uint64_t p0 = std::uint64_t{kM0} * ctr[0];
    const std::uint64_t p1 = std::uint64_t{kM1} * ctr[2];
    ctr = {static_cast<std::uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<std::uint32_t>(p1),
           static_cast<std::uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<std::uint32_t>(p0)};
    key[0] += kW0;
    key[1] += kW1;
  }
  return ctr;
}

/// Mixes one word (the SplitMix64 finalizer, Steele, Lea and Flood 2014,
/// OOPSLA, doi:10.1145/2660193.2660195). A hash, not a stream: streams come
/// from stream_key(Purpose, ...).
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// Stable 64-bit hash of a name (FNV-1a), used to key streams by scenario name.
constexpr std::uint64_t name_hash(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (char ch : s) h = (h ^ static_cast<unsigned char>(ch)) * 0x100000001b3ull;
  return h;
}

namespace detail {
/// The untyped mixer behind stream_key: four words in order. Internal: call
/// stream_key with a Purpose, so that no two uses share a stream by accident.
constexpr std::uint64_t mix_words(std::uint64_t w0, std::uint64_t w1, std::uint64_t w2, std::uint64_t w3) noexcept {
  return mix64(mix64(mix64(mix64(w0) ^ w1) ^ w2) ^ w3);
}
}  // namespace detail

/// What a random stream is for: the first argument of every stream_key. The
/// values are among the words mixed and must never change, or results change.
/// A new purpose takes a new value (the next free one is 206) and a case in
/// stream_key, in the purpose-second layout.
enum class Purpose : std::uint64_t {
  // One trial of an experiment (engine, MODEL.md 7).
  Organization = 1,  ///< the trial's generated organization
  Traits = 2,        ///< initial traits, thresholds and resisters
  Champions = 3,     ///< random champion selection
  Bridges = 4,       ///< connector ties
  Dynamics = 5,      ///< the step's draws; keyed by the scenario's name too
  // Sweeps (docs/sweeps.md).
  SweepPoint = 101,    ///< the experiment seed of a point
  SweepDesign = 102,   ///< the seed of a Latin hypercube or Saltelli design
  DesignColumn = 103,  ///< column j of a Latin hypercube, from the SweepDesign key
  // Calibration (docs/calibration.md).
  Propose = 201,             ///< prior draw or SMC proposal of attempt a of generation g
  Simulate = 202,            ///< the experiment seed of attempt a of generation g
  Predictive = 203,          ///< the particle picked by posterior predictive draw k
  PredictiveSimulate = 204,  ///< the experiment seed of posterior predictive draw k
  // One trial of an experiment, added later (so in the purpose-second layout).
  Potential = 205,  ///< bass: who is in the market potential (docs/model.md, "bass")
};

/// The key of the stream for `purpose` (a Philox key or an experiment seed),
/// from the words that identify one use of it. Each purpose keeps the layout
/// of words it had before purposes were typed, so results keep their bits:
///
/// | purpose                                  | a          | b       | words mixed         |
/// |------------------------------------------|------------|---------|---------------------|
/// | Organization, Traits, Champions, Bridges | trial      | -       | seed, a, purpose, 0 |
/// | Dynamics                                 | name_hash  | trial   | seed, a, b, 5       |
/// | SweepPoint                               | point      | -       | seed, 101, a, 0     |
/// | SweepDesign                              | -          | -       | seed, 102, 0, 0     |
/// | DesignColumn (seed: the SweepDesign key) | column j   | -       | seed, a, 0, 0       |
/// | Propose, Simulate                        | generation | attempt | seed, purpose, a, b |
/// | Predictive, PredictiveSimulate           | draw k     | -       | seed, purpose, a, 0 |
/// | Potential                                | trial      | -       | seed, purpose, a, 0 |
///
/// Words marked "-" are 0. One coincidence is inherited from the untyped
/// keys: a trial purpose (1..4) at trial 101..204 mixes the same words as the
/// purpose of that value at a = 1..4 (the organization key of trial 101 is
/// the seed of sweep point 1). The two are used as different things (a
/// Philox key; a seed that is mixed again), so no draw is shared in practice.
///
/// @param purpose what the stream is for
/// @param seed the experiment seed (or, for DesignColumn, the SweepDesign key)
/// @param a, b the words of the table above
constexpr std::uint64_t stream_key(Purpose purpose, std::uint64_t seed, std::uint64_t a = 0,
                                   std::uint64_t b = 0) noexcept {
  const auto p = static_cast<std::uint64_t>(purpose);
  switch (purpose) {
    case Purpose::Organization:
    case Purpose::Traits:
    case Purpose::Champions:
    case Purpose::Bridges:
      return detail::mix_words(seed, a, p, b);
    case Purpose::Dynamics:
      return detail::mix_words(seed, a, b, p);
    case Purpose::DesignColumn:
      return detail::mix_words(seed, a, b, 0);
    case Purpose::SweepPoint:
    case Purpose::SweepDesign:
    case Purpose::Propose:
    case Purpose::Simulate:
    case Purpose::Predictive:
    case Purpose::PredictiveSimulate:
    case Purpose::Potential:
      break;
  }
  return detail::mix_words(seed, p, a, b);
}

/// Uniform in (0,1) from 32 random bits: never exactly 0 or 1.
inline double to_unit(std::uint32_t bits) noexcept { return (static_cast<double>(bits) + 0.5) * (1.0 / 4294967296.0); }

/// A sequential engine over a Philox stream, usable with Boost.Random
/// distributions (UniformRandomBitGenerator). Used where draws are
/// naturally sequential: generating one trial's organization and traits.
class PhiloxEngine {
 public:
  using result_type = std::uint32_t;
  explicit PhiloxEngine(std::uint64_t key) noexcept
      : key_{static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32)} {}
  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }
  result_type operator()() noexcept {
    if (used_ == kWords) refill();
    return words_[used_++];
  }
  double uniform() noexcept { return to_unit((*this)()); }
  /// The word `ahead` draws from now (peek(0) is what the next call returns),
  /// without drawing it: for prefetching what a later draw will touch.
  result_type peek(std::uint64_t ahead) const noexcept {
    const std::uint64_t at = static_cast<std::uint64_t>(used_) + ahead;
    if (at < kWords) return words_[at];
    const std::uint64_t c = counter_ + (at - kWords) / 4;  // the buffer holds the blocks before counter_
    return philox4x32({static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(c >> 32), 0, 0},
                      key_)[(at - kWords) % 4];
  }

 private:
  /// Four blocks at once: independent Philox calls in one loop, which the
  /// compiler runs side by side (SIMD). The words come out in counter order,
  /// exactly as one block at a time.
  static constexpr int kBlocks = 4, kWords = 4 * kBlocks;
  void refill() noexcept {
    for (int b = 0; b < kBlocks; ++b) {
      const std::uint64_t c = counter_ + static_cast<std::uint64_t>(b);
      const auto block = philox4x32({static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(c >> 32), 0, 0}, key_);
      for (int w = 0; w < 4; ++w) words_[4 * b + w] = block[w];
    }
    counter_ += kBlocks;
    used_ = 0;
  }
  std::array<std::uint32_t, 2> key_;
  std::uint64_t counter_ = 0;
  std::array<std::uint32_t, kWords> words_{};
  int used_ = kWords;
};

/// Random access to a stream: four uniforms for (step, index, lane). Used in
/// the step so agents can be updated in any order and on any thread.
class CounterStream {
 public:
  explicit CounterStream(std::uint64_t key) noexcept
      : key_{static_cast<std::uint32_t>(key), static_cast<std::uint32_t>(key >> 32)} {}
  std::array<std::uint32_t, 4> bits(std::uint32_t step, std::uint64_t index, std::uint32_t lane = 0) const noexcept {
    return philox4x32({step, static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32), lane}, key_);
  }
  /// The Philox key, for code that computes many blocks at once (engine/detail/philox_lanes.hpp).
  std::array<std::uint32_t, 2> key() const noexcept { return key_; }

 private:
  std::array<std::uint32_t, 2> key_;
};

}  // namespace groundswell
