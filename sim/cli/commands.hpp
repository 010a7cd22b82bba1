#pragma once
// The subcommands of the `groundswell` command line.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace groundswell::cli {

/// Exit statuses: documented in docs/errors.md.
enum Exit : int { kOk = 0, kFailure = 1, kUsage = 2, kInterrupted = 130, kTerminated = 143 };

struct RunArgs {
  std::string scenario_file, output;
  std::vector<std::string> sets, scenarios;  ///< --set KEY=VALUE, --scenario NAME
  std::optional<std::uint32_t> trials;
  std::optional<std::uint64_t> seed;
  unsigned threads = 0;
  bool force = false, quiet = false, verbose = false;
};
int run_command(const RunArgs& args);

int info_command(const std::string& results_file);

/// Prints the parameter table (model/parameters.hpp): as aligned text, or
/// with `markdown` as the tables of docs/model.md.
int parameters_command(bool markdown);

struct ExportArgs {
  std::string scenario_file, scenario, directory;
  std::uint32_t trial = 0;
  bool force = false;
};
int network_export_command(const ExportArgs& args);

}  // namespace groundswell::cli
