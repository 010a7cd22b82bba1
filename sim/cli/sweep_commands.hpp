#pragma once
// The `groundswell sweep` and `groundswell merge` subcommands (docs/sweeps.md).
#include <string>
#include <vector>

namespace groundswell::cli {

struct SweepArgs {
  std::string scenario_file, output, shard;
  std::vector<std::string> sets;  ///< --set KEY=VALUE
  unsigned threads = 0;
  bool resume = false, force = false, quiet = false, verbose = false, list_points = false;
};
int sweep_command(const SweepArgs& args);

struct MergeArgs {
  std::vector<std::string> inputs;
  std::string output;
  bool force = false, quiet = false;
};
int merge_command(const MergeArgs& args);

}  // namespace groundswell::cli
