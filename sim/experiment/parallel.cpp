// for_each_index: a tbb::parallel_for in a task arena of the job's own size,
// or plain std::threads under ThreadSanitizer (see the note in
// engine/detail/parallel_for.hpp: Debian's libtbb is not instrumented, so
// ThreadSanitizer would report TBB's hand-over of tasks as races).
#include "groundswell/experiment/parallel.hpp"

#include <tbb/blocked_range.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>
#include <tbb/task_arena.h>

#include <algorithm>
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

namespace groundswell::experiment {

unsigned thread_count(unsigned requested) {
  return requested ? requested : static_cast<unsigned>(std::max(1, tbb::info::default_concurrency()));
}

void for_each_index(std::size_t n, unsigned threads, const std::function<void(std::size_t)>& f) {
  if (n == 0) return;
  const unsigned t = thread_count(threads);
#ifdef GROUNDSWELL_TSAN
  // Thread t takes every t-th index. The engine's loops inside f then see the
  // default arena's concurrency: a different split, the same results.
  const std::size_t count = std::min<std::size_t>(n, t);
  std::vector<std::exception_ptr> errors(count);
  std::vector<std::thread> pool;
  for (std::size_t k = 0; k < count; ++k)
    pool.emplace_back([&, k] {
      try {
        for (std::size_t i = k; i < n; i += count) f(i);
      } catch (...) {
        errors[k] = std::current_exception();
      }
    });
  for (auto& thread : pool) thread.join();
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
#else
  // One task per index (simple_partitioner, grain 1): with coarse tasks this
  // leaves at most one running alone at the end, where the default
  // partitioner may leave several bundled together.
  // TBB never runs more threads than its default concurrency in any arena;
  // asking for more only prints a warning. Results do not depend on the count.
  tbb::task_arena arena(std::min(static_cast<int>(t), std::max(1, tbb::info::default_concurrency())));
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::size_t>(0, n, 1),
        [&](const tbb::blocked_range<std::size_t>& r) {
          for (std::size_t i = r.begin(); i != r.end(); ++i) f(i);
        },
        tbb::simple_partitioner());
  });
#endif
}

}  // namespace groundswell::experiment
