// Reads a TOML scenario file into a validated ExperimentSpec. Each scenario
// is the file's top-level sections overlaid with its own [[scenario]] table;
// every key is checked against the known keys of its section and its range.
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <sstream>

#include "groundswell/data_dir.hpp"
#include "groundswell/model/parameters.hpp"
#include "groundswell/model/scenario.hpp"
#include "model/parse_table.hpp"
#include "model/toml_reader.hpp"

namespace groundswell::model {
namespace {

/// Where a message points: "file:line:column".
using Context = TomlReader;

/// A TOML value as a parameter value; nullopt for tables, arrays and dates.
std::optional<ParameterValue> value_of(const toml::node& n) {
  if (auto f = n.value_exact<double>()) return ParameterValue(*f);
  if (auto i = n.value_exact<std::int64_t>()) return ParameterValue(*i);
  if (auto b = n.value_exact<bool>()) return ParameterValue(*b);
  if (auto t = n.value_exact<std::string>()) return ParameterValue(*t);
  return std::nullopt;
}

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

  /// Reads the key of `p` if given: checked against the parameter table,
  /// set in `s` and recorded for provenance as the value it has there.
  void read(const ParameterInfo& p, ScenarioSpec& s) {
    const std::string key = p.name();
    const toml::node* n = find(key);
    if (!n) return;
    const std::optional<ParameterValue> v = value_of(*n);
    if (!v) fail(n, key, expected_value(p) + ", got " + type_name(n));  // a table, an array or a date
    if (const std::string fault = check_value(p, *v); !fault.empty()) fail(n, key, fault);
    p.set(s, *v);
    const bool unset = !p.unset_word.empty() && std::holds_alternative<std::string>(*v);
    if (!unset) record(key, format_value(p.get(s)));
  }

  /// Reads an integer that is not a scenario parameter ([experiment] seed, trials, steps).
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

  /// Reads free text that is not a parameter (name, description).
  void text(const std::string& key, std::string& out) {
    const toml::node* n = find(key);
    if (!n) return;
    auto t = n->value_exact<std::string>();
    if (!t) fail(n, key, "must be a string, got " + type_name(n));
    out = *t;
    record(key, *t);
  }

  /// Reports keys that no reader asked for, with the closest known key.
  void reject_unknown() const {
    for (const toml::table* t : {own_, base_}) {
      if (!t) continue;
      for (const auto& [k, node] : *t) {
        const std::string key(k.str());
        if (std::find(known_.begin(), known_.end(), key) != known_.end()) continue;
        std::string msg = where_ + "unknown key '" + name(key) + "'";
        const std::string hint = closest_key(key, known_);
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

/// The sections of a scenario, in the order of the parameter table.
const std::vector<std::string>& scenario_sections() {
  static const std::vector<std::string> sections = [] {
    std::vector<std::string> v;
    for (const auto& p : parameter_table())
      if (!p.section().empty() && std::find(v.begin(), v.end(), p.section()) == v.end()) v.push_back(p.section());
    return v;
  }();
  return sections;
}

/// The scenario's name from its [[scenario]] table ("default" without one).
/// Returns the prefix of its messages ("scenario \"x\": ").
std::string read_scenario_name(const Context& ctx, const toml::table* own, ScenarioSpec& s) {
  if (!own) {
    s.name = "default";
    return {};
  }
  const toml::node* name = own->get("name");
  if (!name || !name->value_exact<std::string>()) ctx.fail(own, "every [[scenario]] needs a name: add name = \"...\"");
  s.name = *name->value_exact<std::string>();
  const bool usable = !s.name.empty() && std::all_of(s.name.begin(), s.name.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.';
  }) && s.name.front() != '.';
  if (!usable)
    ctx.fail(name, "scenario name \"" + s.name + "\" is not usable: use letters, digits, '_', '-' and '.' (not first)");
  return "scenario \"" + s.name + "\": ";
}

/// The top level of a scenario: name and description from its own table,
/// the rule from its own table or the file's.
void read_scenario_top(const Context& ctx, const toml::table& root, const toml::table* own, const std::string& where,
                       ScenarioSpec& s) {
  Section top(ctx, where, "", own, nullptr);
  top.provenance = &s.parameters;
  std::string ignored_name;
  top.text("name", ignored_name);
  top.text("description", s.description);
  Section base_top(ctx, where, "", own ? own : &root, own ? &root : nullptr);
  base_top.provenance = &s.parameters;
  for (const auto& p : parameter_table())
    if (p.section().empty()) {
      base_top.read(p, s);
      top.find(p.key);
    }
  for (const auto& k : scenario_sections()) top.find(k);
  if (own) top.reject_unknown();
}

/// Checks the [organization] keys that go together before file paths are
/// resolved: "data:<set>/<file>" in the data directory, else relative to the
/// scenario file.
void finish_organization(const Context& ctx, const toml::table* own, const std::string& where,
                         const std::string& base_dir, OrganizationSpec& o) {
  if (const std::string fault = check_file_keys(o); !fault.empty()) ctx.fail(own, where + fault);
  if (o.generator == Generator::File)
    for (std::string* p : {&o.nodes_file, &o.edges_file, &o.import.network, &o.import.layers})
      *p = resolve_input_path(*p, base_dir);
}

ScenarioSpec parse_scenario(const Context& ctx, const toml::table& root, const toml::table* own,
                            const std::string& base_dir) {
  ScenarioSpec s;
  const std::string where = read_scenario_name(ctx, own, s);
  read_scenario_top(ctx, root, own, where, s);
  for (const std::string& name : scenario_sections()) {
    Section sec(ctx, where, name, subtable(ctx, own, name, where), subtable(ctx, &root, name, ""));
    sec.provenance = &s.parameters;
    for (const auto& p : parameter_table())
      if (p.section() == name) sec.read(p, s);
    sec.reject_unknown();
    if (name == "organization") finish_organization(ctx, own, where, base_dir, s.organization);
  }
  if (const std::string fault = check_scenario(s); !fault.empty()) ctx.fail(own, where + fault);
  return s;
}

}  // namespace

/// Equal when every [organization] key of the parameter table is: two
/// scenarios then share each trial's organization (common random numbers).
bool OrganizationSpec::operator==(const OrganizationSpec& o) const {
  ScenarioSpec a, b;
  a.organization = *this;
  b.organization = o;
  for (const auto& p : parameter_table())
    if (p.section() == "organization" && p.get(a) != p.get(b)) return false;
  return true;
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
  const toml::table root = parse_toml(text, source_name);
  return parse_experiment_table(root, text, source_name, base_dir);
}

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
    for (const auto& k : scenario_sections()) top.find(k);
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

ExperimentSpec load_experiment(const std::string& path) {
  const ScenarioFile file = read_scenario_file(path);
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
    case Rule::Agreement:
      return "agreement";
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
