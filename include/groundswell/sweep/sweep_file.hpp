#pragma once
// The sweep results file (HDF5; layout in docs/sweeps.md). HDF5 stays behind
// this interface. A file holds some or all points of one sweep: a whole
// sweep, one shard of it, or the merge of shards.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "groundswell/sweep/plan.hpp"
#include "groundswell/sweep/point.hpp"

namespace groundswell::sweep {

/// Element types of the sweep file's datasets.
enum class ElementType { F32, F64, I32, U64 };

/// "groundswell <version> (<commit>)": the engine build that computed a point.
/// Points from different builds are never mixed (resume, merge).
std::string engine_build();

/// How a file was made (provenance only; the data do not depend on it).
struct RunInfo {
  unsigned threads = 0;
  unsigned ranks = 1;
  std::string shard;  ///< "I/N" for a shard, empty otherwise
};

/// Writes a sweep file under a temporary name in the output's directory and
/// renames it to `path` only in finish(); destroyed before finish(), it
/// removes the temporary file. Every dataset of the layout is created by the
/// constructor from the plan, so two files of the same sweep and points have
/// the same layout whichever way their points were computed or gathered.
class SweepFileWriter {
 public:
  /// `points`: the sweep points this file holds, ascending. Throws std::runtime_error on I/O errors.
  SweepFileWriter(const std::string& path, const Plan& plan, std::vector<std::uint64_t> points, const RunInfo& run);
  ~SweepFileWriter();
  SweepFileWriter(const SweepFileWriter&) = delete;
  SweepFileWriter& operator=(const SweepFileWriter&) = delete;

  /// Writes one point (any order; each point once). Computes the metric summaries.
  void write(const PointResult& point);

  /// The datasets with a point axis (dimension 0 = this file's points), for merging.
  struct Column {
    std::string path;            ///< e.g. "scenarios/hybrid/curves/A/mean"
    ElementType type;            ///< element type, in the file (little-endian) and in memory (native)
    std::uint64_t row_elements;  ///< elements per point
    std::size_t rank = 1;        ///< dimensions of the dataset, the point axis included
  };
  const std::vector<Column>& columns() const;
  /// Writes raw rows of column `c` (in its native type), for merging.
  void write_rows(std::size_t c, std::uint64_t first_row, std::uint64_t rows, const void* data);

  /// Flushes, closes and renames into place. Throws std::runtime_error on I/O errors.
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// What a sweep file says about itself.
struct SweepFileInfo {
  std::string fingerprint, build, scenario_file, scenario_text, shard, design;
  std::uint64_t points_total = 0;
  bool complete = false;
  std::vector<std::uint64_t> index;  ///< the points held, ascending
};

/// Reads a sweep file's identity and point index. Throws InputError if it is
/// missing, not a sweep file, or damaged.
SweepFileInfo read_sweep_info(const std::string& path);

/// What an existing file is, as `sweep --resume` decides whether it may be
/// rebuilt: the kind named when it is clearly not a sweep file ("a text file,
/// not HDF5"; "a groundswell-results file"), empty when it is or may be one
/// (intact, or damaged past its format attribute). Throws nothing.
std::string not_a_sweep_file(const std::string& path);

/// The point-axis datasets of a file of `plan`, in the order the writer
/// creates them (SweepFileWriter::columns() of a writer of the plan).
std::vector<SweepFileWriter::Column> sweep_columns(const Plan& plan);

/// Checks that the sweep file `path` holds every point-axis dataset of
/// `plan` with the right shape and type, each point's rows readable
/// (checksums verified), as `sweep --resume` does before it trusts a
/// complete file. Reads the file block by block (at most about 64 MB at once).
/// @throws InputError "PATH: damaged or incomplete sweep file (...)"
void verify_sweep_file(const std::string& path, const Plan& plan);

/// Reads raw rows [first, first + rows) of a point-axis column of an open sweep file, for merging.
class SweepFileReader {
 public:
  /// Throws InputError if the file cannot be opened as a sweep file.
  explicit SweepFileReader(const std::string& path);
  ~SweepFileReader();
  /// Checks the shape ([points held] x row) and reads; throws InputError naming the file if damaged.
  void read_rows(const SweepFileWriter::Column& column, std::uint64_t first, std::uint64_t rows, void* data) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace groundswell::sweep
