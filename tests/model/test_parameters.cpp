// The parameter table: the parser reads every key through it, and
// apply_overrides() checks what the parser checks.
#include <catch2/catch.hpp>

#include <cmath>
#include <set>
#include <string>

#include "groundswell/model/parameters.hpp"
#include "groundswell/model/scenario.hpp"

using namespace groundswell;
using namespace groundswell::model;

namespace {
const std::string kHeader = "[experiment]\nseed = 7\ntrials = 3\nsteps = 10\n";
/// One scenario from `body`: sections after the header, top-level keys before it.
ScenarioSpec parse_one(const std::string& body) {
  const std::string text = body.empty() || body[0] == '[' ? kHeader + body : body + kHeader;
  return parse_experiment(text, "test.toml", "/data").scenarios.at(0);
}
std::string error_of(const std::string& body) {
  try {
    parse_one(body);
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}
/// The key written in a file: "[section]\nname = value\n" (or "rule = ..." at the top).
std::string as_toml(const ParameterInfo& p, const std::string& value) {
  return p.section().empty() ? p.key + " = " + value + "\n"
                             : "[" + p.section() + "]\n" + p.name() + " = " + value + "\n";
}
std::string toml_value(const ParameterValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return '"' + *s + '"';
  if (const auto* d = std::get_if<double>(&v)) {
    if (std::isinf(*d)) return "\"inf\"";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return buf;
  }
  return format_value(v);
}
}  // namespace

TEST_CASE("every key is once in the table, and the parser reads each one through it", "[unit][parser]") {
  std::set<std::string> keys;
  const ScenarioSpec defaults;
  for (const auto& p : parameter_table()) {
    INFO(p.key);
    CHECK(keys.insert(p.key).second);
    CHECK(find_parameter(p.key) == &p);
    CHECK_FALSE(p.meaning.empty());
    if (p.type == ParameterType::Text) continue;  // file keys need generator "file": tested with the importers
    if (p.type == ParameterType::Choice && p.get(defaults) == ParameterValue(std::string("unset"))) continue;
    // The default written in a file gives the default back, and is recorded.
    const ScenarioSpec s = parse_one(as_toml(p, toml_value(p.get(defaults))));
    CHECK(p.get(s) == p.get(defaults));
    bool recorded = false;
    for (const auto& [k, v] : s.parameters) recorded = recorded || (k == p.key && v == format_value(p.get(defaults)));
    if (p.unset_word.empty()) CHECK(recorded);
    // A value just beyond the range is refused with the table's own words.
    if (p.type == ParameterType::Integer && p.max < 1e12) {
      const std::string over = std::to_string(static_cast<std::int64_t>(p.max) + 1);
      CHECK_THAT(error_of(as_toml(p, over)), Catch::Contains("key '" + p.key + "' = " + over + " is out of range"));
      CHECK_THAT(error_of(as_toml(p, "1.5")), Catch::Contains("key '" + p.key + "' must be an integer"));
    }
    if (p.type == ParameterType::Real && std::isfinite(p.max)) {
      CHECK_THAT(error_of(as_toml(p, "1e300")), Catch::Contains("key '" + p.key + "' = 1e+300 is out of range"));
      CHECK_THAT(error_of(as_toml(p, "[1]")), Catch::Contains("key '" + p.key + "' must be a number, got an array"));
    }
    if (p.type == ParameterType::Choice)
      CHECK_THAT(error_of(as_toml(p, "\"nonsense\"")),
                 Catch::Contains("key '" + p.key + "' = \"nonsense\" is not allowed: use one of"));
  }
  CHECK(keys.size() == parameter_table().size());
}

TEST_CASE("the provenance list is the table's keys in table order", "[unit][parser]") {
  const ScenarioSpec s =
      parse_one("[sdt]\nbeta_s = 0.3\n[organization]\nsize = 500\n[mandate]\nhalf_life = \"sustained\"\n");
  std::vector<std::string> keys;
  for (const auto& [k, v] : s.parameters) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"organization.size", "sdt.beta_s", "mandate.half_life"});
  CHECK(s.parameters.back().second == "inf");
}

TEST_CASE("apply_overrides checks ranges and joint constraints, and changes nothing when it refuses",
          "[unit][parser]") {
  ScenarioSpec s = parse_one("[sdt]\nw_a = 0.3\n");
  const ScenarioSpec before = s;

  apply_overrides(s, {{"champions.count", std::int64_t{40}}, {"mandate.half_life", std::string("sustained")}});
  CHECK(s.champions.count == 40);
  CHECK(std::isinf(s.mandate.half_life));
  CHECK(s.parameters.back() == std::make_pair(std::string("mandate.half_life"), std::string("inf")));

  ScenarioSpec t = before;
  CHECK_THROWS_WITH(
      apply_overrides(t, {{"champions.cont", std::int64_t{4}}}),
      Catch::Contains("unknown key 'champions.cont'") && Catch::Contains("did you mean 'champions.count'"));
  CHECK_THROWS_WITH(apply_overrides(t, {{"sdt.w_a", 2.0}}),
                    Catch::Contains("key 'sdt.w_a' = 2 is out of range: allowed [0, 1]"));
  CHECK_THROWS_WITH(apply_overrides(t, {{"champions.count", 4.5}}),
                    Catch::Contains("key 'champions.count' must be an integer, got a number"));
  // Each weight alone is in range; together they break the constraint the parser checks.
  CHECK_THROWS_WITH(apply_overrides(t, {{"sdt.w_c", 0.5}, {"sdt.w_r", 0.5}}),
                    Catch::Contains("sdt.w_a + sdt.w_c + sdt.w_r = 1.3 exceeds 1"));
  CHECK_THROWS_WITH(apply_overrides(t, {{"champions.count", std::int64_t{1001}}}),
                    Catch::Contains("champions.count = 1001 exceeds organization.size = 1000"));
  CHECK_THROWS_WITH(apply_overrides(t, {{"rule", std::string("bass")}, {"mandate.issuers", std::string("top")}}),
                    Catch::Contains("apply to rule \"sdt\" only"));
  CHECK(t.sdt.w_c == before.sdt.w_c);
  CHECK(t.champions.count == before.champions.count);
  CHECK(t.rule == before.rule);
  CHECK(t.parameters == before.parameters);

  apply_overrides(t, {{"formalization.at", 0.4}});
  CHECK(t.formalize_at == 0.4);
  apply_overrides(t, {{"formalization.at", std::string("never")}});
  CHECK_FALSE(t.formalize_at.has_value());
  CHECK(t.parameters == before.parameters);
}

TEST_CASE("an override gives the scenario the parser gives for the same key in the file", "[unit][parser]") {
  ScenarioSpec overridden = parse_one("");
  apply_overrides(overridden, {{"organization.size", std::int64_t{300}},
                               {"champions.selection", std::string("bridging")},
                               {"sdt.beta_s", 0.25}});
  const ScenarioSpec parsed =
      parse_one("[organization]\nsize = 300\n[champions]\nselection = \"bridging\"\n[sdt]\nbeta_s = 0.25\n");
  for (const auto& p : parameter_table()) {
    INFO(p.key);
    CHECK(p.get(overridden) == p.get(parsed));
  }
  CHECK(overridden.organization == parsed.organization);
}

TEST_CASE("organizations are equal when every [organization] key is", "[unit][parser]") {
  const ScenarioSpec a = parse_one(""), b = parse_one("[organization]\nrewire = 0.1\n");
  CHECK(a.organization == b.organization);
  for (const auto& p : parameter_table()) {
    if (p.section() != "organization" || p.type != ParameterType::Real) continue;
    INFO(p.key);
    ScenarioSpec c = a;
    p.set(c, std::get<double>(p.get(a)) * 0.5 + 0.01);
    CHECK_FALSE(c.organization == a.organization);
  }
}

TEST_CASE("sweep integer keys and calibration keys come from the table", "[unit][parser]") {
  for (const auto& p : parameter_table())
    if (p.calibratable) CHECK((p.type == ParameterType::Real || p.type == ParameterType::Integer));
  ScenarioSpec s = parse_one("");
  set_number(s, "champions.count", 2.5);  // half away from zero, as calibration rounds a drawn count
  CHECK(s.champions.count == 3);
  set_number(s, "champions.count", -0.7);
  CHECK(s.champions.count == 0);
  CHECK_THROWS_AS(set_number(s, "champions.selection", 1), InputError);
}

TEST_CASE("every key's type and allowed values are stated, as docs/model.md shows them", "[unit][parser]") {
  for (const auto& p : parameter_table()) {
    INFO(p.key);
    const ParameterDomain d = parameter_domain(p);
    CHECK_FALSE(d.type.empty());
    if (p.type != ParameterType::Text) CHECK_FALSE(d.allowed.empty());
  }
  const ParameterDomain w_a = parameter_domain(*find_parameter("sdt.w_a"));
  CHECK(w_a.type == "real");
  CHECK(w_a.allowed == "[0, 1]");
  const ParameterDomain half_life = parameter_domain(*find_parameter("mandate.half_life"));
  CHECK(half_life.allowed.find("`inf`") != std::string::npos);
  CHECK(parameter_domain(*find_parameter("rule")).allowed.find("`agreement`") != std::string::npos);
  CHECK(parameter_domain(*find_parameter("organization.size")).type == "integer");
}

TEST_CASE("record.credit needs record.attribution", "[unit][parser]") {
  CHECK_FALSE(parse_one("[record]\nattribution = false\n").record.attribution);
  CHECK_THROWS_WITH(parse_one("[record]\nattribution = false\ncredit = true\n"),
                    Catch::Contains("record.credit = true needs record.attribution = true"));
}
