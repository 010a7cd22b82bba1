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
    const Moments m = sample_moments(
        beta, groundswell::stream_key(groundswell::Purpose::Traits, 20261130, static_cast<std::uint64_t>(a * 10 + b)),
        draws);
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

// Typed stream keys (random.hpp): each purpose keeps the words, and so the
// bits, of the untyped key it replaced; the numbers are the untyped keys'.
TEST_CASE("typed stream keys equal the untyped keys they replaced", "[unit]") {
  using groundswell::Purpose;
  using groundswell::stream_key;
  const std::uint64_t h = groundswell::name_hash("distributed");
  CHECK(h == 0x72e73f9193bbcc4eull);
  CHECK(stream_key(Purpose::Organization, 42, 7) == 0x63ad224a8c57dc1dull);  // was stream_key(42, 7, 1)
  CHECK(stream_key(Purpose::Traits, 42, 7) == 0xe62d785cb569f10cull);        // (42, 7, 2)
  CHECK(stream_key(Purpose::Champions, 42, 7) == 0x0bc8f279ec388fb4ull);     // (42, 7, 3)
  CHECK(stream_key(Purpose::Bridges, 42, 7) == 0x3800a0700eb6e953ull);       // (42, 7, 4)
  CHECK(stream_key(Purpose::Dynamics, 42, h, 7) == 0x44f4ca7d982cb2bdull);   // (42, h, 7, 5)
  CHECK(stream_key(Purpose::SweepPoint, 42, 3) == 0xb5212b89d8b49924ull);    // (42, 101, 3)
  const std::uint64_t design = stream_key(Purpose::SweepDesign, 42);
  CHECK(design == 0x66cb7c7e74c78dd0ull);                                          // (42, 102)
  CHECK(stream_key(Purpose::DesignColumn, design, 2) == 0x6ecb34bb954ca293ull);    // (design, 2)
  CHECK(stream_key(Purpose::Propose, 42, 1, 5) == 0x358fa21d01f72eefull);          // (42, 201, 1, 5)
  CHECK(stream_key(Purpose::Simulate, 42, 1, 5) == 0x02494f1306a42ebdull);         // (42, 202, 1, 5)
  CHECK(stream_key(Purpose::Predictive, 42, 9) == 0xefde6decc018dfa2ull);          // (42, 203, 9)
  CHECK(stream_key(Purpose::PredictiveSimulate, 42, 9) == 0xf615126bf9c1b10aull);  // (42, 204, 9)
}

TEST_CASE("two purposes with the same words give different streams", "[unit]") {
  using groundswell::Purpose;
  const Purpose all[] = {Purpose::Organization, Purpose::Traits,     Purpose::Champions,   Purpose::Bridges,
                         Purpose::Dynamics,     Purpose::SweepPoint, Purpose::SweepDesign, Purpose::DesignColumn,
                         Purpose::Propose,      Purpose::Simulate,   Purpose::Predictive,  Purpose::PredictiveSimulate};
  const std::uint64_t words[][3] = {{0, 0, 0}, {1, 0, 0}, {42, 1, 0}, {42, 7, 3}, {20261130, 100, 99}};
  for (const auto& w : words)
    for (const Purpose p : all)
      for (const Purpose q : all) {
        if (p == q) continue;
        INFO("purposes " << static_cast<int>(p) << " and " << static_cast<int>(q) << ", words " << w[0] << ", " << w[1]
                         << ", " << w[2]);
        CHECK(groundswell::stream_key(p, w[0], w[1], w[2]) != groundswell::stream_key(q, w[0], w[1], w[2]));
      }
}

TEST_CASE("PhiloxEngine::peek(k) is the word the k-th next draw returns, from any position", "[unit][seed]") {
  for (const std::uint64_t key : {0ull, 42ull, ~0ull}) {
    groundswell::PhiloxEngine rng(key);
    for (int position = 0; position < 70; ++position) {  // across several refills of 16 words
      groundswell::PhiloxEngine ahead = rng;
      for (std::uint64_t k = 0; k < 40; ++k) {
        INFO("key " << key << " position " << position << " ahead " << k);
        REQUIRE(rng.peek(k) == ahead());
      }
      static_cast<void>(rng());
    }
  }
}
