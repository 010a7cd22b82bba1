// Reads a calibration file (docs/calibration.md): a scenario file with one
// scenario, validated by the scenario parser, plus [observed], [[parameter]],
// [abc] and [holdout], validated here. Every fault names the file, the line,
// the key and the fix.
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "groundswell/calibrate/calibration.hpp"
#include "groundswell/data_dir.hpp"
#include "groundswell/model/parameters.hpp"
#include "model/parse_table.hpp"
#include "model/toml_reader.hpp"

namespace groundswell::calibrate {
namespace {

using model::format_number;

/// The scenario reader's messages and key checks, and the calibration's own reads.
class Reader : public model::TomlReader {
 public:
  using TomlReader::TomlReader;
  double number(const toml::table& t, const std::string& where, const std::string& key, double lo, double hi) const {
    const toml::node* n = t.get(key);
    double v = 0;
    if (auto f = n->value_exact<double>())
      v = *f;
    else if (auto i = n->value_exact<std::int64_t>())
      v = static_cast<double>(*i);
    else
      fail(n, "key '" + where + key + "' must be a number");
    if (!(v >= lo && v <= hi))
      fail(n, "key '" + where + key + "' = " + format_number(v) + " is out of range: allowed [" + format_number(lo) +
                  ", " + format_number(hi) + "]");
    return v;
  }
  std::int64_t integer(const toml::table& t, const std::string& where, const std::string& key, std::int64_t lo,
                       std::int64_t hi) const {
    const toml::node* n = t.get(key);
    auto i = n->value_exact<std::int64_t>();
    if (!i) fail(n, "key '" + where + key + "' must be an integer");
    if (*i < lo || *i > hi)
      fail(n, "key '" + where + key + "' = " + std::to_string(*i) + " is out of range: allowed [" + std::to_string(lo) +
                  ", " + std::to_string(hi) + "]");
    return *i;
  }
  std::string text(const toml::table& t, const std::string& where, const std::string& key) const {
    const toml::node* n = t.get(key);
    auto s = n->value_exact<std::string>();
    if (!s) fail(n, "key '" + where + key + "' must be a string");
    return *s;
  }
  const toml::table& table(const toml::node* n, const std::string& name) const {
    if (!n->is_table()) fail(n, "'" + name + "' must be a table: write [" + name + "]");
    return *n->as_table();
  }
};

/// A prior bound as the value of its key (an integer key rounds half away from zero).
model::ParameterValue bound_value(const FreeParameter& p, double bound) {
  if (p.integer) return static_cast<std::int64_t>(std::llround(bound));
  return bound;
}

/// The scenario with every free parameter at one corner of the prior box
/// (bit j of `corner` set: parameter j at its upper bound); throws InputError
/// from apply_overrides() if the corner breaks a range or a joint constraint.
void apply_corner(const std::vector<FreeParameter>& free, std::uint64_t corner, model::ScenarioSpec scenario) {
  std::vector<model::Override> at;
  for (std::size_t j = 0; j < free.size(); ++j)
    at.push_back({free[j].key, bound_value(free[j], (corner >> j) & 1 ? free[j].upper : free[j].lower)});
  model::apply_overrides(scenario, at);
}

/// Every value of the prior box must be a scenario the parser accepts. Each
/// bound alone is checked first (its own range, and joint constraints with the
/// other keys at the file's values), then the corners of the box together,
/// which covers the joint constraints that are sums (sdt.w_a + sdt.w_c +
/// sdt.w_r <= 1) or bounds (champions.count <= organization.size).
void check_prior_box(const Reader& r, const toml::node* list, const std::vector<const toml::table*>& tables,
                     const std::vector<FreeParameter>& free, const model::ScenarioSpec& base) {
  for (std::size_t j = 0; j < free.size(); ++j)
    for (const bool upper : {false, true}) {
      const double bound = upper ? free[j].upper : free[j].lower;
      try {
        model::ScenarioSpec s = base;
        model::apply_overrides(s, {{free[j].key, bound_value(free[j], bound)}});
      } catch (const InputError& e) {
        r.fail(tables[j]->get(upper ? "max" : "min"), "parameter \"" + free[j].key + "\": the prior bound " +
                                                          format_number(bound) + " is not a valid value (" + e.what() +
                                                          "); narrow min and max");
      }
    }
  constexpr std::size_t kMostCorners = 16;  // 65536 corners; beyond, each draw is still checked when it is run
  if (free.size() < 2 || free.size() > kMostCorners) return;
  for (std::uint64_t corner = 0; corner < (std::uint64_t{1} << free.size()); ++corner) {
    try {
      apply_corner(free, corner, base);
    } catch (const InputError& e) {
      std::string where;
      for (std::size_t j = 0; j < free.size(); ++j)
        where +=
            (j ? ", " : "") + free[j].key + " = " + format_number((corner >> j) & 1 ? free[j].upper : free[j].lower);
      r.fail(list, "the prior box holds values the scenario refuses: at " + where + ", " + e.what() +
                       "; narrow the priors so that every combination is valid");
    }
  }
}

std::vector<std::int64_t> int_list(const Reader& r, const toml::table& t, const std::string& where,
                                   const std::string& key) {
  const toml::node* n = t.get(key);
  std::vector<std::int64_t> out;
  if (auto i = n->value_exact<std::int64_t>()) return {*i};
  const toml::array* a = n->as_array();
  if (!a) r.fail(n, "key '" + where + key + "' must be an integer or a list of integers, e.g. [98, 99]");
  for (const toml::node& v : *a) {
    auto i = v.value_exact<std::int64_t>();
    if (!i) r.fail(&v, "key '" + where + key + "' must list integers, e.g. [98, 99]");
    out.push_back(*i);
  }
  return out;
}

/// toml++ 3.3 can crash on some non-ASCII characters outside strings and
/// comments (see screen_non_ascii in sim/model/scenario_parser.cpp); a
/// calibration file is ASCII except in comments.
void screen_ascii(const std::string& text, const std::string& source) {
  std::size_t line = 1;
  bool comment = false;
  for (char ch : text) {
    if (ch == '\n') {
      ++line;
      comment = false;
    } else if (ch == '#') {
      comment = true;
    } else if (static_cast<unsigned char>(ch) >= 0x80 && !comment) {
      throw InputError(source + ":" + std::to_string(line) +
                       ": non-ASCII character; a calibration file is ASCII outside comments (write names in ASCII)");
    }
  }
}

/// The scenario part: everything but the calibration sections, validated by the scenario parser.
model::ExperimentSpec read_scenario_part(const Reader& r, const toml::table& root, const std::string& text,
                                         const std::string& source_name, const std::string& base_dir) {
  // A second parse rather than a copy: copies of toml++ nodes lose their source lines.
  toml::table scenario = toml::parse(text, source_name);
  for (const char* k : {"observed", "parameter", "abc", "holdout"}) scenario.erase(k);
  if (const toml::node* s = root.get("scenario"))
    r.fail(s,
           "a calibration file describes one scenario: remove the [[scenario]] tables and put their keys at the top "
           "level");
  if (const toml::node* sweep = root.get("sweep"))
    r.fail(sweep, "a calibration file cannot have a [sweep] section; remove it");
  if (const toml::node* e = root.get("experiment"); e && e->is_table())
    if (const toml::node* t = e->as_table()->get("trials"))
      r.fail(t, "key 'experiment.trials' is not used by calibrate: set the engine trials per particle with abc.trials");
  return model::parse_experiment_table(scenario, text, source_name, base_dir);
}

/// [observed]: a table of adoption times or a cumulative curve.
void read_observed(const Reader& r, const toml::table& root, const std::string& base_dir, CalibrationSpec& c) {
  const toml::node* on = root.get("observed");
  if (!on)
    r.fail(nullptr,
           "missing section [observed]: give file, id and time columns (or curve = [...]); see docs/calibration.md");
  const toml::table& o = r.table(on, "observed");
  r.only(o, "observed.", {"file", "id", "time", "never", "missing", "curve", "unrecorded"});
  if (const toml::node* u = o.get("unrecorded")) {
    const auto* text = u->as_string();
    const std::string value = text ? text->get() : std::string();
    const std::optional<Unrecorded> parsed = unrecorded_from_string(value);
    if (!parsed)
      r.fail(u,
             "key 'observed.unrecorded' must be \"simulate\" (the agents without a time stay in the network, out of "
             "the distance) or \"drop\" (they are removed from the organization)" +
                 (text ? ", not \"" + value + "\"" : std::string()));
    c.observed.unrecorded = *parsed;
  }
  if (o.contains("curve")) {
    if (c.observed.unrecorded == Unrecorded::Drop)
      r.fail(o.get("unrecorded"),
             "key 'observed.unrecorded' = \"drop\" needs per-agent data: give observed.file instead of observed.curve");
    for (const char* k : {"file", "id", "time", "never", "missing"})
      if (const toml::node* n = o.get(k))
        r.fail(n, std::string("key 'observed.") + k +
                      "' cannot be given with observed.curve: give either a curve or a file");
    const toml::array* a = o.get("curve")->as_array();
    if (!a)
      r.fail(o.get("curve"), "key 'observed.curve' must be a list of cumulative adopted shares, one per step 1..T");
    for (const toml::node& v : *a) {
      double x = 0;
      if (auto f = v.value_exact<double>())
        x = *f;
      else if (auto i = v.value_exact<std::int64_t>())
        x = static_cast<double>(*i);
      else
        r.fail(&v, "key 'observed.curve' must list numbers in [0, 1]");
      if (!(x >= 0 && x <= 1)) r.fail(&v, "key 'observed.curve': " + format_number(x) + " is not a share in [0, 1]");
      if (!c.observed.curve.empty() && x < c.observed.curve.back())
        r.fail(&v, "key 'observed.curve' must be cumulative (never decreasing); " + format_number(x) + " follows " +
                       format_number(c.observed.curve.back()));
      c.observed.curve.push_back(x);
    }
    if (c.observed.curve.size() != static_cast<std::size_t>(c.experiment.steps))
      r.fail(o.get("curve"), "key 'observed.curve' has " + std::to_string(c.observed.curve.size()) +
                                 " values but experiment.steps = " + std::to_string(c.experiment.steps) +
                                 "; give one cumulative share per step 1..T");
  } else {
    for (const char* k : {"file", "id", "time"})
      if (!o.contains(k))
        r.fail(on, std::string("missing key 'observed.") + k +
                       "': give file (the table), id (the column matching the network's node ids) and time (the "
                       "column of adoption steps), or curve = [...]");
    c.observed.file = resolve_input_path(r.text(o, "observed.", "file"), base_dir);
    c.observed.id_column = r.text(o, "observed.", "id");
    c.observed.time_column = r.text(o, "observed.", "time");
    if (o.contains("never")) c.observed.never = int_list(r, o, "observed.", "never");
    if (o.contains("missing")) c.observed.missing = int_list(r, o, "observed.", "missing");
    for (auto v : c.observed.never)
      if (std::find(c.observed.missing.begin(), c.observed.missing.end(), v) != c.observed.missing.end())
        r.fail(o.get("never"),
               "code " + std::to_string(v) + " is both in observed.never and observed.missing; keep it in one");
  }
}

/// [[parameter]]: the free parameters and their priors, checked against the
/// parameter table and over the whole prior box.
void read_free_parameters(const Reader& r, const toml::table& root, CalibrationSpec& c) {
  const model::ScenarioSpec& base = c.experiment.scenarios.front();
  const toml::node* pn = root.get("parameter");
  if (!pn) r.fail(nullptr, "no free parameters: add a [[parameter]] table with key, prior, min and max");
  if (!pn->is_array_of_tables()) r.fail(pn, "'parameter' must be a list of tables: write each as [[parameter]]");
  std::vector<const toml::table*> tables;  // each parameter's table, for messages
  for (const toml::node& item : *pn->as_array()) {
    const toml::table& t = *item.as_table();
    r.only(t, "parameter.", {"key", "prior", "min", "max"});
    for (const char* k : {"key", "min", "max"})
      if (!t.contains(k))
        r.fail(&item,
               std::string("[[parameter]] needs key 'parameter.") + k + "', e.g. key = \"bass.q\", min = 0, max = 1");
    FreeParameter p;
    p.key = r.text(t, "parameter.", "key");
    const auto& keys = calibratable_keys();
    if (std::find(keys.begin(), keys.end(), p.key) == keys.end()) {
      std::string list;
      for (const auto& k : keys) list += (list.empty() ? "" : ", ") + k;
      r.fail(t.get("key"), "parameter.key = \"" + p.key + "\" cannot be a free parameter; use one of " + list);
    }
    p.integer = model::find_parameter(p.key)->type == model::ParameterType::Integer;
    for (const auto& q : c.parameters)
      if (q.key == p.key)
        r.fail(t.get("key"), "parameter \"" + p.key + "\" is given twice; keep one [[parameter]] for it");
    if (t.contains("prior")) {
      const std::string prior = r.text(t, "parameter.", "prior");
      if (prior == "uniform")
        p.prior = Prior::Uniform;
      else if (prior == "log_uniform")
        p.prior = Prior::LogUniform;
      else
        r.fail(t.get("prior"),
               "parameter.prior = \"" + prior + "\" is not allowed: use \"uniform\" or \"log_uniform\"");
    }
    p.lower = r.number(t, "parameter.", "min", -1e12, 1e12);
    p.upper = r.number(t, "parameter.", "max", -1e12, 1e12);
    if (!(p.lower < p.upper))
      r.fail(t.get("max"), "parameter \"" + p.key + "\": max = " + format_number(p.upper) +
                               " must be greater than min = " + format_number(p.lower));
    if (p.prior == Prior::LogUniform && !(p.lower > 0))
      r.fail(t.get("min"), "parameter \"" + p.key + "\": a log_uniform prior needs min > 0, got " +
                               format_number(p.lower) + "; use prior = \"uniform\" or a positive min");
    tables.push_back(&t);
    c.parameters.push_back(p);
  }
  if (c.parameters.empty()) r.fail(pn, "no free parameters: add a [[parameter]] table with key, prior, min and max");
  check_prior_box(r, pn, tables, c.parameters, base);
  for (const auto& p : c.parameters) {
    const bool fits = (p.key.rfind("bass.", 0) == 0 && base.rule == model::Rule::Bass) ||
                      (p.key.rfind("cascade.", 0) == 0 && base.rule == model::Rule::Cascade) ||
                      (p.key.rfind("sdt.", 0) == 0 && base.rule == model::Rule::Sdt) ||
                      (p.key.rfind("agents.threshold", 0) == 0 &&
                       (base.rule == model::Rule::Threshold || base.rule == model::Rule::Sdt)) ||
                      (p.key == "agents.initial_resisters" && base.rule == model::Rule::Sdt) ||
                      p.key == "champions.count";
    if (!fits)
      r.fail(pn, "parameter \"" + p.key + "\" has no effect under rule \"" + model::to_string(base.rule) +
                     "\"; choose parameters of that rule");
  }
}

/// [abc]: the algorithm and its settings.
void read_abc(const Reader& r, const toml::table& root, CalibrationSpec& c) {
  if (const toml::node* an = root.get("abc")) {
    const toml::table& a = r.table(an, "abc");
    r.only(a, "abc.",
           {"method", "particles", "generations", "quantile", "min_acceptance", "draws", "epsilon", "trials",
            "distance", "predictive"});
    auto& s = c.abc;
    if (a.contains("method")) {
      const std::string m = r.text(a, "abc.", "method");
      if (m == "smc")
        s.method = Method::Smc;
      else if (m == "rejection")
        s.method = Method::Rejection;
      else
        r.fail(a.get("method"), "abc.method = \"" + m + "\" is not allowed: use \"smc\" or \"rejection\"");
    }
    if (a.contains("particles"))
      s.particles = static_cast<std::uint32_t>(r.integer(a, "abc.", "particles", 2, 1'000'000));
    if (a.contains("generations"))
      s.generations = static_cast<std::uint32_t>(r.integer(a, "abc.", "generations", 1, 1000));
    if (a.contains("quantile")) s.quantile = r.number(a, "abc.", "quantile", 0.01, 0.99);
    if (a.contains("min_acceptance")) s.min_acceptance = r.number(a, "abc.", "min_acceptance", 0, 1);
    if (a.contains("draws")) s.draws = static_cast<std::uint32_t>(r.integer(a, "abc.", "draws", 2, 100'000'000));
    if (a.contains("epsilon")) s.epsilon = r.number(a, "abc.", "epsilon", 0, 1e12);
    if (a.contains("trials")) s.trials = static_cast<std::uint32_t>(r.integer(a, "abc.", "trials", 1, 100'000));
    if (a.contains("predictive"))
      s.predictive = static_cast<std::uint32_t>(r.integer(a, "abc.", "predictive", 1, 1'000'000));
    if (a.contains("distance")) {
      const std::string d = r.text(a, "abc.", "distance");
      if (d == "curve")
        s.distance = Distance::Curve;
      else if (d == "department_curves")
        s.distance = Distance::DepartmentCurves;
      else if (d == "agent")
        s.distance = Distance::Agent;
      else
        r.fail(a.get("distance"),
               "abc.distance = \"" + d + "\" is not allowed: use \"curve\", \"department_curves\" or \"agent\"");
    }
    if (s.method == Method::Smc)
      for (const char* k : {"draws", "epsilon"})
        if (const toml::node* n = a.get(k))
          r.fail(n, std::string("key 'abc.") + k + "' applies to method = \"rejection\" only");
    if (s.method == Method::Rejection)
      for (const char* k : {"generations", "quantile", "min_acceptance"})
        if (const toml::node* n = a.get(k))
          r.fail(n, std::string("key 'abc.") + k + "' applies to method = \"smc\" only");
    if (s.method == Method::Rejection) {
      if (!s.draws) s.draws = 10 * s.particles;
      if (!s.epsilon && s.draws < s.particles)
        r.fail(a.get("draws"), "abc.draws = " + std::to_string(s.draws) + " is smaller than abc.particles = " +
                                   std::to_string(s.particles) + "; draw at least as many as you keep");
    }
    if (!c.observed.curve.empty() && s.distance != Distance::Curve)
      r.fail(a.get("distance"), "abc.distance = \"" +
                                    std::string(s.distance == Distance::Agent ? "agent" : "department_curves") +
                                    "\" needs per-agent data; with observed.curve use distance = \"curve\"");
  }
}

/// [holdout]: departments left out of the fit and predicted.
void read_holdout(const Reader& r, const toml::table& root, CalibrationSpec& c) {
  if (const toml::node* hn = root.get("holdout")) {
    const toml::table& h = r.table(hn, "holdout");
    r.only(h, "holdout.", {"departments"});
    if (!h.contains("departments"))
      r.fail(hn, "missing key 'holdout.departments': list the departments to hold out, e.g. [\"4\"]");
    const toml::node* d = h.get("departments");
    const toml::array* list = d->as_array();
    if (!list || list->empty())
      r.fail(d, "key 'holdout.departments' must be a non-empty list of department names, e.g. [\"4\"]");
    for (const toml::node& v : *list) {
      if (auto s = v.value_exact<std::string>())
        c.holdout.push_back(*s);
      else if (auto i = v.value_exact<std::int64_t>())
        c.holdout.push_back(std::to_string(*i));
      else
        r.fail(&v, "key 'holdout.departments' must list department names (strings) or numbers");
    }
    if (!c.observed.curve.empty()) r.fail(hn, "[holdout] needs per-agent data; it cannot be used with observed.curve");
  }
}

}  // namespace

const std::vector<std::string>& calibratable_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> v;
    for (const auto& p : model::parameter_table())
      if (p.calibratable) v.push_back(p.key);
    return v;
  }();
  return keys;
}

void set_parameter(model::ScenarioSpec& s, const std::string& key, double value) {
  const auto& keys = calibratable_keys();
  if (std::find(keys.begin(), keys.end(), key) == keys.end())
    throw InputError("'" + key + "' cannot be a free parameter");
  model::set_number(s, key, value);
}

CalibrationSpec parse_calibration(const std::string& text, const std::string& source_name, const std::string& base_dir,
                                  const std::function<void(model::ExperimentSpec&)>& adjust) {
  screen_ascii(text, source_name);
  const toml::table root = model::parse_toml(text, source_name);
  const Reader r(source_name);
  CalibrationSpec c;
  c.experiment = read_scenario_part(r, root, text, source_name, base_dir);
  if (adjust) adjust(c.experiment);
  read_observed(r, root, base_dir, c);
  read_free_parameters(r, root, c);
  read_abc(r, root, c);
  read_holdout(r, root, c);
  return c;
}

CalibrationSpec load_calibration(const std::string& path, const std::function<void(model::ExperimentSpec&)>& adjust) {
  const model::ScenarioFile file = model::read_scenario_file(path);
  return parse_calibration(file.text, path, file.base_dir, adjust);
}

}  // namespace groundswell::calibrate
