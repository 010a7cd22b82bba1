#include "cli/commands.hpp"
#include "cli/network_commands.hpp"
#include "cli/outputs.hpp"
#include "cli/overrides.hpp"
#include "cli/stop_signal.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <thread>
#include <vector>

#include "groundswell/experiment/ensemble.hpp"
#include "groundswell/experiment/memory.hpp"
#include "groundswell/experiment/summary.hpp"
#include "groundswell/io/results_writer.hpp"
#include "groundswell/model/parameters.hpp"
#include "groundswell/org/tables.hpp"
#include "groundswell/sweep/sweep_file.hpp"
#include "io/hdf5.hpp"

namespace groundswell::cli {
namespace {

namespace fs = std::filesystem;

/// The `format` attribute of an HDF5 file's root; "" if the file is missing,
/// not HDF5, cannot be opened or has none (read_results_summary() then says why).
std::string file_format(const std::string& path) {
  io::hdf5::quiet_errors();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec) || H5Fis_hdf5(path.c_str()) <= 0) return {};
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return {};
  std::string format;
  try {
    format = io::hdf5::read_string_attribute(file, "format");
  } catch (const std::exception&) {
  }
  H5Fclose(file);
  return format;
}

/// Prints the named root attributes of a file as "name: value" lines, with
/// the provenance every writer stores first.
/// The `--set` texts a file was made with, one a line; nothing if none.
std::vector<std::pair<std::string, std::string>> override_lines(const std::string& overrides) {
  std::vector<std::pair<std::string, std::string>> lines;
  std::stringstream texts(overrides);
  for (std::string text; std::getline(texts, text);)
    if (!text.empty()) lines.emplace_back("override", "--set " + text);
  return lines;
}

/// Prints "name: value" lines with the values in one column `width` from the
/// left (a longer name is followed by one space).
void print_lines(const std::vector<std::pair<std::string, std::string>>& lines, std::size_t width = 15) {
  for (const auto& [name, value] : lines) {
    std::string label = name + ":";
    label.resize(std::max(width, label.size() + 1), ' ');
    std::printf("%s%s\n", label.c_str(), value.c_str());
  }
}

void print_attributes(const std::string& path, const char* kind, const std::vector<const char*>& texts,
                      const std::vector<const char*>& counts, const std::vector<const char*>& reals) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) throw InputError(path + ": damaged or incomplete " + kind + " file (cannot be opened)");
  std::vector<std::pair<std::string, std::string>> lines;
  try {
    lines.emplace_back("file", path);
    lines.emplace_back("kind", std::string(kind) + " (" + io::hdf5::read_string_attribute(file, "format") + ")");
    for (const char* name : texts) lines.emplace_back(name, io::hdf5::read_string_attribute(file, name));
    for (auto& line : override_lines(io::hdf5::read_string_attribute(file, "overrides"))) lines.push_back(line);
    for (const char* name : counts) {
      std::uint64_t v = 0;
      if (io::hdf5::read_number_attribute(file, name, H5T_NATIVE_UINT64, &v))
        lines.emplace_back(name, std::to_string(v));
    }
    for (const char* name : reals) {
      double v = 0;
      if (io::hdf5::read_number_attribute(file, name, H5T_NATIVE_DOUBLE, &v)) {
        char text[32];
        std::snprintf(text, sizeof text, "%.3g", v);  // a duration or a share: three digits are plenty
        lines.emplace_back(name, text);
      }
    }
    lines.emplace_back("version", io::hdf5::read_string_attribute(file, "groundswell_version") + " (commit " +
                                      io::hdf5::read_string_attribute(file, "git_commit") + ")");
    lines.emplace_back("created", io::hdf5::read_string_attribute(file, "created"));
  } catch (const std::exception& e) {
    H5Fclose(file);
    throw InputError(path + ": damaged or incomplete " + kind + " file (" + e.what() + ")");
  }
  H5Fclose(file);
  print_lines(lines);
}

}  // namespace

int run_command(const RunArgs& args) {
  model::ExperimentSpec x = model::load_experiment(args.scenario_file);
  apply_set_options(x, args.sets);  // first: a --set may name any scenario of the file
  select_scenarios(x, args.scenarios);
  if (args.trials) x.trials = *args.trials;
  if (args.seed) x.seed = *args.seed;
  check_output(args.output, args.force, experiment_inputs(x, args.scenario_file));
  const unsigned threads = args.threads ? args.threads : std::max(1u, std::thread::hardware_concurrency());
  experiment::require_memory(experiment::run_memory(x, threads), args.scenario_file, "this run",
                             "reduce organization.size, the ties per agent, the trials or --threads");

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
  if (show_progress) options.progress = [&](TrialIndex d, TrialIndex t) { print_progress(d, t, 0, "trials", start); };
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
  const std::string format = file_format(path);
  if (format == "groundswell-sweep") {
    const sweep::SweepFileInfo s = sweep::read_sweep_info(path);
    print_attributes(path, "sweep", {"scenario_file"}, {}, {});
    std::printf("design:        %s\npoints:        %zu of %llu%s%s\n", s.design.c_str(), s.index.size(),
                static_cast<unsigned long long>(s.points_total), s.complete ? " (complete)" : " (incomplete)",
                s.shard.empty() ? "" : (", shard " + s.shard).c_str());
    return kOk;
  }
  if (format == "groundswell-calibration") {
    print_attributes(path, "calibration", {"experiment", "calibration_file", "rule", "method", "distance"},
                     {"particles", "trials_per_particle", "steps", "seed"}, {"seconds"});
    return kOk;
  }
  if (format == "groundswell-recommend") {
    print_attributes(path, "recommendation", {"experiment", "scenario_file", "scenario", "objective"},
                     {"count", "horizon", "trials", "test_trials", "candidates", "evaluations", "seed"}, {});
    return kOk;
  }
  if (!format.empty() && format != "groundswell-results")
    throw InputError(path + ": an HDF5 file of another kind (format \"" + format +
                     "\"); groundswell info reads the results, sweep, calibration and recommendation files that "
                     "groundswell writes");
  const io::ResultsSummary r = io::read_results_summary(path);
  std::vector<std::pair<std::string, std::string>> lines = {{"file", path},
                                                            {"kind", "results (groundswell-results)"},
                                                            {"experiment", r.experiment},
                                                            {"rule", r.rule},
                                                            {"scenarios", std::to_string(r.scenarios.size())},
                                                            {"trials", std::to_string(r.trials)},
                                                            {"steps", std::to_string(r.steps)},
                                                            {"seed", std::to_string(r.seed)}};
  for (auto& line : override_lines(r.overrides)) lines.push_back(line);
  lines.emplace_back("version", r.version + " (commit " + r.git_commit + ")");
  lines.emplace_back("created", r.created);
  print_lines(lines, 13);
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
  experiment::require_memory(experiment::run_memory(x, 1), args.scenario_file, "this organization",
                             "reduce organization.size or the ties per agent");
  const std::atomic<bool>* stop = catch_stop_signals();
  const engine::TrialSetup setup = experiment::prepare_scenario_trial(x, index, args.trial);
  if (!write_tables_or_stop(setup.organization, setup.is_champion, args.directory, stop)) return stopped_exit_status();
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
  // One line per key: key, default and unit, type and allowed values, meaning.
  const model::ScenarioSpec defaults;
  std::vector<std::array<std::string, 4>> lines;
  std::array<std::size_t, 3> width{};
  for (const auto& p : model::parameter_table()) {
    std::string value = model::format_value(p.get(defaults));
    if (value == "unset") value = "(not set)";
    if (value.empty()) value = "\"\"";
    auto [type, allowed] = model::parameter_domain(p);
    allowed.erase(std::remove(allowed.begin(), allowed.end(), '`'), allowed.end());
    lines.push_back({p.key, value + (p.unit.empty() ? "" : " " + p.unit), type + (allowed.empty() ? "" : " " + allowed),
                     p.meaning});
    for (std::size_t k = 0; k < width.size(); ++k) width[k] = std::max(width[k], lines.back()[k].size());
  }
  std::cout << std::left << std::setw(static_cast<int>(width[0] + 2)) << "key"
            << std::setw(static_cast<int>(width[1] + 2)) << "default" << std::setw(static_cast<int>(width[2] + 2))
            << "type and allowed values"
            << "meaning\n";
  for (const auto& l : lines)
    std::cout << std::setw(static_cast<int>(width[0] + 2)) << l[0] << std::setw(static_cast<int>(width[1] + 2)) << l[1]
              << std::setw(static_cast<int>(width[2] + 2)) << l[2] << l[3] << "\n";
  std::cout << std::right;
  return kOk;
}

}  // namespace groundswell::cli
