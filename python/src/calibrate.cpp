// calibrate() (docs/python.md, docs/calibration.md): `groundswell calibrate`
// for Python. The calibration file is read and changed by the command's own
// code (calibrate::load_calibration, cli::load_calibration_with_sets), the ABC runs
// on a thread of its own with Ctrl-C handled (interrupt.hpp), and save()
// writes the command's calibration file after the command's output checks.
// observed_record() shows the record a calibration fits (calibrate::observed_record)
// and adoption_times() simulates per-agent adoption steps as a calibration
// does (calibrate::simulate_adoption_times), for likelihoods written in Python.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "cli/calibrate_commands.hpp"
#include "cli/outputs.hpp"
#include "groundswell/calibrate/calibration.hpp"
#include "interrupt.hpp"

namespace groundswell::python {
namespace {

namespace py = pybind11;

struct Calibration {
  std::string file;
  calibrate::CalibrationSpec spec;
  calibrate::CalibrationResult result;
  unsigned threads = 1;
};

/// A copy of `values` as a numpy array of the given shape.
template <typename T>
py::array_t<T> array(const std::vector<T>& values, std::vector<py::ssize_t> shape) {
  py::array_t<T> a(shape);
  std::copy(values.begin(), values.end(), a.mutable_data());
  return a;
}

std::vector<py::ssize_t> rows_of(std::size_t size, std::size_t width) {
  const std::size_t w = std::max<std::size_t>(width, 1);
  return {static_cast<py::ssize_t>(size / w), static_cast<py::ssize_t>(width)};
}

py::dict as_dict(const Calibration& c) {
  const auto& r = c.result;
  const std::size_t p = c.spec.parameters.size();
  const auto curve_width = static_cast<std::size_t>(r.steps) + 1;
  py::dict d;
  std::vector<std::string> names;
  for (const auto& f : c.spec.parameters) names.push_back(f.key);
  d["parameters"] = names;
  d["median"] = r.median;
  d["lower"] = r.lower;
  d["upper"] = r.upper;
  py::list generations;
  for (const auto& g : r.generations) {
    py::dict x;
    x["epsilon"] = g.epsilon;
    x["attempts"] = g.attempts;
    x["samples"] = array(g.samples, rows_of(g.samples.size(), p));
    x["weights"] = array(g.weights, {static_cast<py::ssize_t>(g.weights.size())});
    x["distances"] = array(g.distances, {static_cast<py::ssize_t>(g.distances.size())});
    generations.append(x);
  }
  d["generations"] = generations;
  d["steps"] = r.steps;
  d["fit_agents"] = r.fit_agents;
  d["holdout_agents"] = r.holdout_agents;
  d["departments"] = r.departments;
  d["observed_curve"] = array(r.observed_curve, {static_cast<py::ssize_t>(r.observed_curve.size())});
  d["observed_holdout_curve"] =
      array(r.observed_holdout_curve, {static_cast<py::ssize_t>(r.observed_holdout_curve.size())});
  d["predictive_samples"] = array(r.predictive_samples, rows_of(r.predictive_samples.size(), p));
  d["predictive_curves"] = array(r.predictive_curves, rows_of(r.predictive_curves.size(), curve_width));
  d["predictive_holdout_curves"] =
      array(r.predictive_holdout_curves, rows_of(r.predictive_holdout_curves.size(), curve_width));
  d["fit"] = r.fit;
  d["out_of_sample"] = r.out_of_sample;
  d["naive_out_of_sample"] = r.naive_out_of_sample;
  d["seconds"] = r.seconds;
  return d;
}

void save(const Calibration& c, const std::string& path, bool force) {
  const py::gil_scoped_release release;
  cli::check_output(path, force, cli::calibration_inputs(c.spec, c.file));
  calibrate::write_calibration(path, c.spec, c.result, c.threads);
}

/// The calibration file `file` with `overrides` applied (observed.unrecorded among them).
calibrate::CalibrationSpec load_with_overrides(const std::string& file,
                                               const std::vector<std::pair<std::string, py::object>>& overrides,
                                               const std::string& source, bool allow_free_parameters) {
  const std::vector<std::string> sets = set_texts(overrides, source);
  const py::gil_scoped_release release;
  try {
    return cli::load_calibration_with_sets(file, sets, allow_free_parameters);
  } catch (const InputError& e) {
    throw InputError(python_message(e.what(), source + " overrides"));
  }
}

/// {experiment, organization, time, role, steps, ids, counts} of the record the calibration fits.
py::dict observed_record(const std::string& file, const std::vector<std::pair<std::string, py::object>>& overrides) {
  const calibrate::CalibrationSpec spec = load_with_overrides(file, overrides, "observed_record", false);
  auto record = std::make_shared<calibrate::ObservedRecord>();
  {
    const py::gil_scoped_release release;
    *record = calibrate::observed_record(spec);
  }
  const org::Organization& o = record->organization;
  std::vector<std::string> ids = o.ids;
  if (ids.empty())
    for (AgentId i = 0; i < o.size(); ++i) ids.push_back(std::to_string(i));
  py::dict d;
  d["experiment"] = Experiment{std::make_shared<const model::ExperimentSpec>(spec.experiment)};
  d["time"] = array(record->observed, {static_cast<py::ssize_t>(record->observed.size())});
  d["role"] = array(record->role, {static_cast<py::ssize_t>(record->role.size())});
  d["steps"] = record->steps;
  d["ids"] = ids;
  d["fit"] = record->fit;
  d["holdout"] = record->holdout;
  d["missing"] = record->missing;
  d["never"] = record->never_count;
  d["dropped"] = record->dropped;
  d["unrecorded"] = std::string(calibrate::to_string(spec.observed.unrecorded));
  // The organization last: the record's is moved into it, not copied.
  d["organization"] = Organization{std::make_shared<const org::Organization>(std::move(record->organization))};
  return d;
}

/// [trials x agents] adoption steps of `scenario` (calibrate::simulate_adoption_times), Ctrl-C handled.
py::array_t<std::int32_t> adoption_times(const model::ScenarioSpec& scenario, const org::Organization* organization,
                                         Step steps, std::uint64_t seed, TrialIndex trials, unsigned threads) {
  std::vector<std::int32_t> times;
  std::size_t agents = 0;
  run_interruptible([&](const std::atomic<bool>& stop) {
    times = calibrate::simulate_adoption_times(scenario, organization, steps, seed, trials, threads, &stop);
  });
  agents = trials ? times.size() / trials : 0;
  return array(times, {static_cast<py::ssize_t>(trials), static_cast<py::ssize_t>(agents)});
}

/// adoption_times of a calibration file: its scenario (overrides applied, free
/// parameters too) on the organization it fits, for its steps.
py::array_t<std::int32_t> adoption_times_of_file(const std::string& file,
                                                 const std::vector<std::pair<std::string, py::object>>& overrides,
                                                 TrialIndex trials, std::optional<std::uint64_t> seed,
                                                 unsigned threads) {
  const calibrate::CalibrationSpec spec = load_with_overrides(file, overrides, "adoption_times", true);
  calibrate::ObservedRecord record;
  {
    const py::gil_scoped_release release;
    record = calibrate::observed_record(spec);
  }
  const model::ExperimentSpec& x = spec.experiment;
  return adoption_times(x.scenarios.front(), &record.organization, x.steps, seed.value_or(x.seed), trials, threads);
}

/// adoption_times of scenario `scenario` of an experiment: trial k on trial k's organization, as `run` builds it.
py::array_t<std::int32_t> adoption_times_of_experiment(const Experiment& e, std::size_t scenario, TrialIndex trials,
                                                       std::optional<std::uint64_t> seed, unsigned threads) {
  const model::ExperimentSpec& x = *e.spec;
  if (scenario >= x.scenarios.size()) throw py::index_error("no scenario " + std::to_string(scenario));
  return adoption_times(x.scenarios[scenario], nullptr, x.steps, seed.value_or(x.seed), trials, threads);
}

Calibration run_calibrate(const std::string& file, const std::vector<std::pair<std::string, py::object>>& overrides,
                          unsigned threads, const py::object& progress) {
  Calibration c;
  c.file = file;
  c.spec = load_with_overrides(file, overrides, "calibrate", false);
  c.threads = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  run_interruptible_with_lines(
      [&](const std::atomic<bool>& stop, const Say& say) {
        calibrate::CalibrationOptions o;
        o.threads = c.threads;
        o.stop = &stop;
        o.progress = say;
        c.result = calibrate::run_calibration(c.spec, o);  // interrupted: run_interruptible raises
      },
      [&](const std::string& line) {
        if (!progress.is_none()) progress(line);
      });
  return c;
}

}  // namespace

void bind_calibrate(py::module_& m) {
  py::class_<Calibration>(m, "_Calibration")
      .def("as_dict", &as_dict)
      .def("report", [](const Calibration& c) { return calibrate::format_calibration(c.spec, c.result); })
      .def("save", &save, py::arg("path"), py::arg("force") = false)
      .def_property_readonly("experiment", [](const Calibration& c) {
        return Experiment{std::make_shared<const model::ExperimentSpec>(c.spec.experiment)};
      });
  m.def("calibrate", &run_calibrate, py::arg("file"), py::arg("overrides"), py::arg("threads"),
        py::arg("progress") = py::none());
  m.def("observed_record", &observed_record, py::arg("file"), py::arg("overrides"));
  m.def("adoption_times_of_file", &adoption_times_of_file, py::arg("file"), py::arg("overrides"), py::arg("trials"),
        py::arg("seed"), py::arg("threads"));
  m.def("adoption_times_of_experiment", &adoption_times_of_experiment, py::arg("experiment"), py::arg("scenario"),
        py::arg("trials"), py::arg("seed"), py::arg("threads"));
}

}  // namespace groundswell::python
