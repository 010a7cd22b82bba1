// Scenario files: defaults, overrides, and a clear error for each mistake.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "groundswell/model/scenario.hpp"

using namespace groundswell;
using namespace groundswell::model;

namespace {
const std::string kHeader = "[experiment]\nseed = 7\ntrials = 3\nsteps = 10\n";
ExperimentSpec parse(const std::string& text) { return parse_experiment(text, "test.toml", "/data"); }
}  // namespace

TEST_CASE("defaults are those of MODEL.md section 8", "[unit][parser]") {
  const auto x = parse(kHeader);
  REQUIRE(x.scenarios.size() == 1);
  const auto& s = x.scenarios[0];
  CHECK(x.seed == 7);
  CHECK(x.trials == 3);
  CHECK(x.steps == 10);
  CHECK(s.rule == Rule::Sdt);
  CHECK(s.organization.size == 1000);
  CHECK(s.organization.span == 7);
  CHECK(s.organization.advisors == 8);
  CHECK(s.organization.cross_department == 0.05);
  CHECK(s.organization.formal_weight == 0.5);
  CHECK(s.agents.initial_resisters == 0.05);
  CHECK(s.sdt.gamma_c == 0.3);
  CHECK(s.sdt.tau == 0.03);
  CHECK(s.sdt.beta0 == 0.0005);
  CHECK(s.sdt.kappa_i == 0.05);
  CHECK(s.sdt.zeta_r == 0.3);
  CHECK(s.mandate.issuers == Issuers::None);
  CHECK(s.mandate.half_life == 13.0);
  CHECK(s.champions.count == 0);
  CHECK_FALSE(s.formalize_at.has_value());
}

TEST_CASE("scenarios override the file's sections key by key", "[unit][parser]") {
  const auto x = parse(kHeader + R"(
[organization]
size = 500
[sdt]
beta_s = 0.3
[[scenario]]
name = "a"
[[scenario]]
name = "b"
organization = { span = 5 }
mandate = { issuers = "leaders", levels = 2, half_life = inf }
champions = { count = 10, selection = "bridging", coalition = true }
connectors = { bridges = 4 }
formalization = { at = 0.25 }
sdt = { beta_p = 0.7 }
)");
  REQUIRE(x.scenarios.size() == 2);
  const auto& a = x.scenarios[0];
  const auto& b = x.scenarios[1];
  CHECK(a.organization.size == 500);
  CHECK(a.organization.span == 7);
  CHECK(b.organization.size == 500);
  CHECK(b.organization.span == 5);
  CHECK(b.sdt.beta_s == 0.3);
  CHECK(b.sdt.beta_p == 0.7);
  CHECK(a.sdt.beta_p == 0.5);
  CHECK(b.mandate.issuers == Issuers::Leaders);
  CHECK(b.mandate.levels == 2);
  CHECK(std::isinf(b.mandate.half_life));
  CHECK(b.champions.count == 10);
  CHECK(b.champions.selection == Selection::Bridging);
  CHECK(b.champions.coalition);
  CHECK(b.bridges == 4);
  REQUIRE(b.formalize_at.has_value());
  CHECK(*b.formalize_at == 0.25);
}

TEST_CASE("network file paths resolve against the scenario file's directory", "[unit][parser]") {
  const auto x = parse(kHeader + "[organization]\ngenerator = \"file\"\nnodes = \"n.csv\"\nedges = \"/abs/e.csv\"\n");
  CHECK(x.scenarios[0].organization.nodes_file == "/data/n.csv");
  CHECK(x.scenarios[0].organization.edges_file == "/abs/e.csv");
}

TEST_CASE("every mistake gets a message naming the place, the key and the fix", "[unit][parser]") {
  struct Case {
    const char* what;
    std::string text;
    std::vector<std::string> expected;  // fragments of the message
  };
  const std::vector<Case> cases = {
      {"syntax error", kHeader + "[sdt\nbeta0 = 1\n", {"test.toml:5:", "syntax error"}},
      {"unknown key with suggestion",
       kHeader + "[sdt]\nbeta_0 = 0.1\n",
       {"test.toml:6:", "unknown key 'sdt.beta_0'", "did you mean 'sdt.beta0'"}},
      {"unknown section",
       kHeader + "[mandat]\nissuers = \"top\"\n",
       {"unknown key 'mandat'", "did you mean 'mandate'"}},
      {"unknown scenario key",
       kHeader + "[[scenario]]\nname = \"x\"\nchampion = { count = 1 }\n",
       {"scenario \"x\"", "unknown key 'champion'", "did you mean 'champions'"}},
      {"wrong type",
       kHeader + "[organization]\nsize = \"big\"\n",
       {"test.toml:6:", "'organization.size'", "must be an integer, got a string"}},
      {"out of range", kHeader + "[sdt]\ngamma_c = 1.5\n", {"'sdt.gamma_c'", "1.5", "out of range", "[0, 1]"}},
      {"negative rate", kHeader + "[sdt]\nbeta_p = -1\n", {"'sdt.beta_p'", "out of range"}},
      {"bad choice",
       kHeader + "[champions]\nselection = \"best\"\n",
       {"'champions.selection'", "\"best\"", "\"distributed\""}},
      {"half-life zero", kHeader + "[mandate]\nhalf_life = 0\n", {"'mandate.half_life'", "(0, inf]"}},
      {"zero trials", "[experiment]\nseed = 1\ntrials = 0\nsteps = 3\n", {"'experiment.trials'", "out of range"}},
      {"missing experiment", "rule = \"sdt\"\n", {"missing section [experiment]"}},
      {"missing seed", "[experiment]\ntrials = 1\nsteps = 1\n", {"missing key 'experiment.seed'"}},
      {"missing scenario name", kHeader + "[[scenario]]\ndescription = \"x\"\n", {"needs a name"}},
      {"duplicate scenario",
       kHeader + "[[scenario]]\nname = \"a\"\n[[scenario]]\nname = \"a\"\n",
       {"test.toml:8:", "duplicate scenario name \"a\""}},
      {"more champions than agents",
       kHeader + "[organization]\nsize = 10\n[champions]\ncount = 11\n",
       {"champions.count = 11", "exceeds organization.size = 10"}},
      {"level beyond depth",
       kHeader + "[organization]\nsize = 57\n[mandate]\nissuers = \"leaders\"\nlevels = 3\n",
       {"mandate.levels = 3", "beyond the hierarchy's depth", "0..2"}},
      {"weights above one",
       kHeader + "[sdt]\nw_a = 0.5\nw_c = 0.5\nw_r = 0.5\n",
       {"w_a + sdt.w_c + sdt.w_r", "exceeds 1"}},
      {"mandate on classic rule",
       "rule = \"bass\"\n" + kHeader + "[mandate]\nissuers = \"top\"\n",
       {"rule \"sdt\" only"}},
      {"file without tables",
       kHeader + "[organization]\ngenerator = \"file\"\n",
       {"needs both 'organization.nodes' and 'organization.edges'"}},
      {"odd watts-strogatz k",
       kHeader + "[organization]\ngenerator = \"watts_strogatz\"\nneighbours = 3\n",
       {"neighbours = 3", "must be even"}},
      {"bad scenario name", kHeader + "[[scenario]]\nname = \"a/b\"\n", {"not usable"}},
      {"negative p_end",
       "rule = \"bass\"\n" + kHeader + "[bass]\noutside = \"linear\"\np_end = -0.01\n",
       {"test.toml:", "'bass.p_end'", "out of range", "[0, 100]"}},
      {"negative p_2",
       "rule = \"bass\"\n" + kHeader + "[bass]\noutside = \"piecewise\"\np_2 = -1\n",
       {"'bass.p_2'", "out of range"}},
      {"negative p_3",
       "rule = \"bass\"\n" + kHeader + "[bass]\noutside = \"piecewise\"\np_3 = -1\n",
       {"'bass.p_3'", "out of range"}},
      {"bad outside",
       "rule = \"bass\"\n" + kHeader + "[bass]\noutside = \"rising\"\n",
       {"'bass.outside'", "\"rising\"", "\"constant\", \"linear\", \"piecewise\""}},
      {"period_3 without period_2",
       "rule = \"bass\"\n" + kHeader + "[bass]\noutside = \"piecewise\"\nperiod_3 = 10\n",
       {"test.toml:", "bass.period_3 = 10", "needs bass.period_2"}},
      {"period_2 at step 1",
       "rule = \"bass\"\n" + kHeader + "[bass]\noutside = \"piecewise\"\nperiod_2 = 1\n",
       {"bass.period_2 = 1", ">= 2"}},
      {"period_3 before period_2",
       "rule = \"bass\"\n" + kHeader + "[bass]\noutside = \"piecewise\"\nperiod_2 = 10\nperiod_3 = 10\n",
       {"bass.period_3 = 10", "must come after bass.period_2 = 10"}},
      {"p_end without linear",
       "rule = \"bass\"\n" + kHeader + "[bass]\np_end = 0.2\n",
       {"test.toml:", "bass.p_end = 0.2", "only with bass.outside = \"linear\""}},
      {"a period without piecewise",
       "rule = \"bass\"\n" + kHeader + "[bass]\noutside = \"linear\"\np_2 = 0.1\n",
       {"only with bass.outside = \"piecewise\""}},
      {"piecewise without period_2",
       "rule = \"bass\"\n" + kHeader + "[bass]\noutside = \"piecewise\"\np_2 = 0.1\n",
       {"needs bass.period_2"}},
      {"negative period",
       "rule = \"bass\"\n" + kHeader + "[bass]\noutside = \"piecewise\"\nperiod_2 = -3\n",
       {"'bass.period_2'", "out of range"}},
      {"market potential zero",
       "rule = \"bass\"\n" + kHeader + "[bass]\nmarket_potential = 0\n",
       {"'bass.market_potential'", "out of range", "(0, 1]"}},
      {"market potential above one",
       "rule = \"bass\"\n" + kHeader + "[bass]\nmarket_potential = 1.5\n",
       {"'bass.market_potential'", "out of range"}},
      {"structural equivalence on sdt",
       kHeader + "[exposure]\ndefinition = \"structural_equivalence\"\n",
       {"test.toml:", "structural_equivalence", "\"bass\" and \"threshold\" only", "rule is \"sdt\""}},
      {"structural equivalence on cascade",
       "rule = \"cascade\"\n" + kHeader + "[exposure]\ndefinition = \"structural_equivalence\"\n",
       {"rule is \"cascade\""}},
      {"structural equivalence too large",
       "rule = \"bass\"\n" + kHeader +
           "[organization]\nsize = 5001\n[exposure]\ndefinition = \"structural_equivalence\"\n",
       {"at most 5000 agents", "organization.size = 5001", "exposure.definition = \"cohesion\""}},
      {"exposure power zero",
       "rule = \"bass\"\n" + kHeader + "[exposure]\ndefinition = \"structural_equivalence\"\npower = 0\n",
       {"'exposure.power'", "out of range", "(0, 100]"}},
      {"bad exposure definition",
       "rule = \"bass\"\n" + kHeader + "[exposure]\ndefinition = \"equivalence\"\n",
       {"'exposure.definition'", "\"cohesion\", \"structural_equivalence\""}},
      {"scenario list not tables", "scenario = 3\n" + kHeader, {"[[scenario]]"}},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    try {
      parse(c.text);
      FAIL("no error for: " << c.what);
    } catch (const InputError& e) {
      const std::string msg = e.what();
      for (const auto& fragment : c.expected) {
        INFO("message: " << msg);
        CHECK(msg.find(fragment) != std::string::npos);
      }
    }
  }
}

TEST_CASE("the shipped scenario files load", "[unit][parser]") {
  const std::string dir = GROUNDSWELL_SOURCE_DIR "/scenarios/";
  const auto x = load_experiment(dir + "leadership.toml");
  REQUIRE(x.scenarios.size() == 7);
  const std::vector<std::string> names = {
      "baseline", "top_down", "top_down_sustained", "formal_champions", "distributed", "distributed_no_coalition",
      "hybrid"};
  for (std::size_t k = 0; k < names.size(); ++k) CHECK(x.scenarios[k].name == names[k]);
  CHECK(x.scenarios[5].champions.selection == model::Selection::Distributed);
  CHECK_FALSE(x.scenarios[5].champions.coalition);
  CHECK(x.trials >= 200);
  CHECK(x.steps == 104);
  CHECK(x.scenarios[0].organization.size == 1000);
  CHECK_THROWS_AS(load_experiment(dir + "no-such-file.toml"), InputError);
}

TEST_CASE("regression: inputs found by fuzz/fuzz_scenario are clean InputErrors", "[unit][parser]") {
  // toml++ 3.3 reaches __builtin_unreachable() on these (its whitespace test,
  // toml++ issues #190 and #295); screen_non_ascii() rejects them first.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"scadvisorsi\xC3\x9Cnro [experiment]= [ \n", "fuzz.toml:1:12: TOML syntax error: non-ASCII character"},
      {"bs0=+s+\"\xCD\x91", "fuzz.toml:1:9: TOML syntax error: non-ASCII character"},
      {"s = \"\"\"\\\n\xC2\xA7\"\"\"\n", "fuzz.toml:2:1: a line-ending backslash"},
      {"s = \"\"\"\\\xC3\xA9\"\"\"\n", "fuzz.toml:1:8: TOML syntax error: a backslash before a non-ASCII character"},
      {"\"\"\"c\\ \xEF\xBB\xB7"
       "0\\}",
       "fuzz.toml:1:7: TOML syntax error: a backslash followed by blanks must end"},
      {kHeader + "[sdt]\nbeta0 = 1\xE3\x81\x82\n", "fuzz.toml:6:10: TOML syntax error: non-ASCII character"},
      {"[ation]\n-inf = 1sfalse\"\"0\xEF\xB2\xBF.5n\\ \t\tns]\ncou\"\n",
       "fuzz.toml:2:18: TOML syntax error: non-ASCII"},
      {"a = b=\"\xC3\xA9\"\n", "fuzz.toml:1:8: TOML syntax error: non-ASCII"},
  };
  for (const auto& [text, expected] : cases) {
    INFO(text);
    try {
      parse_experiment(text, "fuzz.toml", ".");
      FAIL("no error");
    } catch (const InputError& e) {
      CHECK(std::string(e.what()).find(expected) != std::string::npos);
      INFO(e.what());
    }
  }
}

TEST_CASE("non-ASCII text in strings and comments is accepted", "[unit][parser]") {
  const auto x = parse("# Zürich, 東京\n" + kHeader +
                       "description = \"stratégie\"\n"  // in [experiment]
                       "[[scenario]]\nname = \"a\"\ndescription = '''\nÉquipe \"x\" \\ 東京\n'''\n"
                       "[[scenario]]\nname = \"b\"\ndescription = \"\"\"\nLigne \\\n  suivante é \\\"\"\"\"\n");
  REQUIRE(x.scenarios.size() == 2);
  CHECK(x.scenarios[0].description == "Équipe \"x\" \\ 東京\n");
  CHECK(x.scenarios[1].description == "Ligne suivante é \"");
}
