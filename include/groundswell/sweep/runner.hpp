#pragma once
// Running a sweep: points committed as they finish, resume, shards, MPI
// ranks; and merging shard files (docs/sweeps.md).
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "groundswell/sweep/plan.hpp"

namespace groundswell::sweep {

/// Shard `index` of `count` holds the points p with p mod count == index (0-based).
struct Shard {
  std::uint64_t index = 0, count = 1;
};
std::vector<std::uint64_t> shard_points(std::uint64_t points, const Shard& shard);

struct SweepOptions {
  std::string output;    ///< the sweep file; its parts go to `output`.parts/
  bool resume = false;   ///< continue from the parts of an earlier run
  bool force = false;    ///< discard an earlier output and its parts
  Shard shard;           ///< count 1: the whole sweep
  unsigned threads = 0;  ///< worker threads per process; 0 = all cores (shared by the ranks of a node)
  const std::atomic<bool>* stop = nullptr;       ///< set (e.g. by a signal) to stop at the next step boundary
  std::function<void(const std::string&)> note;  ///< one-line messages (warnings, what is reused)
  /// (points done, points of this run): first with the points already done (kept by --resume), then after each
  std::function<void(std::uint64_t, std::uint64_t)> progress;
};

struct SweepOutcome {
  std::uint64_t points = 0;       ///< points of this run (the shard's)
  std::uint64_t reused = 0;       ///< found committed by an earlier run
  std::uint64_t computed = 0;     ///< computed by this run
  bool written = false;           ///< the output file was written
  bool already_complete = false;  ///< --resume found the output complete: nothing to do
  bool interrupted = false;       ///< stopped early; completed points stay in the parts directory
  bool worker = false;            ///< this process is an MPI rank other than 0 (it writes nothing)
  unsigned threads = 0, ranks = 1;
};

/// Runs the plan's points (of the shard) that are not committed yet,
/// committing each to the parts directory as it finishes, then writes the
/// sweep file and removes the parts. Under mpirun (built with MPI), rank 0
/// hands out points to every rank, itself included, one at a time (dynamic
/// load balancing) and commits their results; the file is the same as a
/// single process writes. Throws InputError for unusable outputs or parts
/// (existing output without --force or --resume, parts of another sweep or
/// build, a locked parts directory).
SweepOutcome run_sweep(const Plan& plan, const SweepOptions& options);

struct MergeOutcome {
  std::uint64_t points = 0;
  std::size_t files = 0;
};

/// Merges sweep files of the same sweep (shards, or any files covering it)
/// into one whose data equal a single run's. Throws InputError naming the
/// files if they belong to different sweeps or builds, overlap, or leave
/// points uncovered (listing them), or if `output` exists without `force`.
MergeOutcome merge_sweeps(const std::vector<std::string>& inputs, const std::string& output, bool force);

}  // namespace groundswell::sweep
