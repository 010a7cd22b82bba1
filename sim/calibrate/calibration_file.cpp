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
#include "model/detail/parse_table.hpp"
#include "model/detail/toml_reader.hpp"

namespace groundswell::calibrate {
namespace {

using model::detail::format_number;

/// The scenario reader's messages and key checks, and the calibration's own reads.
class Reader : public model::detail::TomlReader {
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

struct KeyInfo {
  const char* key;
  bool integer;
};
const std::vector<KeyInfo>& key_table() {
  static const std::vector<KeyInfo> keys = {{"bass.p", false},
                                            {"bass.q", false},
                                            {"cascade.p", false},
                                            {"agents.threshold_mean", false},
                                            {"agents.threshold_sd", false},
                                            {"agents.initial_resisters", false},
                                            {"champions.count", true},
                                            {"sdt.gamma_c", false},
                                            {"sdt.gamma_r", false},
                                            {"sdt.tau", false},
                                            {"sdt.w_a", false},
                                            {"sdt.w_c", false},
                                            {"sdt.w_r", false},
                                            {"sdt.beta0", false},
                                            {"sdt.beta_s", false},
                                            {"sdt.beta_p", false},
                                            {"sdt.rho_p", false},
                                            {"sdt.rho_s", false},
                                            {"sdt.kappa_i", false},
                                            {"sdt.lambda_l", false},
                                            {"sdt.lambda_a", false},
                                            {"sdt.lambda_r", false},
                                            {"sdt.eta_a", false},
                                            {"sdt.zeta_a", false},
                                            {"sdt.eta_c", false},
                                            {"sdt.practice", false},
                                            {"sdt.resources", false},
                                            {"sdt.zeta_c", false},
                                            {"sdt.eta_r", false},
                                            {"sdt.zeta_r", false}};
  return keys;
}

/// Sets "section.key" = value in the file's table (no [[scenario]] in a calibration file).
void set_in_table(toml::table& root, const std::string& name, double value, bool integer) {
  const auto dot = name.find('.');
  const std::string section = name.substr(0, dot), key = name.substr(dot + 1);
  if (!root.contains(section)) root.insert(section, toml::table{});
  if (toml::table* t = root.get(section)->as_table()) {
    if (integer)
      t->insert_or_assign(key, static_cast<std::int64_t>(std::llround(value)));
    else
      t->insert_or_assign(key, value);
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

}  // namespace

const std::vector<std::string>& calibratable_keys() {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> v;
    for (const auto& k : key_table()) v.emplace_back(k.key);
    return v;
  }();
  return keys;
}

void set_parameter(model::ScenarioSpec& s, const std::string& key, double value) {
  if (key == "champions.count") {
    s.champions.count = static_cast<std::uint32_t>(std::max(0.0, std::round(value)));
    return;
  }
  double* field = nullptr;
  if (key == "bass.p")
    field = &s.bass.p;
  else if (key == "bass.q")
    field = &s.bass.q;
  else if (key == "cascade.p")
    field = &s.cascade.p;
  else if (key == "agents.threshold_mean")
    field = &s.agents.threshold_mean;
  else if (key == "agents.threshold_sd")
    field = &s.agents.threshold_sd;
  else if (key == "agents.initial_resisters")
    field = &s.agents.initial_resisters;
  else {
    auto& p = s.sdt;
    const std::pair<const char*, double*> sdt[] = {{"sdt.gamma_c", &p.gamma_c},   {"sdt.gamma_r", &p.gamma_r},
                                                   {"sdt.tau", &p.tau},           {"sdt.w_a", &p.w_a},
                                                   {"sdt.w_c", &p.w_c},           {"sdt.w_r", &p.w_r},
                                                   {"sdt.beta0", &p.beta0},       {"sdt.beta_s", &p.beta_s},
                                                   {"sdt.beta_p", &p.beta_p},     {"sdt.rho_p", &p.rho_p},
                                                   {"sdt.rho_s", &p.rho_s},       {"sdt.kappa_i", &p.kappa_i},
                                                   {"sdt.lambda_l", &p.lambda_l}, {"sdt.lambda_a", &p.lambda_a},
                                                   {"sdt.lambda_r", &p.lambda_r}, {"sdt.eta_a", &p.eta_a},
                                                   {"sdt.zeta_a", &p.zeta_a},     {"sdt.eta_c", &p.eta_c},
                                                   {"sdt.practice", &p.practice}, {"sdt.resources", &p.resources},
                                                   {"sdt.zeta_c", &p.zeta_c},     {"sdt.eta_r", &p.eta_r},
                                                   {"sdt.zeta_r", &p.zeta_r}};
    for (const auto& [name, ptr] : sdt)
      if (key == name) field = ptr;
  }
  if (!field) throw InputError("'" + key + "' cannot be a free parameter");
  *field = value;
}

CalibrationSpec parse_calibration(const std::string& text, const std::string& source_name,
                                  const std::string& base_dir) {
  screen_ascii(text, source_name);
  const toml::table root = model::detail::parse_toml(text, source_name);
  const Reader r(source_name);
  CalibrationSpec c;

  // The scenario part: everything but the calibration sections, validated by the scenario parser.
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
  c.experiment = model::detail::parse_experiment_table(scenario, text, source_name, base_dir);
  const model::ScenarioSpec& base = c.experiment.scenarios.front();

  // [observed]
  const toml::node* on = root.get("observed");
  if (!on)
    r.fail(nullptr,
           "missing section [observed]: give file, id and time columns (or curve = [...]); see docs/calibration.md");
  const toml::table& o = r.table(on, "observed");
  r.only(o, "observed.", {"file", "id", "time", "never", "missing", "curve"});
  if (o.contains("curve")) {
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

  // [[parameter]]
  const toml::node* pn = root.get("parameter");
  if (!pn) r.fail(nullptr, "no free parameters: add a [[parameter]] table with key, prior, min and max");
  if (!pn->is_array_of_tables()) r.fail(pn, "'parameter' must be a list of tables: write each as [[parameter]]");
  for (const toml::node& item : *pn->as_array()) {
    const toml::table& t = *item.as_table();
    r.only(t, "parameter.", {"key", "prior", "min", "max"});
    for (const char* k : {"key", "min", "max"})
      if (!t.contains(k))
        r.fail(&item,
               std::string("[[parameter]] needs key 'parameter.") + k + "', e.g. key = \"bass.q\", min = 0, max = 1");
    FreeParameter p;
    p.key = r.text(t, "parameter.", "key");
    const auto& keys = key_table();
    const auto found = std::find_if(keys.begin(), keys.end(), [&](const KeyInfo& k) { return p.key == k.key; });
    if (found == keys.end()) {
      std::string list;
      for (const auto& k : keys) list += (list.empty() ? "" : ", ") + std::string(k.key);
      r.fail(t.get("key"), "parameter.key = \"" + p.key + "\" cannot be a free parameter; use one of " + list);
    }
    p.integer = found->integer;
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
    // Both bounds must be values the scenario parser accepts for this key.
    for (const double bound : {p.lower, p.upper}) {
      toml::table probe = scenario;
      set_in_table(probe, p.key, bound, p.integer);
      try {
        (void)model::detail::parse_experiment_table(probe, text, source_name, base_dir);
      } catch (const InputError& e) {
        std::string why = e.what();
        const auto at = why.find(": ");
        if (at != std::string::npos) why = why.substr(at + 2);
        r.fail(bound == p.lower ? t.get("min") : t.get("max"), "parameter \"" + p.key + "\": the prior bound " +
                                                                   format_number(bound) + " is not a valid value (" +
                                                                   why + "); narrow min and max");
      }
    }
    c.parameters.push_back(p);
  }
  if (c.parameters.empty()) r.fail(pn, "no free parameters: add a [[parameter]] table with key, prior, min and max");
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

  // [abc]
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

  // [holdout]
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
  return c;
}

CalibrationSpec load_calibration(const std::string& path) {
  const model::detail::ScenarioFile file = model::detail::read_scenario_file(path);
  return parse_calibration(file.text, path, file.base_dir);
}

}  // namespace groundswell::calibrate
