// [unit] The [sweep] section: parsing, errors that name the key or the point,
// how a point's values override the file, seeds and fingerprints.
#include <catch2/catch.hpp>

#include "groundswell/random.hpp"
#include "groundswell/sweep/plan.hpp"

using namespace groundswell;
using namespace groundswell::sweep;

namespace {

const std::string kBase = R"(rule = "sdt"
[experiment]
seed = 42
trials = 9
steps = 20
[organization]
size = 200
[champions]
count = 2
[[scenario]]
name = "own"
champions = { count = 3, selection = "formal" }
mandate = { issuers = "top", half_life = 13 }
[[scenario]]
name = "inherits"
[[scenario]]
name = "left_out"
)";

Plan parse(const std::string& sweep) { return Plan::parse(kBase + sweep, "test.toml", "."); }

std::string error_of(const std::string& sweep) {
  try {
    parse(sweep);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

const char* kGrid = R"(
[sweep]
design = "grid"
trials = 4
scenarios = ["own", "inherits"]
[[sweep.parameter]]
name = "champions.count"
values = [0, 7]
[[sweep.parameter]]
name = "mandate.half_life"
values = [4, inf]
[[sweep.parameter]]
name = "champions.selection"
values = ["random", "distributed"]
)";

}  // namespace

TEST_CASE("a grid sweep overrides the file's and every scenario's own value", "[unit][sweep]") {
  const Plan plan = parse(kGrid);
  REQUIRE(plan.points() == 8);
  REQUIRE(plan.parameters().size() == 3);
  CHECK(plan.parameters()[2].kind == Kind::Levels);
  CHECK_FALSE(plan.parameters()[2].numeric_levels);
  CHECK(plan.describe(7) == "champions.count = 7, mandate.half_life = inf, champions.selection = distributed");

  const model::ExperimentSpec x = plan.experiment(7);
  REQUIRE(x.scenarios.size() == 2);  // "left_out" is not in sweep.scenarios
  CHECK(x.scenarios[0].name == "own");
  CHECK(x.scenarios[1].name == "inherits");
  CHECK(x.trials == 4);
  for (const auto& s : x.scenarios) {
    CHECK(s.champions.count == 7);  // over the scenario's own 3 and the file's 2
    CHECK(std::isinf(s.mandate.half_life));
    CHECK(s.champions.selection == model::Selection::Distributed);
  }
  CHECK(x.scenarios[0].mandate.issuers == model::Issuers::Top);  // untouched keys stay
  const model::ExperimentSpec first = plan.experiment(0);
  CHECK(first.scenarios[0].champions.count == 0);
  CHECK(first.scenarios[0].mandate.half_life == 4);
  CHECK(first.scenarios[0].champions.selection == model::Selection::Random);
  // The file as `run` reads it is unchanged.
  CHECK(plan.base().scenarios.size() == 3);
  CHECK(plan.base().scenarios[0].champions.count == 3);
}

TEST_CASE("each point has its own seed, from (seed, point) alone", "[unit][seed][sweep]") {
  const Plan plan = parse(kGrid);
  CHECK(plan.experiment(3).seed == stream_key(Purpose::SweepPoint, 42, 3));
  CHECK(plan.point_seed(3) != plan.point_seed(4));
  CHECK(plan.base().seed == 42);
}

TEST_CASE("lhs ranges of integer keys are sampled as integers, others as reals", "[unit][sweep]") {
  const Plan plan = parse(R"(
[sweep]
design = "lhs"
samples = 25
[[sweep.parameter]]
name = "champions.count"
min = 0
max = 40
[[sweep.parameter]]
name = "sdt.beta_s"
min = 0.1
max = 0.3
)");
  REQUIRE(plan.points() == 25);
  CHECK(plan.parameters()[0].kind == Kind::Integer);
  CHECK(plan.parameters()[1].kind == Kind::Real);
  bool fractional = false;
  for (std::uint64_t p = 0; p < plan.points(); ++p) {
    const double count = plan.values()[p * 2], beta = plan.values()[p * 2 + 1];
    CHECK(count == std::floor(count));
    fractional = fractional || beta != std::floor(beta);
    const model::ExperimentSpec x = plan.experiment(p);
    CHECK(x.scenarios[1].champions.count == static_cast<std::uint32_t>(count));
    CHECK(x.scenarios[1].sdt.beta_s == beta);
  }
  CHECK(fractional);
}

TEST_CASE("every integer key is one the scenario parser reads as an integer", "[unit][sweep]") {
  for (const std::string& key : integer_keys()) {
    const auto dot = key.find('.');
    const std::string text =
        "[experiment]\nseed = 1\n[" + key.substr(0, dot) + "]\n" + key.substr(dot + 1) + " = 1.5\n";
    INFO(key);
    CHECK_THROWS_WITH(model::parse_experiment(text, "t.toml", "."), Catch::Contains("must be an integer"));
  }
}

TEST_CASE("a saltelli sweep runs N (d + 2) points", "[unit][sweep]") {
  const Plan plan = parse(R"(
[sweep]
design = "saltelli"
samples = 10
[[sweep.parameter]]
name = "sdt.beta_s"
min = 0.1
max = 0.3
[[sweep.parameter]]
name = "organization.cross_department"
min = 0.0
max = 0.2
)");
  CHECK(plan.points() == 40);
}

TEST_CASE("sweep errors name the key, the line or the point", "[unit][sweep]") {
  CHECK_THAT(error_of("[sweep]\ndesign = \"box\"\n"), Catch::Contains("sweep.design") && Catch::Contains("\"box\""));
  CHECK_THAT(error_of("[sweep]\ndesign = \"grid\"\n[[sweep.parameter]]\nname = \"sdt.beta_s\"\nmin = 0\nmax = 1\n"),
             Catch::Contains("needs values"));
  CHECK_THAT(error_of("[sweep]\ndesign = \"grid\"\n[[sweep.parameter]]\nname = \"experiment.seed\"\nvalues = [1, 2]\n"),
             Catch::Contains("cannot be swept"));
  CHECK_THAT(error_of("[sweep]\ndesign = \"grid\"\n[[sweep.parameter]]\nname = \"champions.cont\"\nvalues = [1, 2]\n"),
             Catch::Contains("test.toml:21:") && Catch::Contains("\"champions.cont\" is not a scenario key") &&
                 Catch::Contains("did you mean \"champions.count\""));
  CHECK_THAT(
      error_of("[sweep]\ndesign = \"grid\"\n[[sweep.parameter]]\nname = \"champions.count\"\nvalues = [5, 2000]\n"),
      Catch::Contains("sweep point 1 (champions.count = 2000)") && Catch::Contains("exceeds organization.size"));
  CHECK_THAT(error_of("[sweep]\ndesign = \"lhs\"\nsamples = 4\n[[sweep.parameter]]\nname = \"champions.count\"\nmin = "
                      "0.5\nmax = 4\n"),
             Catch::Contains("is an integer"));
  CHECK_THAT(error_of("[sweep]\ndesign = \"lhs\"\n[[sweep.parameter]]\nname = \"sdt.beta_s\"\nmin = 0\nmax = 1\n"),
             Catch::Contains("sweep.samples"));
  CHECK_THAT(error_of("[sweep]\ndesign = \"grid\"\nscenarios = [\"nope\"]\n[[sweep.parameter]]\nname = "
                      "\"sdt.beta_s\"\nvalues = [0.1]\n"),
             Catch::Contains("no scenario \"nope\"") && Catch::Contains("test.toml:20:"));
  CHECK_THAT(error_of("[sweep]\ndesign = \"grid\"\nfoo = 1\n"), Catch::Contains("unknown key 'sweep.foo'"));
  CHECK_THAT(error_of(""), Catch::Contains("no [sweep] section"));
  CHECK_THAT(error_of("[sweep]\ndesign = \"grid\"\n[[sweep.parameter]]\nname = \"sdt.beta_s\"\nvalues = [0.1, 0.1]\n"),
             Catch::Contains("listed twice"));
}

TEST_CASE("`run` reads a file with a [sweep] section as its base experiment", "[unit][sweep]") {
  const model::ExperimentSpec x = model::parse_experiment(kBase + kGrid, "test.toml", ".");
  CHECK(x.scenarios.size() == 3);
  CHECK(x.trials == 9);
}

TEST_CASE("the fingerprint follows the scenario text", "[unit][sweep]") {
  CHECK(parse(kGrid).fingerprint() == parse(kGrid).fingerprint());
  CHECK(parse(kGrid).fingerprint() != parse(std::string(kGrid) + "# a comment\n").fingerprint());
  CHECK(parse(kGrid).fingerprint().size() == 16);
}
