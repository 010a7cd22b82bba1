#include "cli/commands.hpp"
#include "cli/outputs.hpp"
#include "cli/stop_signal.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "groundswell/experiment/ensemble.hpp"
#include "groundswell/experiment/summary.hpp"
#include "groundswell/io/results_writer.hpp"
#include "groundswell/model/parameters.hpp"
#include "groundswell/org/tables.hpp"

namespace groundswell::cli {
namespace {

namespace fs = std::filesystem;

/// Available memory from /proc/meminfo, in bytes (0 if unknown).
double available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  double kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024.0;
  return 0;
}

/// An upper estimate of the peak memory (resident set) of a run, in bytes.
/// Calibrated on peak RSS measured with /usr/bin/time -v (Release build,
/// 3 steps, 2026-11, Debian 12, GCC 12): the hierarchy generator at N = 1e6
/// (advisors 8, ~9 ties per agent) peaked at 311 MB with 1 thread and 581 MB
/// with 2; advisors 0: 144 MB; advisors 24: 701 MB; N = 2e6: 607 MB; N = 10:
/// 16 MB. Hence ~104 bytes per agent and 21-24 per tie per concurrent trial
/// (the organization, its tie list while built, the trial's copy with
/// champions and bridges, the agent arrays). watts_strogatz (k 8, N 1e6):
/// 327 MB, 26 bytes per tie; rule bass at N 1e6: 498 MB, ~21 more bytes per
/// tie for the transposed network. A batch of 64 trials of 100000 steps
/// (N 50, 7 departments) held 602 MB of curves. A file organization of 1e6
/// agents and 8.8e6 ties (19 MB + 290 MB of CSV) peaked at 825 MB while read.
/// The constants below are rounded up so the estimate stays above these.
double estimate_memory(const model::ExperimentSpec& x, unsigned threads) {
  constexpr double kBaseBytes = 20e6;         // program, libraries, thread stacks
  constexpr double kBytesPerAgent = 112;      // per concurrent trial
  constexpr double kBytesPerTie = 26;         // per concurrent trial
  constexpr double kClassicBytesPerTie = 22;  // bass, threshold, cascade, agreement: transposed network
  constexpr double kAliasBytesPerTie = 8;     // agreement: listener alias tables (at most one slot per tie)
  constexpr double kCachedBytesPerTie = 10;   // complete and file: one shared organization
  constexpr double kFileBytesPerCsvByte = 3;  // reading the CSV tables: ids, maps, tie list
  const double concurrent = std::min<double>(std::max(1u, threads), x.trials);
  const double batch = std::min<double>(x.trials, std::max(64u, 16 * std::max(1u, threads)));
  double trial_bytes = 0, once_bytes = 0, curve_bytes = 0, buffer_bytes = 0;
  for (const auto& s : x.scenarios) {
    const auto& o = s.organization;
    double n = o.size, ties = n * (o.advisors + 1.0), departments = std::max(1.0, std::min<double>(o.span, n - 1));
    switch (o.generator) {
      case model::Generator::Hierarchy:
        break;
      case model::Generator::Complete:
        ties = n * (n - 1);
        departments = o.departments;
        break;
      case model::Generator::ErdosRenyi:
        ties = n * o.mean_degree * 1.1;
        departments = o.departments;
        break;
      case model::Generator::WattsStrogatz:
        ties = n * o.neighbours;
        departments = o.departments;
        break;
      case model::Generator::File: {
        std::error_code ec;
        const auto nodes = static_cast<double>(fs::file_size(o.nodes_file, ec));
        const auto edges = ec ? 0.0 : static_cast<double>(fs::file_size(o.edges_file, ec));
        if (ec) continue;  // a missing table is reported when it is read
        n = nodes / 16;    // rows are rarely shorter than "id,dept,boss,1" and "a,b,0.5,formal"
        ties = edges / 24;
        departments = 1;
        once_bytes = std::max(once_bytes, kFileBytesPerCsvByte * (nodes + edges));
        break;
      }
    }
    if (o.generator == model::Generator::Complete || o.generator == model::Generator::File)
      once_bytes = std::max(once_bytes, kCachedBytesPerTie * ties);
    const double tie_bytes = kBytesPerTie + (s.rule == model::Rule::Sdt ? 0 : kClassicBytesPerTie) +
                             (s.rule == model::Rule::Agreement ? kAliasBytesPerTie : 0);
    // The scenarios of a trial run one after the other: the largest counts.
    trial_bytes = std::max(trial_bytes, n * kBytesPerAgent + ties * tie_bytes);
    // Curves of a batch: 8 per trial and one per department, float32, plus
    // the writer's buffer for the largest of them.
    const double steps = static_cast<double>(x.steps) + 1;
    curve_bytes += batch * steps * (8 + departments) * 4;
    buffer_bytes = std::max(buffer_bytes, batch * steps * departments * 4);
  }
  return kBaseBytes + once_bytes + concurrent * trial_bytes + 1.1 * (curve_bytes + buffer_bytes);
}

void print_progress(TrialIndex done, TrialIndex total, std::chrono::steady_clock::time_point start) {
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double rate = secs > 0 ? done / secs : 0;
  const double left = rate > 0 ? (total - done) / rate : 0;
  std::fprintf(stderr, "\r  %u/%u trials  %.1f trials/s  %.0f s left   ", done, total, rate, left);
  if (done == total) std::fprintf(stderr, "\n");
}

}  // namespace

int run_command(const RunArgs& args) {
  model::ExperimentSpec x = model::load_experiment(args.scenario_file);
  if (args.trials) x.trials = *args.trials;
  if (args.seed) x.seed = *args.seed;
  check_output(args.output, args.force, experiment_inputs(x, args.scenario_file));
  const unsigned threads = args.threads ? args.threads : std::max(1u, std::thread::hardware_concurrency());
  const double need = estimate_memory(x, threads), have = available_memory();
  if (have > 0 && need > have)
    throw InputError(args.scenario_file + ": this run needs about " +
                     std::to_string(static_cast<long long>(need / 1e6)) + " MB of memory but only " +
                     std::to_string(static_cast<long long>(have / 1e6)) +
                     " MB are available; reduce organization.size, the ties per agent or --threads");

  const std::atomic<bool>* stop = catch_stop_signals();
  const bool show_progress = !args.quiet && ::isatty(STDERR_FILENO);
  if (args.verbose)
    std::fprintf(stderr, "groundswell: %s: %zu scenarios x %u trials x %d steps, seed %llu, %u threads\n",
                 x.name.c_str(), x.scenarios.size(), x.trials, x.steps, static_cast<unsigned long long>(x.seed),
                 threads);
  const auto start = std::chrono::steady_clock::now();

  io::ResultsWriter writer(args.output, x, threads);
  experiment::RunOptions options;
  options.threads = threads;
  options.stop = stop;
  if (show_progress) options.progress = [&](TrialIndex d, TrialIndex t) { print_progress(d, t, start); };
  const auto results = experiment::run_experiment(x, options, &writer);
  if (results.interrupted) {
    // The writer's destructor removes the temporary file: nothing is left.
    std::fprintf(stderr, "%sgroundswell: stopped by %s after %u of %u trials; no output written (%s not created)\n",
                 show_progress ? "\n" : "", stop_signal_name(), results.trials_done, x.trials, args.output.c_str());
    return stopped_exit_status();
  }
  writer.finish();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (!args.quiet) {
    std::vector<experiment::ScenarioSummary> rows;
    for (std::size_t s = 0; s < x.scenarios.size(); ++s)
      rows.push_back(experiment::summarize(x.scenarios[s].name, results.metrics[s]));
    std::printf("%s: %zu scenarios x %u trials x %d steps (seed %llu)\n", x.name.c_str(), x.scenarios.size(), x.trials,
                x.steps, static_cast<unsigned long long>(x.seed));
    std::printf("%s", experiment::format_summary(rows, x.steps).c_str());
    std::printf("wrote %s (%.1f s)\n", args.output.c_str(), secs);
  }
  return kOk;
}

int info_command(const std::string& path) {
  const io::ResultsSummary r = io::read_results_summary(path);
  std::printf(
      "file:        %s\nexperiment:  %s\nrule:        %s\nscenarios:   %zu\ntrials:      %llu\nsteps:       %lld\n"
      "seed:        %llu\nversion:     %s (commit %s)\ncreated:     %s\n",
      path.c_str(), r.experiment.c_str(), r.rule.c_str(), r.scenarios.size(), static_cast<unsigned long long>(r.trials),
      static_cast<long long>(r.steps), static_cast<unsigned long long>(r.seed), r.version.c_str(), r.git_commit.c_str(),
      r.created.c_str());
  std::vector<experiment::ScenarioSummary> rows;
  for (std::size_t s = 0; s < r.scenarios.size(); ++s)
    rows.push_back(experiment::summarize(r.scenarios[s], r.metrics[s]));
  if (r.format_version < 2)
    for (auto& row : rows) row.t50_internalized = {};  // not stored before model v2
  std::printf("%s", experiment::format_summary(rows, static_cast<Step>(r.steps)).c_str());
  if (r.format_version < 2)
    std::printf(
        "This file has format %d (before model v2): it holds no time to 50%% internalized and no\n"
        "attribution. Re-run its scenario file to get them.\n",
        r.format_version);
  return kOk;
}

int network_export_command(const ExportArgs& args) {
  const model::ExperimentSpec x = model::load_experiment(args.scenario_file);
  std::size_t index = 0;
  if (!args.scenario.empty()) {
    index = x.scenarios.size();
    std::string names;
    for (std::size_t s = 0; s < x.scenarios.size(); ++s) {
      if (x.scenarios[s].name == args.scenario) index = s;
      names += (s ? ", " : "") + x.scenarios[s].name;
    }
    if (index == x.scenarios.size())
      throw InputError("--scenario " + args.scenario + ": no such scenario in " + args.scenario_file +
                       " (has: " + names + ")");
  }
  if (args.trial >= x.trials)
    throw InputError("--trial " + std::to_string(args.trial) + " is beyond the experiment's " +
                     std::to_string(x.trials) + " trials (0.." + std::to_string(x.trials - 1) + ")");
  check_table_outputs(args.directory, args.force, experiment_inputs(x, args.scenario_file));
  const engine::TrialSetup setup = experiment::prepare_scenario_trial(x, index, args.trial);
  org::write_organization_tables(setup.organization, setup.is_champion, args.directory);
  std::printf("wrote %s/nodes.csv (%u agents, %zu champions) and %s/edges.csv (%llu ties) for scenario %s, trial %u\n",
              args.directory.c_str(), setup.organization.size(), setup.champions.size(), args.directory.c_str(),
              static_cast<unsigned long long>(setup.organization.network.edge_count()), x.scenarios[index].name.c_str(),
              args.trial);
  return kOk;
}

int parameters_command(bool markdown) {
  if (markdown) {
    std::cout << model::parameter_markdown();
    return kOk;
  }
  const model::ScenarioSpec defaults;
  std::size_t width = 0;
  for (const auto& p : model::parameter_table()) width = std::max(width, p.key.size());
  for (const auto& p : model::parameter_table()) {
    std::string value = model::format_value(p.get(defaults));
    if (value == "unset") value = "(not set)";
    if (value.empty()) value = "\"\"";
    std::cout << p.key << std::string(width + 2 - p.key.size(), ' ') << value << (p.unit.empty() ? "" : " " + p.unit)
              << "  " << p.meaning << "\n";
  }
  return kOk;
}

}  // namespace groundswell::cli
