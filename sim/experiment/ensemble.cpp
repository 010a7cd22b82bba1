#include "groundswell/experiment/ensemble.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <future>
#include <memory>
#include <system_error>

#include "groundswell/experiment/parallel.hpp"
#include "groundswell/org/generate.hpp"

namespace groundswell::experiment {
namespace {

bool deterministic_generator(const model::OrganizationSpec& spec) {
  return spec.generator == model::Generator::Complete || spec.generator == model::Generator::File;
}

/// Organizations that do not depend on the trial are built once.
struct OrganizationCache {
  std::vector<std::shared_ptr<const org::Organization>> fixed;  // per scenario, or null

  OrganizationCache(const model::ExperimentSpec& x) : fixed(x.scenarios.size()) {
    for (std::size_t s = 0; s < x.scenarios.size(); ++s) {
      const auto& spec = x.scenarios[s].organization;
      if (!deterministic_generator(spec)) continue;
      for (std::size_t p = 0; p < s; ++p)
        if (fixed[p] && x.scenarios[p].organization == spec) fixed[s] = fixed[p];
      if (!fixed[s]) fixed[s] = std::make_shared<const org::Organization>(org::generate_organization(spec, 0));
    }
  }
};

/// Runs all scenarios of one trial; scenarios with the same organization
/// spec share the trial's organization (common random numbers).
void run_one_trial(const model::ExperimentSpec& x, const OrganizationCache& cache, TrialIndex trial, TrialBatch& batch,
                   std::size_t k, const std::atomic<bool>* stop) {
  std::shared_ptr<const org::Organization> last;
  const model::OrganizationSpec* last_spec = nullptr;
  for (std::size_t s = 0; s < x.scenarios.size(); ++s) {
    // Stopped: the trials still pending build no organization (seconds for a
    // large one) and run no step; the batch is discarded.
    if (stop && stop->load()) return;
    const auto& spec = x.scenarios[s];
    std::shared_ptr<const org::Organization> base = cache.fixed[s];
    if (!base) {
      if (last && last_spec && *last_spec == spec.organization)
        base = last;
      else
        base = std::make_shared<const org::Organization>(
            org::generate_organization(spec.organization, engine::organization_key(x.seed, trial)));
      last = base;
      last_spec = &spec.organization;
    }
    if (stop && stop->load()) return;
    const engine::TrialSetup setup = engine::prepare_trial(spec, x.seed, trial, *base);
    if (!engine::run_trial(spec, setup, engine::dynamics_key(x.seed, spec.name, trial), x.steps, batch.curves[s][k],
                           stop, spec.record.attribution ? &batch.attribution[s][k] : nullptr))
      return;
  }
}

}  // namespace

engine::TrialSetup prepare_scenario_trial(const model::ExperimentSpec& x, std::size_t scenario, TrialIndex trial) {
  const auto& spec = x.scenarios.at(scenario);
  const org::Organization base = org::generate_organization(spec.organization, engine::organization_key(x.seed, trial));
  return engine::prepare_trial(spec, x.seed, trial, base);
}

ExperimentResults run_experiment(const model::ExperimentSpec& x, const RunOptions& options, TrialSink* sink) {
  const unsigned threads = thread_count(options.threads);
  const std::size_t scenarios = x.scenarios.size();
  const TrialIndex batch = options.batch_trials ? options.batch_trials : std::max<TrialIndex>(64, 16 * threads);

  const OrganizationCache cache(x);
  ExperimentResults results;
  results.metrics.assign(scenarios, {});
  // Two batches: the sink writes one (compression is most of it) on a
  // thread of its own while the trials of the next run, so the file is off
  // the critical path. Batches reach the sink in order, one at a time.
  std::array<TrialBatch, 2> buffers;
  for (TrialBatch& out : buffers) {
    out.curves.resize(scenarios);
    out.metrics.resize(scenarios);
    out.attribution.resize(scenarios);
  }
  std::future<void> writing;
  TrialIndex written = 0;  // trials the sink has, once `writing` is done
  auto finish_writing = [&] {
    if (!writing.valid()) return;
    writing.get();  // rethrows what the sink threw
    results.trials_done = written;
    if (options.progress) options.progress(results.trials_done, x.trials);
  };
  // Joins the writer on every way out: the sink must not be left running
  // beyond this call. When the trials threw, what the sink threw meanwhile
  // is dropped: the trials' error is the one reported.
  struct Join {
    std::future<void>& f;
    ~Join() {
      if (f.valid()) f.wait();
    }
  } join{writing};

  std::size_t next = 0;
  for (TrialIndex first = 0; first < x.trials; first += batch, next ^= 1) {
    // A write that already failed stops the run before another batch.
    if (writing.valid() && writing.wait_for(std::chrono::seconds(0)) == std::future_status::ready) finish_writing();
    const auto* between = options.stop_between_batches;
    if ((options.stop && options.stop->load()) || (between && between->load())) {
      results.interrupted = true;
      break;
    }
    TrialBatch& out = buffers[next];
    const TrialIndex count = std::min(batch, x.trials - first);
    for (std::size_t s = 0; s < scenarios; ++s) {
      out.curves[s].resize(count);
      out.metrics[s].resize(count);
      out.attribution[s].resize(count);
    }
    for_each_index(count, threads, [&](std::size_t k) {
      if (options.stop && options.stop->load()) return;
      run_one_trial(x, cache, first + static_cast<TrialIndex>(k), out, k, options.stop);
      if (options.stop && options.stop->load()) return;  // unfinished: the batch is discarded
      for (std::size_t s = 0; s < scenarios; ++s) out.metrics[s][k] = engine::compute_metrics(out.curves[s][k]);
    });
    if (options.stop && options.stop->load()) {  // a batch cut short is not written
      results.interrupted = true;
      break;
    }
    finish_writing();  // the batch before, whose buffer the next batch reuses
    for (std::size_t s = 0; s < scenarios; ++s)
      results.metrics[s].insert(results.metrics[s].end(), out.metrics[s].begin(), out.metrics[s].end());
    written = first + count;
    auto write = [sink, first, &out] {
      if (sink) sink->write_batch(first, out);
    };
    try {
      writing = std::async(sink ? std::launch::async : std::launch::deferred, write);
    } catch (const std::system_error&) {  // no thread to be had: write here
      writing = std::async(std::launch::deferred, write);
    }
  }
  finish_writing();
  return results;
}

}  // namespace groundswell::experiment
