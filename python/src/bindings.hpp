#pragma once
// The parts of the Python module _groundswell (docs/python.md), each binding
// one part of the API; python/groundswell/ wraps them in the public package.
// The bindings hold no model, engine or file logic of their own: every value
// is checked, every run made and every file written by the libraries.
#include <pybind11/pybind11.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "groundswell/model/scenario.hpp"
#include "groundswell/org/organization.hpp"

namespace groundswell::python {

/// An experiment as Python holds it: a validated spec, never changed in place
/// (with_overrides and the run's trials, seed and scenarios make new ones).
struct Experiment {
  std::shared_ptr<const model::ExperimentSpec> spec;
};

/// An organization as Python holds it (_Organization), never changed in place.
struct Organization {
  std::shared_ptr<const org::Organization> org;
};

/// The `--set KEY=VALUE` texts of Python's {key: value} (values written as
/// TOML: True as true, math.inf as inf, strings quoted).
/// @throws InputError naming `source` for a value no scenario key takes
std::vector<std::string> set_texts(const std::vector<std::pair<std::string, pybind11::object>>& overrides,
                                   const std::string& source);
/// A --set message worded for Python: "--set K=V: ..." as "SOURCE K=V: ...".
std::string python_message(const std::string& message, const std::string& source);

/// _Experiment: from_file, from_dict, with_overrides and the spec's fields.
void bind_experiment(pybind11::module_& m);
/// run() and _Results: the in-memory results, their arrays and save().
void bind_run(pybind11::module_& m);
/// _Organization: tables in and out, generate(), the CSR as arrays.
void bind_organization(pybind11::module_& m);
/// recommend() and _Recommendation: `groundswell recommend`.
void bind_recommend(pybind11::module_& m);
/// calibrate() and _Calibration: `groundswell calibrate`; observed_record()
/// and adoption_times(): the calibration's record and its simulations.
void bind_calibrate(pybind11::module_& m);
/// sweep(): `groundswell sweep` in one process.
void bind_sweep(pybind11::module_& m);

}  // namespace groundswell::python
