#pragma once
// The `groundswell recommend` subcommand (docs/recommend.md).
#include <string>
#include <vector>

#include "groundswell/model/scenario.hpp"
#include "groundswell/recommend/recommend.hpp"

namespace groundswell::cli {

struct RecommendArgs {
  std::string scenario_file, output, scenario, objective = "internalized", candidates, exclude, require, curve, target;
  std::vector<std::string> sets;  ///< --set KEY=VALUE
  unsigned count = 0, horizon = 0, trials = 0, test_trials = 0, max_per_department = 0, key_people = 0, threads = 0;
  unsigned long long seed = 0;
  bool seed_given = false, formal_only = false, informal_only = false, plain_greedy = false, force = false,
       quiet = false;
};
int recommend_command(const RecommendArgs& args);

/// The options of recommend::recommend() that the arguments give for the
/// experiment `x` (already changed by --set and --seed): ids resolved on the
/// organization of trial 0, the default shortlist, --curve and --target read,
/// the memory checked (messages name args.scenario_file). Leaves stop and
/// progress unset. Shared by the command and the Python module.
/// @throws InputError naming the option and the fix
recommend::Options recommend_options(const model::ExperimentSpec& x, const RecommendArgs& args);

}  // namespace groundswell::cli
