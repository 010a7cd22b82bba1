// calibrate() (docs/python.md, docs/calibration.md): `groundswell calibrate`
// for Python. The calibration file is read and changed by the command's own
// code (calibrate::load_calibration, cli::load_calibration_with_sets), the ABC runs
// on a thread of its own with Ctrl-C handled (interrupt.hpp), and save()
// writes the command's calibration file after the command's output checks.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
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

Calibration run_calibrate(const std::string& file, const std::vector<std::pair<std::string, py::object>>& overrides,
                          unsigned threads, const py::object& progress) {
  Calibration c;
  c.file = file;
  const std::vector<std::string> sets = set_texts(overrides, "calibrate");
  {
    const py::gil_scoped_release release;
    try {
      c.spec = cli::load_calibration_with_sets(file, sets);
    } catch (const InputError& e) {
      throw InputError(python_message(e.what(), "calibrate overrides"));
    }
  }
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
}

}  // namespace groundswell::python
