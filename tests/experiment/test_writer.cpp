// run_experiment's writer (sim/experiment/ensemble.cpp): batches reach the
// sink in order, one at a time, on a thread of their own while the next batch
// runs; what the sink throws is rethrown; a stop between batches leaves only
// whole written batches counted.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "groundswell/experiment/ensemble.hpp"
#include "groundswell/model/scenario.hpp"

using namespace groundswell;

namespace {

const char* kSmall = R"(
rule = "sdt"
[experiment]
seed = 5
trials = 40
steps = 10
[organization]
size = 200
[[scenario]]
name = "a"
[[scenario]]
name = "b"
champions = { count = 4, selection = "distributed" }
)";

/// Records the batches it receives; optionally throws at, or sets a stop flag during, a batch.
struct RecordingSink : experiment::TrialSink {
  std::vector<TrialIndex> firsts;
  std::vector<std::size_t> sizes;
  std::vector<std::thread::id> threads;
  int throw_at = -1;
  int stop_at = -1;
  std::atomic<bool>* stop = nullptr;
  std::atomic<int> inside{0};
  bool overlapped = false;
  void write_batch(TrialIndex first, const experiment::TrialBatch& batch) override {
    overlapped = overlapped || inside.fetch_add(1) != 0;
    firsts.push_back(first);
    sizes.push_back(batch.curves.at(0).size());
    threads.push_back(std::this_thread::get_id());
    const int k = static_cast<int>(firsts.size()) - 1;
    inside.fetch_sub(1);
    if (k == stop_at) stop->store(true);
    if (k == throw_at) throw std::runtime_error("disk full (test)");
  }
};

}  // namespace

TEST_CASE("the writer gets every batch in order, one at a time, off the calling thread", "[unit]") {
  const auto x = model::parse_experiment(kSmall, "writer.toml", ".");
  RecordingSink sink;
  experiment::RunOptions options;
  options.threads = 2;
  options.batch_trials = 6;
  std::vector<TrialIndex> progress;
  options.progress = [&](TrialIndex done, TrialIndex) { progress.push_back(done); };
  const auto results = experiment::run_experiment(x, options, &sink);
  CHECK(results.trials_done == 40);
  CHECK_FALSE(results.interrupted);
  REQUIRE(sink.firsts.size() == 7);  // 6 x 6 + 4
  for (std::size_t k = 0; k < sink.firsts.size(); ++k) {
    CHECK(sink.firsts[k] == static_cast<TrialIndex>(6 * k));
    CHECK(sink.sizes[k] == (k < 6 ? 6u : 4u));
    CHECK(sink.threads[k] != std::this_thread::get_id());
  }
  CHECK_FALSE(sink.overlapped);
  CHECK(progress == std::vector<TrialIndex>{6, 12, 18, 24, 30, 36, 40});
  CHECK(results.metrics.at(0).size() == 40);
}

TEST_CASE("what the writer throws is rethrown, and no batch after it is written", "[unit]") {
  const auto x = model::parse_experiment(kSmall, "writer.toml", ".");
  RecordingSink sink;
  sink.throw_at = 1;
  experiment::RunOptions options;
  options.threads = 2;
  options.batch_trials = 4;
  CHECK_THROWS_WITH(experiment::run_experiment(x, options, &sink), "disk full (test)");
  CHECK(sink.firsts.size() == 2);
}

TEST_CASE("a stop between batches ends the run with only written batches counted", "[unit]") {
  const auto x = model::parse_experiment(kSmall, "writer.toml", ".");
  std::atomic<bool> stop{false};
  RecordingSink sink;
  sink.stop_at = 0;
  sink.stop = &stop;
  experiment::RunOptions options;
  options.threads = 2;
  options.batch_trials = 2;
  options.stop_between_batches = &stop;
  const auto results = experiment::run_experiment(x, options, &sink);
  CHECK(results.interrupted);
  // The stop comes during the first write: the batch running beside it may
  // finish and be written, no other.
  CHECK(sink.firsts.size() <= 2);
  CHECK(results.trials_done == 2 * static_cast<TrialIndex>(sink.firsts.size()));
  CHECK(results.metrics.at(1).size() == results.trials_done);
}
