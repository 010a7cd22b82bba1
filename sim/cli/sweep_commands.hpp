#pragma once
// The `groundswell sweep` and `groundswell merge` subcommands (docs/sweeps.md).
#include <string>
#include <vector>

#include "groundswell/sweep/plan.hpp"
#include "groundswell/sweep/runner.hpp"

namespace groundswell::cli {

struct SweepArgs {
  std::string scenario_file, output, shard;
  std::vector<std::string> sets;  ///< --set KEY=VALUE
  unsigned threads = 0;
  bool resume = false, force = false, quiet = false, verbose = false, list_points = false;
};
int sweep_command(const SweepArgs& args);

/// The sweep's plan as `sweep` reads it: the file with the --set values
/// applied after each point's swept ones (a swept key refused), --shard read
/// into `shard`, and the output and its parts directory checked not to be an
/// input. Shared by the command and the Python module.
/// @throws InputError naming the option, the file or the key, and the fix
sweep::Plan load_sweep_plan(const SweepArgs& args, sweep::Shard& shard);

struct MergeArgs {
  std::vector<std::string> inputs;
  std::string output;
  bool force = false, quiet = false;
};
int merge_command(const MergeArgs& args);

}  // namespace groundswell::cli
