// Organizations as Python objects (docs/python.md): read from the node and
// edge tables of MODEL.md 2.3 (org::read_organization_tables, with every check
// of a file), made by a generator of the scenario file (org::generate_organization),
// written back as tables, and shown to Python as numpy arrays of the CSR.
// networkx and pandas are handled by the package (python/groundswell/), which
// writes their contents as the same tables.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "bindings.hpp"
#include "cli/outputs.hpp"
#include "groundswell/engine/trial.hpp"
#include "groundswell/org/describe.hpp"
#include "groundswell/org/exposure.hpp"
#include "groundswell/org/generate.hpp"
#include "groundswell/org/organization.hpp"
#include "groundswell/org/tables.hpp"

namespace groundswell::python {
namespace {

namespace py = pybind11;

/// A read-only numpy view of `v`, kept alive by `owner` (the Organization).
template <typename T>
py::array view(const std::vector<T>& v, const py::object& owner) {
  py::array_t<T> a({static_cast<py::ssize_t>(v.size())}, {static_cast<py::ssize_t>(sizeof(T))}, v.data(), owner);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return std::move(a);
}

Organization from_tables(const std::string& nodes, const std::string& edges) {
  return {std::make_shared<const org::Organization>(org::read_organization_tables(nodes, edges))};
}

/// The organization of trial `trial` of scenario `scenario` with experiment
/// seed `seed`, before its strategy's coalition and connectors: what a run
/// starts each scenario of that trial from.
Organization generate(const Experiment& e, std::size_t scenario, std::uint64_t seed, TrialIndex trial) {
  if (scenario >= e.spec->scenarios.size()) throw py::index_error("no scenario " + std::to_string(scenario));
  return {std::make_shared<const org::Organization>(
      org::generate_organization(e.spec->scenarios[scenario].organization, engine::organization_key(seed, trial)))};
}

void save(const Organization& o, const std::string& directory, bool force) {
  cli::check_table_outputs(directory, force, {});
  org::write_organization_tables(*o.org, {}, directory);
}

/// An owned numpy array holding a copy of `v`.
template <typename T>
py::array owned(const std::vector<T>& v) {
  py::array_t<T> a(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), a.mutable_data());
  return std::move(a);
}

/// The network the exposure of bass and threshold weighs (docs/model.md,
/// "Exposure"), in the CSR of in-ties: {"offsets", "sources", "weights"}.
py::dict exposure_network(const Organization& o, const std::string& definition, double power) {
  org::InfluenceNetwork net;
  {
    py::gil_scoped_release release;
    if (definition == "cohesion") {
      net = o.org->network;
    } else if (definition == "structural_equivalence") {
      if (!(power > 0) || !std::isfinite(power))
        throw InputError("exposure_network: power = " + std::to_string(power) + " must be a number > 0");
      net = org::structural_equivalence_network(*o.org, power);
    } else {
      throw InputError("exposure_network: definition = \"" + definition +
                       "\" is not allowed: use one of \"cohesion\", \"structural_equivalence\"");
    }
  }
  py::dict d;
  d["offsets"] = owned(net.offsets);
  d["sources"] = owned(net.sources);
  d["weights"] = owned(net.weights);
  return d;
}

std::string describe(const Organization& o, std::size_t top) {
  return org::format_description(*o.org, org::describe_organization(*o.org, top));
}

}  // namespace

void bind_organization(py::module_& m) {
  py::class_<Organization>(m, "_Organization")
      .def_static("from_tables", &from_tables, py::arg("nodes"), py::arg("edges"),
                  py::call_guard<py::gil_scoped_release>())
      .def_static("generate", &generate, py::arg("experiment"), py::arg("scenario"), py::arg("seed"), py::arg("trial"),
                  py::call_guard<py::gil_scoped_release>())
      .def("save", &save, py::arg("directory"), py::arg("force") = false, py::call_guard<py::gil_scoped_release>())
      .def("describe", &describe, py::arg("top") = 5)
      .def("exposure_network", &exposure_network, py::arg("definition") = "cohesion", py::arg("power") = 1.0)
      .def_property_readonly("size", [](const Organization& o) { return o.org->size(); })
      .def_property_readonly("department_count", [](const Organization& o) { return o.org->department_count; })
      .def_property_readonly("edge_count", [](const Organization& o) { return o.org->network.edge_count(); })
      .def_property_readonly("ids", [](const Organization& o) { return o.org->ids; })
      .def_property_readonly("department_names", [](const Organization& o) { return o.org->department_names; })
      .def_property_readonly("attribute_names", [](const Organization& o) { return o.org->attribute_names; })
      .def_property_readonly("attributes", [](const Organization& o) { return o.org->attributes; })
      .def_property_readonly(
          "manager", [](const py::object& self) { return view(self.cast<const Organization&>().org->manager, self); })
      .def_property_readonly(
          "level", [](const py::object& self) { return view(self.cast<const Organization&>().org->level, self); })
      .def_property_readonly(
          "department",
          [](const py::object& self) { return view(self.cast<const Organization&>().org->department, self); })
      .def_property_readonly(
          "is_formal_leader",
          [](const py::object& self) { return view(self.cast<const Organization&>().org->is_formal_leader, self); })
      .def_property_readonly(
          "offsets",
          [](const py::object& self) { return view(self.cast<const Organization&>().org->network.offsets, self); })
      .def_property_readonly(
          "sources",
          [](const py::object& self) { return view(self.cast<const Organization&>().org->network.sources, self); })
      .def_property_readonly(
          "weights",
          [](const py::object& self) { return view(self.cast<const Organization&>().org->network.weights, self); })
      .def_property_readonly("formal", [](const py::object& self) {
        return view(self.cast<const Organization&>().org->network.formal, self);
      });
}

}  // namespace groundswell::python
