#pragma once
// detail::parallel_for: the engine's parallel loops over blocks of agents.
// They run in the task arena of their caller (experiment::for_each_index
// gives each job one of its own), so they follow the job's thread count.
// tbb::parallel_for, except under ThreadSanitizer.
// Debian's libtbb is not built with -fsanitize=thread, so the
// synchronization by which it hands tasks to its workers is invisible to
// ThreadSanitizer: every write made before a parallel loop and read in a task
// would be reported as a race (hundreds of false reports, inside TBB's
// headers and in our loop bodies alike). Under ThreadSanitizer the same loops
// therefore run on plain std::threads, whose start and join it sees: what the
// engine's tasks share is checked, TBB's scheduler is not. Other builds call
// tbb::parallel_for unchanged. Used by scripts/ci-extra (see .ci/tsan.supp).
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

#if defined(__SANITIZE_THREAD__)
#define GROUNDSWELL_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GROUNDSWELL_TSAN 1
#endif
#endif

namespace groundswell::engine::detail {

#ifdef GROUNDSWELL_TSAN
/// Calls task(k) for k = 0..count-1 on up to the current arena's concurrency threads,
/// each taking every threads-th task; rethrows the first exception.
template <typename Task>
void run_on_threads(std::size_t count, const Task& task) {
  const std::size_t threads =
      std::min<std::size_t>(count, static_cast<std::size_t>(std::max(1, tbb::this_task_arena::max_concurrency())));
  std::vector<std::exception_ptr> errors(threads);
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      try {
        for (std::size_t k = t; k < count; k += threads) task(k);
      } catch (...) {
        errors[t] = std::current_exception();
      }
    });
  for (auto& thread : pool) thread.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
}
#endif

/// body(i) for i in [first, last), one task per i: the callers' tasks are
/// coarse (a block of agents), and one task each leaves at most one of them
/// running alone at the end, where TBB's default partitioner may leave
/// several bundled together.
template <typename Index, typename Body>
void parallel_for(Index first, Index last, const Body& body) {
#ifdef GROUNDSWELL_TSAN
  if (last > first)
    run_on_threads(static_cast<std::size_t>(last - first), [&](std::size_t k) { body(first + static_cast<Index>(k)); });
#else
  tbb::parallel_for(
      tbb::blocked_range<Index>(first, last, 1),
      [&](const tbb::blocked_range<Index>& r) {
        for (Index i = r.begin(); i != r.end(); ++i) body(i);
      },
      tbb::simple_partitioner());
#endif
}

/// tbb::parallel_for(range, body) over a blocked_range of size_t: body(subrange),
/// with subranges of at most range.grainsize() under ThreadSanitizer.
template <typename Body>
void parallel_for(const tbb::blocked_range<std::size_t>& range, const Body& body) {
#ifdef GROUNDSWELL_TSAN
  const std::size_t grain = std::max<std::size_t>(1, range.grainsize());
  const std::size_t blocks = (range.size() + grain - 1) / grain;
  run_on_threads(blocks, [&](std::size_t b) {
    const std::size_t begin = range.begin() + b * grain;
    body(tbb::blocked_range<std::size_t>(begin, std::min(range.end(), begin + grain), grain));
  });
#else
  tbb::parallel_for(range, body);
#endif
}

}  // namespace groundswell::engine::detail
