// sweep() (docs/python.md, docs/sweeps.md): `groundswell sweep` for Python,
// in one process. The plan is read by the command's own code
// (cli::load_sweep_plan: --set, --shard, the output checks) and run by the
// sweep runner, which commits each point to OUTPUT.parts/ and writes the sweep
// file, so --resume after Ctrl-C finishes it with the same bits.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bindings.hpp"
#include "cli/sweep_commands.hpp"
#include "groundswell/sweep/design.hpp"
#include "groundswell/sweep/plan.hpp"
#include "groundswell/sweep/runner.hpp"
#include "interrupt.hpp"

namespace groundswell::python {
namespace {

namespace py = pybind11;

py::dict run_sweep(const std::string& file, const std::string& output,
                   const std::vector<std::pair<std::string, py::object>>& overrides, const std::string& shard_text,
                   unsigned threads, bool force, bool resume, const py::object& progress) {
  cli::SweepArgs args;
  args.scenario_file = file;
  args.output = output;
  args.shard = shard_text;
  args.sets = set_texts(overrides, "sweep");
  args.threads = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  args.force = force;
  args.resume = resume;
  sweep::Shard shard;
  std::optional<sweep::Plan> plan;
  {
    const py::gil_scoped_release release;
    try {
      plan = cli::load_sweep_plan(args, shard);
    } catch (const InputError& e) {
      throw InputError(python_message(e.what(), "sweep overrides"));
    }
  }
  std::atomic<std::uint64_t> done{0}, total{0};
  std::uint64_t reported = 0;
  const auto report = [&] {
    const std::uint64_t d = done.load();
    if (progress.is_none() || d == reported) return;
    reported = d;
    progress(d, total.load());
  };
  sweep::SweepOutcome out;
  run_interruptible(
      [&](const std::atomic<bool>& stop) {
        sweep::SweepOptions o;
        o.output = args.output;
        o.resume = args.resume;
        o.force = args.force;
        o.shard = shard;
        o.threads = args.threads;
        o.stop = &stop;
        o.progress = [&](std::uint64_t d, std::uint64_t t) {
          total.store(t);
          done.store(d);
        };
        out = sweep::run_sweep(*plan, o);  // interrupted: run_interruptible raises (the parts stay for resume)
      },
      report);
  report();
  py::dict d;
  d["output"] = output;
  d["points"] = out.points;
  d["reused"] = out.reused;
  d["computed"] = out.computed;
  d["written"] = out.written;
  d["already_complete"] = out.already_complete;
  d["threads"] = out.threads;
  std::vector<std::string> names;
  for (const auto& p : plan->parameters()) names.push_back(p.name);
  d["parameters"] = names;
  const auto& values = plan->values();
  py::array_t<double> table({static_cast<py::ssize_t>(plan->points()), static_cast<py::ssize_t>(names.size())});
  std::copy(values.begin(), values.end(), table.mutable_data());
  d["values"] = table;
  d["design"] = sweep::to_string(plan->spec().design.design);
  return d;
}

}  // namespace

void bind_sweep(py::module_& m) {
  m.def("sweep", &run_sweep, py::arg("file"), py::arg("output"), py::arg("overrides"), py::arg("shard"),
        py::arg("threads"), py::arg("force"), py::arg("resume"), py::arg("progress") = py::none());
}

}  // namespace groundswell::python
