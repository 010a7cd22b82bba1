#pragma once
// The ensemble runner (STYLE.md 4): runs every scenario of an experiment for
// every trial, owns the parallelism, and hands finished batches of trials to
// a sink (the HDF5 writer) so memory stays flat in the number of trials.
#include <atomic>
#include <cstddef>
#include <functional>
#include <vector>

#include "groundswell/engine/recorder.hpp"
#include "groundswell/model/scenario.hpp"

namespace groundswell::experiment {

/// A batch of finished trials: curves[s][k], metrics[s][k] and
/// attribution[s][k] are trial first + k of scenario s.
struct TrialBatch {
  std::vector<std::vector<engine::TrialCurves>> curves;
  std::vector<std::vector<engine::TrialMetrics>> metrics;
  std::vector<std::vector<engine::TrialAttribution>> attribution;
};

/// Receives consecutive batches of finished trials, one at a time and in
/// order, on a thread of run_experiment's own (the writer), while the next
/// batch runs; run_experiment returns only after the last write is done.
class TrialSink {
 public:
  virtual ~TrialSink() = default;
  /// @param first the index of the batch's first trial
  virtual void write_batch(TrialIndex first, const TrialBatch& batch) = 0;
};

struct RunOptions {
  /// Threads of this run, 0 = all cores; the run has a task arena of its own
  /// (experiment/parallel.hpp), so runs at once may use different counts.
  unsigned threads = 0;
  TrialIndex batch_trials = 0;  ///< trials per batch; 0 = automatic
  /// Called after each batch is written with (trials done, trials in all), on the calling thread.
  std::function<void(TrialIndex, TrialIndex)> progress;
  /// When set to true (e.g. by a signal handler) the run stops at the next step boundary.
  const std::atomic<bool>* stop = nullptr;
  /// When set to true the run stops before its next batch, the trials
  /// written so far whole (sweeps: a point is all its trials or nothing).
  const std::atomic<bool>* stop_between_batches = nullptr;
};

/// Per-trial metrics of every scenario, kept for the summary (small).
struct ExperimentResults {
  std::vector<std::vector<engine::TrialMetrics>> metrics;  ///< [scenario][trial]
  TrialIndex trials_done = 0;
  bool interrupted = false;
};

/// Runs the experiment. Results are bit-identical for any thread count: each
/// (scenario, trial) draws from its own streams (MODEL.md 7). Throws
/// InputError for problems found only when building an organization.
ExperimentResults run_experiment(const model::ExperimentSpec& experiment, const RunOptions& options, TrialSink* sink);

/// Prepares trial `trial` of scenario `scenario` as run_experiment would
/// (for inspection and export).
engine::TrialSetup prepare_scenario_trial(const model::ExperimentSpec& experiment, std::size_t scenario,
                                          TrialIndex trial);

}  // namespace groundswell::experiment
