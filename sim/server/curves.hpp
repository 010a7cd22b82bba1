#pragma once
// What the trainer page shows of many trials: per week, the median and a
// band of each state's share, and a plain-language caption of what happened.
#include <array>
#include <string>
#include <vector>

#include "groundswell/types.hpp"

namespace groundswell::server {

/// Quantiles of the band: 8 runs in 10 fall inside it.
inline constexpr double kBandLow = 0.1;
inline constexpr double kBandHigh = 0.9;

/// Median and band of one state's share, one value per step 0..steps.
struct Band {
  std::vector<float> median, low, high;
};

/// Shares of every state of the trials finished so far, trial after trial:
/// share[s][k * (steps + 1) + t].
struct TrialShares {
  Step steps = 0;
  TrialIndex trials = 0;
  std::array<std::vector<float>, kStateCount> share;
};

/// Median and band per state and step (linear interpolation between order
/// statistics). Cost: O(trials * steps) per state. Empty bands without trials.
std::array<Band, kStateCount> summarize_shares(const TrialShares& shares);

/// One or two sentences about the median run: when compliance peaked and
/// whether it lapsed, when adoption passed half the organization, how far
/// resistance rose. `trials` is the number of runs behind the medians.
std::string caption(const std::array<Band, kStateCount>& bands, TrialIndex trials);

}  // namespace groundswell::server
