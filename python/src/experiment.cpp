// Experiment.from_file, from_dict and with_overrides (docs/python.md). A dict
// is turned into the TOML table a scenario file would give and validated by
// the scenario parser itself (model/parse_table.hpp), so its keys, checks and
// messages are the file's; overrides go through the command line's --set
// (cli/overrides.hpp), so they are checked and recorded as `--set` is.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include "bindings.hpp"
#include "cli/overrides.hpp"
#include "groundswell/model/parameters.hpp"
#include "groundswell/model/scenario.hpp"
#include "groundswell/types.hpp"
#include "model/parse_table.hpp"

namespace groundswell::python {
namespace {

namespace py = pybind11;

/// "a.b.c" for messages.
std::string join(const std::string& where, const std::string& key) { return where.empty() ? key : where + "." + key; }

toml::table table_of(const py::handle& dict, const std::string& where, const std::string& source);

[[noreturn]] void unsupported(const py::handle& v, const std::string& key, const std::string& source) {
  const std::string type = py::str(py::type::handle_of(v).attr("__name__"));
  throw InputError(source + ": key '" + key + "' has a value of type " + type +
                   ", which a scenario file cannot hold; give a number, true/false, a string, a dict (a table) or "
                   "a list of dicts (such as \"scenario\")");
}

/// A TOML node as a value: what convert() gives.
using Node = std::variant<bool, std::int64_t, double, std::string, toml::table, toml::array>;

/// The TOML node a scenario file would hold for the Python value `v`: a bool,
/// an integer (numpy's too), a number, a string, a table (dict) or an array
/// (list or tuple).
/// @throws InputError for a value no scenario file can hold (None, an object)
Node convert(const py::handle& v, const std::string& key, const std::string& source) {
  const std::string type = py::str(py::type::handle_of(v).attr("__name__"));
  if (py::isinstance<py::bool_>(v) || type == "bool_") return v.cast<bool>();
  if (py::isinstance<py::int_>(v) || (PyIndex_Check(v.ptr()) && !PyFloat_Check(v.ptr()))) {
    const auto i = py::reinterpret_steal<py::object>(PyNumber_Index(v.ptr()));
    if (!i) throw py::error_already_set();
    int overflow = 0;
    const long long value = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
    if (overflow != 0)
      throw InputError(source + ": key '" + key + "' = " + std::string(py::str(v)) +
                       " is beyond the 64-bit integers a scenario file holds");
    return static_cast<std::int64_t>(value);
  }
  if (PyFloat_Check(v.ptr()) || type == "float32" || type == "float16") return v.cast<double>();
  if (py::isinstance<py::str>(v)) return v.cast<std::string>();
  if (py::isinstance<py::dict>(v)) return table_of(v, key, source);
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    toml::array a;
    std::size_t k = 0;
    for (const py::handle item : v) {
      Node n = convert(item, key + "[" + std::to_string(k++) + "]", source);
      std::visit([&](auto&& x) { a.push_back(std::forward<decltype(x)>(x)); }, std::move(n));
    }
    return a;
  }
  unsupported(v, key, source);
}

toml::table table_of(const py::handle& dict, const std::string& where, const std::string& source) {
  toml::table t;
  for (const auto& [k, v] : py::reinterpret_borrow<py::dict>(dict)) {
    if (!py::isinstance<py::str>(k))
      throw InputError(source + ": key " + std::string(py::repr(k)) + (where.empty() ? "" : " in '" + where + "'") +
                       " is not a string; scenario keys are words such as \"organization\" or \"size\"");
    const std::string key = k.cast<std::string>();
    const std::string name = join(where, key);
    std::visit([&](auto&& x) { t.insert_or_assign(key, std::forward<decltype(x)>(x)); }, convert(v, name, source));
  }
  return t;
}

Experiment from_file(const std::string& path) {
  return {std::make_shared<const model::ExperimentSpec>(model::load_experiment(path))};
}

/// The dict as a scenario file: its TOML text is kept as the experiment's
/// source text (a results file's scenario_text), and relative network paths
/// resolve against `base_dir`.
Experiment from_dict(const py::dict& d, const std::string& base_dir, const std::string& source) {
  const toml::table root = table_of(d, "", source);
  std::ostringstream text;
  text << toml::toml_formatter(root) << "\n";
  model::ExperimentSpec x = model::parse_experiment_table(root, text.str(), source, base_dir);
  x.source_path = source;
  return {std::make_shared<const model::ExperimentSpec>(std::move(x))};
}

/// A value as a scenario file writes it (the VALUE of `--set KEY=VALUE`).
std::string toml_text(const py::handle& v, const std::string& key, const std::string& source) {
  Node n = convert(v, key, source);
  if (std::holds_alternative<toml::table>(n) || std::holds_alternative<toml::array>(n))
    throw InputError(source + ": key '" + key + "' must be given a single value (a number, true/false or a string)");
  if (const double* d = std::get_if<double>(&n)) {  // the shortest text that reads back as the same double
    if (std::isnan(*d)) return "nan";
    if (std::isinf(*d)) return *d > 0 ? "inf" : "-inf";
    std::array<char, 32> buffer{};
    const auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), *d);
    std::string text(buffer.data(), ec == std::errc() ? end : buffer.data());
    if (text.find_first_of(".eE") == std::string::npos) text += ".0";  // a float, not an integer
    return text;
  }
  toml::table t;
  std::visit([&](auto&& x) { t.insert("v", std::forward<decltype(x)>(x)); }, std::move(n));
  std::ostringstream os;
  os << toml::toml_formatter(t, toml::format_flags::none);
  std::string out = os.str();
  out = out.substr(out.find('=') + 1);
  out.erase(0, out.find_first_not_of(' '));
  out.erase(out.find_last_not_of(" \n") + 1);
  return out;
}

}  // namespace

std::vector<std::string> set_texts(const std::vector<std::pair<std::string, py::object>>& overrides,
                                   const std::string& source) {
  std::vector<std::string> sets;
  for (const auto& [key, value] : overrides) sets.push_back(key + "=" + toml_text(value, key, source));
  return sets;
}

std::string python_message(const std::string& message, const std::string& source) {
  static const std::string set = "--set";
  if (message.compare(0, set.size(), set) == 0) return source + message.substr(set.size());
  return message;
}

namespace {

Experiment with_overrides(const Experiment& e, const std::vector<std::pair<std::string, py::object>>& overrides) {
  const std::vector<std::string> sets = set_texts(overrides, "with_overrides");
  model::ExperimentSpec x = *e.spec;
  try {
    cli::apply_set_options(x, sets);
  } catch (const InputError& error) {
    throw InputError(python_message(error.what(), "with_overrides"));
  }
  return {std::make_shared<const model::ExperimentSpec>(std::move(x))};
}

/// Every scenario on the organization of the CSV tables `nodes` and `edges`
/// (written by Organization.save): its [organization] section is replaced by
/// generator = "file" with those tables, checked as the file would be.
Experiment with_organization_tables(const Experiment& e, const std::string& nodes, const std::string& edges) {
  model::ExperimentSpec x = *e.spec;
  const std::vector<model::Override> changes = {
      {"organization.generator", std::string("file")}, {"organization.nodes", nodes}, {"organization.edges", edges}};
  for (auto& s : x.scenarios) {
    s.organization = model::OrganizationSpec{};
    auto& p = s.parameters;
    p.erase(std::remove_if(p.begin(), p.end(), [](const auto& kv) { return kv.first.rfind("organization.", 0) == 0; }),
            p.end());
    model::apply_overrides(s, changes);
  }
  for (const auto& c : changes) {
    const std::string text = c.key + "=" + toml_text(py::str(std::get<std::string>(c.value)), c.key, "organization");
    x.overrides += (x.overrides.empty() ? "" : "\n") + text;
  }
  return {std::make_shared<const model::ExperimentSpec>(std::move(x))};
}

const model::ScenarioSpec& scenario_at(const Experiment& e, std::size_t i) {
  if (i >= e.spec->scenarios.size()) throw py::index_error("no scenario " + std::to_string(i));
  return e.spec->scenarios[i];
}

}  // namespace

void bind_experiment(py::module_& m) {
  py::class_<Experiment>(m, "_Experiment")
      .def_static("from_file", &from_file, py::arg("path"), py::call_guard<py::gil_scoped_release>())
      .def_static("from_dict", &from_dict, py::arg("table"), py::arg("base_dir"), py::arg("source"))
      .def("with_overrides", &with_overrides, py::arg("overrides"))
      .def("with_organization_tables", &with_organization_tables, py::arg("nodes"), py::arg("edges"))
      .def_property_readonly("name", [](const Experiment& e) { return e.spec->name; })
      .def_property_readonly("seed", [](const Experiment& e) { return e.spec->seed; })
      .def_property_readonly("trials", [](const Experiment& e) { return e.spec->trials; })
      .def_property_readonly("steps", [](const Experiment& e) { return e.spec->steps; })
      .def_property_readonly("source_path", [](const Experiment& e) { return e.spec->source_path; })
      .def_property_readonly("source_text", [](const Experiment& e) { return e.spec->source_text; })
      .def_property_readonly("overrides", [](const Experiment& e) { return e.spec->overrides; })
      .def_property_readonly("scenario_names",
                             [](const Experiment& e) {
                               std::vector<std::string> names;
                               for (const auto& s : e.spec->scenarios) names.push_back(s.name);
                               return names;
                             })
      .def("scenario_rule", [](const Experiment& e, std::size_t i) { return model::to_string(scenario_at(e, i).rule); })
      .def("scenario_description", [](const Experiment& e, std::size_t i) { return scenario_at(e, i).description; })
      .def("scenario_parameters", [](const Experiment& e, std::size_t i) { return scenario_at(e, i).parameters; });
}

}  // namespace groundswell::python
