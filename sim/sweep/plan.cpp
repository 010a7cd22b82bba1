// Reads the [sweep] section of a scenario file and builds each point's
// experiment by setting the swept values in the parsed TOML table and
// validating it with the scenario parser (docs/sweeps.md).
#include "groundswell/sweep/plan.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "groundswell/experiment/memory.hpp"
#include "groundswell/model/parameters.hpp"
#include "groundswell/random.hpp"
#include "model/parse_table.hpp"
#include "model/toml_reader.hpp"

namespace groundswell::sweep {
namespace {

constexpr const char* kFormatTag = "groundswell-sweep 1\n";

using model::format_number;
using Reader = model::TomlReader;

std::string label_of(const toml::node& n) {
  if (auto i = n.value_exact<std::int64_t>()) return std::to_string(*i);
  if (auto f = n.value_exact<double>()) return format_number(*f);
  if (auto s = n.value_exact<std::string>()) return *s;
  if (auto b = n.value_exact<bool>()) return *b ? "true" : "false";
  return "?";
}

Parameter read_parameter(const Reader& r, const toml::table& t, Design design) {
  r.only(t, "sweep.parameter.", {"name", "values", "min", "max"});
  Parameter p;
  const toml::node* name = t.get("name");
  if (!name || !name->value_exact<std::string>())
    r.fail(&t, "every [[sweep.parameter]] needs name = \"section.key\", e.g. \"champions.count\"");
  p.name = *name->value_exact<std::string>();
  const auto dot = p.name.find('.');
  const std::string section = p.name.substr(0, dot);
  if (section == "experiment" || section == "sweep" || section == "scenario")
    r.fail(name, "sweep parameter \"" + p.name +
                     "\" cannot be swept: only scenario keys (organization, agents, "
                     "rules, strategies) vary between points; seed, trials and steps are the sweep's own");
  const model::ParameterInfo* info = model::find_parameter(p.name);
  if (!info) {
    const std::string hint = model::closest_parameter(p.name);
    r.fail(name, "sweep parameter \"" + p.name + "\" is not a scenario key" +
                     (hint.empty() ? std::string(": write \"section.key\" as in the file, e.g. \"champions.count\" "
                                                 "(`groundswell parameters` lists them)")
                                   : "; did you mean \"" + hint + "\"?"));
  }

  const toml::node* values = t.get("values");
  const toml::node* lo = t.get("min");
  const toml::node* hi = t.get("max");
  if (values && (lo || hi))
    r.fail(values, "sweep parameter \"" + p.name + "\": give either values = [...] or min and max, not both");
  if (values) {
    const toml::array* list = values->as_array();
    if (!list || list->empty()) r.fail(values, "sweep parameter \"" + p.name + "\": values must be a non-empty list");
    p.kind = Kind::Levels;
    for (const toml::node& v : *list) {
      if (!(v.is_number() || v.is_string() || v.is_boolean()))
        r.fail(&v, "sweep parameter \"" + p.name + "\": each value must be a number, a string or true/false");
      const std::string label = label_of(v);
      if (std::find(p.labels.begin(), p.labels.end(), label) != p.labels.end())
        r.fail(&v, "sweep parameter \"" + p.name + "\": value " + label + " is listed twice");
      p.labels.push_back(label);
      if (!v.is_number()) p.numeric_levels = false;
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      const toml::node& v = *list->get(i);
      const double x = v.is_number() ? v.value<double>().value_or(0) : 0;
      if (p.numeric_levels && std::isnan(x)) r.fail(&v, "sweep parameter \"" + p.name + "\": nan is not a value");
      p.levels.push_back(p.numeric_levels ? x : static_cast<double>(i));
    }
    const auto [mn, mx] = std::minmax_element(p.levels.begin(), p.levels.end());
    p.min = *mn;
    p.max = *mx;
    return p;
  }
  if (design == Design::Grid)
    r.fail(&t, "sweep parameter \"" + p.name +
                   "\": design \"grid\" needs values = [...] for every parameter "
                   "(min and max are for designs \"lhs\" and \"saltelli\")");
  if (!lo || !hi) r.fail(&t, "sweep parameter \"" + p.name + "\": give values = [...] or both min and max");
  if (info->type != model::ParameterType::Real && info->type != model::ParameterType::Integer)
    r.fail(&t, "sweep parameter \"" + p.name + "\" is not a number: give its values = [...]");
  p.kind = info->type == model::ParameterType::Integer ? Kind::Integer : Kind::Real;
  for (const toml::node* n : {lo, hi}) {
    if (p.kind == Kind::Integer && !n->value_exact<std::int64_t>())
      r.fail(n, "sweep parameter \"" + p.name + "\" is an integer: min and max must be integers");
    if (!n->is_number() || !std::isfinite(n->value<double>().value_or(NAN)))
      r.fail(n, "sweep parameter \"" + p.name + "\": min and max must be finite numbers");
  }
  p.min = lo->value<double>().value_or(0);
  p.max = hi->value<double>().value_or(0);
  if (!(p.min < p.max))
    r.fail(lo, "sweep parameter \"" + p.name + "\": min = " + format_number(p.min) +
                   " must be below max = " + format_number(p.max));
  return p;
}

SweepSpec read_sweep(const Reader& r, const toml::table& root, const model::ExperimentSpec& base) {
  const toml::node* node = root.get("sweep");
  if (!node) r.fail(nullptr, "no [sweep] section: add one with design and [[sweep.parameter]] tables (docs/sweeps.md)");
  const toml::table* t = node->as_table();
  if (!t) r.fail(node, "'sweep' must be a table ([sweep])");
  r.only(*t, "sweep.", {"design", "samples", "trials", "scenarios", "curves", "parameter"});
  SweepSpec s;

  const toml::node* design = t->get("design");
  const std::string word = design && design->value_exact<std::string>() ? *design->value_exact<std::string>() : "";
  if (word == "grid")
    s.design.design = Design::Grid;
  else if (word == "lhs")
    s.design.design = Design::LatinHypercube;
  else if (word == "saltelli")
    s.design.design = Design::Saltelli;
  else
    r.fail(design ? design : t, "key 'sweep.design' must be one of \"grid\", \"lhs\", \"saltelli\"" +
                                    (word.empty() ? std::string() : ", got \"" + word + "\""));

  const toml::node* samples = t->get("samples");
  if (s.design.design == Design::Grid) {
    if (samples)
      r.fail(samples,
             "key 'sweep.samples' is for designs \"lhs\" and \"saltelli\"; a grid has one point per combination of "
             "values");
  } else {
    const auto n = samples ? samples->value_exact<std::int64_t>() : std::nullopt;
    const std::int64_t least = s.design.design == Design::Saltelli ? 2 : 1;
    if (!n || *n < least || *n > 100'000'000)
      r.fail(samples ? samples : t,
             std::string("key 'sweep.samples' must be an integer in [") + std::to_string(least) + ", 100000000]: " +
                 (s.design.design == Design::Saltelli ? "the base sample N (the sweep runs N (d + 2) points)"
                                                      : "the number of points K"));
    s.design.samples = static_cast<std::uint64_t>(*n);
  }

  s.trials = base.trials;
  if (const toml::node* n = t->get("trials")) {
    const auto v = n->value_exact<std::int64_t>();
    if (!v || *v < 1 || *v > 100'000'000) r.fail(n, "key 'sweep.trials' must be an integer in [1, 100000000]");
    s.trials = static_cast<TrialIndex>(*v);
  }
  if (const toml::node* n = t->get("curves")) {
    const auto v = n->value_exact<bool>();
    if (!v) r.fail(n, "key 'sweep.curves' must be true or false");
    s.curves = *v;
  }

  std::vector<std::string> wanted;
  if (const toml::node* n = t->get("scenarios")) {
    const toml::array* list = n->as_array();
    if (!list || list->empty()) r.fail(n, "key 'sweep.scenarios' must be a non-empty list of scenario names");
    for (const toml::node& v : *list) {
      const auto name = v.value_exact<std::string>();
      std::string known;
      bool found = false;
      for (const auto& sc : base.scenarios) {
        known += (known.empty() ? "" : ", ") + sc.name;
        found = found || (name && sc.name == *name);
      }
      if (!found)
        r.fail(&v, "sweep.scenarios: no scenario " + (name ? "\"" + *name + "\"" : label_of(v)) +
                       " in the file (has: " + known + ")");
      wanted.push_back(*name);
    }
  }
  for (const auto& sc : base.scenarios)  // file order
    if (wanted.empty() || std::find(wanted.begin(), wanted.end(), sc.name) != wanted.end())
      s.scenarios.push_back(sc.name);

  const toml::node* params = t->get("parameter");
  if (!params || !params->is_array_of_tables() || params->as_array()->empty())
    r.fail(params ? params : t,
           "the sweep needs parameters: add [[sweep.parameter]] tables with name and values (or min and max)");
  std::set<std::string> names;
  for (const toml::node& item : *params->as_array()) {
    Parameter p = read_parameter(r, *item.as_table(), s.design.design);
    if (!names.insert(p.name).second) r.fail(&item, "sweep parameter \"" + p.name + "\" is listed twice");
    s.design.parameters.push_back(std::move(p));
  }
  const std::uint64_t size = design_size(s.design);
  if (size > 100'000'000) r.fail(t, "the sweep has " + std::to_string(size) + " points; at most 100000000 are allowed");
  return s;
}

/// Sets `value` as `name` ("section.key" or a top-level key) in the file's
/// section and in every scenario that sets the key itself.
void set_value(toml::table& root, const std::string& name, const toml::node& value) {
  const auto dot = name.find('.');
  toml::array* scenarios = root.get("scenario") ? root.get("scenario")->as_array() : nullptr;
  if (dot == std::string::npos) {
    root.insert_or_assign(name, value);
    if (scenarios)
      for (toml::node& item : *scenarios)
        if (toml::table* own = item.as_table(); own && own->contains(name)) own->insert_or_assign(name, value);
    return;
  }
  const std::string section = name.substr(0, dot), key = name.substr(dot + 1);
  if (!root.contains(section)) root.insert(section, toml::table{});
  if (toml::table* t = root.get(section)->as_table()) t->insert_or_assign(key, value);  // else the parser reports it
  if (scenarios)
    for (toml::node& item : *scenarios)
      if (toml::table* own = item.as_table())
        if (toml::node* sec = own->get(section); sec && sec->is_table() && sec->as_table()->contains(key))
          sec->as_table()->insert_or_assign(key, value);
}

std::string hex(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

const std::vector<std::string>& integer_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> v;
    for (const auto& p : model::parameter_table())
      if (p.type == model::ParameterType::Integer) v.push_back(p.key);
    return v;
  }();
  return keys;
}

struct Plan::Impl {
  std::string text, source_name, base_dir;
  toml::table root;
  model::ExperimentSpec base;
  SweepSpec spec;
  std::vector<double> values;
  std::vector<std::vector<const toml::node*>> level_nodes;  // [parameter][level]: the value as written
  std::string fingerprint;
  Adjustment adjust;
};

Plan Plan::load(const std::string& path, const Adjustment& adjust) {
  const model::ScenarioFile file = model::read_scenario_file(path);
  return parse(file.text, path, file.base_dir, adjust);
}

Plan Plan::parse(const std::string& text, const std::string& source_name, const std::string& base_dir,
                 const Adjustment& adjust) {
  auto impl = std::make_shared<Impl>();
  impl->text = text;
  impl->source_name = source_name;
  impl->base_dir = base_dir;
  impl->base = model::parse_experiment(text, source_name, base_dir);  // syntax and every base value
  impl->root = toml::parse(text, source_name);
  const Reader reader(source_name);
  impl->spec = read_sweep(reader, impl->root, impl->base);
  impl->adjust = adjust;
  if (adjust.apply) adjust.apply(impl->base);
  // Without changes the fingerprint is that of the file alone (as before --set).
  impl->fingerprint =
      hex(name_hash(std::string(kFormatTag) + text + (adjust.label.empty() ? "" : "\n--set\n" + adjust.label)));

  const toml::array& params = *impl->root.get("sweep")->as_table()->get("parameter")->as_array();
  for (std::size_t j = 0; j < params.size(); ++j) {
    std::vector<const toml::node*> nodes;
    if (const toml::node* v = params.get(j)->as_table()->get("values"))
      for (const toml::node& level : *v->as_array()) nodes.push_back(&level);
    impl->level_nodes.push_back(std::move(nodes));
  }
  const std::uint64_t seed = stream_key(Purpose::SweepDesign, impl->base.seed);
  if (design_size(impl->spec.design) <= (std::uint64_t{1} << 40))  // larger: design_points refuses it
    experiment::require_memory(design_memory(impl->spec.design), source_name, "this sweep design",
                               "reduce sweep.samples, the levels or the parameters, or split the sweep into "
                               "several scenario files");
  impl->values = design_points(impl->spec.design, seed);

  Plan plan;
  plan.impl_ = impl;
  for (std::uint64_t p = 0; p < plan.points(); ++p) plan.experiment(p);  // every point valid before any runs
  return plan;
}

const model::ExperimentSpec& Plan::base() const noexcept { return impl_->base; }
const SweepSpec& Plan::spec() const noexcept { return impl_->spec; }
const std::vector<double>& Plan::values() const noexcept { return impl_->values; }
const std::string& Plan::fingerprint() const noexcept { return impl_->fingerprint; }

std::uint64_t Plan::points() const noexcept {
  const std::size_t d = impl_->spec.design.parameters.size();
  return d ? impl_->values.size() / d : 0;
}

std::uint64_t Plan::point_seed(std::uint64_t p) const { return stream_key(Purpose::SweepPoint, impl_->base.seed, p); }

std::string Plan::describe(std::uint64_t p) const {
  const auto& params = parameters();
  std::string out;
  for (std::size_t j = 0; j < params.size(); ++j) {
    const double v = impl_->values.at(p * params.size() + j);
    std::string text = format_number(v);
    if (params[j].kind == Kind::Levels) text = params[j].labels[static_cast<std::size_t>(level_index(params[j], v))];
    out += (j ? ", " : "") + params[j].name + " = " + text;
  }
  return out;
}

model::ExperimentSpec Plan::experiment(std::uint64_t p) const {
  const Impl& m = *impl_;
  const auto& params = parameters();
  if (p >= points()) throw std::out_of_range("sweep point " + std::to_string(p) + " is beyond the design");
  toml::table root = m.root;
  for (std::size_t j = 0; j < params.size(); ++j) {
    const Parameter& par = params[j];
    const double v = m.values[p * params.size() + j];
    if (par.kind == Kind::Levels)
      set_value(root, par.name, *m.level_nodes[j][static_cast<std::size_t>(level_index(par, v))]);
    else if (par.kind == Kind::Integer)
      set_value(root, par.name, toml::value<std::int64_t>(static_cast<std::int64_t>(v)));
    else
      set_value(root, par.name, toml::value<double>(v));
  }
  model::ExperimentSpec x;
  try {
    x = model::parse_experiment_table(root, m.text, m.source_name, m.base_dir);
  } catch (const InputError& e) {
    throw InputError("sweep point " + std::to_string(p) + " (" + describe(p) + "): " + e.what());
  }
  if (m.adjust.apply) {
    try {
      m.adjust.apply(x);
    } catch (const InputError& e) {
      throw InputError("sweep point " + std::to_string(p) + " (" + describe(p) + "): " + e.what());
    }
  }
  x.seed = point_seed(p);
  x.trials = m.spec.trials;
  std::vector<model::ScenarioSpec> kept;
  for (auto& s : x.scenarios)
    if (std::find(m.spec.scenarios.begin(), m.spec.scenarios.end(), s.name) != m.spec.scenarios.end())
      kept.push_back(std::move(s));
  x.scenarios = std::move(kept);
  return x;
}

}  // namespace groundswell::sweep
