// Trainer API requests (sim/server/request.cpp), curves and captions
// (sim/server/curves.cpp): exact checks, no server.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "server/curves.hpp"
#include "server/request.hpp"

namespace groundswell::server {
namespace {

RunRequest parse(const std::string& body) { return parse_run_request(body, Limits{}); }

/// The message of the RequestError a body raises, or "" if none.
std::string refusal(const std::string& body, int expected_status = 400) {
  try {
    parse(body);
  } catch (const RequestError& e) {
    CHECK(e.status() == expected_status);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a preset fills the strategy, scaled to the organization", "[unit][server]") {
  const RunRequest r = parse(R"({"strategy": {"preset": "distributed"}})");
  CHECK(r.size == 400);
  CHECK(r.trials == 100);
  CHECK(r.steps == 104);
  CHECK(r.animate);
  CHECK(r.strategy.champions == 8);  // 2 in every 100 people
  CHECK(r.strategy.selection == model::Selection::Distributed);
  CHECK(r.strategy.coalition);
  CHECK(r.strategy.issuers == model::Issuers::None);
  CHECK_FALSE(r.strategy.formalize_at);

  const RunRequest big = parse(R"({"strategy": {"preset": "hybrid"}, "organization": {"size": 1000}})");
  CHECK(big.strategy.champions == 20);
  REQUIRE(big.strategy.formalize_at);
  CHECK(*big.strategy.formalize_at == 0.3);

  const RunRequest sustained = parse(R"({"strategy": {"preset": "sustained_mandate"}})");
  CHECK(sustained.strategy.issuers == model::Issuers::Top);
  CHECK(std::isinf(sustained.strategy.half_life));
}

TEST_CASE("explicit fields override the preset", "[unit][server]") {
  const RunRequest r = parse(R"({"strategy": {"preset": "top_down",
      "mandate": {"issuers": "leaders", "levels": 2, "intensity": 2.5, "half_life": "sustained"},
      "champions": {"count": 12, "selection": "bridging", "coalition": true},
      "bridges": 30, "formalize_at": 0.2}, "trials": 7, "steps": 52, "seed": 99, "animate": false})");
  CHECK(r.strategy.issuers == model::Issuers::Leaders);
  CHECK(r.strategy.levels == 2);
  CHECK(r.strategy.intensity == 2.5);
  CHECK(std::isinf(r.strategy.half_life));
  CHECK(r.strategy.champions == 12);
  CHECK(r.strategy.selection == model::Selection::Bridging);
  CHECK(r.strategy.bridges == 30);
  CHECK(*r.strategy.formalize_at == 0.2);
  CHECK(r.trials == 7);
  CHECK(r.steps == 52);
  CHECK(r.seed == 99);
  CHECK_FALSE(r.animate);
  CHECK(parse(R"({"strategy": {"preset": "hybrid", "formalize_at": null}})").strategy.formalize_at == std::nullopt);
  CHECK(parse(R"({"strategy": {"preset": "hybrid", "formalize_at": "never"}})").strategy.formalize_at == std::nullopt);
}

TEST_CASE("the engine's parser reads the request's scenario text back to the same strategy", "[unit][server]") {
  const RunRequest r = parse(R"({"strategy": {"mandate": {"issuers": "leaders", "levels": 1, "start": 3,
      "intensity": 0.75, "half_life": "sustained"}, "champions": {"count": 9, "selection": "central"},
      "bridges": 12, "formalize_at": 0.25}, "organization": {"size": 500, "span": 5, "cross_department": 0.1},
      "trials": 3, "steps": 20, "seed": 42})");
  const model::ExperimentSpec x = to_experiment(r);
  CHECK(x.seed == 42);
  CHECK(x.trials == 3);
  CHECK(x.steps == 20);
  REQUIRE(x.scenarios.size() == 1);
  const model::ScenarioSpec& s = x.scenarios[0];
  CHECK(s.name == "strategy");
  CHECK(s.organization.size == 500);
  CHECK(s.organization.span == 5);
  CHECK(s.organization.cross_department == 0.1);
  CHECK(s.mandate.issuers == model::Issuers::Leaders);
  CHECK(s.mandate.levels == 1);
  CHECK(s.mandate.start == 3);
  CHECK(s.mandate.intensity == 0.75);
  CHECK(std::isinf(s.mandate.half_life));
  CHECK(s.champions.count == 9);
  CHECK(s.champions.selection == model::Selection::Central);
  CHECK_FALSE(s.champions.coalition);
  CHECK(s.bridges == 12);
  REQUIRE(s.formalize_at);
  CHECK(*s.formalize_at == 0.25);
  CHECK(scenario_text(r).find("description = \"custom strategy\"") != std::string::npos);
  CHECK(scenario_text(parse(R"({"strategy": {"preset": "top_down"}})")).find("description = \"Top-down mandate\"") !=
        std::string::npos);
}

TEST_CASE("bad requests are refused with a message naming the field and what is allowed", "[unit][server]") {
  CHECK_THAT(refusal("{\"strategy\": {\"preset\": \"top_down\"}"), Catch::Contains("malformed JSON"));
  CHECK_THAT(refusal(""), Catch::Contains("malformed JSON"));
  // Issue 16: a number beyond a double was an uncaught out_of_range (a 500).
  CHECK_THAT(refusal(R"({"strategy": {"preset": "top_down"}, "trials": 1e400})"),
             Catch::Contains("malformed JSON: number overflow parsing '1e400'"));
  CHECK_THAT(refusal(std::string("{\"strategy\": {}}\0junk", 21)), Catch::Contains("a NUL byte at offset 16"));
  CHECK_THAT(refusal(std::string(100000, '[')), Catch::Contains("nested deeper than 6"));
  CHECK_THAT(refusal("[1, 2]"), Catch::Contains("must be a JSON object"));
  CHECK_THAT(refusal("{}"), Catch::Contains("'strategy' is required"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": "top_down"}, "speed": 3})"),
             Catch::Contains("unknown parameter 'speed'") && Catch::Contains("trials"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": "top_down", "mandate": {"strength": 2}}})"),
             Catch::Contains("unknown parameter 'strategy.mandate.strength'") && Catch::Contains("intensity"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": "charisma"}})"),
             Catch::Contains("'strategy.preset' = \"charisma\" is not one of top_down"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": "top_down"}, "organization": {"size": 5001}})"),
             Catch::Contains("'organization.size' = 5001 is out of range: allowed 10 to 5000"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": "top_down"}, "trials": 501})"),
             Catch::Contains("'trials' = 501 is out of range: allowed 1 to 500"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": "top_down"}, "trials": 0})"), Catch::Contains("'trials' = 0"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": "top_down"}, "steps": 261})"),
             Catch::Contains("'steps' = 261 is out of range: allowed 1 to 260"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": "top_down"}, "trials": 1e300})"), Catch::Contains("out of range"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": "top_down"}, "trials": 18446744073709551615})"),
             Catch::Contains("out of range"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": "top_down"}, "trials": 2.5})"), Catch::Contains("whole number"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": "top_down"}, "trials": "100"})"),
             Catch::Contains("'trials' must be a whole number, got a string"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": "top_down"}, "seed": -1})"), Catch::Contains("'seed' = -1"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": "top_down"}, "animate": "yes"})"),
             Catch::Contains("'animate' must be true or false"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": "top_down"}, "organization": {"size": 2000}})"),
             Catch::Contains("animated run is limited to 1000 people"));
  CHECK(refusal(R"({"strategy": {"preset": "top_down"}, "organization": {"size": 2000}, "animate": false})").empty());
  CHECK_THAT(
      refusal(R"({"strategy": {"champions": {"count": 401}}})"),
      Catch::Contains("'strategy.champions.count' = 401 is out of range: allowed 0 to 400 (the organization's size)"));
  CHECK_THAT(refusal(R"({"strategy": {"champions": {"selection": "loudest"}}})"),
             Catch::Contains("is not one of random, formal, central, bridging, distributed"));
  CHECK_THAT(refusal(R"({"strategy": {"mandate": {"issuers": "leaders", "levels": 4}}})"),
             Catch::Contains("allowed 0 to 3 (the organization has levels 0 to 3)"));
  CHECK_THAT(refusal(R"({"strategy": {"mandate": {"intensity": 11}}})"), Catch::Contains("allowed 0 to 10"));
  CHECK_THAT(refusal(R"({"strategy": {"mandate": {"intensity": -0.5}}})"), Catch::Contains("out of range"));
  CHECK_THAT(refusal(R"({"strategy": {"mandate": {"half_life": "forever"}}})"), Catch::Contains("\"sustained\""));
  CHECK_THAT(refusal(R"({"strategy": {"mandate": {"half_life": 0}}})"), Catch::Contains("allowed 1 to 1000"));
  CHECK_THAT(refusal(R"({"strategy": {"mandate": {"start": 105}}})"), Catch::Contains("allowed 1 to 104"));
  CHECK_THAT(refusal(R"({"strategy": {"formalize_at": 0}})"), Catch::Contains("allowed above 0 to 1"));
  CHECK_THAT(refusal(R"({"strategy": {"formalize_at": 1.5}})"), Catch::Contains("out of range"));
  CHECK_THAT(refusal(R"({"strategy": {"bridges": 401}})"), Catch::Contains("allowed 0 to 400"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": "none"}, "organization": {"span": 1}})"),
             Catch::Contains("'organization.span' = 1 is out of range: allowed 2 to 12"));
  CHECK_THAT(refusal(R"({"strategy": [[[[[[[[[[[[1]]]]]]]]]]]]})"), Catch::Contains("nested deeper"));
  CHECK_THAT(refusal(R"({"strategy": {"preset": 3}})"), Catch::Contains("'strategy.preset' must be a string"));
  // A hostile key or value is cut short in the message.
  const std::string message = refusal("{\"" + std::string(5000, 'k') + "\": 1}");
  CHECK(message.size() < 300);
}

TEST_CASE("median and band of trial shares", "[unit][server]") {
  TrialShares in;
  in.steps = 1;
  in.trials = 11;
  for (int s = 0; s < kStateCount; ++s)
    for (TrialIndex k = 0; k < in.trials; ++k) {  // step 0: k/10; step 1: 1 - k/10
      in.share[static_cast<std::size_t>(s)].push_back(static_cast<float>(k) / 10.0f);
      in.share[static_cast<std::size_t>(s)].push_back(1.0f - static_cast<float>(k) / 10.0f);
    }
  const auto bands = summarize_shares(in);
  for (const Band& b : bands) {
    REQUIRE(b.median.size() == 2);
    CHECK(b.median[0] == Approx(0.5));
    CHECK(b.low[0] == Approx(0.1));
    CHECK(b.high[0] == Approx(0.9));
    CHECK(b.median[1] == Approx(0.5));
  }
  in.trials = 0;
  CHECK(summarize_shares(in)[0].median.empty());
}

TEST_CASE("captions say what happened in plain words", "[unit][server]") {
  std::array<Band, kStateCount> b;
  auto set = [&](State s, std::vector<float> v) { b[static_cast<std::size_t>(s)].median = std::move(v); };
  // Compliance peaks at week 2 and lapses; adoption never reaches half; resistance rises.
  set(State::C, {0.0f, 0.3f, 0.4f, 0.2f, 0.05f});
  set(State::A, {0.0f, 0.05f, 0.1f, 0.15f, 0.2f});
  set(State::R, {0.05f, 0.1f, 0.15f, 0.2f, 0.18f});
  CHECK(caption(b, 200) ==
        "Internalized (own conviction) reached only 20% by week 4. Compliance peaked at 40% in week 2 and lapsed to 5% "
        "by week 4. Resistance rose to 20% in week 3. (Median of 200 runs.)");
  // No compliance; adoption passes half at week 3; resistance stays low.
  set(State::C, {0, 0, 0, 0, 0});
  set(State::A, {0.02f, 0.2f, 0.45f, 0.5f, 0.9f});
  set(State::R, {0.05f, 0.04f, 0.03f, 0.02f, 0.01f});
  CHECK(caption(b, 1) ==
        "Internalized (own conviction) passed 50% at week 3 and reached 90% by week 4. Resistance stayed low (5% at "
        "most). (Median of 1 run.)");
  // Sustained pressure: compliance still at its height at the end.
  set(State::C, {0.0f, 0.3f, 0.5f, 0.55f, 0.55f});
  set(State::A, {0.0f, 0.05f, 0.1f, 0.3f, 0.35f});
  CHECK_THAT(caption(b, 5),
             Catch::StartsWith("Internalized (own conviction) reached 35% by week 4.") &&
                 Catch::Contains("Compliance rose to 55% by week 4: people went along while leaders kept pushing."));
}

}  // namespace groundswell::server
