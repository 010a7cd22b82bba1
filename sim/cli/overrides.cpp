#include "cli/overrides.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <optional>

#include "groundswell/model/parameters.hpp"
#include "groundswell/types.hpp"

namespace groundswell::cli {
namespace {

/// VALUE as a file would give it: TOML's own reading ("0.3", "12", "true",
/// "inf", "\"text\""); anything TOML does not read as a value is a word.
model::ParameterValue read_value(const std::string& text) {
  try {
    const toml::table t = toml::parse("v = " + text);
    const toml::node* n = t.get("v");
    if (auto f = n->value_exact<double>()) return *f;
    if (auto i = n->value_exact<std::int64_t>()) return *i;
    if (auto b = n->value_exact<bool>()) return *b;
    if (auto s = n->value_exact<std::string>()) return *s;
  } catch (const toml::parse_error&) {
  }
  return text;
}

std::string names_of(const model::ExperimentSpec& x) {
  std::string names;
  for (const auto& s : x.scenarios) names += (names.empty() ? "" : ", ") + s.name;
  return names;
}

/// `text` without the spaces and tabs at either end.
std::string trimmed(const std::string& text) {
  const std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

SetTarget parse_set(const model::ExperimentSpec& x, const std::string& text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError("--set " + text + ": give KEY=VALUE or SCENARIO.KEY=VALUE, e.g. --set sdt.alpha=0.3");
  std::string key = trimmed(text.substr(0, eq));
  const std::string value = trimmed(text.substr(eq + 1));
  if (key.empty()) throw InputError("--set " + text + ": no key before '='");
  if (value.empty()) throw InputError("--set " + text + ": no value after '='");
  if (key.rfind("experiment.", 0) == 0)
    throw InputError("--set " + text +
                     ": experiment keys are not scenario keys; use --trials and --seed (experiment.steps and "
                     "experiment.name are set in the file)");
  // The longest scenario name followed by a dot (names may hold dots themselves).
  const model::ScenarioSpec* named = nullptr;
  for (const auto& s : x.scenarios)
    if (key.size() > s.name.size() + 1 && key.compare(0, s.name.size() + 1, s.name + ".") == 0 &&
        (!named || s.name.size() > named->name.size()))
      named = &s;
  SetTarget t;
  if (named) {
    if (model::find_parameter(key))
      throw InputError("--set " + text + ": ambiguous: '" + named->name +
                       "' is both a scenario of the file and a section; write " + named->name + "." + key + "=" +
                       value + " for scenario " + named->name + " only");
    t.scenario = named->name;
    key = key.substr(named->name.size() + 1);
  }
  t.change = {key, read_value(value)};
  return t;
}

void apply_set_options(model::ExperimentSpec& x, const std::vector<std::string>& sets) {
  std::vector<SetTarget> targets;
  for (const std::string& text : sets) targets.push_back(parse_set(x, text));
  for (std::size_t i = 0; i < targets.size(); ++i) {
    // Each key and value alone first, so the message names the --set it comes from.
    model::ScenarioSpec probe = x.scenarios.front();
    const model::ParameterInfo* p = model::find_parameter(targets[i].change.key);
    try {
      if (!p) {
        model::apply_overrides(probe, {targets[i].change});  // throws the parser's "did you mean"
        throw InputError("key '" + targets[i].change.key + "' is not a scenario key (groundswell parameters)");
      }
      if (const std::string fault = model::check_value(*p, targets[i].change.value); !fault.empty())
        throw InputError("key '" + targets[i].change.key + "' " + fault);
    } catch (const InputError& e) {
      throw InputError("--set " + sets[i] + ": " + e.what());
    }
  }
  for (auto& s : x.scenarios) {
    std::vector<model::Override> mine;
    for (const SetTarget& t : targets)
      if (t.scenario.empty() || t.scenario == s.name) mine.push_back(t.change);
    if (mine.empty()) continue;
    try {
      model::apply_overrides(s, mine);
    } catch (const InputError& e) {
      throw InputError("--set, scenario " + s.name + ": " + e.what());
    }
  }
  for (const std::string& text : sets) x.overrides += (x.overrides.empty() ? "" : "\n") + text;
}

void select_scenarios(model::ExperimentSpec& x, const std::vector<std::string>& names) {
  if (names.empty()) return;
  for (const std::string& n : names)
    if (std::none_of(x.scenarios.begin(), x.scenarios.end(), [&](const auto& s) { return s.name == n; }))
      throw InputError("--scenario " + n + ": no such scenario in " + x.source_path + " (has: " + names_of(x) + ")");
  std::vector<model::ScenarioSpec> kept;
  for (auto& s : x.scenarios)
    if (std::find(names.begin(), names.end(), s.name) != names.end()) kept.push_back(std::move(s));
  x.scenarios = std::move(kept);
}

}  // namespace groundswell::cli
