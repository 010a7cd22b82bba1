#include "cli/commands.hpp"

#include <unistd.h>

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
#include "groundswell/org/tables.hpp"

namespace groundswell::cli {
namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_stop{false};
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int sig) {
  g_signal = sig;
  g_stop.store(true);
}

/// Refuses outputs that cannot be written before any work is done.
void check_output(const std::string& output, bool force) {
  const fs::path out(output);
  const fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw InputError("output " + output + ": directory " + dir.string() + " does not exist; create it first");
  if (::access(dir.c_str(), W_OK) != 0)
    throw InputError("output " + output + ": directory " + dir.string() + " is not writable");
  if (fs::is_directory(out, ec)) throw InputError("output " + output + " is a directory; give a file name such as results.h5");
  if (fs::exists(out, ec) && !force)
    throw InputError("output " + output + " exists; pass --force to overwrite it or choose another name");
}

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

/// A rough upper estimate of the memory a run needs: per concurrent trial,
/// the organization (a copy for the setup), agent arrays and curves.
double estimate_memory(const model::ExperimentSpec& x, unsigned threads) {
  double worst = 0;
  for (const auto& s : x.scenarios) {
    const double n = s.organization.size;
    double edges = n * (s.organization.advisors + 1.0);
    if (s.organization.generator == model::Generator::Complete) edges = n * (n - 1);
    if (s.organization.generator == model::Generator::ErdosRenyi) edges = n * s.organization.mean_degree * 1.2;
    if (s.organization.generator == model::Generator::WattsStrogatz) edges = n * s.organization.neighbours;
    const double org_bytes = edges * (4 + 4 + 1) * 2.5 + n * 40;  // CSR, its build list, the setup copy
    const double agent_bytes = n * 64;
    worst = std::max(worst, org_bytes + agent_bytes);
  }
  const double curves = static_cast<double>(x.steps + 1) * 8 * 4 * static_cast<double>(x.scenarios.size()) * 256;
  return worst * std::max(1u, threads) + curves;
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
  check_output(args.output, args.force);
  const unsigned threads = args.threads ? args.threads : std::max(1u, std::thread::hardware_concurrency());
  const double need = estimate_memory(x, threads), have = available_memory();
  if (have > 0 && need > have)
    throw InputError(args.scenario_file + ": this run needs about " + std::to_string(static_cast<long long>(need / 1e6)) +
                     " MB but only " + std::to_string(static_cast<long long>(have / 1e6)) +
                     " MB are available; reduce organization.size or --threads");

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  const bool show_progress = !args.quiet && ::isatty(STDERR_FILENO);
  if (args.verbose)
    std::fprintf(stderr, "groundswell: %s: %zu scenarios x %u trials x %d steps, seed %llu, %u threads\n",
                 x.name.c_str(), x.scenarios.size(), x.trials, x.steps, static_cast<unsigned long long>(x.seed), threads);
  const auto start = std::chrono::steady_clock::now();

  io::ResultsWriter writer(args.output, x, threads);
  experiment::RunOptions options;
  options.threads = threads;
  options.stop = &g_stop;
  if (show_progress) options.progress = [&](TrialIndex d, TrialIndex t) { print_progress(d, t, start); };
  const auto results = experiment::run_experiment(x, options, &writer);
  if (results.interrupted) {
    std::fprintf(stderr, "\ngroundswell: interrupted by signal %d after %u of %u trials; no output written\n",
                 static_cast<int>(g_signal), results.trials_done, x.trials);
    return g_signal == SIGTERM ? kTerminated : kInterrupted;
  }
  writer.finish();
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  if (!args.quiet) {
    std::vector<experiment::ScenarioSummary> rows;
    for (std::size_t s = 0; s < x.scenarios.size(); ++s)
      rows.push_back(experiment::summarize(x.scenarios[s].name, results.metrics[s]));
    std::printf("%s: %zu scenarios x %u trials x %d steps (seed %llu)\n", x.name.c_str(), x.scenarios.size(), x.trials,
                x.steps, static_cast<unsigned long long>(x.seed));
    std::printf("%s", experiment::format_summary(rows).c_str());
    std::printf("wrote %s (%.1f s)\n", args.output.c_str(), secs);
  }
  return kOk;
}

int info_command(const std::string& path) {
  const io::ResultsSummary r = io::read_results_summary(path);
  std::printf("file:        %s\nexperiment:  %s\nrule:        %s\nscenarios:   %zu\ntrials:      %llu\nsteps:       %lld\n"
              "seed:        %llu\nversion:     %s (commit %s)\ncreated:     %s\n",
              path.c_str(), r.experiment.c_str(), r.rule.c_str(), r.scenarios.size(),
              static_cast<unsigned long long>(r.trials), static_cast<long long>(r.steps),
              static_cast<unsigned long long>(r.seed), r.version.c_str(), r.git_commit.c_str(), r.created.c_str());
  std::vector<experiment::ScenarioSummary> rows;
  for (std::size_t s = 0; s < r.scenarios.size(); ++s) rows.push_back(experiment::summarize(r.scenarios[s], r.metrics[s]));
  std::printf("%s", experiment::format_summary(rows).c_str());
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
      throw InputError("--scenario " + args.scenario + ": no such scenario in " + args.scenario_file + " (has: " + names + ")");
  }
  if (args.trial >= x.trials)
    throw InputError("--trial " + std::to_string(args.trial) + " is beyond the experiment's " + std::to_string(x.trials) +
                     " trials (0.." + std::to_string(x.trials - 1) + ")");
  const engine::TrialSetup setup = experiment::prepare_scenario_trial(x, index, args.trial);
  org::write_organization_tables(setup.organization, setup.is_champion, args.directory);
  std::printf("wrote %s/nodes.csv (%u agents, %zu champions) and %s/edges.csv (%llu ties) for scenario %s, trial %u\n",
              args.directory.c_str(), setup.organization.size(), setup.champions.size(), args.directory.c_str(),
              static_cast<unsigned long long>(setup.organization.network.edge_count()), x.scenarios[index].name.c_str(),
              args.trial);
  return kOk;
}

}  // namespace groundswell::cli
