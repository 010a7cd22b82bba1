#pragma once
// Parallelism owned in one place (STYLE.md 6): every parallel loop over
// trials, draws or particles goes through for_each_index, which runs in a TBB
// task arena of its own with the job's thread count. No process-wide limit is
// set, so a host (a Python session, the trainer's server) can run two jobs
// with different thread counts at once. The engine's own loops over blocks of
// agents, inside f, run in the same arena and follow its thread count.
#include <cstddef>
#include <functional>

namespace groundswell::experiment {

/// The number of threads a job asked for `requested` uses: `requested`, or
/// when 0 every core the process may use (TBB's default concurrency).
unsigned thread_count(unsigned requested);

/// Calls f(i) once for every i in [0, n), in parallel on at most `threads`
/// threads (0 = every core), in a task arena created for this call; returns
/// when all have finished. Each index is a task of its own (callers' tasks
/// are coarse: a trial, a parameter draw), in no particular order and on no
/// particular thread: f must write only what index i owns, and results then
/// do not depend on the thread count. Costs one arena per call (microseconds).
/// @param n number of indices
/// @param threads threads at most, 0 = every core
/// @param f the work of one index; called concurrently from several threads
/// @throws whatever f throws (the first exception; other indices may not run)
void for_each_index(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& f);

}  // namespace groundswell::experiment
