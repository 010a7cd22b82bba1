#pragma once
// The parts of the Python module _groundswell (docs/python.md), each binding
// one part of the API; python/groundswell/ wraps them in the public package.
// The bindings hold no model, engine or file logic of their own: every value
// is checked, every run made and every file written by the libraries.
#include <pybind11/pybind11.h>

#include <memory>

#include "groundswell/model/scenario.hpp"

namespace groundswell::python {

/// An experiment as Python holds it: a validated spec, never changed in place
/// (with_overrides and the run's trials, seed and scenarios make new ones).
struct Experiment {
  std::shared_ptr<const model::ExperimentSpec> spec;
};

/// _Experiment: from_file, from_dict, with_overrides and the spec's fields.
void bind_experiment(pybind11::module_& m);
/// run() and _Results: the in-memory results, their arrays and save().
void bind_run(pybind11::module_& m);
/// _Organization: tables in and out, generate(), the CSR as arrays.
void bind_organization(pybind11::module_& m);

}  // namespace groundswell::python
