// Reads a TOML scenario file into a validated ExperimentSpec. Each scenario
// is the file's top-level sections overlaid with its own [[scenario]] table;
// every key is checked against the known keys of its section and its range.
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "groundswell/data_dir.hpp"
#include "groundswell/model/scenario.hpp"
#include "model/detail/parse_table.hpp"
#include "model/detail/toml_reader.hpp"

namespace groundswell::model {
namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

std::string closest(const std::string& key, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& k : known) {
    const std::size_t d = edit_distance(key, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best_d <= std::max<std::size_t>(2, key.size() / 3) ? best : std::string{};
}

using detail::format_number;
/// Where a message points: "file:line:column".
using Context = detail::TomlReader;

/// One section of one scenario: the scenario's own table first, then the
/// file's top-level one. Remembers which keys were read so that anything
/// else is reported as unknown.
class Section {
 public:
  Section(const Context& ctx, std::string where, std::string section, const toml::table* own, const toml::table* base)
      : ctx_(ctx), where_(std::move(where)), section_(std::move(section)), own_(own), base_(base) {}

  const toml::node* find(const std::string& key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.push_back(key);
    if (own_)
      if (const toml::node* n = own_->get(key)) return n;
    if (base_)
      if (const toml::node* n = base_->get(key)) return n;
    return nullptr;
  }

  std::string name(const std::string& key) const { return section_.empty() ? key : section_ + "." + key; }

  [[noreturn]] void fail(const toml::node* n, const std::string& key, const std::string& what) const {
    ctx_.fail(n, where_ + "key '" + name(key) + "' " + what);
  }

  /// Reads a real number in [lo, hi] (open ends when lo_open/hi_open).
  void number(const std::string& key, double& out, double lo, double hi, bool lo_open = false, bool hi_open = false,
              bool allow_inf = false) {
    const toml::node* n = find(key);
    if (!n) return;
    double v;
    if (auto f = n->value_exact<double>())
      v = *f;
    else if (auto i = n->value_exact<std::int64_t>())
      v = static_cast<double>(*i);
    else if (allow_inf && n->value_exact<std::string>() &&
             (*n->value_exact<std::string>() == "inf" || *n->value_exact<std::string>() == "sustained"))
      v = kInfinity;
    else
      fail(n, key, "must be a number, got " + type_name(n));
    if (std::isnan(v)) fail(n, key, "must be a number, got nan");
    const bool below = lo_open ? !(v > lo) : !(v >= lo);
    const bool above = hi_open ? !(v < hi) : !(v <= hi);
    if ((below || above) && !(allow_inf && std::isinf(v) && v > 0))
      fail(n, key,
           "= " + format_number(v) + " is out of range: allowed " + std::string(lo_open ? "(" : "[") +
               format_number(lo) + ", " + format_number(hi) + (hi_open ? ")" : "]"));
    out = v;
    record(key, format_number(v));
  }

  template <typename Int>
  void integer(const std::string& key, Int& out, std::int64_t lo, std::int64_t hi) {
    const toml::node* n = find(key);
    if (!n) return;
    auto i = n->value_exact<std::int64_t>();
    if (!i) fail(n, key, "must be an integer, got " + type_name(n));
    if (*i < lo || *i > hi)
      fail(n, key,
           "= " + std::to_string(*i) + " is out of range: allowed [" + std::to_string(lo) + ", " + std::to_string(hi) +
               "]");
    out = static_cast<Int>(*i);
    record(key, std::to_string(*i));
  }

  void boolean(const std::string& key, bool& out) {
    const toml::node* n = find(key);
    if (!n) return;
    auto b = n->value_exact<bool>();
    if (!b) fail(n, key, "must be true or false, got " + type_name(n));
    out = *b;
    record(key, *b ? "true" : "false");
  }

  void text(const std::string& key, std::string& out) {
    const toml::node* n = find(key);
    if (!n) return;
    auto s = n->value_exact<std::string>();
    if (!s) fail(n, key, "must be a string, got " + type_name(n));
    out = *s;
    record(key, *s);
  }

  /// Reads one of a fixed set of words.
  template <typename Enum>
  void choice(const std::string& key, Enum& out, const std::vector<std::pair<std::string, Enum>>& options) {
    const toml::node* n = find(key);
    if (!n) return;
    auto s = n->value_exact<std::string>();
    std::string allowed;
    for (const auto& o : options) allowed += (allowed.empty() ? "" : ", ") + ('"' + o.first + '"');
    if (!s) fail(n, key, "must be one of " + allowed + ", got " + type_name(n));
    for (const auto& o : options)
      if (o.first == *s) {
        out = o.second;
        record(key, *s);
        return;
      }
    fail(n, key, "= \"" + *s + "\" is not allowed: use one of " + allowed);
  }

  /// Reports keys that no reader asked for, with the closest known key.
  void reject_unknown() const {
    for (const toml::table* t : {own_, base_}) {
      if (!t) continue;
      for (const auto& [k, node] : *t) {
        const std::string key(k.str());
        if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
        std::string msg = where_ + "unknown key '" + name(key) + "'";
        const std::string hint = closest(key, known_);
        if (!hint.empty())
          msg += "; did you mean '" + name(hint) + "'?";
        else {
          msg += "; known keys here: ";
          for (std::size_t i = 0; i < known_.size(); ++i) msg += (i ? ", " : "") + known_[i];
        }
        ctx_.fail(&node, msg);
      }
    }
  }

  std::vector<std::pair<std::string, std::string>>* provenance = nullptr;

 private:
  static std::string type_name(const toml::node* n) {
    switch (n->type()) {
      case toml::node_type::string:
        return "a string";
      case toml::node_type::integer:
        return "an integer";
      case toml::node_type::floating_point:
        return "a number";
      case toml::node_type::boolean:
        return "a boolean";
      case toml::node_type::table:
        return "a table";
      case toml::node_type::array:
        return "an array";
      default:
        return "a date or time";
    }
  }
  void record(const std::string& key, const std::string& value) {
    if (provenance) provenance->emplace_back(name(key), value);
  }

  const Context& ctx_;
  std::string where_, section_;
  const toml::table* own_;
  const toml::table* base_;
  std::vector<std::string> known_;
};

const toml::table* subtable(const Context& ctx, const toml::table* parent, const std::string& key,
                            const std::string& where) {
  if (!parent) return nullptr;
  const toml::node* n = parent->get(key);
  if (!n) return nullptr;
  if (!n->is_table()) ctx.fail(n, where + "'" + key + "' must be a table ([" + key + "])");
  return n->as_table();
}

constexpr double kInf = kInfinity;
const std::vector<std::string> kSections = {"organization", "agents",    "sdt",        "bass",         "cascade",
                                            "mandate",      "champions", "connectors", "formalization"};

ScenarioSpec parse_scenario(const Context& ctx, const toml::table& root, const toml::table* own,
                            const std::string& base_dir) {
  ScenarioSpec s;
  std::string where;
  if (own) {
    const toml::node* name = own->get("name");
    if (!name || !name->value_exact<std::string>())
      ctx.fail(own, "every [[scenario]] needs a name: add name = \"...\"");
    s.name = *name->value_exact<std::string>();
    const bool usable = !s.name.empty() && std::all_of(s.name.begin(), s.name.end(), [](char ch) {
      return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.';
    }) && s.name.front() != '.';
    if (!usable)
      ctx.fail(name,
               "scenario name \"" + s.name + "\" is not usable: use letters, digits, '_', '-' and '.' (not first)");
    where = "scenario \"" + s.name + "\": ";
  } else {
    s.name = "default";
  }
  auto section = [&](const std::string& key) {
    Section sec(ctx, where, key, subtable(ctx, own, key, where), subtable(ctx, &root, key, ""));
    sec.provenance = &s.parameters;
    return sec;
  };

  {  // top level of the scenario: rule, name, description
    Section top(ctx, where, "", own, nullptr);
    top.provenance = &s.parameters;
    std::string ignored_name;
    top.text("name", ignored_name);
    top.text("description", s.description);
    Section base_top(ctx, where, "", own ? own : &root, own ? &root : nullptr);
    base_top.provenance = &s.parameters;
    base_top.choice<Rule>(
        "rule", s.rule,
        {{"sdt", Rule::Sdt}, {"bass", Rule::Bass}, {"threshold", Rule::Threshold}, {"cascade", Rule::Cascade}});
    top.find("rule");
    for (const auto& k : kSections) top.find(k);
    if (own) top.reject_unknown();
  }

  {
    auto sec = section("organization");
    auto& o = s.organization;
    sec.choice<Generator>("generator", o.generator,
                          {{"hierarchy", Generator::Hierarchy},
                           {"complete", Generator::Complete},
                           {"erdos_renyi", Generator::ErdosRenyi},
                           {"watts_strogatz", Generator::WattsStrogatz},
                           {"file", Generator::File}});
    sec.integer("size", o.size, 1, 200'000'000);
    sec.integer("span", o.span, 1, 1'000'000);
    sec.integer("advisors", o.advisors, 0, 10'000);
    sec.number("cross_department", o.cross_department, 0, 1);
    sec.number("prestige_sigma", o.prestige_sigma, 0, 10);
    sec.number("prestige_rank_corr", o.prestige_rank_corr, -1, 1);
    sec.number("trust_a", o.trust_a, 0, 1e6, true);
    sec.number("trust_b", o.trust_b, 0, 1e6, true);
    sec.number("formal_weight", o.formal_weight, 0, 1e6, true);
    sec.number("mean_degree", o.mean_degree, 0, 1e6);
    sec.integer("neighbours", o.neighbours, 0, 1'000'000);
    sec.number("rewire", o.rewire, 0, 1);
    sec.integer("departments", o.departments, 1, 1'000'000);
    sec.text("nodes", o.nodes_file);
    sec.text("edges", o.edges_file);
    // Real networks in other formats and their mapping (docs/data.md; checked by check_file_keys).
    sec.choice<NetworkFormat>("format", o.import.format,
                              {{"csv", NetworkFormat::Csv},
                               {"pajek", NetworkFormat::Pajek},
                               {"ucinet", NetworkFormat::Ucinet},
                               {"graphml", NetworkFormat::Graphml},
                               {"snap", NetworkFormat::Snap},
                               {"multiplex", NetworkFormat::Multiplex}});
    const std::vector<std::pair<std::string, TieDirection>> directions = {
        {"forward", TieDirection::Forward}, {"reverse", TieDirection::Reverse}, {"both", TieDirection::Both}};
    sec.text("network", o.import.network);
    sec.text("layers", o.import.layers);
    sec.text("listen", o.import.listen);
    sec.choice<TieDirection>("direction", o.import.direction, directions);
    sec.text("formal", o.import.formal);
    sec.choice<TieDirection>("formal_direction", o.import.formal_direction, directions);
    sec.text("department", o.import.department);
    sec.text("leaders", o.import.leaders);
    sec.reject_unknown();
    if (const std::string fault = check_file_keys(o); !fault.empty()) ctx.fail(own, where + fault);
    if (o.generator ==
        Generator::File)  // "data:<set>/<file>" in the data directory, else relative to the scenario file
      for (std::string* p : {&o.nodes_file, &o.edges_file, &o.import.network, &o.import.layers})
        *p = resolve_input_path(*p, base_dir);
    if (o.generator == Generator::WattsStrogatz && (o.neighbours % 2 != 0 || o.neighbours >= o.size))
      ctx.fail(own, where + "organization.neighbours = " + std::to_string(o.neighbours) +
                        " must be even and smaller than organization.size for watts_strogatz");
    if (o.generator == Generator::ErdosRenyi && o.size > 1 && o.mean_degree > o.size - 1)
      ctx.fail(own, where + "organization.mean_degree = " + format_number(o.mean_degree) +
                        " exceeds size - 1 = " + std::to_string(o.size - 1));
    if (o.generator != Generator::Hierarchy && o.generator != Generator::File && o.departments > o.size)
      ctx.fail(own,
               where + "organization.departments = " + std::to_string(o.departments) + " exceeds organization.size");
    if (o.generator == Generator::Complete && o.size > 20000)
      ctx.fail(own, where + "organization.size = " + std::to_string(o.size) +
                        " is too large for generator \"complete\" (N^2 ties); use at most 20000");
  }
  {
    auto sec = section("agents");
    auto& a = s.agents;
    sec.number("initial_resisters", a.initial_resisters, 0, 1);
    sec.number("autonomy_a", a.autonomy_a, 0, 1e6, true);
    sec.number("autonomy_b", a.autonomy_b, 0, 1e6, true);
    sec.number("competence_a", a.competence_a, 0, 1e6, true);
    sec.number("competence_b", a.competence_b, 0, 1e6, true);
    sec.number("relatedness_a", a.relatedness_a, 0, 1e6, true);
    sec.number("relatedness_b", a.relatedness_b, 0, 1e6, true);
    sec.number("threshold_mean", a.threshold_mean, 0, 1);
    sec.number("threshold_sd", a.threshold_sd, 0, 10);
    sec.reject_unknown();
  }
  {
    auto sec = section("sdt");
    auto& p = s.sdt;
    sec.number("gamma_c", p.gamma_c, 0, 1);
    sec.number("gamma_r", p.gamma_r, 0, 1);
    sec.number("tau", p.tau, 0, 10);
    sec.number("w_a", p.w_a, 0, 1);
    sec.number("w_c", p.w_c, 0, 1);
    sec.number("w_r", p.w_r, 0, 1);
    for (auto [key, ref] : std::initializer_list<std::pair<const char*, double*>>{{"beta0", &p.beta0},
                                                                                  {"beta_s", &p.beta_s},
                                                                                  {"beta_p", &p.beta_p},
                                                                                  {"rho_p", &p.rho_p},
                                                                                  {"rho_s", &p.rho_s},
                                                                                  {"kappa_i", &p.kappa_i},
                                                                                  {"lambda_l", &p.lambda_l},
                                                                                  {"lambda_a", &p.lambda_a},
                                                                                  {"lambda_r", &p.lambda_r}})
      sec.number(key, *ref, 0, 100);
    for (auto [key, ref] : std::initializer_list<std::pair<const char*, double*>>{{"eta_a", &p.eta_a},
                                                                                  {"zeta_a", &p.zeta_a},
                                                                                  {"eta_c", &p.eta_c},
                                                                                  {"practice", &p.practice},
                                                                                  {"resources", &p.resources},
                                                                                  {"zeta_c", &p.zeta_c},
                                                                                  {"eta_r", &p.eta_r},
                                                                                  {"zeta_r", &p.zeta_r}})
      sec.number(key, *ref, 0, 1);
    sec.reject_unknown();
    if (p.w_a + p.w_c + p.w_r > 1.0 + 1e-9)
      ctx.fail(own, where + "sdt.w_a + sdt.w_c + sdt.w_r = " + format_number(p.w_a + p.w_c + p.w_r) +
                        " exceeds 1: motivation must stay in [0,1]");
  }
  {
    auto sec = section("bass");
    sec.number("p", s.bass.p, 0, 100);
    sec.number("q", s.bass.q, 0, 100);
    sec.reject_unknown();
  }
  {
    auto sec = section("cascade");
    sec.number("p", s.cascade.p, 0, 1);
    sec.reject_unknown();
  }
  {
    auto sec = section("mandate");
    auto& m = s.mandate;
    sec.choice<Issuers>("issuers", m.issuers,
                        {{"none", Issuers::None}, {"top", Issuers::Top}, {"leaders", Issuers::Leaders}});
    sec.integer("levels", m.levels, 0, 1000);
    sec.integer("start", m.start, 1, 1'000'000);
    sec.number("intensity", m.intensity, 0, 100);
    sec.number("half_life", m.half_life, 0, kInf, true, false, true);
    sec.reject_unknown();
  }
  {
    auto sec = section("champions");
    auto& c = s.champions;
    sec.integer("count", c.count, 0, 200'000'000);
    sec.choice<Selection>("selection", c.selection,
                          {{"random", Selection::Random},
                           {"formal", Selection::Formal},
                           {"central", Selection::Central},
                           {"bridging", Selection::Bridging},
                           {"distributed", Selection::Distributed}});
    sec.boolean("coalition", c.coalition);
    sec.reject_unknown();
    if (c.count > s.organization.size && s.organization.generator != Generator::File)
      ctx.fail(own, where + "champions.count = " + std::to_string(c.count) +
                        " exceeds organization.size = " + std::to_string(s.organization.size));
  }
  {
    auto sec = section("connectors");
    sec.integer("bridges", s.bridges, 0, 1'000'000'000);
    sec.reject_unknown();
  }
  {
    auto sec = section("formalization");
    const toml::node* n = sec.find("at");
    if (n && !(n->value_exact<std::string>() && *n->value_exact<std::string>() == "never")) {
      double at = 0;
      sec.number("at", at, 0, 1, true);
      s.formalize_at = at;
    }
    sec.reject_unknown();
  }
  if (s.rule != Rule::Sdt && (s.mandate.issuers != Issuers::None || s.formalize_at))
    ctx.fail(own,
             where + "mandate and formalization apply to rule \"sdt\" only; rule is \"" + to_string(s.rule) + "\"");
  const bool generic = s.organization.generator != Generator::Hierarchy && s.organization.generator != Generator::File;
  if (s.mandate.issuers == Issuers::Leaders && generic)
    ctx.fail(own, where + "mandate.issuers = \"leaders\" needs managers, but organization.generator = \"" +
                      to_string(s.organization.generator) +
                      "\" makes none; use generator \"hierarchy\" or \"file\", or issuers = \"top\"");
  if (s.bridges > 0 && generic && s.organization.departments < 2)
    ctx.fail(own, where + "connectors.bridges = " + std::to_string(s.bridges) +
                      " needs at least two departments; set organization.departments >= 2");
  if (s.mandate.issuers == Issuers::Leaders && s.organization.generator == Generator::Hierarchy) {
    // depth of a complete span-ary tree of `size` agents
    std::int64_t depth = 0, covered = 0, width = 1;
    if (s.organization.span == 1)
      depth = s.organization.size;  // a chain
    else
      while (covered < s.organization.size) {
        covered += width;
        width *= s.organization.span;
        ++depth;
      }
    if (s.mandate.levels >= depth)
      ctx.fail(own, where + "mandate.levels = " + std::to_string(s.mandate.levels) +
                        " is beyond the hierarchy's depth (levels 0.." + std::to_string(depth - 1) + ")");
  }
  return s;
}

}  // namespace

bool OrganizationSpec::operator==(const OrganizationSpec& o) const {
  return generator == o.generator && size == o.size && span == o.span && advisors == o.advisors &&
         cross_department == o.cross_department && prestige_sigma == o.prestige_sigma &&
         prestige_rank_corr == o.prestige_rank_corr && trust_a == o.trust_a && trust_b == o.trust_b &&
         formal_weight == o.formal_weight && mean_degree == o.mean_degree && neighbours == o.neighbours &&
         rewire == o.rewire && departments == o.departments && nodes_file == o.nodes_file &&
         edges_file == o.edges_file && import == o.import;
}

namespace {

/// Rejects the non-ASCII characters that toml++ 3.3 (Debian 12) cannot be
/// given safely: its whitespace test reaches __builtin_unreachable() for many
/// code points, e.g. U+00A1..U+0499 and the kana (toml++ issues #190 and #295;
/// found here by fuzz/fuzz_scenario, see the regression test in
/// tests/model/test_scenario_parser.cpp). toml++ makes that test on every
/// character outside strings and comments, on the characters of a bad value
/// up to the next terminator (so `x = 1"<U+00E9>"` is not a string), after a
/// backslash in a """ string, and on the first character after a line-ending
/// backslash. TOML allows only ASCII outside strings and comments, so those
/// are errors anyway; the two string cases are rare and get a message saying
/// how to write them. The scan follows toml++: a quote opens a string in a
/// key, or at the start of a value (not inside a bare word such as `1x"`).
void screen_non_ascii(const std::string& text, const std::string& source) {
  enum class In { Code, Comment, Basic, Literal, MultiBasic, MultiLiteral };
  // What encloses the current position: the statement (key = value), an
  // array, an inline table; each is in its key or its value part.
  enum class Scope { Statement, Array, InlineTable };
  struct Level {
    Scope scope;
    bool value;
  };
  std::vector<Level> stack{{Scope::Statement, false}};
  bool in_word = false;  // inside a bare value, which toml++ scans to a terminator
  In in = In::Code;
  std::size_t line = 1, column = 0, i = 0;
  const std::size_t n = text.size();
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;  // byte order mark
  const auto at = [&](std::size_t k) {
    return k < n ? static_cast<unsigned char>(text[k]) : static_cast<unsigned char>(0);
  };
  const auto fail = [&](const std::string& what) {
    throw InputError(source + ':' + std::to_string(line) + ':' + std::to_string(column) + ": " + what);
  };
  // Moves past byte k: lines and columns count characters, not UTF-8 bytes.
  const auto advance = [&](std::size_t k) {
    for (; i < k && i < n; ++i) {
      const unsigned char c = at(i);
      if (c == '\n') {
        ++line;
        column = 0;
      } else if ((c & 0xC0) != 0x80)
        ++column;
    }
  };
  const auto close_string = [&] {
    in = In::Code;
    in_word = stack.back().value;
  };
  while (i < n) {
    const unsigned char c = at(i);
    advance(i + 1);  // column now points at c
    switch (in) {
      case In::Code: {
        if (c >= 0x80)
          fail(
              "TOML syntax error: non-ASCII character outside a string; keys, numbers and words are ASCII, "
              "text goes in double quotes");
        Level& top = stack.back();
        const bool blank = c == ' ' || c == '\t' || c == '\r';
        if (c == '#') {
          in = In::Comment;
          in_word = false;
        } else if (c == '\n') {
          in_word = false;
          if (stack.size() == 1) top.value = false;  // the next statement; arrays may span lines
        } else if (blank || c == ',') {
          in_word = false;
          if (c == ',' && top.scope == Scope::InlineTable) top.value = false;
        } else if (c == ']' && top.scope == Scope::Array) {
          stack.pop_back();
          in_word = true;
        } else if (c == '}' && top.scope == Scope::InlineTable) {
          stack.pop_back();
          in_word = true;
        } else if (!top.value) {  // a key: bare, dotted or quoted
          if (c == '=')
            top.value = true;
          else if (c == '"' || c == '\'') {
            const bool multi = at(i) == c && at(i + 1) == c;
            if (multi) advance(i + 2);
            in = c == '"' ? (multi ? In::MultiBasic : In::Basic) : (multi ? In::MultiLiteral : In::Literal);
          }
        } else if (in_word) {
          // part of a bad value up to the next terminator, quotes included
        } else if (c == '[') {
          stack.push_back({Scope::Array, true});
        } else if (c == '{') {
          stack.push_back({Scope::InlineTable, false});
        } else if (c == '"' || c == '\'') {
          const bool multi = at(i) == c && at(i + 1) == c;
          if (multi) advance(i + 2);
          in = c == '"' ? (multi ? In::MultiBasic : In::Basic) : (multi ? In::MultiLiteral : In::Literal);
        } else {
          in_word = true;
        }
        break;
      }
      case In::Comment:
        if (c == '\n') {
          in = In::Code;
          if (stack.size() == 1) stack.back().value = false;
        }
        break;
      case In::Basic:
        if (c == '\\' && at(i) != '\n')
          advance(i + 1);
        else if (c == '"' || c == '\n')
          close_string();
        break;
      case In::Literal:
        if (c == '\'' || c == '\n') close_string();
        break;
      case In::MultiLiteral:
        if (c == '\'' && at(i) == '\'' && at(i + 1) == '\'') {
          advance(i + 2);
          while (at(i) == '\'') advance(i + 1);
          close_string();
        }
        break;
      case In::MultiBasic:
        if (c == '"' && at(i) == '"' && at(i + 1) == '"') {
          advance(i + 2);
          while (at(i) == '"') advance(i + 1);
          close_string();
        } else if (c == '\\') {
          if (at(i) >= 0x80)
            fail("TOML syntax error: a backslash before a non-ASCII character is not an escape sequence");
          std::size_t k = i;
          while (at(k) == ' ' || at(k) == '\t') ++k;
          if (k > i && at(k) >= 0x80) {  // found by fuzz_scenario: """c\ <U+FEF7>
            advance(k);
            ++column;
            fail("TOML syntax error: a backslash followed by blanks must end the line (a line-ending backslash)");
          }
          if (at(k) == '\n' || (at(k) == '\r' && at(k + 1) == '\n')) {  // line-ending backslash
            while (at(k) == ' ' || at(k) == '\t' || at(k) == '\r' || at(k) == '\n') ++k;
            advance(k);
            if (at(i) >= 0x80) {
              ++column;  // point at the character itself
              fail(
                  "a line-ending backslash in a \"\"\" string is followed by a non-ASCII character, which the "
                  "TOML reader cannot handle; remove the backslash or start the next line with an ASCII character");
            }
          } else if (at(i) != 0) {
            advance(i + 1);  // the escaped character
          }
        }
        break;
    }
  }
}

}  // namespace

ExperimentSpec parse_experiment(const std::string& text, const std::string& source_name, const std::string& base_dir) {
  Context ctx(source_name);
  screen_non_ascii(text, source_name);
  const toml::table root = detail::parse_toml(text, source_name);
  return detail::parse_experiment_table(root, text, source_name, base_dir);
}

namespace detail {

ExperimentSpec parse_experiment_table(const toml::table& root, const std::string& text, const std::string& source_name,
                                      const std::string& base_dir) {
  Context ctx(source_name);
  ExperimentSpec x;
  x.source_path = source_name;
  x.source_text = text;

  {
    Section top(ctx, "", "", &root, nullptr);
    top.find("experiment");
    top.find("scenario");
    top.find("rule");
    top.find("sweep");  // parameter sweeps: read by sim/sweep/ (docs/sweeps.md), ignored by `run`
    for (const auto& k : kSections) top.find(k);
    top.reject_unknown();
  }
  {
    const toml::table* e = subtable(ctx, &root, "experiment", "");
    if (!e) ctx.fail(nullptr, "missing section [experiment] with seed, trials and steps");
    Section sec(ctx, "", "experiment", e, nullptr);
    sec.text("name", x.name);
    std::int64_t seed = 1;
    if (!sec.find("seed")) ctx.fail(e, "missing key 'experiment.seed': add seed = <integer> for reproducibility");
    sec.integer("seed", seed, 0, std::numeric_limits<std::int64_t>::max());
    x.seed = static_cast<std::uint64_t>(seed);
    sec.integer("trials", x.trials, 1, 100'000'000);
    sec.integer("steps", x.steps, 1, 1'000'000);
    std::string ignored;
    sec.text("description", ignored);
    sec.reject_unknown();
  }
  if (x.name.empty()) x.name = std::filesystem::path(source_name).stem().string();

  const toml::node* list = root.get("scenario");
  if (!list) {
    x.scenarios.push_back(parse_scenario(ctx, root, nullptr, base_dir));
  } else {
    if (!list->is_array_of_tables()) ctx.fail(list, "'scenario' must be a list of tables: write each as [[scenario]]");
    std::set<std::string> names;
    for (const toml::node& item : *list->as_array()) {
      ScenarioSpec s = parse_scenario(ctx, root, item.as_table(), base_dir);
      if (!names.insert(s.name).second)
        ctx.fail(item.as_table()->get("name"), "duplicate scenario name \"" + s.name + "\": names must be unique");
      x.scenarios.push_back(std::move(s));
    }
    if (x.scenarios.empty()) ctx.fail(list, "no scenarios: add at least one [[scenario]] with a name");
  }
  return x;
}

}  // namespace detail

namespace detail {

ScenarioFile read_scenario_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(path, ec)) throw InputError(path + ": scenario file not found");
  if (fs::is_directory(path, ec)) throw InputError(path + ": is a directory, expected a scenario file (.toml)");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path + ": cannot open the scenario file for reading (check permissions)");
  std::ostringstream os;
  os << in.rdbuf();
  const std::string base = fs::path(path).parent_path().string();
  return {os.str(), base.empty() ? "." : base};
}

}  // namespace detail

ExperimentSpec load_experiment(const std::string& path) {
  const detail::ScenarioFile file = detail::read_scenario_file(path);
  return parse_experiment(file.text, path, file.base_dir);
}

const char* to_string(Rule rule) {
  switch (rule) {
    case Rule::Sdt:
      return "sdt";
    case Rule::Bass:
      return "bass";
    case Rule::Threshold:
      return "threshold";
    case Rule::Cascade:
      return "cascade";
  }
  return "?";
}
const char* to_string(Generator g) {
  switch (g) {
    case Generator::Hierarchy:
      return "hierarchy";
    case Generator::Complete:
      return "complete";
    case Generator::ErdosRenyi:
      return "erdos_renyi";
    case Generator::WattsStrogatz:
      return "watts_strogatz";
    case Generator::File:
      return "file";
  }
  return "?";
}
const char* to_string(Selection s) {
  switch (s) {
    case Selection::Random:
      return "random";
    case Selection::Formal:
      return "formal";
    case Selection::Central:
      return "central";
    case Selection::Bridging:
      return "bridging";
    case Selection::Distributed:
      return "distributed";
  }
  return "?";
}
const char* to_string(Issuers i) {
  switch (i) {
    case Issuers::None:
      return "none";
    case Issuers::Top:
      return "top";
    case Issuers::Leaders:
      return "leaders";
  }
  return "?";
}

}  // namespace groundswell::model
