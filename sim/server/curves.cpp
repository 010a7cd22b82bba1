#include "server/curves.hpp"

#include <algorithm>
#include <cmath>

namespace groundswell::server {
namespace {

/// Quantile p of `v` (reordered), linear between order statistics.
float quantile(std::vector<float>& v, double p) {
  const double pos = p * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
  const float a = v[lo];
  if (lo + 1 >= v.size()) return a;
  const float b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo) + 1, v.end());
  return static_cast<float>(a + (b - a) * (pos - static_cast<double>(lo)));
}

std::string percent(float share) { return std::to_string(static_cast<int>(std::lround(share * 100.0f))) + "%"; }

}  // namespace

std::array<Band, kStateCount> summarize_shares(const TrialShares& in) {
  std::array<Band, kStateCount> out;
  if (in.trials == 0) return out;
  const auto rows = static_cast<std::size_t>(in.steps) + 1;
  std::vector<float> column(in.trials);
  for (int s = 0; s < kStateCount; ++s) {
    Band& b = out[static_cast<std::size_t>(s)];
    b.median.resize(rows);
    b.low.resize(rows);
    b.high.resize(rows);
    const auto& share = in.share[static_cast<std::size_t>(s)];
    for (std::size_t t = 0; t < rows; ++t) {
      for (TrialIndex k = 0; k < in.trials; ++k) column[k] = share[k * rows + t];
      b.low[t] = quantile(column, kBandLow);
      b.median[t] = quantile(column, 0.5);
      b.high[t] = quantile(column, kBandHigh);
    }
  }
  return out;
}

std::string caption(const std::array<Band, kStateCount>& bands, TrialIndex trials) {
  const auto& C = bands[static_cast<std::size_t>(State::C)].median;
  const auto& A = bands[static_cast<std::size_t>(State::A)].median;
  const auto& R = bands[static_cast<std::size_t>(State::R)].median;
  if (A.empty()) return "";
  const std::size_t T = A.size() - 1;
  const std::string end = "week " + std::to_string(T);
  std::string text;

  // Internalized first (MODEL.md 7), then compliance, then resistance.
  std::size_t a50 = 0;
  while (a50 <= T && A[a50] < 0.5f) ++a50;
  if (a50 <= T)
    text += "Internalized (own conviction) passed 50% at week " + std::to_string(a50) + " and reached " +
            percent(A[T]) + " by " + end + ". ";
  else
    text += std::string(A[T] < 0.3f ? "Internalized (own conviction) reached only "
                                    : "Internalized (own conviction) reached ") +
            percent(A[T]) + " by " + end + ". ";

  const auto c_peak = static_cast<std::size_t>(std::max_element(C.begin(), C.end()) - C.begin());
  if (C[c_peak] >= 0.05f) {
    if (C[T] >= 0.9f * C[c_peak])
      text += "Compliance rose to " + percent(C[T]) + " by " + end + ": people went along while leaders kept pushing. ";
    else if (C[T] <= 0.5f * C[c_peak])
      text += "Compliance peaked at " + percent(C[c_peak]) + " in week " + std::to_string(c_peak) + " and lapsed to " +
              percent(C[T]) + " by " + end + ". ";
    else
      text += "Compliance peaked at " + percent(C[c_peak]) + " in week " + std::to_string(c_peak) + " and was " +
              percent(C[T]) + " by " + end + ". ";
  }

  const auto r_peak = static_cast<std::size_t>(std::max_element(R.begin(), R.end()) - R.begin());
  if (R[r_peak] >= 0.1f)
    text += "Resistance rose to " + percent(R[r_peak]) +
            (r_peak == T ? " by " + end : " in week " + std::to_string(r_peak)) + ". ";
  else
    text += "Resistance stayed low (" + percent(R[r_peak]) + " at most). ";

  text += "(Median of " + std::to_string(trials) + (trials == 1 ? " run.)" : " runs.)");
  return text;
}

}  // namespace groundswell::server
