#pragma once
// Runs of the trainer API: one strategy on one organization, simulated on a
// worker thread (trials on the engine's thread pool) while the HTTP threads
// keep answering. A bounded queue: a few run at once, a few wait, the rest
// are refused with 429.
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "groundswell/model/scenario.hpp"
#include "server/curves.hpp"
#include "server/request.hpp"

namespace groundswell::server {

enum class RunStatus { Queued, Running, Done, Failed, Cancelled };
const char* to_string(RunStatus status);

/// One run. Thread-safe: the worker writes, HTTP threads read snapshots.
class Run {
 public:
  Run(std::string id, RunRequest request, model::ExperimentSpec experiment);

  const std::string& id() const noexcept { return id_; }
  /// Simulates: the animated trial first, then every trial in batches. On the worker thread.
  void execute();
  /// Asks the run to stop at the next step boundary.
  void cancel() noexcept { stop_.store(true); }
  bool finished() const;
  /// Status, progress, curves so far and the caption, as the API returns it.
  nlohmann::json status_json() const;
  /// The animated trial (serialized JSON), empty until it is ready.
  std::shared_ptr<const std::string> trial_json() const;
  std::chrono::steady_clock::time_point finished_at() const;

 private:
  class Sink;
  void animate();

  const std::string id_;
  const RunRequest request_;
  const model::ExperimentSpec experiment_;
  const std::string scenario_;
  std::atomic<bool> stop_{false};
  std::chrono::steady_clock::time_point created_;

  mutable std::mutex mutex_;  // guards everything below
  RunStatus status_ = RunStatus::Queued;
  std::string error_;
  TrialIndex trials_done_ = 0;
  nlohmann::json curves_, summary_, attribution_;  ///< attribution: MODEL.md 7, docs/server.md
  std::string caption_;
  std::shared_ptr<const std::string> trial_;
  std::chrono::steady_clock::time_point started_, finished_;
};

/// The runs the server knows: a bounded queue and a few worker threads.
class RunQueue {
 public:
  explicit RunQueue(const Limits& limits);
  ~RunQueue();  ///< cancels every run and joins the workers
  RunQueue(const RunQueue&) = delete;
  RunQueue& operator=(const RunQueue&) = delete;

  /// Queues a validated request. Throws RequestError(429) when the queue is
  /// full, RequestError(503) after shutdown().
  std::shared_ptr<Run> submit(RunRequest request, model::ExperimentSpec experiment);
  std::shared_ptr<Run> find(const std::string& id) const;
  /// Cancels and forgets a run; false if unknown.
  bool remove(const std::string& id);
  /// Cancels every run and stops the workers; idempotent.
  void shutdown();
  nlohmann::json counts_json() const;

 private:
  void work();
  void evict_locked();

  const Limits limits_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  unsigned running_ = 0;
  std::deque<std::shared_ptr<Run>> waiting_;
  std::map<std::string, std::shared_ptr<Run>> runs_;
  std::deque<std::string> order_;  ///< ids, oldest first
  std::vector<std::thread> workers_;
  std::mt19937_64 ids_;  ///< run ids: not guessable from one another
};

}  // namespace groundswell::server
