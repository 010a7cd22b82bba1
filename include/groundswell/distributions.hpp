#pragma once
// Fast samplers over any engine (used with PhiloxEngine). Boost's gamma
// sampler rejects through tan() and dominated organization generation;
// Marsaglia and Tsang (2000), "A simple method for generating gamma
// variables", ACM TOMS 26:363, doi:10.1145/358407.358414, needs one normal
// and one uniform per try and accepts > 95% of tries.
#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <cmath>

#include "groundswell/random.hpp"

namespace groundswell {

/// Gamma(shape, 1) by Marsaglia-Tsang; shape < 1 via Gamma(shape + 1) U^(1/shape).
class GammaSampler {
 public:
  explicit GammaSampler(double shape)
      : boost_(shape < 1.0),
        d_((shape < 1.0 ? shape + 1.0 : shape) - 1.0 / 3.0),
        c_(1.0 / std::sqrt(9.0 * d_)),
        inv_shape_(1.0 / shape) {}
  template <typename Engine>
  double operator()(Engine& rng) {
    double x, v;
    for (;;) {
      do {
        x = normal_(rng);
        v = 1.0 + c_ * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = to_unit(static_cast<std::uint32_t>(rng()));
      if (u < 1.0 - 0.0331 * x * x * x * x) break;
      if (std::log(u) < 0.5 * x * x + d_ * (1.0 - v + std::log(v))) break;
    }
    double g = d_ * v;
    if (boost_) g *= std::pow(to_unit(static_cast<std::uint32_t>(rng())), inv_shape_);
    return g;
  }

 private:
  bool boost_;
  double d_, c_, inv_shape_;
  boost::random::normal_distribution<double> normal_{0.0, 1.0};
};

/// Beta(a, b). For small whole a and b (the defaults are 2 and 2) it is the
/// a-th smallest of a + b - 1 uniforms (the order statistics of the uniform
/// distribution; David and Nagaraja 2003, Order Statistics, 2.1), which costs
/// a + b - 1 random words and no logarithm. Otherwise X / (X + Y) with
/// X ~ Gamma(a), Y ~ Gamma(b).
class BetaSampler {
 public:
  static constexpr int kMaxOrderUniforms = 8;
  BetaSampler(double a, double b)
      : order_(a == std::floor(a) && b == std::floor(b) && a >= 1 && b >= 1 && a + b - 1 <= kMaxOrderUniforms),
        rank_(order_ ? static_cast<int>(a) - 1 : 0),
        uniforms_(order_ ? static_cast<int>(a + b) - 1 : 0),
        x_(a),
        y_(b) {}
  template <typename Engine>
  double operator()(Engine& rng) {
    if (order_ && uniforms_ == 3 && rank_ == 1) {  // Beta(2, 2), the default trust: a median of three
      const double a = to_unit(static_cast<std::uint32_t>(rng())), b = to_unit(static_cast<std::uint32_t>(rng())),
                   c = to_unit(static_cast<std::uint32_t>(rng()));
      return std::max(std::min(a, b), std::min(std::max(a, b), c));
    }
    if (order_) {
      double u[kMaxOrderUniforms];
      for (int k = 0; k < uniforms_; ++k) {  // insertion sort as they come
        const double v = to_unit(static_cast<std::uint32_t>(rng()));
        int j = k;
        for (; j > 0 && u[j - 1] > v; --j) u[j] = u[j - 1];
        u[j] = v;
      }
      return u[rank_];
    }
    const double x = x_(rng), y = y_(rng);
    return x / (x + y);
  }

 private:
  bool order_;
  int rank_, uniforms_;
  GammaSampler x_, y_;
};

}  // namespace groundswell
