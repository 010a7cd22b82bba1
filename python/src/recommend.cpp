// recommend() (docs/python.md, docs/recommend.md): `groundswell recommend`
// for Python. Its arguments become the command's (cli::RecommendArgs) and
// its options are made by the command's own code (cli::recommend_options),
// so ids, defaults, checks and messages are the command's; the choosing runs
// on a thread of its own with Ctrl-C handled (interrupt.hpp), and save()
// writes the command's recommendation file.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bindings.hpp"
#include "cli/outputs.hpp"
#include "cli/recommend_command.hpp"
#include "groundswell/recommend/recommend.hpp"
#include "interrupt.hpp"

namespace groundswell::python {
namespace {

namespace py = pybind11;

struct Recommendation {
  std::shared_ptr<const model::ExperimentSpec> spec;
  recommend::Options options;
  recommend::Result result;
};

py::dict estimate(const recommend::Estimate& e) {
  py::dict d;
  d["mean"] = e.mean;
  d["low"] = e.low;
  d["high"] = e.high;
  d["n"] = e.n;
  return d;
}

py::dict person(const recommend::Person& p) {
  py::dict d;
  d["agent"] = p.agent;
  d["label"] = p.label;
  d["department"] = p.department;
  d["level"] = p.level;
  d["formal_leader"] = p.formal_leader;
  d["listeners"] = p.listeners;
  return d;
}

/// The result as plain Python data (the fields of recommend::Result).
py::dict as_dict(const Recommendation& rec) {
  const recommend::Result& r = rec.result;
  py::dict d;
  d["scenario"] = r.scenario;
  d["objective"] = recommend::to_string(r.objective);
  d["horizon"] = r.horizon;
  d["trials"] = r.trials;
  d["test_trials"] = r.test_trials;
  d["seed"] = r.seed;
  d["candidates"] = r.candidates;
  d["evaluations"] = r.evaluations;
  d["lazy"] = r.lazy;
  d["gains_grew"] = r.gains_grew;
  d["seconds"] = r.seconds;
  py::list picks;
  for (const auto& p : r.picks) {
    py::dict x = person(p.person);
    x["required"] = p.required;
    x["gain"] = estimate(p.gain);
    x["value"] = estimate(p.value);
    picks.append(x);
  }
  d["picks"] = picks;
  d["recommended"] = estimate(r.recommended);
  py::list rules;
  for (const auto& c : r.rules) {
    py::dict x;
    x["rule"] = c.rule;
    x["value"] = estimate(c.value);
    x["difference"] = estimate(c.difference);
    rules.append(x);
  }
  d["rules"] = rules;
  py::list curve;
  for (const auto& row : r.curve) {
    py::dict x;
    x["rule"] = row.rule;
    x["counts"] = row.counts;
    py::list value, at_target;
    for (const auto& e : row.value) value.append(estimate(e));
    for (const auto& e : row.at_target) at_target.append(estimate(e));
    x["value"] = value;
    x["at_target"] = at_target;
    x["reaches"] = row.reaches ? py::object(py::int_(*row.reaches)) : py::object(py::none());
    curve.append(x);
  }
  d["curve"] = curve;
  py::list key_people;
  for (const auto& k : r.key_people) {
    py::dict x = person(k.person);
    x["loss"] = estimate(k.loss);
    key_people.append(x);
  }
  d["key_people"] = key_people;
  py::list credited;
  for (const auto& c : r.credited) {
    py::dict x = person(c.person);
    x["champion_share"] = c.champion_share;
    x["credit"] = estimate(c.credit);
    credited.append(x);
  }
  d["credited"] = credited;
  return d;
}

void save(const Recommendation& rec, const std::string& path, bool force) {
  const py::gil_scoped_release release;
  cli::check_output(path, force, cli::experiment_inputs(*rec.spec, rec.spec->source_path));
  recommend::write_result(path, *rec.spec, rec.options, rec.result);
}

Recommendation run_recommend(const Experiment& e, const cli::RecommendArgs& given, std::optional<std::uint64_t> seed,
                             const py::object& progress) {
  model::ExperimentSpec x = *e.spec;
  if (seed) x.seed = *seed;
  cli::RecommendArgs args = given;
  args.scenario_file = x.source_path;
  Recommendation rec;
  rec.spec = std::make_shared<const model::ExperimentSpec>(std::move(x));
  const model::ExperimentSpec& spec = *rec.spec;
  {
    const py::gil_scoped_release release;  // builds the first organization
    rec.options = cli::recommend_options(spec, args);
    if (rec.options.threads == 0) rec.options.threads = std::max(1u, std::thread::hardware_concurrency());
  }
  run_interruptible_with_lines(
      [&](const std::atomic<bool>& stop, const Say& say) {
        recommend::Options o = rec.options;
        o.stop = &stop;
        o.progress = say;
        rec.result = recommend::recommend(spec, o);  // interrupted: run_interruptible raises
      },
      [&](const std::string& line) {
        if (!progress.is_none()) progress(line);
      });
  return rec;
}

}  // namespace

void bind_recommend(py::module_& m) {
  py::class_<cli::RecommendArgs>(m, "_RecommendArgs")
      .def(py::init<>())
      .def_readwrite("scenario", &cli::RecommendArgs::scenario)
      .def_readwrite("objective", &cli::RecommendArgs::objective)
      .def_readwrite("candidates", &cli::RecommendArgs::candidates)
      .def_readwrite("exclude", &cli::RecommendArgs::exclude)
      .def_readwrite("require", &cli::RecommendArgs::require)
      .def_readwrite("curve", &cli::RecommendArgs::curve)
      .def_readwrite("target", &cli::RecommendArgs::target)
      .def_readwrite("count", &cli::RecommendArgs::count)
      .def_readwrite("horizon", &cli::RecommendArgs::horizon)
      .def_readwrite("trials", &cli::RecommendArgs::trials)
      .def_readwrite("test_trials", &cli::RecommendArgs::test_trials)
      .def_readwrite("max_per_department", &cli::RecommendArgs::max_per_department)
      .def_readwrite("key_people", &cli::RecommendArgs::key_people)
      .def_readwrite("threads", &cli::RecommendArgs::threads)
      .def_readwrite("formal_only", &cli::RecommendArgs::formal_only)
      .def_readwrite("informal_only", &cli::RecommendArgs::informal_only)
      .def_readwrite("plain_greedy", &cli::RecommendArgs::plain_greedy);
  py::class_<Recommendation>(m, "_Recommendation")
      .def("as_dict", &as_dict)
      .def("report", [](const Recommendation& r) { return recommend::format_result(r.result); })
      .def("save", &save, py::arg("path"), py::arg("force") = false)
      .def_property_readonly("experiment", [](const Recommendation& r) { return Experiment{r.spec}; });
  m.def("recommend", &run_recommend, py::arg("experiment"), py::arg("args"), py::arg("seed") = py::none(),
        py::arg("progress") = py::none());
}

}  // namespace groundswell::python
