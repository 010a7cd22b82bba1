// [unit] The designs of experiments: grid order, Latin hypercube strata,
// integer and level mapping, Saltelli's A / AB^i / B structure.
// [stat] Sobol indices of the Ishigami function through the same sampling code.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

#include "groundswell/sweep/design.hpp"

using namespace groundswell;
using namespace groundswell::sweep;

namespace {

Parameter real(const std::string& name, double lo, double hi) {
  Parameter p;
  p.name = name;
  p.kind = Kind::Real;
  p.min = lo;
  p.max = hi;
  return p;
}

Parameter levels(const std::string& name, std::vector<double> values) {
  Parameter p;
  p.name = name;
  p.kind = Kind::Levels;
  for (double v : values) p.labels.push_back(std::to_string(v));
  p.levels = std::move(values);
  return p;
}

}  // namespace

TEST_CASE("a grid holds every combination, the last parameter varying fastest", "[unit][sweep]") {
  DesignSpec spec;
  spec.design = Design::Grid;
  spec.parameters = {levels("a", {1, 2, 3}), levels("b", {10, 20})};
  REQUIRE(design_size(spec) == 6);
  const std::vector<double> v = design_points(spec, 1);
  const std::vector<double> expected = {1, 10, 1, 20, 2, 10, 2, 20, 3, 10, 3, 20};
  CHECK(v == expected);
}

TEST_CASE("a Latin hypercube has one point in each stratum of each parameter", "[unit][sweep]") {
  const std::uint64_t n = 97;
  const std::size_t d = 4;
  const std::vector<double> u = latin_hypercube(n, d, 12345);
  REQUIRE(u.size() == n * d);
  for (std::size_t j = 0; j < d; ++j) {
    std::set<std::uint64_t> strata;
    for (std::uint64_t i = 0; i < n; ++i) {
      const double x = u[i * d + j];
      REQUIRE(x > 0.0);
      REQUIRE(x < 1.0);
      strata.insert(static_cast<std::uint64_t>(x * static_cast<double>(n)));
    }
    CHECK(strata.size() == n);
  }
  CHECK(latin_hypercube(n, d, 12345) == u);  // same seed, same design
  CHECK(latin_hypercube(n, d, 12346) != u);
}

TEST_CASE("integer parameters take every value of min..max equally often", "[unit][sweep]") {
  Parameter p;
  p.name = "champions.count";
  p.kind = Kind::Integer;
  p.min = 0;
  p.max = 10;
  DesignSpec spec;
  spec.design = Design::LatinHypercube;
  spec.parameters = {p};
  spec.samples = 11 * 50;  // 50 strata per integer: exactly 50 points each
  const std::vector<double> v = design_points(spec, 7);
  std::vector<int> count(11, 0);
  for (double x : v) {
    REQUIRE(x == std::floor(x));
    ++count.at(static_cast<std::size_t>(x));
  }
  for (int c : count) CHECK(c == 50);
  CHECK(value_at(p, 1e-12) == 0);
  CHECK(value_at(p, 1 - 1e-12) == 10);
}

TEST_CASE("a Saltelli design gives rows A, AB^1..AB^d, B", "[unit][sweep]") {
  DesignSpec spec;
  spec.design = Design::Saltelli;
  spec.parameters = {real("x", 0, 1), real("y", 10, 20), levels("z", {1, 2, 3, 4})};
  spec.samples = 16;
  const std::size_t d = 3;
  REQUIRE(design_size(spec) == 16 * (d + 2));
  const std::vector<double> v = design_points(spec, 99);
  for (std::size_t r = 0; r < 16; ++r) {
    const double* A = &v[(r * (d + 2)) * d];
    const double* B = &v[(r * (d + 2) + d + 1) * d];
    for (std::size_t i = 0; i < d; ++i) {
      const double* AB = &v[(r * (d + 2) + 1 + i) * d];
      for (std::size_t j = 0; j < d; ++j) CHECK(AB[j] == (j == i ? B[j] : A[j]));
    }
    CHECK(A[1] >= 10);
    CHECK(A[1] <= 20);
  }
}

namespace {

/// Ishigami and Homma (1990) on [-pi, pi]^3, from unit coordinates.
double ishigami(const double* u) {
  const double pi = 3.14159265358979323846;
  const double x1 = -pi + 2 * pi * u[0], x2 = -pi + 2 * pi * u[1], x3 = -pi + 2 * pi * u[2];
  return std::sin(x1) + 7.0 * std::sin(x2) * std::sin(x2) + 0.1 * std::pow(x3, 4) * std::sin(x1);
}

}  // namespace

TEST_CASE("Sobol indices of the Ishigami function through the Saltelli design match the closed form", "[stat][sweep]") {
  // Closed form for a = 7, b = 0.1 (Ishigami and Homma 1990; Saltelli et al. 2010, doi:10.1016/j.cpc.2009.09.018).
  const double S1[3] = {0.3139, 0.4424, 0.0}, ST[3] = {0.5576, 0.4424, 0.2437};
  DesignSpec spec;
  spec.design = Design::Saltelli;
  spec.parameters = {real("x1", 0, 1), real("x2", 0, 1), real("x3", 0, 1)};
  spec.samples = 8192;
  const std::size_t d = 3, N = spec.samples;
  const std::vector<double> v = design_points(spec, 2026);
  std::vector<double> f(v.size() / d);
  for (std::size_t p = 0; p < f.size(); ++p) f[p] = ishigami(&v[p * d]);
  double mean = 0, var = 0;
  for (std::size_t r = 0; r < N; ++r) mean += f[r * (d + 2)] + f[r * (d + 2) + d + 1];
  mean /= 2.0 * static_cast<double>(N);
  for (std::size_t r = 0; r < N; ++r)
    var += std::pow(f[r * (d + 2)] - mean, 2) + std::pow(f[r * (d + 2) + d + 1] - mean, 2);
  var /= 2.0 * static_cast<double>(N);
  for (std::size_t i = 0; i < d; ++i) {
    // Each estimator is a mean of N independent row terms: its standard error is sd(term) / sqrt(N) / V.
    std::vector<double> first(N), total(N);
    for (std::size_t r = 0; r < N; ++r) {
      const double fA = f[r * (d + 2)] - mean, fB = f[r * (d + 2) + d + 1] - mean, fAB = f[r * (d + 2) + 1 + i] - mean;
      first[r] = fB * (fAB - fA);                // Saltelli et al. 2010, Table 2 (b)
      total[r] = 0.5 * (fA - fAB) * (fA - fAB);  // Jansen 1999, Table 2 (f)
    }
    auto estimate = [&](const std::vector<double>& t, double& value, double& se) {
      double m = 0, ss = 0;
      for (double x : t) m += x;
      m /= static_cast<double>(N);
      for (double x : t) ss += (x - m) * (x - m);
      value = m / var;
      se = std::sqrt(ss / static_cast<double>(N - 1) / static_cast<double>(N)) / var;
    };
    double s1, s1_se, st, st_se;
    estimate(first, s1, s1_se);
    estimate(total, st, st_se);
    INFO("x" << i + 1 << ": S1 = " << s1 << " +- " << s1_se << ", ST = " << st << " +- " << st_se);
    CHECK(std::abs(s1 - S1[i]) < 4 * s1_se + 1e-4);  // 4 SE, plus the 4-digit rounding of the closed form
    CHECK(std::abs(st - ST[i]) < 4 * st_se + 1e-4);
    CHECK(s1_se < 0.03);  // the test has power: N = 8192 pins each index to a few hundredths
    CHECK(st_se < 0.03);
  }
}
