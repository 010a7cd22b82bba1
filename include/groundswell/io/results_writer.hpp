#pragma once
// The HDF5 results file (layout documented in docs/output.md). HDF5 stays
// behind this interface: no HDF5 type appears in a public header.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "groundswell/experiment/ensemble.hpp"

namespace groundswell::io {

/// Streams batches of trials into an HDF5 file written under a temporary
/// name in the output's directory and renamed to `path` only by finish().
/// If the writer is destroyed before finish() (error, interrupt), the
/// temporary file is removed: no half-written file is ever left behind.
class ResultsWriter final : public experiment::TrialSink {
 public:
  /// Throws std::runtime_error if the temporary file cannot be created.
  ResultsWriter(const std::string& path, const model::ExperimentSpec& experiment, unsigned threads);
  ~ResultsWriter() override;
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;

  void write_batch(TrialIndex first, const experiment::TrialBatch& batch) override;

  /// Flushes and closes the file (a close that cannot flush is an error),
  /// writes it to the disk (fsync), renames it into place and syncs the
  /// directory. Throws std::runtime_error naming the output and the cause
  /// (e.g. "No space left on device") on any I/O error; the temporary file is
  /// then removed. write_batch() reports errors the same way.
  void finish();

  const std::string& temporary_path() const noexcept;

 private:
  void create(const model::ExperimentSpec& experiment, unsigned threads);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// One dataset of a scenario's group (docs/output.md) with its values, in
/// memory: what ResultsWriter writes under /scenarios/<name>/, from the same
/// table of datasets, for callers that keep results in memory (the Python
/// module, python/). Exactly one of `floats` and `integers` holds the values,
/// in row-major order of `shape`.
struct DatasetValues {
  std::string path;                ///< under the scenario's group: "curves/A", "metrics/t50", ...
  std::vector<std::size_t> shape;  ///< [trials], [trials, steps+1], [trials, steps+1, departments], [trials, agents]
  std::vector<std::string> dimensions;  ///< the names of the axes: "trial", "week", "department", "agent"
  std::vector<float> floats;            ///< float32 datasets
  std::vector<std::int32_t> integers;   ///< int32 datasets, and the int8 ones (`int8`)
  bool int8 = false;                    ///< stored as int8 in the file
  std::string units, description;       ///< the dataset's attributes
};

/// Every dataset of one scenario as the results file holds it (the datasets
/// per department are left out for an organization without departments, as
/// in the file; department_size and department_name are not included).
/// @param curves, metrics, attribution one entry per trial, in trial order
/// @param record the scenario's record keys: attribution/ only with
///        record.attribution, the per-agent datasets only with record.credit
/// @throws std::invalid_argument if the three differ in length
std::vector<DatasetValues> scenario_datasets(const std::vector<engine::TrialCurves>& curves,
                                             const std::vector<engine::TrialMetrics>& metrics,
                                             const std::vector<engine::TrialAttribution>& attribution,
                                             const model::RecordSpec& record);

/// What a results file holds, read back (used by `groundswell info`).
struct ResultsSummary {
  std::string experiment, version, git_commit, created, rule;
  std::string overrides;   ///< the `--set` texts, one a line (empty if none)
  int format_version = 0;  ///< 1: before model v2 (no t50_internalized, departments_internalized)
  std::uint64_t seed = 0;
  std::uint64_t trials = 0;
  std::int64_t steps = 0;
  std::vector<std::string> scenarios;
  std::vector<std::vector<engine::TrialMetrics>> metrics;  ///< [scenario][trial]
};

/// Reads the attributes and metrics of a results file. Throws InputError if
/// the file is missing or is not a Groundswell results file.
ResultsSummary read_results_summary(const std::string& path);

}  // namespace groundswell::io
