// Each mechanism of the sdt rule in isolation (MODEL.md 4 and 5), on small
// organizations built by hand. Statistical checks use many independent agents
// in one trial (each agent draws from its own counter-based stream) and a
// tolerance of 4 binomial standard errors around the exact probability.
#include <catch2/catch.hpp>

#include <cmath>

#include "engine/hand_made.hpp"
#include "groundswell/engine/recorder.hpp"
#include "groundswell/engine/trial.hpp"
#include "groundswell/org/generate.hpp"
#include "groundswell/random.hpp"

using namespace groundswell;
using groundswell::testing::make_setup;
using groundswell::testing::quiet_spec;

namespace {

/// A star: agent 0 manages agents 1..n.
std::vector<std::int32_t> star(AgentId reports) {
  std::vector<std::int32_t> m(reports + 1, 0);
  m[0] = kNoManager;
  return m;
}

std::size_t count_state(const engine::RunState& s, State st, AgentId from = 1) {
  std::size_t c = 0;
  for (AgentId i = from; i < s.current.state.size(); ++i) c += s.current.state[i] == st;
  return c;
}

void check_binomial(std::size_t hits, std::size_t n, double p) {
  const double se = std::sqrt(p * (1 - p) / static_cast<double>(n));
  INFO("observed " << static_cast<double>(hits) / static_cast<double>(n) << " expected " << p << " (SE " << se << ")");
  CHECK(std::abs(static_cast<double>(hits) / static_cast<double>(n) - p) <= 4 * se);
}

}  // namespace

TEST_CASE("mandate pressure cascades one level per step through managers who went along", "[unit][sdt]") {
  auto spec = quiet_spec();
  spec.sdt.beta_p = 50;  // comply at once: 1 - exp(-50) ~ 1
  spec.mandate = {model::Issuers::Top, 1, 1, 1.0, model::kInfinity};
  const auto setup = make_setup({kNoManager, 0, 1, 2});  // a chain 0 <- 1 <- 2 <- 3
  engine::TrialSimulation sim(spec, setup, 1);
  sim.step();  // t = 1: the top issues; only its direct report feels it
  CHECK(sim.state().current.state[0] == State::A);
  CHECK(sim.state().pressure[1] == 1.0f);
  CHECK(sim.state().pressure[2] == 0.0f);
  CHECK(sim.state().pressure[3] == 0.0f);
  CHECK(sim.state().current.state[1] == State::C);
  sim.step();  // t = 2: agent 1 complied, so agent 2 is pressed
  CHECK(sim.state().pressure[2] == 1.0f);
  CHECK(sim.state().pressure[3] == 0.0f);
  sim.step();
  CHECK(sim.state().pressure[3] == 1.0f);
}

TEST_CASE("no pressure before the mandate starts, and none under a resisting manager", "[unit][sdt]") {
  auto spec = quiet_spec();
  spec.mandate = {model::Issuers::Top, 1, 3, 1.0, model::kInfinity};
  auto setup = make_setup({kNoManager, 0, 1});
  setup.agents.state[1] = State::R;
  engine::TrialSimulation sim(spec, setup, 1);
  sim.step();
  sim.step();
  CHECK(sim.state().pressure[1] == 0.0f);
  CHECK(sim.state().current.state[0] == State::N);
  sim.step();  // t = 3 = start
  CHECK(sim.state().current.state[0] == State::A);
  CHECK(sim.state().pressure[1] == 1.0f);
  CHECK(sim.state().pressure[2] == 0.0f);  // manager 1 resists
}

TEST_CASE("mandate intensity halves every half-life, sustained attention keeps it constant", "[unit][sdt]") {
  auto spec = quiet_spec();
  const auto setup = make_setup({kNoManager, 0});
  spec.mandate = {model::Issuers::Top, 1, 1, 0.8, 13.0};
  engine::TrialSimulation decaying(spec, setup, 1);
  CHECK(decaying.mandate_intensity(0) == 0.0);
  CHECK(decaying.mandate_intensity(1) == Approx(0.8));
  CHECK(decaying.mandate_intensity(14) == Approx(0.4));
  CHECK(decaying.mandate_intensity(27) == Approx(0.2));
  spec.mandate.half_life = model::kInfinity;
  engine::TrialSimulation sustained(spec, setup, 1);
  for (Step t = 1; t <= 104; ++t) {
    sustained.step();
    REQUIRE(sustained.state().pressure[1] == Approx(0.8));
  }
}

TEST_CASE("compliance hazard: with pressure alone, P(N -> C) = 1 - exp(-beta_p P)", "[stat][sdt]") {
  auto spec = quiet_spec();
  spec.sdt.beta_p = 0.5;
  spec.mandate = {model::Issuers::Top, 1, 1, 0.6, model::kInfinity};
  const AgentId n = 20000;
  const auto setup = make_setup(star(n));
  engine::TrialSimulation sim(spec, setup, engine::dynamics_key(3, "compliance", 0));
  sim.step();
  check_binomial(count_state(sim.state(), State::C), n, 1 - std::exp(-0.5 * 0.6));
  CHECK(count_state(sim.state(), State::A) == 0);
  CHECK(count_state(sim.state(), State::R) == 0);
}

TEST_CASE("reactance grows as autonomy falls: P(N -> R) follows the competing hazards", "[stat][sdt]") {
  auto spec = quiet_spec();
  spec.sdt.beta_p = 0.5;
  spec.sdt.rho_p = 0.15;
  spec.mandate = {model::Issuers::Top, 1, 1, 1.0, model::kInfinity};
  const AgentId n = 20000;
  auto setup = make_setup(star(n));
  for (AgentId i = 1; i <= n; ++i) setup.agents.autonomy[i] = i % 2 ? 0.1f : 0.9f;
  engine::TrialSimulation sim(spec, setup, engine::dynamics_key(3, "reactance", 0));
  sim.step();
  std::size_t low = 0, high = 0;
  for (AgentId i = 1; i <= n; ++i)
    if (sim.state().current.state[i] == State::R) (i % 2 ? low : high) += 1;
  auto p_resist = [](double a) {
    const double hc = 0.5, hr = 0.15 * (1 - a), H = hc + hr;
    return (1 - std::exp(-H)) * hr / H;
  };
  check_binomial(low, n / 2, p_resist(0.1f));
  check_binomial(high, n / 2, p_resist(0.9f));
  CHECK(low > 3 * high);
}

TEST_CASE("compliance lapses once attention fades, not while it is sustained", "[stat][sdt]") {
  auto spec = quiet_spec();
  spec.sdt.lambda_l = 0.2;
  const AgentId n = 20000;
  auto setup = make_setup(star(n));
  for (AgentId i = 1; i <= n; ++i) setup.agents.state[i] = State::C;
  SECTION("no mandate: P(C -> N) = 1 - exp(-lambda_l (1 - m))") {
    engine::TrialSimulation sim(spec, setup, engine::dynamics_key(5, "lapse", 0));
    sim.step();
    check_binomial(count_state(sim.state(), State::N), n, 1 - std::exp(-0.2 * (1 - 0.5)));
  }
  SECTION("sustained full-intensity mandate: no lapse at all") {
    spec.mandate = {model::Issuers::Top, 1, 1, 1.0, model::kInfinity};
    engine::TrialSimulation sim(spec, setup, engine::dynamics_key(5, "lapse", 0));
    for (int t = 0; t < 20; ++t) sim.step();
    CHECK(count_state(sim.state(), State::N) == 0);
  }
  SECTION("fading mandate: lapse resumes as mu decays") {
    spec.mandate = {model::Issuers::Top, 1, 1, 1.0, 1.0};
    engine::TrialSimulation sim(spec, setup, engine::dynamics_key(5, "lapse", 0));
    sim.step();  // mu = 1: no lapse
    CHECK(count_state(sim.state(), State::N) == 0);
    sim.step();  // mu = 0.5: hazard 0.2 * 0.5 * 0.5
    check_binomial(count_state(sim.state(), State::N), n, 1 - std::exp(-0.2 * 0.5 * 0.5));
  }
}

TEST_CASE("committed agents never leave A", "[unit][sdt]") {
  auto spec = quiet_spec();
  spec.sdt.lambda_a = 5;  // abandonment would be near certain
  spec.mandate = {model::Issuers::Top, 1, 1, 1.0, 1.0};
  auto setup = make_setup(star(50));
  for (AgentId i = 1; i <= 10; ++i) {
    setup.is_champion[i] = 1;
    setup.agents.state[i] = State::A;
  }
  for (AgentId i = 0; i <= 50; ++i)
    setup.agents.autonomy[i] = setup.agents.competence[i] = setup.agents.relatedness[i] = 0;
  for (AgentId i = 11; i <= 50; ++i) setup.agents.state[i] = State::A;  // uncommitted adopters
  engine::TrialSimulation sim(spec, setup, 9);
  for (int t = 0; t < 100; ++t) {
    sim.step();
    for (AgentId i = 0; i <= 10; ++i) REQUIRE(sim.state().current.state[i] == State::A);  // issuer and champions
  }
  CHECK(count_state(sim.state(), State::A, 11) == 0);  // the uncommitted abandoned
}

TEST_CASE("coaching raises competence only near knowledgeable adopters", "[unit][sdt]") {
  auto spec = quiet_spec();
  spec.sdt.eta_c = 0.1;
  spec.sdt.practice = 0;
  // 0 is the top; 1 listens to its manager only; 2 also listens to adopter 3 (c = 1).
  auto setup = make_setup({kNoManager, 0, 0, 0}, {{2, 3, 1.0f, false}});
  setup.agents.state[3] = State::A;
  setup.agents.competence[3] = 1.0f;
  engine::TrialSimulation sim(spec, setup, 1);
  sim.step();
  CHECK(sim.state().current.competence[1] == 0.5f);  // no adopter in view: unchanged
  // k_2 = (1 * 1) / (1 + 1) = 0.5: c += eta_c k (1 - c) = 0.1 * 0.5 * 0.5
  CHECK(sim.state().current.competence[2] == Approx(0.5 + 0.1 * 0.5 * 0.5).epsilon(1e-6));
}

TEST_CASE("autonomy rises with support from champions and falls under pressure", "[unit][sdt]") {
  auto spec = quiet_spec();
  spec.sdt.eta_a = 0.1;
  spec.sdt.zeta_a = 0.5;
  auto setup = make_setup({kNoManager, 0, 0}, {{2, 1, 1.0f, false}});
  setup.is_champion[1] = 1;
  setup.agents.state[1] = State::A;
  engine::TrialSimulation sim(spec, setup, 1);
  sim.step();
  // u_2 = 1 / 2: a += 0.1 * (0.5 * 0.5) = 0.025
  CHECK(sim.state().current.autonomy[2] == Approx(0.525f).epsilon(1e-6));
  spec.mandate = {model::Issuers::Top, 1, 1, 1.0, model::kInfinity};
  engine::TrialSimulation pressed(spec, setup, 1);
  pressed.step();
  // P = 1: a += 0.1 * (0.5 * 0.5 - 0.5 * 1 * 0.5) = 0
  CHECK(pressed.state().current.autonomy[2] == Approx(0.5f).epsilon(1e-6));
  // agent 1 is pressed too (manager = issuer) with no support: a += 0.1 * (-0.25)
  CHECK(pressed.state().current.autonomy[1] == Approx(0.475f).epsilon(1e-6));
}

TEST_CASE("formalization fires at the end of the first step over the threshold, not before", "[unit][sdt]") {
  model::ScenarioSpec with;  // defaults of MODEL.md 8
  with.name = "formalize";
  with.organization.size = 1000;
  with.champions = {20, model::Selection::Distributed, true};
  model::ScenarioSpec without = with;
  with.formalize_at = 0.3;
  const auto base = org::generate_organization(with.organization, engine::organization_key(11, 0));
  const auto setup = engine::prepare_trial(with, 11, 0, base);
  const std::uint64_t key = engine::dynamics_key(11, "formalize", 0);
  engine::TrialSimulation a(with, setup, key), b(without, setup, key);
  auto adopted = [](const engine::RunState& s) {
    std::size_t n = 0;
    for (State st : s.current.state) n += st == State::A || st == State::C;
    return static_cast<double>(n) / static_cast<double>(s.current.state.size());
  };
  Step fired = -1;
  for (Step t = 1; t <= 104 && fired < 0; ++t) {
    a.step();
    b.step();
    if (a.state().formalized_at >= 0) {
      fired = t;
      CHECK(a.state().formalized_at == t);
      CHECK(adopted(b.state()) >= 0.3);  // b never formalizes: same draws up to here
      for (AgentId i = 0; i < setup.organization.size(); ++i)
        if (setup.organization.is_formal_leader[i] && b.state().current.state[i] != State::R)
          CHECK(a.state().current.state[i] == State::A);
    } else {
      REQUIRE(adopted(b.state()) < 0.3);
      REQUIRE(a.state().current.state == b.state().current.state);
      REQUIRE(a.state().resources == 0.0f);
    }
  }
  REQUIRE(fired > 0);
  a.step();
  CHECK(a.state().resources == 1.0f);  // resources flow from the next step on
}

TEST_CASE("traits stay in [0,1] and states are valid over a long run", "[unit][sdt]") {
  model::ScenarioSpec spec;
  spec.name = "bounds";
  spec.organization.size = 500;
  spec.mandate = {model::Issuers::Leaders, 2, 1, 3.0, model::kInfinity};
  spec.champions = {10, model::Selection::Central, true};
  spec.sdt.eta_a = spec.sdt.eta_c = spec.sdt.eta_r = 1.0;
  const auto base = org::generate_organization(spec.organization, engine::organization_key(2, 0));
  const auto setup = engine::prepare_trial(spec, 2, 0, base);
  engine::TrialCurves curves;
  engine::run_trial(spec, setup, 77, 60, curves);
  for (Step t = 0; t <= 60; ++t) {
    double total = 0;
    for (int k = 0; k < kStateCount; ++k) total += curves.share[k][static_cast<std::size_t>(t)];
    REQUIRE(total == Approx(1.0).epsilon(1e-5));
    REQUIRE(curves.mean_autonomy[static_cast<std::size_t>(t)] >= 0.0f);
    REQUIRE(curves.mean_autonomy[static_cast<std::size_t>(t)] <= 1.0f);
  }
}

// ---- v2: burnout, issuers, formalization (MODEL.md 3, 4, 5.8) ----

namespace {

std::size_t count_active(const engine::RunState& s) {
  std::size_t c = 0;
  for (std::uint8_t f : s.champion) c += f;
  return c;
}

}  // namespace

TEST_CASE("a lone champion burns out at the rate 1 - exp(-lambda_b) per step and stays in A", "[stat][sdt]") {
  auto spec = quiet_spec();
  spec.sdt.lambda_b = 0.04;
  // 50 champions who listen only to their manager, who is in N: q = 0.
  auto setup = make_setup(star(50));
  for (AgentId i = 1; i <= 50; ++i) {
    setup.is_champion[i] = 1;
    setup.agents.state[i] = State::A;
  }
  std::size_t burnt = 0, draws = 0;
  for (std::uint64_t trial = 0; trial < 200; ++trial) {
    engine::TrialSimulation sim(spec, setup, engine::dynamics_key(7, "burnout", static_cast<TrialIndex>(trial)));
    sim.step();
    burnt += 50 - count_active(sim.state());
    draws += 50;
    REQUIRE(count_state(sim.state(), State::A) == 50);  // burnout ends the role, not the adoption
    for (AgentId i = 1; i <= 50; ++i) REQUIRE(sim.state().committed[i] == sim.state().champion[i]);
  }
  check_binomial(burnt, draws, 1 - std::exp(-0.04));
}

TEST_CASE("a champion whose listened-to weight is all from adopters never burns out", "[unit][sdt]") {
  auto spec = quiet_spec();
  spec.sdt.lambda_b = 50;  // 1 - exp(-50 (1 - q)): certain burnout for any q < 0.9
  // The manager 0 is in A (no hazards in the quiet spec): q = 1 for every report.
  auto setup = make_setup(star(40));
  setup.agents.state[0] = State::A;
  for (AgentId i = 1; i <= 40; ++i) {
    setup.is_champion[i] = 1;
    setup.agents.state[i] = State::A;
  }
  engine::TrialSimulation sim(spec, setup, 3);
  for (int t = 0; t < 100; ++t) {
    sim.step();
    REQUIRE(count_active(sim.state()) == 40);
  }
  // and with lambda_b = 0 (v1) a lone champion never burns out either
  auto lone = make_setup(star(40));
  for (AgentId i = 1; i <= 40; ++i) {
    lone.is_champion[i] = 1;
    lone.agents.state[i] = State::A;
  }
  spec.sdt.lambda_b = 0;
  engine::TrialSimulation v1(spec, lone, 3);
  for (int t = 0; t < 100; ++t) v1.step();
  CHECK(count_active(v1.state()) == 40);
}

TEST_CASE("a burnt-out champion stops giving autonomy support the next step and gets the A hazard", "[unit][sdt]") {
  auto spec = quiet_spec();
  spec.sdt.lambda_b = 50;  // agent 1 (q = 0) burns out in step 1: 1 - exp(-50) rounds to 1
  spec.sdt.lambda_a = 50;  // and then abandons at once: hazard 50 (1 - m) = 25
  spec.sdt.eta_a = 0.1;
  spec.sdt.zeta_a = 0;
  // 0 top (N); 1 a champion listening to 0; 2 listens to 0 and to 1.
  auto setup = make_setup({kNoManager, 0, 0}, {{2, 1, 1.0f, false}});
  setup.is_champion[1] = 1;
  setup.agents.state[1] = State::A;
  engine::TrialSimulation sim(spec, setup, 1);
  sim.step();
  // step 1: 1 was active at the start of the step, so u_2 = 1/2: a += 0.1 * 0.5 * 0.5
  CHECK(sim.state().current.autonomy[2] == Approx(0.525f).epsilon(1e-6));
  CHECK(sim.state().current.state[1] == State::A);  // burnt out, still in A, no A hazard yet
  CHECK(sim.state().champion[1] == 0);
  CHECK(sim.state().committed[1] == 0);
  sim.step();
  // step 2: u_2 = 0, autonomy unchanged; 1 has the A hazard and abandons
  CHECK(sim.state().current.autonomy[2] == Approx(0.525f).epsilon(1e-6));
  CHECK(sim.state().current.state[1] == State::N);
}

TEST_CASE("a champion who is also a committed issuer burns out as a champion and stays committed", "[unit][sdt]") {
  auto spec = quiet_spec();
  spec.sdt.lambda_b = 50;
  spec.sdt.lambda_a = 50;
  spec.mandate = {model::Issuers::Top, 1, 1, 1.0, 1.0};
  auto setup = make_setup(star(3));  // 0 listens to nobody: q_0 = 0
  setup.is_champion[0] = 1;
  setup.agents.state[0] = State::A;
  engine::TrialSimulation sim(spec, setup, 1);
  sim.step();
  CHECK(sim.state().champion[0] == 0);
  CHECK(sim.state().committed[0] == 1);
  for (int t = 0; t < 10; ++t) sim.step();
  CHECK(sim.state().current.state[0] == State::A);
}

TEST_CASE("issuers are committed from mandate.start, not before", "[unit][sdt]") {
  auto spec = quiet_spec();
  spec.sdt.lambda_a = 50;  // an uncommitted adopter abandons at once
  spec.mandate = {model::Issuers::Top, 1, 3, 1.0, 1.0};
  auto setup = make_setup(star(3));
  setup.agents.state[0] = State::A;
  engine::TrialSimulation sim(spec, setup, 1);
  sim.step();  // t = 1 < start
  CHECK(sim.state().committed[0] == 0);
  CHECK(sim.state().issuer[0] == 0);
  CHECK(sim.state().current.state[0] == State::N);  // not committed: it abandoned
  sim.step();                                       // t = 2
  CHECK(sim.state().committed[0] == 0);
  sim.step();  // t = 3 = start: switched and committed
  CHECK(sim.state().issuer[0] == 1);
  CHECK(sim.state().committed[0] == 1);
  CHECK(sim.state().current.state[0] == State::A);
  for (int t = 0; t < 5; ++t) sim.step();
  CHECK(sim.state().current.state[0] == State::A);
}

TEST_CASE("issuers_adopt = false: issuers push pressure while in N and are neither switched nor committed",
          "[unit][sdt]") {
  auto spec = quiet_spec();
  spec.sdt.beta_p = 50;  // comply at once under pressure
  spec.mandate = {model::Issuers::Top, 1, 1, 1.0, model::kInfinity, false};
  auto setup = make_setup(star(20));
  engine::TrialSimulation sim(spec, setup, 5);
  sim.step();
  CHECK(sim.state().issuer[0] == 1);
  CHECK(sim.state().committed[0] == 0);
  CHECK(sim.state().current.state[0] == State::N);  // top has no manager: no pressure, no hazard
  CHECK(count_state(sim.state(), State::C) == 20);  // its reports felt mu = 1 from an issuer in N
  for (AgentId i = 1; i <= 20; ++i) CHECK(sim.state().pressure[i] == 1.0f);
  // the same under an issuer who adopts: identical for the reports
  spec.mandate.issuers_adopt = true;
  engine::TrialSimulation adopting(spec, setup, 5);
  adopting.step();
  CHECK(adopting.state().current.state[0] == State::A);
  CHECK(adopting.state().committed[0] == 1);
  CHECK(count_state(adopting.state(), State::C) == 20);
}

TEST_CASE("issuers_adopt = false: an issuer is under the rules of MODEL.md 5 like anyone", "[unit][sdt]") {
  auto spec = quiet_spec();
  spec.sdt.beta_p = 50;
  // leaders to level 1: 0 manages 1 and 2; 1 manages 3 and 4. Issuers 0 and 1.
  spec.mandate = {model::Issuers::Leaders, 1, 1, 1.0, model::kInfinity, false};
  auto setup = make_setup({kNoManager, 0, 0, 1, 1});
  engine::TrialSimulation sim(spec, setup, 2);
  sim.step();
  CHECK(sim.state().issuer[1] == 1);
  CHECK(sim.state().committed[1] == 0);
  CHECK(sim.state().current.state[1] == State::C);  // pressed by its manager 0, an issuer: complies
  CHECK(sim.state().current.state[3] == State::C);  // pressed by 1, an issuer whatever its state
}

TEST_CASE("leaders_adopt = false: formalization changes no state but sets resources", "[unit][sdt]") {
  auto spec = quiet_spec();
  spec.formalize_at = 0.5;
  // 0 leads 1..10; 1 leads 11, 12. Adopters 2..8 and 11: 8 of 13 >= 0.5 after step 1.
  std::vector<std::int32_t> manager = {kNoManager, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
  auto setup = make_setup(manager);
  for (AgentId i : {2, 3, 4, 5, 6, 7, 8, 11}) setup.agents.state[i] = State::A;
  auto without = spec;
  without.formalization.leaders_adopt = false;
  engine::TrialSimulation adopt(spec, setup, 1), resources_only(without, setup, 1);
  adopt.step();
  resources_only.step();
  REQUIRE(adopt.state().formalized_at == 1);
  REQUIRE(resources_only.state().formalized_at == 1);
  CHECK(adopt.state().current.state[0] == State::A);  // the formal leaders adopt
  CHECK(adopt.state().current.state[1] == State::A);
  CHECK(resources_only.state().current.state == setup.agents.state);  // no state changes
  CHECK(resources_only.state().resources == 0.0f);
  resources_only.step();
  CHECK(resources_only.state().resources == 1.0f);  // F = 1 from the next step on
  CHECK(resources_only.state().current.state == setup.agents.state);
}

TEST_CASE("formalization.pressure presses everyone not in A from the step after formalization", "[unit][sdt]") {
  auto spec = quiet_spec();
  spec.formalize_at = 0.5;
  spec.formalization.leaders_adopt = false;
  spec.formalization.pressure = 0.7;
  std::vector<std::int32_t> manager = {kNoManager, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
  auto setup = make_setup(manager);
  for (AgentId i : {2, 3, 4, 5, 6, 7, 8, 11}) setup.agents.state[i] = State::A;
  setup.agents.state[9] = State::R;
  engine::TrialSimulation sim(spec, setup, 1);
  sim.step();  // formalizes at the end of step 1: no pressure in step 1
  REQUIRE(sim.state().formalized_at == 1);
  for (float P : sim.state().pressure) CHECK(P == 0.0f);
  sim.step();
  for (AgentId i = 0; i < setup.organization.size(); ++i) {
    INFO("agent " << i);
    CHECK(sim.state().pressure[i] == (setup.agents.state[i] == State::A ? 0.0f : 0.7f));
  }
  // with a mandate of intensity 1 the larger one wins: max(P_i, 0.7)
  spec.mandate = {model::Issuers::Top, 1, 1, 1.0, model::kInfinity};
  spec.sdt.beta_p = 0;
  engine::TrialSimulation both(spec, setup, 1);
  both.step();
  both.step();
  CHECK(both.state().pressure[1] == 1.0f);   // manager 0 issued: mu = 1 > 0.7
  CHECK(both.state().pressure[12] == 0.7f);  // manager 1 in N: no mandate pressure
}
