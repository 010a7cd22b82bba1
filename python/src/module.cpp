// The extension module _groundswell (docs/python.md): the engine for Python,
// wrapped by the package python/groundswell/. Errors of the input become
// groundswell.InputError (a ValueError) with the library's message, which
// names the file or source, the key and the fix; no error aborts the
// interpreter.
#include <pybind11/pybind11.h>

#include <pybind11/stl.h>

#include "bindings.hpp"
#include "groundswell/data_dir.hpp"
#include "groundswell/types.hpp"
#include "groundswell/version.hpp"

PYBIND11_MODULE(_groundswell, m) {  // NOLINT(bugprone-reserved-identifier): the module's name is Python's
  namespace py = pybind11;
  m.doc() = "Groundswell's engine (the compiled part of the package groundswell; use that package).";
  py::register_exception<groundswell::InputError>(m, "InputError", PyExc_ValueError);
  m.attr("__version__") = groundswell::kVersion;
  m.attr("git_commit") = groundswell::kGitCommit;
  m.def("data_directory", &groundswell::data_directory,
        "The data directory that data:<set>/<file> paths are read from (docs/data.md).");
  m.def("set_data_directory", &groundswell::set_data_directory, py::arg("directory"),
        "Reads data:<set>/<file> paths from `directory` (as --data-dir does); above GROUNDSWELL_DATA.");
  groundswell::python::bind_experiment(m);
  groundswell::python::bind_run(m);
  groundswell::python::bind_organization(m);
  groundswell::python::bind_recommend(m);
  groundswell::python::bind_calibrate(m);
  groundswell::python::bind_sweep(m);
}
