#include "server/runs.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "groundswell/engine/recorder.hpp"
#include "groundswell/engine/run.hpp"
#include "groundswell/engine/trial.hpp"
#include "groundswell/experiment/ensemble.hpp"
#include "groundswell/experiment/summary.hpp"

namespace groundswell::server {
namespace {

using nlohmann::json;

/// Finished runs are forgotten after this long.
constexpr auto kKeepFinished = std::chrono::minutes(30);

json rounded(const std::vector<float>& v) {
  json out = json::array();
  for (float x : v) out.push_back(std::round(static_cast<double>(x) * 1e4) / 1e4);
  return out;
}

json interval(const experiment::Interval& i) {
  auto r = [](double x) { return std::round(x * 1e4) / 1e4; };
  return {{"mean", r(i.mean)}, {"low", r(i.low)}, {"high", r(i.high)}};
}

/// A censored median: null where not reached by the last step.
json median(const experiment::CensoredMedian& m) {
  auto value = [](const std::optional<double>& v) { return v ? json(*v) : json(nullptr); };
  return {{"median", value(m.median)},
          {"low", value(m.low)},
          {"high", value(m.high)},
          {"reached", m.reached},
          {"trials", m.n}};
}

double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::round(std::chrono::duration<double>(b - a).count() * 1000.0) / 1000.0;
}

}  // namespace

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::Queued:
      return "queued";
    case RunStatus::Running:
      return "running";
    case RunStatus::Done:
      return "done";
    case RunStatus::Failed:
      return "failed";
    case RunStatus::Cancelled:
      return "cancelled";
  }
  return "unknown";
}

/// Receives the batches of run_experiment and publishes curves after each.
class Run::Sink : public experiment::TrialSink {
 public:
  explicit Sink(Run& run) : run_(run) { shares_.steps = run.request_.steps; }

  void write_batch(TrialIndex, const experiment::TrialBatch& out) override {
    const auto& curves = out.curves;
    const auto& metrics = out.metrics;
    for (const auto& c : curves.at(0)) {
      for (int s = 0; s < kStateCount; ++s) {
        const auto& share = c.share[static_cast<std::size_t>(s)];
        auto& kept = shares_.share[static_cast<std::size_t>(s)];
        kept.insert(kept.end(), share.begin(), share.end());
      }
      ++shares_.trials;
    }
    metrics_.insert(metrics_.end(), metrics.at(0).begin(), metrics.at(0).end());
    for (const auto& a : out.attribution.at(0)) add_attribution(a);
    publish();
  }

 private:
  /// One trial's attribution (MODEL.md 7): its entries into A by cause, and
  /// each role's share of its peer credit (as analysis/attribution.py).
  void add_attribution(const engine::TrialAttribution& a) {
    double entries = 0;
    std::array<double, engine::kCauseCount> by_cause{};
    for (int c = 0; c < engine::kCauseCount; ++c) {
      for (float x : a.entries[static_cast<std::size_t>(c)]) by_cause[static_cast<std::size_t>(c)] += x;
      entries += by_cause[static_cast<std::size_t>(c)];
    }
    if (entries > 0) {
      ++entry_trials_;
      for (int c = 0; c < engine::kCauseCount; ++c)
        cause_share_[static_cast<std::size_t>(c)] += by_cause[static_cast<std::size_t>(c)] / entries;
    }
    std::array<double, engine::kRoleCount> by_role{};
    double credit = 0;
    for (int r = 0; r < engine::kRoleCount; ++r) {
      for (float x : a.credit[static_cast<std::size_t>(r)]) by_role[static_cast<std::size_t>(r)] += x;
      credit += by_role[static_cast<std::size_t>(r)];
    }
    if (credit > 0) {
      ++credit_trials_;
      for (int r = 0; r < engine::kRoleCount; ++r)
        role_share_[static_cast<std::size_t>(r)] += by_role[static_cast<std::size_t>(r)] / credit;
    }
  }

  json attribution_json() const {
    auto r = [](double x) { return std::round(x * 1e4) / 1e4; };
    json causes = json::object();
    for (int c = 0; c < engine::kCauseCount; ++c)
      causes[engine::to_string(static_cast<engine::Cause>(c))] =
          entry_trials_ ? json(r(cause_share_[static_cast<std::size_t>(c)] / entry_trials_)) : json(nullptr);
    json roles = json::object();
    for (int k = 0; k < engine::kRoleCount; ++k)
      roles[engine::to_string(static_cast<engine::Role>(k))] =
          credit_trials_ ? json(r(role_share_[static_cast<std::size_t>(k)] / credit_trials_)) : json(nullptr);
    return {{"entry_trials", entry_trials_},
            {"entries", std::move(causes)},
            {"credit_trials", credit_trials_},
            {"credit", std::move(roles)}};
  }

  void publish() {
    const auto bands = summarize_shares(shares_);
    json c = {{"trials", shares_.trials}, {"steps", shares_.steps}, {"band", {kBandLow, kBandHigh}}};
    for (int s = 0; s < kStateCount; ++s) {
      const Band& b = bands[static_cast<std::size_t>(s)];
      c[kStateNames[s]] = {{"median", rounded(b.median)}, {"low", rounded(b.low)}, {"high", rounded(b.high)}};
    }
    const auto sum = experiment::summarize("strategy", metrics_);
    json m = {
        {"final_internalized", interval(sum.final_internalized)}, {"final_adopted", interval(sum.final_adopted)},
        {"peak_compliance", interval(sum.peak_compliance)},       {"peak_resistance", interval(sum.peak_resistance)},
        {"t50_internalized", median(sum.t50_internalized)},       {"t50", median(sum.t50)}};
    json attribution = attribution_json();
    std::string text = caption(bands, shares_.trials);
    const std::lock_guard<std::mutex> lock(run_.mutex_);
    run_.curves_ = std::move(c);
    run_.summary_ = std::move(m);
    run_.attribution_ = std::move(attribution);
    run_.caption_ = std::move(text);
    run_.trials_done_ = shares_.trials;
  }

  Run& run_;
  TrialShares shares_;
  std::vector<engine::TrialMetrics> metrics_;
  std::array<double, engine::kCauseCount> cause_share_{};  ///< sum over trials of each cause's share of entries
  std::array<double, engine::kRoleCount> role_share_{};    ///< sum over trials of each role's share of peer credit
  TrialIndex entry_trials_ = 0;                            ///< trials with any entry into A
  TrialIndex credit_trials_ = 0;                           ///< trials with any peer credit
};

Run::Run(std::string id, RunRequest request, model::ExperimentSpec experiment)
    : id_(std::move(id)),
      request_(std::move(request)),
      experiment_(std::move(experiment)),
      scenario_(scenario_text(request_)),
      created_(std::chrono::steady_clock::now()) {}

void Run::animate() {
  const model::ScenarioSpec& spec = experiment_.scenarios.at(0);
  const engine::TrialSetup setup = experiment::prepare_scenario_trial(experiment_, 0, 0);
  engine::TrialSimulation sim(spec, setup, engine::dynamics_key(experiment_.seed, spec.name, 0), experiment_.steps);
  const org::Organization& org = setup.organization;
  const AgentId n = org.size();

  engine::SnapshotRecorder snapshots;
  if (!engine::run_trial(sim, experiment_.steps, snapshots, &stop_)) return;
  json states = json::array();
  for (Step t = 0; t < snapshots.recorded(); ++t) {
    std::string row(n, 'N');
    const State* s = snapshots.at(t);
    for (AgentId i = 0; i < n; ++i) row[i] = kStateNames[static_cast<int>(s[i])][0];
    states.push_back(std::move(row));
  }

  json ties = json::array();  // informal listens-to ties as pairs: listener, source
  const auto& net = org.network;
  for (AgentId i = 0; i < n; ++i)
    for (EdgeIndex e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
      if (!net.formal[e]) {
        ties.push_back(i);
        ties.push_back(net.sources[e]);
      }
  json issuers = json::array();
  for (AgentId i = 0; i < n; ++i)
    if (!sim.state().issuer.empty() && sim.state().issuer[i]) issuers.push_back(i);

  json j = {{"trial", 0},
            {"size", n},
            {"steps", experiment_.steps},
            {"departments", org.department_count},
            {"manager", org.manager},
            {"department", org.department},
            {"champions", setup.champions},
            {"issuers", std::move(issuers)},
            {"formalized_at", sim.state().formalized_at},
            {"ties", std::move(ties)},
            {"states", std::move(states)}};
  auto text = std::make_shared<const std::string>(j.dump());
  const std::lock_guard<std::mutex> lock(mutex_);
  trial_ = std::move(text);
}

void Run::execute() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    status_ = RunStatus::Running;
    started_ = std::chrono::steady_clock::now();
  }
  RunStatus end = RunStatus::Done;
  std::string error;
  try {
    if (request_.animate) animate();
    experiment::RunOptions options;
    // Small batches so that the page draws the curves as they arrive.
    options.batch_trials = std::clamp<TrialIndex>(request_.trials / 10, 4, 64);
    options.stop = &stop_;
    Sink sink(*this);
    if (!stop_.load()) experiment::run_experiment(experiment_, options, &sink);
    if (stop_.load()) end = RunStatus::Cancelled;
  } catch (const InputError& e) {
    end = RunStatus::Failed;
    error = e.what();
  } catch (const std::bad_alloc&) {
    end = RunStatus::Failed;
    error = "out of memory; try a smaller organization or fewer trials";
  } catch (const std::exception& e) {
    end = RunStatus::Failed;
    error = std::string("internal error: ") + e.what();
  }
  const std::lock_guard<std::mutex> lock(mutex_);
  status_ = end;
  error_ = std::move(error);
  finished_ = std::chrono::steady_clock::now();
}

bool Run::finished() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return status_ == RunStatus::Done || status_ == RunStatus::Failed || status_ == RunStatus::Cancelled;
}

std::chrono::steady_clock::time_point Run::finished_at() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return finished_;
}

nlohmann::json Run::status_json() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  json j = {{"id", id_},
            {"status", to_string(status_)},
            {"trials", request_.trials},
            {"trials_done", trials_done_},
            {"steps", request_.steps},
            {"size", request_.size},
            {"request", to_json(request_)},
            {"scenario", scenario_},
            {"trial_ready", trial_ != nullptr},
            {"trial_url", "/api/runs/" + id_ + "/trial"},
            {"curves", curves_.is_null() ? json(nullptr) : curves_},
            {"summary", summary_.is_null() ? json(nullptr) : summary_},
            {"attribution", attribution_.is_null() ? json(nullptr) : attribution_},
            {"caption", caption_}};
  if (status_ == RunStatus::Failed) j["error"] = error_;
  if (status_ != RunStatus::Queued)
    j["seconds"] = seconds_between(started_, status_ == RunStatus::Running ? now : finished_);
  return j;
}

std::shared_ptr<const std::string> Run::trial_json() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return trial_;
}

RunQueue::RunQueue(const Limits& limits) : limits_(limits), ids_(std::random_device{}()) {
  for (unsigned w = 0; w < std::max(1u, limits_.running_runs); ++w) workers_.emplace_back([this] { work(); });
}

RunQueue::~RunQueue() { shutdown(); }

std::shared_ptr<Run> RunQueue::submit(RunRequest request, model::ExperimentSpec experiment) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (stopping_) throw RequestError(503, "the server is shutting down");
  const std::size_t capacity = std::max(1u, limits_.running_runs) + limits_.queued_runs;
  if (waiting_.size() + running_ >= capacity)
    throw RequestError(429, "busy: " + std::to_string(waiting_.size() + running_) +
                                " runs are running or waiting; try again when one has finished");
  char id[17];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(ids_()));
  auto run = std::make_shared<Run>(id, std::move(request), std::move(experiment));
  runs_[run->id()] = run;
  order_.push_back(run->id());
  waiting_.push_back(run);
  evict_locked();
  lock.unlock();
  wake_.notify_one();
  return run;
}

std::shared_ptr<Run> RunQueue::find(const std::string& id) const {
  const std::lock_guard<std::mutex> lock(mutex_);
  auto it = runs_.find(id);
  return it == runs_.end() ? nullptr : it->second;
}

bool RunQueue::remove(const std::string& id) {
  const std::lock_guard<std::mutex> lock(mutex_);
  auto it = runs_.find(id);
  if (it == runs_.end()) return false;
  it->second->cancel();
  waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), it->second), waiting_.end());
  runs_.erase(it);
  order_.erase(std::remove(order_.begin(), order_.end(), id), order_.end());
  return true;
}

void RunQueue::shutdown() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ && workers_.empty()) return;
    stopping_ = true;
    for (auto& [id, run] : runs_) run->cancel();
    waiting_.clear();
  }
  wake_.notify_all();
  for (auto& w : workers_)
    if (w.joinable()) w.join();
  workers_.clear();
}

nlohmann::json RunQueue::counts_json() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return {{"running", running_}, {"waiting", waiting_.size()}, {"stored", runs_.size()}};
}

void RunQueue::work() {
  for (;;) {
    std::shared_ptr<Run> run;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      run = waiting_.front();
      waiting_.pop_front();
      ++running_;
    }
    run->execute();
    const std::lock_guard<std::mutex> lock(mutex_);
    --running_;
    evict_locked();
  }
}

void RunQueue::evict_locked() {
  const auto now = std::chrono::steady_clock::now();
  for (auto it = order_.begin(); it != order_.end();) {
    auto run = runs_.find(*it);
    const bool done = run == runs_.end() || run->second->finished();
    const bool over = runs_.size() > limits_.stored_runs;
    if (done && (over || run == runs_.end() || now - run->second->finished_at() > kKeepFinished)) {
      if (run != runs_.end()) runs_.erase(run);
      it = order_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace groundswell::server
