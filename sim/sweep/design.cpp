// Designs of experiments: grid, Latin hypercube, Saltelli (docs/sweeps.md).
#include "groundswell/sweep/design.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "groundswell/random.hpp"

namespace groundswell::sweep {
namespace {

constexpr std::uint64_t kMaxPoints = std::uint64_t{1} << 40;

/// Uniform integer in 0..n-1 from a 32-bit draw (bias at most n / 2^32).
std::uint64_t below(PhiloxEngine& rng, std::uint64_t n) {
  return std::min<std::uint64_t>(n - 1, static_cast<std::uint64_t>(rng.uniform() * static_cast<double>(n)));
}

}  // namespace

std::uint64_t design_size(const DesignSpec& spec) {
  const std::uint64_t d = spec.parameters.size();
  switch (spec.design) {
    case Design::Grid: {
      if (d == 0) return 0;
      std::uint64_t n = 1;
      for (const auto& p : spec.parameters) {
        if (p.level_count() == 0) return 0;
        if (n > kMaxPoints / p.level_count()) return kMaxPoints + 1;
        n *= p.level_count();
      }
      return n;
    }
    case Design::LatinHypercube:
      return d == 0 ? 0 : spec.samples;
    case Design::Saltelli:
      return d == 0 ? 0 : spec.samples * (d + 2);
  }
  return 0;
}

double design_memory(const DesignSpec& spec) {
  const auto n = static_cast<double>(design_size(spec)), d = static_cast<double>(spec.parameters.size());
  double unit = 0, strata = 0;  // latin_hypercube's u and strata, alive with the values
  if (spec.design == Design::LatinHypercube) unit = n * d * 8, strata = n * 8;
  if (spec.design == Design::Saltelli) {
    const auto base = static_cast<double>(spec.samples);
    unit = base * 2 * d * 8, strata = base * 8;
  }
  constexpr double kBookkeepingPerPoint = 48;  // shard list, to-do queue, writer's list and flags, merge's owner
  return n * d * 8 + unit + strata + n * kBookkeepingPerPoint;
}

std::vector<double> latin_hypercube(std::uint64_t n, std::size_t d, std::uint64_t seed) {
  std::vector<double> u(n * d);
  std::vector<std::uint64_t> strata(n);
  for (std::size_t j = 0; j < d; ++j) {
    PhiloxEngine rng(stream_key(Purpose::DesignColumn, seed, j));
    for (std::uint64_t i = 0; i < n; ++i) strata[i] = i;
    for (std::uint64_t i = n; i > 1; --i) std::swap(strata[i - 1], strata[below(rng, i)]);  // Fisher-Yates
    for (std::uint64_t i = 0; i < n; ++i)
      u[i * d + j] = (static_cast<double>(strata[i]) + rng.uniform()) / static_cast<double>(n);
  }
  return u;
}

double value_at(const Parameter& p, double u) {
  switch (p.kind) {
    case Kind::Real:
      return p.min + u * (p.max - p.min);
    case Kind::Integer: {
      const double span = p.max - p.min + 1;
      return p.min + std::min(span - 1, std::floor(u * span));
    }
    case Kind::Levels: {
      const auto n = static_cast<double>(p.level_count());
      return p.levels[static_cast<std::size_t>(std::min(n - 1, std::floor(u * n)))];
    }
  }
  return 0;
}

std::ptrdiff_t level_index(const Parameter& p, double value) {
  for (std::size_t i = 0; i < p.levels.size(); ++i)
    if (p.levels[i] == value) return static_cast<std::ptrdiff_t>(i);
  return -1;
}

std::vector<double> design_points(const DesignSpec& spec, std::uint64_t seed) {
  const std::size_t d = spec.parameters.size();
  const std::uint64_t n = design_size(spec);
  if (d == 0 || n == 0) throw std::invalid_argument("a sweep design needs at least one parameter and one point");
  if (n > kMaxPoints) throw std::invalid_argument("the design has more than 2^40 points");
  std::vector<double> values(n * d);
  switch (spec.design) {
    case Design::Grid:
      for (std::uint64_t p = 0; p < n; ++p) {
        std::uint64_t rest = p;  // mixed radix, the last parameter fastest
        for (std::size_t j = d; j-- > 0;) {
          const auto& par = spec.parameters[j];
          values[p * d + j] = par.levels[rest % par.level_count()];
          rest /= par.level_count();
        }
      }
      break;
    case Design::LatinHypercube: {
      const std::vector<double> u = latin_hypercube(n, d, seed);
      for (std::uint64_t p = 0; p < n; ++p)
        for (std::size_t j = 0; j < d; ++j) values[p * d + j] = value_at(spec.parameters[j], u[p * d + j]);
      break;
    }
    case Design::Saltelli: {
      const std::uint64_t base = spec.samples;
      const std::vector<double> u = latin_hypercube(base, 2 * d, seed);  // A = columns 0..d-1, B = d..2d-1
      for (std::uint64_t r = 0; r < base; ++r) {
        const double* a = &u[r * 2 * d];
        const double* b = a + d;
        for (std::size_t block = 0; block < d + 2; ++block) {  // A, AB^1 .. AB^d, B
          double* row = &values[(r * (d + 2) + block) * d];
          for (std::size_t j = 0; j < d; ++j) {
            const bool from_b = block == d + 1 || (block >= 1 && block <= d && j == block - 1);
            row[j] = value_at(spec.parameters[j], from_b ? b[j] : a[j]);
          }
        }
      }
      break;
    }
  }
  return values;
}

const char* to_string(Design design) {
  switch (design) {
    case Design::Grid:
      return "grid";
    case Design::LatinHypercube:
      return "lhs";
    case Design::Saltelli:
      return "saltelli";
  }
  return "?";
}

const char* to_string(Kind kind) {
  switch (kind) {
    case Kind::Real:
      return "real";
    case Kind::Integer:
      return "integer";
    case Kind::Levels:
      return "levels";
  }
  return "?";
}

}  // namespace groundswell::sweep
