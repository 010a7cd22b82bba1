// run() and its results (docs/python.md). The engine runs through the same
// ensemble runner as `groundswell run` (experiment::run_experiment), so the
// bits are the same, on a thread of its own with the GIL released and Ctrl-C
// handled (interrupt.hpp). Results stay in memory; save() writes them with
// the command's results writer (io::ResultsWriter) after the command's checks.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bindings.hpp"
#include "cli/outputs.hpp"
#include "cli/overrides.hpp"
#include "groundswell/experiment/ensemble.hpp"
#include "groundswell/experiment/memory.hpp"
#include "groundswell/experiment/summary.hpp"
#include "groundswell/io/results_writer.hpp"
#include "groundswell/types.hpp"
#include "interrupt.hpp"

namespace groundswell::python {
namespace {

namespace py = pybind11;

/// Keeps every batch of a run: curves[s], metrics[s], attribution[s] per trial.
class Collector final : public experiment::TrialSink {
 public:
  explicit Collector(std::size_t scenarios) {
    all.curves.resize(scenarios);
    all.metrics.resize(scenarios);
    all.attribution.resize(scenarios);
  }
  void write_batch(TrialIndex /*first*/, const experiment::TrialBatch& batch) override {
    for (std::size_t s = 0; s < batch.curves.size(); ++s) {
      all.curves[s].insert(all.curves[s].end(), batch.curves[s].begin(), batch.curves[s].end());
      all.metrics[s].insert(all.metrics[s].end(), batch.metrics[s].begin(), batch.metrics[s].end());
      all.attribution[s].insert(all.attribution[s].end(), batch.attribution[s].begin(), batch.attribution[s].end());
    }
  }
  experiment::TrialBatch all;
};

/// The results of one run, in memory.
struct Results {
  std::shared_ptr<const model::ExperimentSpec> spec;  ///< as run: trials, seed and scenarios applied
  unsigned threads = 1;
  experiment::TrialBatch trials;  ///< every trial of every scenario, in order
  double seconds = 0;
};

std::size_t scenario_index(const Results& r, std::size_t s) {
  if (s >= r.spec->scenarios.size()) throw py::index_error("no scenario " + std::to_string(s));
  return s;
}

/// A numpy array that owns `values` (moved, not copied) with the given shape.
template <typename T>
py::array owning_array(std::vector<T>&& values, const std::vector<std::size_t>& shape) {
  auto* heap = new std::vector<T>(std::move(values));  // NOLINT(cppcoreguidelines-owning-memory): owned by the capsule
  py::capsule owner(heap, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  std::vector<py::ssize_t> dims(shape.begin(), shape.end());
  return py::array_t<T>(dims, heap->data(), owner);
}

/// Every dataset of scenario s: [(path, array, dimensions, units, description)].
py::list datasets(const Results& r, std::size_t s) {
  s = scenario_index(r, s);
  std::vector<io::DatasetValues> values;
  {
    py::gil_scoped_release release;
    values = io::scenario_datasets(r.trials.curves[s], r.trials.metrics[s], r.trials.attribution[s],
                                   r.spec->scenarios[s].record);
  }
  py::list out;
  for (auto& d : values) {
    py::array array;
    if (!d.integers.empty() || d.floats.empty()) {
      if (d.int8) {
        std::vector<std::int8_t> bytes(d.integers.begin(), d.integers.end());
        array = owning_array(std::move(bytes), d.shape);
      } else {
        array = owning_array(std::move(d.integers), d.shape);
      }
    } else {
      array = owning_array(std::move(d.floats), d.shape);
    }
    out.append(py::make_tuple(d.path, array, d.dimensions, d.units, d.description));
  }
  return out;
}

py::array department_size(const Results& r, std::size_t s) {
  s = scenario_index(r, s);
  std::vector<std::int32_t> sizes;
  if (!r.trials.curves[s].empty())
    for (auto n : r.trials.curves[s].front().department_size) sizes.push_back(static_cast<std::int32_t>(n));
  if (sizes.empty()) sizes.push_back(0);  // as the file: one column for an organization without departments
  const std::size_t n = sizes.size();
  return owning_array(std::move(sizes), {n});
}

std::vector<std::string> department_name(const Results& r, std::size_t s) {
  s = scenario_index(r, s);
  std::vector<std::string> names;
  if (r.trials.curves[s].empty()) return names;
  const auto& c = r.trials.curves[s].front();
  names = c.department_names;
  names.resize(static_cast<std::size_t>(std::max(c.departments, 1)));
  for (std::size_t k = 0; k < names.size(); ++k)
    if (names[k].empty()) names[k] = std::to_string(k);
  return names;
}

std::string summary(const Results& r) {
  std::vector<experiment::ScenarioSummary> rows;
  for (std::size_t s = 0; s < r.spec->scenarios.size(); ++s)
    rows.push_back(experiment::summarize(r.spec->scenarios[s].name, r.trials.metrics[s]));
  return experiment::format_summary(rows, r.spec->steps);
}

/// Writes the results file of `groundswell run`, after its checks of the output.
void save(const Results& r, const std::string& path, bool force) {
  py::gil_scoped_release release;
  cli::check_output(path, force, cli::experiment_inputs(*r.spec, r.spec->source_path));
  io::ResultsWriter writer(path, *r.spec, r.threads);
  writer.write_batch(0, r.trials);
  writer.finish();
}

Results run(const Experiment& e, std::optional<std::int64_t> trials, std::optional<std::uint64_t> seed,
            std::optional<std::int64_t> threads, std::optional<std::vector<std::string>> scenarios,
            const py::object& progress) {
  model::ExperimentSpec x = *e.spec;
  if (scenarios) cli::select_scenarios(x, *scenarios);
  constexpr std::int64_t kMaxTrials = 100000000;  // the range of `run --trials`
  if (trials) {
    if (*trials < 1 || *trials > kMaxTrials)
      throw InputError("run: trials = " + std::to_string(*trials) + " is out of range: allowed [1, " +
                       std::to_string(kMaxTrials) + "]");
    x.trials = static_cast<TrialIndex>(*trials);
  }
  if (seed) x.seed = *seed;
  if (threads && (*threads < 1 || *threads > 4096))
    throw InputError("run: threads = " + std::to_string(*threads) +
                     " is out of range: allowed [1, 4096] (None: every core)");
  const unsigned n_threads =
      threads ? static_cast<unsigned>(*threads) : std::max(1u, std::thread::hardware_concurrency());
  experiment::require_memory(experiment::run_memory(x, n_threads), x.source_path, "this run",
                             "reduce organization.size, the ties per agent, the trials or threads");

  Results r;
  r.spec = std::make_shared<const model::ExperimentSpec>(std::move(x));
  r.threads = n_threads;
  const model::ExperimentSpec& spec = *r.spec;
  Collector sink(spec.scenarios.size());
  std::atomic<TrialIndex> done{0};
  TrialIndex reported = 0;
  const auto report = [&] {
    const TrialIndex d = done.load();
    if (progress.is_none() || d == reported) return;
    reported = d;
    progress(d, spec.trials);
  };
  const auto start = std::chrono::steady_clock::now();
  run_interruptible(
      [&](const std::atomic<bool>& stop) {
        experiment::RunOptions options;
        options.threads = n_threads;
        options.stop = &stop;
        options.progress = [&](TrialIndex d, TrialIndex /*total*/) { done.store(d); };
        experiment::run_experiment(spec, options, &sink);
      },
      report);
  report();
  r.trials = std::move(sink.all);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace

void bind_run(py::module_& m) {
  py::class_<Results>(m, "_Results")
      .def_property_readonly("experiment", [](const Results& r) { return Experiment{r.spec}; })
      .def_property_readonly("threads", [](const Results& r) { return r.threads; })
      .def_property_readonly("seconds", [](const Results& r) { return r.seconds; })
      .def("datasets", &datasets, py::arg("scenario"))
      .def("department_size", &department_size, py::arg("scenario"))
      .def("department_name", &department_name, py::arg("scenario"))
      .def("summary", &summary)
      .def("save", &save, py::arg("path"), py::arg("force") = false);
  m.def("run", &run, py::arg("experiment"), py::arg("trials") = py::none(), py::arg("seed") = py::none(),
        py::arg("threads") = py::none(), py::arg("scenarios") = py::none(), py::arg("progress") = py::none());
}

}  // namespace groundswell::python
