#include "cli/calibrate_commands.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.hpp"
#include "cli/outputs.hpp"
#include "cli/overrides.hpp"
#include "cli/stop_signal.hpp"
#include "groundswell/calibrate/calibration.hpp"
#include "groundswell/experiment/memory.hpp"

namespace groundswell::cli {

namespace {

/// The `--set observed.unrecorded=VALUE` of `text`, if that is its key (the
/// one key outside the scenario a --set may change): VALUE, unquoted.
std::optional<std::string> observed_set(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) return std::nullopt;
  const auto trim = [](std::string v) {
    const auto b = v.find_first_not_of(" \t"), e = v.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
  };
  if (trim(text.substr(0, eq)) != "observed.unrecorded") return std::nullopt;
  std::string value = trim(text.substr(eq + 1));
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
    value = value.substr(1, value.size() - 2);
  return value;
}

}  // namespace

calibrate::CalibrationSpec load_calibration_with_sets(const std::string& file, const std::vector<std::string>& sets,
                                                      bool allow_free_parameters) {
  std::vector<std::string> scenario_sets;
  std::optional<calibrate::Unrecorded> unrecorded;
  std::string unrecorded_text;
  for (const std::string& text : sets) {
    const std::optional<std::string> value = observed_set(text);
    if (!value) {
      scenario_sets.push_back(text);
      continue;
    }
    unrecorded_text = text;
    unrecorded = calibrate::unrecorded_from_string(*value);
    if (!unrecorded)
      throw InputError("--set " + text +
                       ": observed.unrecorded must be \"simulate\" (the agents without a time stay in the network, "
                       "out of the distance) or \"drop\" (they are removed from the organization)");
  }
  calibrate::CalibrationSpec spec = calibrate::load_calibration(file, [&](model::ExperimentSpec& x) {
    for (const std::string& text : scenario_sets) parse_set(x, text);  // the form of each text first
    apply_set_options(x, scenario_sets);
  });
  if (unrecorded) {
    if (*unrecorded == calibrate::Unrecorded::Drop && !spec.observed.curve.empty())
      throw InputError(file + ": --set observed.unrecorded=drop needs per-agent data: the file gives observed.curve");
    spec.observed.unrecorded = *unrecorded;
    // The file's `overrides` attribute lists every --set, this one too.
    spec.experiment.overrides += (spec.experiment.overrides.empty() ? "" : "\n") + unrecorded_text;
  }
  if (allow_free_parameters) return spec;
  for (const std::string& text : scenario_sets) {
    const SetTarget t = parse_set(spec.experiment, text);
    for (const auto& free : spec.parameters)
      if (t.change.key == free.key)
        throw InputError("--set " + text + ": " + free.key +
                         " is a free parameter of the calibration (its prior is in [parameters]); remove it there "
                         "to fix its value");
  }
  return spec;
}

std::vector<Input> calibration_inputs(const calibrate::CalibrationSpec& spec, const std::string& file) {
  std::vector<Input> inputs = experiment_inputs(spec.experiment, file, "the calibration file");
  if (!spec.observed.file.empty()) inputs.push_back({spec.observed.file, "the observed table"});
  return inputs;
}

int calibrate_command(const CalibrateArgs& args) {
  const calibrate::CalibrationSpec spec = load_calibration_with_sets(args.calibration_file, args.sets);
  if (!args.output.empty()) check_output(args.output, args.force, calibration_inputs(spec, args.calibration_file));
  const unsigned threads = args.threads ? args.threads : std::max(1u, std::thread::hardware_concurrency());
  experiment::require_memory(
      calibrate::calibration_memory(spec, threads), args.calibration_file, "this calibration",
      "reduce organization.size, abc.draws, abc.particles, abc.predictive, the steps or --threads");
  if (spec.abc.trials > 1)
    std::fprintf(stderr,
                 "groundswell: warning: abc.trials = %u compares the mean of %u trials with one record, which fits as "
                 "if the data had 1/%u of their noise: the posterior is too narrow; keep abc.trials = 1 for "
                 "intervals (docs/calibration.md)\n",
                 spec.abc.trials, spec.abc.trials, spec.abc.trials);
  calibrate::CalibrationOptions options;
  options.threads = threads;
  options.stop = catch_stop_signals();
  if (!args.quiet) options.progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  const calibrate::CalibrationResult result = calibrate::run_calibration(spec, options);
  if (result.interrupted) {
    std::fprintf(stderr, "groundswell: stopped by %s; no output written%s\n", stop_signal_name(),
                 args.output.empty() ? "" : (" (" + args.output + " not created)").c_str());
    return stopped_exit_status();
  }
  if (!args.output.empty()) {
    calibrate::write_calibration(args.output, spec, result, threads);
    if (stop_signal()) {  // a signal while writing: the promise is no file
      std::error_code ec;
      std::filesystem::remove(args.output, ec);
      std::fprintf(stderr, "groundswell: stopped by %s; no output written (%s not created)\n", stop_signal_name(),
                   args.output.c_str());
      return stopped_exit_status();
    }
  }
  if (!args.quiet) {
    std::printf("%s", calibrate::format_calibration(spec, result).c_str());
    if (!args.output.empty())
      std::printf("wrote %s (%.1f s)\n", args.output.c_str(), result.seconds);
    else
      std::printf("(%.1f s; no output file: give -o OUT.h5 to keep the posterior)\n", result.seconds);
  }
  return kOk;
}

}  // namespace groundswell::cli
