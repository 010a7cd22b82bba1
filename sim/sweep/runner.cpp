// Running a sweep: prepare the output and its parts, compute the missing
// points (one process or MPI ranks), assemble the sweep file.
#include "groundswell/sweep/runner.hpp"

#include <unistd.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include "groundswell/experiment/memory.hpp"
#include "groundswell/sweep/point.hpp"
#include "groundswell/sweep/sweep_file.hpp"
#include "sweep/detail/mpi.hpp"
#include "sweep/detail/parts.hpp"

namespace groundswell::sweep {
namespace {

namespace fs = std::filesystem;

std::string shard_text(const Shard& s) {
  return s.count > 1 ? std::to_string(s.index) + "/" + std::to_string(s.count) : std::string();
}

void note(const SweepOptions& o, const std::string& message) {
  if (o.note) o.note(message);
}

/// Writes the sweep file from the committed parts (verifying each again),
/// then removes them. A stop no longer matters here: every point is
/// computed, and a kill leaves the parts, from which --resume assembles.
void assemble(const Plan& plan, const SweepOptions& o, detail::PartStore& store,
              const std::vector<std::uint64_t>& points, const RunInfo& info) {
  SweepFileWriter writer(o.output, plan, points, info);
  for (std::uint64_t p : points) writer.write(store.read(p));
  writer.finish();
  store.remove();
}

/// Removes temporary sweep files of killed runs (".OUT.h5.tmp<pid>"); the parts lock is held.
void remove_stale_outputs(const std::string& output) {
  const fs::path out(output);
  const fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  const std::string prefix = "." + out.filename().string() + ".tmp";
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0 &&
        name.find_first_not_of("0123456789", prefix.size()) == std::string::npos)
      fs::remove(entry.path(), ec);
  }
}

/// What rank 0 finds before computing: the points to compute, or that there is nothing to do.
struct Prepared {
  std::vector<std::uint64_t> points;  // of the shard, ascending
  std::deque<std::uint64_t> todo;
  std::uint64_t reused = 0;
  bool already_complete = false;
};

Prepared prepare(const Plan& plan, const SweepOptions& o, detail::PartStore& store) {
  Prepared r;
  r.points = shard_points(plan.points(), o.shard);
  const fs::path out(o.output);
  const fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw InputError("output " + o.output + ": directory " + dir.string() + " does not exist; create it first");
  if (::access(dir.c_str(), W_OK) != 0)
    throw InputError("output " + o.output + ": directory " + dir.string() + " is not writable");
  if (fs::is_directory(out, ec))
    throw InputError("output " + o.output + " is a directory; give a file name such as sweep.h5");
  // As check_output (cli/outputs.hpp): a link or a device is never replaced, --force or not.
  const bool exists = fs::exists(fs::symlink_status(out, ec));
  if (exists && !fs::is_regular_file(fs::symlink_status(out, ec)))
    throw InputError("output " + o.output + " exists and is not a regular file; choose another name");

  if (exists && !o.force) {
    if (!o.resume)
      throw InputError(
          "output " + o.output +
          " exists; pass --resume to continue that sweep, --force to overwrite it, or choose another name");
    // Only a sweep file, intact or damaged, is rebuilt by --resume; anything else is the user's.
    const std::string kind = not_a_sweep_file(o.output);
    if (!kind.empty())
      throw InputError("output " + o.output + " is not a sweep file (" + kind +
                       "); --resume continues only a sweep written by 'groundswell sweep': pass --force to replace "
                       "it or choose another name");
    try {
      const SweepFileInfo info = read_sweep_info(o.output);
      if (info.fingerprint != plan.fingerprint())
        throw InputError("output " + o.output + " holds another sweep (fingerprint " + info.fingerprint +
                         ", this one is " + plan.fingerprint() +
                         "); use --force to overwrite it or choose another name");
      if (info.index == r.points && !store.exists()) {
        verify_sweep_file(o.output, plan);  // damaged datasets: rebuilt below rather than trusted
        r.already_complete = true;
        return r;
      }
    } catch (const InputError& e) {
      if (std::string(e.what()).find("holds another sweep") != std::string::npos) throw;
      note(o, std::string("warning: ") + e.what() + "; it will be rebuilt from the parts and overwritten");
    }
  }
  if (store.exists() && !o.resume && !o.force)
    throw InputError(store.directory() +
                     " holds the points of an earlier run; pass --resume to continue it or --force to discard it");
  const bool had_parts = store.exists();
  store.open();
  if (o.force) store.remove(), store.open();  // a clean directory, locked
  remove_stale_outputs(o.output);
  std::vector<std::uint64_t> done;
  if (o.resume) {
    const detail::PartStore::Scan scan = store.scan();
    for (const auto& d : scan.damaged) note(o, "warning: damaged part " + d + "; the point will be computed again");
    if (scan.stale) note(o, "removed " + std::to_string(scan.stale) + " temporary file(s) of an interrupted run");
    done = scan.done;
  }
  for (std::uint64_t p : r.points) {
    if (std::binary_search(done.begin(), done.end(), p))
      ++r.reused;
    else
      r.todo.push_back(p);
  }
  if (o.resume && had_parts)
    note(o, "resuming: " + std::to_string(r.reused) + " of " + std::to_string(r.points.size()) +
                " points are committed in " + store.directory() + ", " + std::to_string(r.todo.size()) + " to compute");
  return r;
}

}  // namespace

std::vector<std::uint64_t> shard_points(std::uint64_t points, const Shard& shard) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t p = shard.index; p < points; p += shard.count) out.push_back(p);
  return out;
}

SweepOutcome run_sweep(const Plan& plan, const SweepOptions& o) {
  if (o.shard.count == 0 || o.shard.index >= o.shard.count)
    throw InputError("--shard " + std::to_string(o.shard.index) + "/" + std::to_string(o.shard.count) +
                     ": the shard must be I/N with 0 <= I < N");
  SweepOutcome outcome;
  const int rank = detail::mpi_rank(), ranks = detail::mpi_size();
  outcome.ranks = static_cast<unsigned>(ranks);
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  outcome.threads = o.threads ? o.threads : std::max(1u, cores / static_cast<unsigned>(detail::mpi_local_size()));

  experiment::require_memory(point_memory(plan, outcome.threads), plan.base().source_path, "each point of this sweep",
                             "reduce organization.size, sweep.trials, the steps (with curves = true: or set "
                             "curves = false) or --threads");

  experiment::RunOptions run;
  run.threads = outcome.threads;
  run.stop = o.stop;
  const detail::Compute compute = [&](std::uint64_t p) -> std::optional<std::vector<char>> {
    const auto result = run_point(plan, p, run);
    if (!result) return std::nullopt;
    return detail::encode_part(plan, *result);
  };

  if (rank != 0) {  // an MPI worker: rank 0 decides whether there is work
    outcome.worker = true;
    if (!detail::mpi_broadcast(false)) return outcome;
    detail::mpi_worker(compute);
    outcome.interrupted = o.stop && o.stop->load();
    return outcome;
  }

  detail::PartStore store(o.output, plan);
  Prepared prep;
  try {
    prep = prepare(plan, o, store);
  } catch (...) {
    detail::mpi_broadcast(false);  // the workers end quietly; this rank reports the error
    throw;
  }
  outcome.points = prep.points.size();
  outcome.reused = prep.reused;
  if (prep.already_complete) {
    detail::mpi_broadcast(false);
    outcome.already_complete = true;
    return outcome;
  }
  detail::mpi_broadcast(true);

  std::atomic<std::uint64_t> done{prep.reused};
  std::mutex progress_mutex;
  if (o.progress) o.progress(done, outcome.points);  // where this run starts (points kept by --resume)
  const detail::Commit commit = [&](std::uint64_t p, const std::vector<char>& bytes) {
    detail::decode_part(plan, bytes, p);  // a result is verified before it is committed
    store.commit(p, bytes);
    const std::uint64_t d = ++done;
    if (o.progress) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      o.progress(d, outcome.points);
    }
  };
  if (o.progress) o.progress(done, outcome.points);
  if (ranks > 1) {
    detail::mpi_master(prep.todo, compute, commit, o.stop);
  } else {
    for (std::uint64_t p : prep.todo) {
      const auto bytes = compute(p);
      if (!bytes) break;
      commit(p, *bytes);
    }
  }
  outcome.computed = done - prep.reused;
  if (done < outcome.points) {
    outcome.interrupted = true;
    return outcome;
  }
  RunInfo info;
  info.threads = outcome.threads;
  info.ranks = outcome.ranks;
  info.shard = shard_text(o.shard);
  assemble(plan, o, store, prep.points, info);
  outcome.written = true;
  return outcome;
}

}  // namespace groundswell::sweep
