#include "cli/sweep_commands.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "cli/commands.hpp"
#include "cli/outputs.hpp"
#include "cli/overrides.hpp"
#include "cli/stop_signal.hpp"
#include "groundswell/sweep/ranks.hpp"
#include "groundswell/sweep/runner.hpp"

namespace groundswell::cli {
namespace {

/// "I/N" with 0 <= I < N.
sweep::Shard parse_shard(const std::string& text) {
  sweep::Shard s;
  const auto slash = text.find('/');
  const auto digits = [](const std::string& t) {
    return !t.empty() && t.size() < 10 && t.find_first_not_of("0123456789") == std::string::npos;
  };
  if (slash == std::string::npos || !digits(text.substr(0, slash)) || !digits(text.substr(slash + 1)))
    throw InputError("--shard " + text +
                     ": write I/N, the I-th of N shards counted from 0 (e.g. --shard 0/10 .. 9/10)");
  s.index = std::stoull(text.substr(0, slash));
  s.count = std::stoull(text.substr(slash + 1));
  if (s.count == 0 || s.index >= s.count)
    throw InputError("--shard " + text + ": I must be in 0.." +
                     (s.count ? std::to_string(s.count - 1) : std::string("N-1")) +
                     " for N = " + std::to_string(s.count));
  return s;
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

void list_points(const sweep::Plan& plan) {
  const auto& params = plan.parameters();
  std::printf("point");
  for (const auto& p : params) std::printf(",%s", p.name.c_str());
  std::printf("\n");
  for (std::uint64_t i = 0; i < plan.points(); ++i) {
    std::printf("%llu", static_cast<unsigned long long>(i));
    for (std::size_t j = 0; j < params.size(); ++j) {
      const double v = plan.values()[i * params.size() + j];
      const bool label = params[j].kind == sweep::Kind::Levels && !params[j].numeric_levels;
      std::printf(",%s", label ? params[j].labels[static_cast<std::size_t>(sweep::level_index(params[j], v))].c_str()
                               : number(v).c_str());
    }
    std::printf("\n");
  }
}

/// The files a sweep reads: its file, and the organization files of the base
/// scenarios and, when a parameter names one (organization.nodes, ...), of every point.
std::vector<Input> sweep_inputs(const sweep::Plan& plan, const std::string& file) {
  std::vector<Input> inputs = experiment_inputs(plan.base(), file);
  bool files_vary = false;
  for (const auto& p : plan.parameters())
    for (const char* key : {"organization.nodes", "organization.edges", "organization.network", "organization.layers"})
      files_vary = files_vary || p.name == key;
  if (!files_vary) return inputs;
  std::set<std::string> seen;
  for (const auto& in : inputs) seen.insert(in.path);
  for (std::uint64_t p = 0; p < plan.points(); ++p) {
    std::vector<Input> more;
    for (const auto& s : plan.experiment(p).scenarios) add_organization_inputs(s.organization, more);
    for (auto& in : more)
      if (seen.insert(in.path).second) inputs.push_back(std::move(in));
  }
  return inputs;
}

}  // namespace

sweep::Plan load_sweep_plan(const SweepArgs& args, sweep::Shard& shard) {
  std::optional<sweep::Plan> plan;
  if (args.resume && args.force)
    throw InputError("sweep: --resume keeps the committed points and --force discards them; give one");
  sweep::Adjustment adjust;
  if (!args.sets.empty()) {
    if (!args.shard.empty())
      throw InputError("sweep: --set with --shard: merge reads the file alone; put the values in the file");
    for (const std::string& text : args.sets) adjust.label += text + "\n";
    adjust.apply = [sets = args.sets](model::ExperimentSpec& x) { apply_set_options(x, sets); };
  }
  plan = sweep::Plan::load(args.scenario_file, adjust);
  for (const std::string& text : args.sets) {
    const std::string key = parse_set(plan->base(), text).change.key;  // as applied: trimmed, scenario name off
    for (const auto& par : plan->parameters())
      if (key == par.name)
        throw InputError("--set " + text + ": sweep parameter " + par.name +
                         " is varied by the design; remove it from [sweep] to fix its value");
  }
  if (!args.shard.empty()) shard = parse_shard(args.shard);
  if (!args.list_points && args.output.empty())
    throw InputError("sweep: give the output file with -o SWEEP.h5 (or --list-points)");
  if (!args.list_points) {
    // The output and its parts directory (emptied by --force) are never an input.
    const std::vector<Input> inputs = sweep_inputs(*plan, args.scenario_file);
    check_not_input(args.output, inputs);
    check_not_input(args.output + ".parts", inputs, "output " + args.output + ": its parts directory");
  }
  return std::move(*plan);
}

int sweep_command(const SweepArgs& args) {
  const sweep::Ranks ranks;  // MPI ranks only when started by mpirun/srun
  const bool root = ranks.rank() == 0;
  std::optional<sweep::Plan> plan;
  sweep::Shard shard;
  std::string error;
  try {
    plan = load_sweep_plan(args, shard);
  } catch (const InputError& e) {
    error = e.what();
  }
  // Every rank reads the file; the first that cannot reports why (usually
  // rank 0, as all ranks find the same error) and every rank stops.
  const int failed = ranks.first_failure(error.empty());
  if (failed < ranks.size()) {
    if (failed != ranks.rank()) return kUsage;
    if (root) throw InputError(error);
    std::fprintf(stderr, "groundswell: error (rank %d): %s\n", ranks.rank(), error.c_str());
    return kUsage;
  }
  if (args.list_points) {
    if (root) list_points(*plan);
    return kOk;
  }

  const std::atomic<bool>* stop = catch_stop_signals();
  const auto start = std::chrono::steady_clock::now();
  const sweep::SweepSpec& spec = plan->spec();
  if (args.verbose && root)
    std::fprintf(stderr, "groundswell: %s: %s design, %llu points x %zu scenarios x %u trials x %d steps, %d rank(s)\n",
                 plan->base().name.c_str(), sweep::to_string(spec.design.design),
                 static_cast<unsigned long long>(plan->points()), spec.scenarios.size(), spec.trials,
                 plan->base().steps, ranks.size());

  sweep::SweepOptions options;
  options.output = args.output;
  options.resume = args.resume;
  options.force = args.force;
  options.shard = shard;
  options.threads = args.threads;
  options.stop = stop;
  options.note = [](const std::string& m) { std::fprintf(stderr, "groundswell: %s\n", m.c_str()); };
  if (!args.quiet && root && ::isatty(STDERR_FILENO))
    // The first call gives the points a resumed sweep keeps: the time left comes from this run's own rate.
    options.progress = [began = start, first = std::optional<std::uint64_t>()](std::uint64_t done,
                                                                               std::uint64_t total) mutable {
      if (!first) {
        first = done;
        began = std::chrono::steady_clock::now();
      }
      print_progress(done, total, *first, "points", began);
    };
  const sweep::SweepOutcome out = sweep::run_sweep(*plan, options);
  const int stopped = stopped_exit_status();
  if (out.worker) return out.interrupted ? stopped : kOk;
  if (out.already_complete) {
    if (!args.quiet)
      std::printf("%s is already complete (%llu points); nothing to do\n", args.output.c_str(),
                  static_cast<unsigned long long>(out.points));
    return kOk;
  }
  if (out.interrupted) {
    std::fprintf(
        stderr,
        "\ngroundswell: interrupted by signal %d: %llu of %llu points are committed in %s.parts/; run the same "
        "command with --resume to finish\n",
        stop_signal(), static_cast<unsigned long long>(out.reused) + static_cast<unsigned long long>(out.computed),
        static_cast<unsigned long long>(out.points), args.output.c_str());
    return stopped;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!args.quiet) {
    std::printf("%s: %s design, %llu points x %zu scenarios x %u trials x %d steps%s\n", plan->base().name.c_str(),
                sweep::to_string(spec.design.design), static_cast<unsigned long long>(out.points),
                spec.scenarios.size(), spec.trials, plan->base().steps,
                shard.count > 1
                    ? (" (shard " + args.shard + " of " + std::to_string(plan->points()) + " points)").c_str()
                    : "");
    std::printf("computed %llu points, reused %llu; %u rank(s) x %u threads\n",
                static_cast<unsigned long long>(out.computed), static_cast<unsigned long long>(out.reused), out.ranks,
                out.threads);
    std::printf("wrote %s (%.1f s)\n", args.output.c_str(), secs);
  }
  return kOk;
}

int merge_command(const MergeArgs& args) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<Input> inputs;
  for (const auto& in : args.inputs) inputs.push_back({in, "the shard file"});
  check_output(args.output, args.force, inputs);
  const sweep::MergeOutcome out = sweep::merge_sweeps(args.inputs, args.output, args.force);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!args.quiet)
    std::printf("merged %zu files: %llu points; wrote %s (%.1f s)\n", out.files,
                static_cast<unsigned long long>(out.points), args.output.c_str(), secs);
  return kOk;
}

}  // namespace groundswell::cli
