#include "cli/recommend_command.hpp"

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <thread>

#include "cli/commands.hpp"
#include "cli/outputs.hpp"
#include "cli/overrides.hpp"
#include "cli/stop_signal.hpp"
#include "groundswell/engine/trial.hpp"
#include "groundswell/experiment/memory.hpp"
#include "groundswell/org/generate.hpp"
#include "groundswell/recommend/recommend.hpp"

namespace groundswell::cli {
namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, sep);)
    if (!item.empty()) out.push_back(item);
  return out;
}

/// People named by their id in the data (a file's node ids) or by number.
std::vector<AgentId> people(const std::string& option, const std::string& list, const org::Organization& o) {
  std::vector<AgentId> out;
  for (const std::string& token : split(list, ',')) {
    bool found = false;
    for (AgentId i = 0; i < o.ids.size() && !found; ++i)
      if (o.ids[i] == token) {
        out.push_back(i);
        found = true;
      }
    if (found) continue;
    std::size_t used = 0;
    unsigned long value = 0;
    try {
      value = std::stoul(token, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != token.size() || value >= o.size())
      throw InputError(option + " " + list + ": " + token +
                       " is neither an id of the organization's data nor a number " + "in 0.." +
                       std::to_string(o.size() - 1));
    out.push_back(static_cast<AgentId>(value));
  }
  return out;
}

unsigned whole(const std::string& option, const std::string& text) {
  std::size_t used = 0;
  unsigned long v = 0;
  try {
    v = std::stoul(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || text[0] == '-')
    throw InputError(option + ": " + text + " is not a whole number >= 0");
  return static_cast<unsigned>(v);
}

/// N of --candidates top:N, at least 1.
unsigned top_count(const std::string& candidates) {
  const unsigned n = whole("--candidates top:N", candidates.substr(4));
  if (n == 0)
    throw InputError("--candidates " + candidates +
                     ": give top:N with N >= 1 (the N most listened to), all, or a list of ids");
  return n;
}

}  // namespace

recommend::Options recommend_options(const model::ExperimentSpec& x, const RecommendArgs& args) {
  recommend::Options o;
  o.scenario = args.scenario;
  o.count = args.count;
  o.objective = recommend::objective_from_string(args.objective);
  o.horizon = static_cast<Step>(args.horizon);
  o.trials = args.trials;
  o.test_trials = args.test_trials;
  o.key_people = args.key_people;
  o.lazy = !args.plain_greedy;
  o.threads = args.threads ? args.threads : std::max(1u, std::thread::hardware_concurrency());
  auto& c = o.constraints;
  c.max_per_department = args.max_per_department;
  c.formal_only = args.formal_only;
  c.informal_only = args.informal_only;

  // Names in the options refer to the organization of the first trial (the same in every trial for files).
  const model::ScenarioSpec* spec = nullptr;
  for (const auto& s : x.scenarios)
    if (args.scenario.empty() ? s.champions.count > 0 : s.name == args.scenario) {
      spec = &s;
      break;
    }
  if (spec) {
    // Before the first organization is built: the default shortlist of 200, or everyone.
    recommend::Options estimate = o;
    if (args.candidates.rfind("top:", 0) == 0)
      estimate.shortlist = top_count(args.candidates);
    else if (args.candidates.empty())
      estimate.shortlist = 200;
    experiment::require_memory(recommend::memory_estimate(x, estimate), args.scenario_file, "this recommendation",
                               "reduce --trials, --test-trials, the candidates (--candidates top:N), --key-people, "
                               "organization.size or --threads");
    const org::Organization first = org::generate_organization(spec->organization, engine::organization_key(x.seed, 0));
    c.exclude = people("--exclude", args.exclude, first);
    c.require = people("--require", args.require, first);
    if (args.candidates.rfind("top:", 0) == 0)
      o.shortlist = top_count(args.candidates);
    else if (!args.candidates.empty() && args.candidates != "all")
      o.candidates = people("--candidates", args.candidates, first);
    else if (args.candidates.empty() && first.size() > 200)
      o.shortlist = 200;  // the default for large organizations (docs/recommend.md)
  }                       // else recommend() names the missing scenario
  if (!args.curve.empty()) {
    const auto parts = split(args.curve, ':');
    if (parts.size() != 3) throw InputError("--curve " + args.curve + ": give FROM:TO:STEP, e.g. 0:60:5");
    o.curve = recommend::CurveSpec{whole("--curve", parts[0]), whole("--curve", parts[1]), whole("--curve", parts[2])};
    if (o.curve->step == 0 || o.curve->from > o.curve->to)
      throw InputError("--curve " + args.curve + ": FROM <= TO and STEP >= 1, e.g. 0:60:5");
  }
  if (!args.target.empty()) {
    const auto at = args.target.find('@');
    double level = -1;
    try {
      level = std::stod(args.target.substr(0, at));
    } catch (const std::exception&) {
    }
    if (at == std::string::npos || level <= 0 || level > 1)
      throw InputError("--target " + args.target +
                       ": give SHARE@WEEK, e.g. 0.5@52 (half the staff internalized by "
                       "week 52)");
    o.target = recommend::Target{level, static_cast<Step>(whole("--target", args.target.substr(at + 1)))};
    if (!o.curve) throw InputError("--target needs --curve (the counts to try), e.g. --curve 0:40:5");
  }
  return o;
}

int recommend_command(const RecommendArgs& args) {
  model::ExperimentSpec x = model::load_experiment(args.scenario_file);
  apply_set_options(x, args.sets);
  if (args.seed_given) x.seed = args.seed;
  if (!args.output.empty()) check_output(args.output, args.force, experiment_inputs(x, args.scenario_file));
  recommend::Options o = recommend_options(x, args);
  o.stop = catch_stop_signals();
  if (!args.quiet) o.progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  const recommend::Result r = recommend::recommend(x, o);
  if (r.interrupted) {
    std::fprintf(stderr, "groundswell: stopped by %s; no output written%s\n", stop_signal_name(),
                 args.output.empty() ? "" : (" (" + args.output + " not created)").c_str());
    return stopped_exit_status();
  }
  if (!args.output.empty()) recommend::write_result(args.output, x, o, r);
  if (!args.quiet) {
    std::printf("%s", recommend::format_result(r).c_str());
    if (!args.output.empty()) std::printf("wrote %s\n", args.output.c_str());
  }
  return kOk;
}

}  // namespace groundswell::cli
