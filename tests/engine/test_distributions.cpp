// The samplers of distributions.hpp against the moments of the distribution
// they claim, with tolerances of 4 standard errors (fixed seeds).
#include <catch2/catch.hpp>
#include <cmath>

#include "groundswell/distributions.hpp"
#include "groundswell/random.hpp"

namespace {

struct Moments {
  double mean = 0, var = 0, m3 = 0;  // mean, variance, third central moment
};

template <typename Sampler>
Moments sample_moments(Sampler& sampler, std::uint64_t key, int draws) {
  groundswell::PhiloxEngine rng(key);
  std::vector<double> x(static_cast<std::size_t>(draws));
  for (double& v : x) v = sampler(rng);
  Moments m;
  for (double v : x) m.mean += v;
  m.mean /= draws;
  for (double v : x) {
    m.var += (v - m.mean) * (v - m.mean);
    m.m3 += (v - m.mean) * (v - m.mean) * (v - m.mean);
  }
  m.var /= draws - 1;
  m.m3 /= draws;
  return m;
}

}  // namespace

TEST_CASE("Beta sampler matches the Beta mean and variance, both algorithms", "[unit][stat]") {
  // (a, b): whole and small -> order statistics; otherwise -> gamma ratio.
  const double cases[][2] = {{2, 2}, {1, 1}, {1, 3}, {3, 2}, {2.5, 2}, {0.5, 0.5}, {2, 7}, {5, 4}};
  for (const auto& ab : cases) {
    const double a = ab[0], b = ab[1];
    groundswell::BetaSampler beta(a, b);
    const int draws = 200000;
    const Moments m =
        sample_moments(beta, groundswell::stream_key(20261130, static_cast<std::uint64_t>(a * 10 + b)), draws);
    const double mean = a / (a + b);
    const double var = a * b / ((a + b) * (a + b) * (a + b + 1));
    // SE of the mean is sqrt(var / n); of the sample variance sqrt((mu4 - var^2) / n)
    const double excess_kurtosis =
        6 * ((a - b) * (a - b) * (a + b + 1) - a * b * (a + b + 2)) / (a * b * (a + b + 2) * (a + b + 3));
    const double mu4 = var * var * (3 + excess_kurtosis);
    CAPTURE(a, b, m.mean, mean, m.var, var);
    CHECK(std::abs(m.mean - mean) < 4 * std::sqrt(var / draws));
    CHECK(std::abs(m.var - var) < 4 * std::sqrt((mu4 - var * var) / draws));
    // skewness sign: 2 (b - a) sqrt(a + b + 1) / ((a + b + 2) sqrt(ab))
    if (a != b) CHECK((m.m3 > 0) == (b > a));
  }
}
