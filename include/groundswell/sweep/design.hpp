#pragma once
// Designs of experiments for parameter sweeps (docs/sweeps.md): a full
// factorial grid, a Latin hypercube, and Saltelli's sampling scheme for Sobol
// indices. Pure functions of the design and a seed: no I/O, no engine.
#include <cstdint>
#include <string>
#include <vector>

namespace groundswell::sweep {

enum class Design { Grid, LatinHypercube, Saltelli };

/// How a parameter's values are represented in the table of points.
enum class Kind {
  Real,     ///< a number drawn from [min, max] (lhs, saltelli)
  Integer,  ///< an integer drawn uniformly from min..max (counts: champions.count, ...)
  Levels,   ///< one of listed values; the table holds the value if every level is a number, else its position
};

/// One swept parameter, named by its scenario-file path ("champions.count").
struct Parameter {
  std::string name;
  Kind kind = Kind::Real;
  double min = 0, max = 0;          ///< Real, Integer: the range; Levels: smallest and largest numeric level
  std::vector<std::string> labels;  ///< Levels: each value as written in the file ("inf", "distributed")
  std::vector<double> levels;       ///< Levels: what the table of points holds for each value
  bool numeric_levels = true;       ///< Levels: every value is a number (else `levels` are positions 0, 1, ...)

  /// Number of values of a Levels parameter (0 for ranges).
  std::size_t level_count() const noexcept { return labels.size(); }
};

struct DesignSpec {
  Design design = Design::Grid;
  std::vector<Parameter> parameters;
  /// lhs: the number of points K; saltelli: the base sample N (the design has N (d + 2) points); grid: unused.
  std::uint64_t samples = 0;
};

/// The design's points as unit coordinates or level choices, then values.
/// Row p of the result holds the value of every parameter at point p
/// (row-major, points x parameters). Levels parameters get the position of the
/// chosen level in `Parameter::levels` order mapped to its table value.
///
/// - Grid: every combination of levels, the last parameter varying fastest.
/// - LatinHypercube: K points; each parameter's range is cut into K equal
///   strata and each stratum holds exactly one point (McKay, Beckman and
///   Conover 1979, doi:10.1080/00401706.1979.10489755).
/// - Saltelli: two independent Latin hypercube samples A and B of N rows
///   (one of 2d columns, split in two); row j gives the d + 2 consecutive
///   points A_j, AB_j^1, ..., AB_j^d, B_j, where AB^i is A with column i taken
///   from B (Saltelli 2002, doi:10.1016/S0010-4655(02)00280-1; Saltelli et al.
///   2010, doi:10.1016/j.cpc.2009.09.018).
///
/// Integer parameters take min + floor(u (max - min + 1)) for a unit sample
/// u, so every integer of min..max is equally likely; Levels parameters in an
/// lhs or saltelli design take level floor(u L) of their L levels.
/// Throws std::invalid_argument for an empty design or a grid of more than 2^40 points.
std::vector<double> design_points(const DesignSpec& spec, std::uint64_t seed);

/// Number of points of the design: the product of level counts (grid), K (lhs), N (d + 2) (saltelli).
std::uint64_t design_size(const DesignSpec& spec);

/// The peak memory of building the design (design_points: the values, the
/// unit hypercube and its strata) and of the per-point bookkeeping of a sweep
/// over it (its point lists, the parts scan, merge's owner table), in bytes.
/// Plan::parse refuses a design larger than the available memory with it
/// (experiment::require_memory) before allocating anything.
double design_memory(const DesignSpec& spec);

/// A Latin hypercube of n points in d dimensions in the open unit cube, row-major
/// (n x d). Column j is a random permutation of the strata, jittered within
/// each stratum, from the Philox stream stream_key(Purpose::DesignColumn, seed, j).
std::vector<double> latin_hypercube(std::uint64_t n, std::size_t d, std::uint64_t seed);

/// Maps a unit coordinate u in (0,1) to the parameter's value (see design_points).
double value_at(const Parameter& parameter, double u);

/// The index of the level of a Levels parameter whose table value is `value` (-1 if none).
std::ptrdiff_t level_index(const Parameter& parameter, double value);

const char* to_string(Design design);
const char* to_string(Kind kind);

}  // namespace groundswell::sweep
