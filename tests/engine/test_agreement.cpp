// Binary agreement with committed agents (MODEL.md 6): Xie, Sreenivasan,
// Korniss, Zhang, Lim and Szymanski (2011), Phys. Rev. E 84:011130,
// doi:10.1103/PhysRevE.84.011130. Exact checks on tiny organizations (each
// interaction replayed from its draws), the weight-proportional listener
// against exact probabilities, the mean curve on `complete` against the exact
// finite-N chain, and the critical mass of committed agents (the steep fall
// of the consensus time as p passes p_c ~ 0.098) on the validation scenarios.
//
// Statistical tests ([stat]) use fixed seeds and a tolerance of 4 standard
// errors from the exact probability or variance (binomial frequencies, the
// chain) or from the sample, never widened. Numbers: docs/validation.md,
// "Critical mass".
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "groundswell/engine/recorder.hpp"
#include "groundswell/engine/trial.hpp"
#include "groundswell/experiment/ensemble.hpp"
#include "groundswell/model/scenario.hpp"
#include "groundswell/org/generate.hpp"
#include "groundswell/org/organization.hpp"
#include "groundswell/random.hpp"

using namespace groundswell;

namespace {

constexpr State kA = State::A, kB = State::N, kAB = State::C;

/// A flat organization of n agents with the given ties (listener, speaker, weight).
org::Organization flat(AgentId n, const std::vector<org::Tie>& ties) {
  org::Organization o;
  o.manager.assign(n, kNoManager);
  o.level.assign(n, 0);
  o.department.assign(n, 0);
  o.department_count = 1;
  o.network = org::build_network(n, ties);
  org::mark_formal_leaders(o);
  return o;
}

/// A trial setup on `o`: `committed` seeds in A, everyone else in `others`.
engine::TrialSetup agreement_setup(const org::Organization& o, const std::vector<AgentId>& committed,
                                   State others = kB) {
  engine::TrialSetup setup;
  setup.organization = o;
  setup.agents.resize(o.size());
  std::fill(setup.agents.state.begin(), setup.agents.state.end(), others);
  setup.threshold.assign(o.size(), 0.4f);
  setup.champions = committed;
  setup.is_champion.assign(o.size(), 0);
  for (AgentId c : committed) {
    setup.is_champion[c] = 1;
    setup.agents.state[c] = kA;
  }
  return setup;
}

model::ScenarioSpec agreement_spec(const std::string& name) {
  model::ScenarioSpec spec;
  spec.name = name;
  spec.rule = model::Rule::Agreement;
  return spec;
}

/// The speaker of interaction k of step t among n agents: word 0 of rng.bits(t, k), multiply-shift.
AgentId speaker_of(const CounterStream& rng, Step t, AgentId k, AgentId n) {
  return static_cast<AgentId>((std::uint64_t{rng.bits(static_cast<std::uint32_t>(t), k)[0]} * n) >> 32);
}

double four_binomial_se(double p, std::size_t n) { return 4.0 * std::sqrt(p * (1.0 - p) / static_cast<double>(n)); }

}  // namespace

// ---------------------------------------------------------------------------
// Exact checks
// ---------------------------------------------------------------------------

// Agent 1 listens to agent 0 (committed to A) and nobody listens to 1. So an
// interaction does something only when 0 speaks (word 0 of the interaction's
// draws, below(bits, 2) = 0): it voices A, and 1 adds it (B -> AB) the first
// time and collapses to it (AB -> A) the second; when 1 speaks nobody listens
// and the interaction does nothing. Replaying the draws gives every step's
// state. Attribution: 1's entry into A is credited to the speaker, 0.
TEST_CASE("agreement: a committed speaker moves its only listener B -> AB -> A, one interaction at a time",
          "[unit][agreement]") {
  const auto spec = agreement_spec("forced");
  const auto setup = agreement_setup(flat(2, {{1, 0, 1.0f, false}}), {0});
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const std::uint64_t key = engine::dynamics_key(seed, spec.name, 0);
    engine::TrialSimulation sim(spec, setup, key);
    engine::TrialAttribution attribution;
    engine::AttributionRecorder recorder(attribution, true);
    recorder.begin(sim, 6);
    recorder.record(sim);
    const CounterStream rng(key);
    int heard = 0;  // times 1 heard 0
    Step entered_at = -1;
    for (Step t = 1; t <= 6; ++t) {
      for (AgentId k = 0; k < 2; ++k) heard += speaker_of(rng, t, k, 2) == 0;
      sim.step();
      recorder.record(sim);
      const State expected = heard == 0 ? kB : heard == 1 ? kAB : kA;
      if (expected == kA && entered_at < 0) entered_at = t;
      INFO("seed " << seed << ", step " << t << ", 0 spoke " << heard << " times");
      CHECK(sim.state().current.state[0] == kA);
      CHECK(sim.state().current.state[1] == expected);
      CHECK(sim.state().committed == std::vector<std::uint8_t>{1, 0});
    }
    for (Step t = 1; t <= 6; ++t) {
      const auto row = static_cast<std::size_t>(t);
      CHECK(attribution.entries[static_cast<int>(engine::Cause::Peer)][row] == (t == entered_at ? 1.0f : 0.0f));
      CHECK(attribution.credit[static_cast<int>(engine::Role::Champion)][row] == (t == entered_at ? 1.0f : 0.0f));
    }
    CHECK(attribution.credit_by_agent == std::vector<float>{entered_at > 0 ? 1.0f : 0.0f, 0.0f});
  }
}

// Two uncommitted agents in AB who listen to each other: whoever speaks, the
// listener holds the voiced opinion (it holds both), so the first interaction
// makes both keep only that one (the speaker collapses too), and the second
// changes nothing. After step 1 both are in A or both in B, A when the first
// speaker voiced A (word 3 of the draws < 2^31). Both entries into A are
// credited to the other party: the listener to the speaker, the speaker to
// the listener who confirmed it.
TEST_CASE("agreement: a listener holding the voiced opinion collapses with the speaker to it", "[unit][agreement]") {
  const auto spec = agreement_spec("collapse");
  const auto setup = agreement_setup(flat(2, {{0, 1, 1.0f, false}, {1, 0, 1.0f, false}}), {}, kAB);
  int to_a = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const std::uint64_t key = engine::dynamics_key(seed, spec.name, 0);
    engine::TrialSimulation sim(spec, setup, key);
    engine::TrialAttribution attribution;
    engine::AttributionRecorder recorder(attribution, true);
    recorder.begin(sim, 1);
    recorder.record(sim);
    sim.step();
    recorder.record(sim);
    const auto& s = sim.state().current.state;
    const bool voiced_a = CounterStream(key).bits(1, 0)[3] < 0x80000000u;
    INFO("seed " << seed);
    CHECK(s[0] == s[1]);
    CHECK(s[0] == (voiced_a ? kA : kB));
    to_a += s[0] == kA;
    const float credit = s[0] == kA ? 1.0f : 0.0f;
    CHECK(attribution.entries[static_cast<int>(engine::Cause::Peer)][1] == 2 * credit);
    CHECK(attribution.credit_by_agent == std::vector<float>{credit, credit});
  }
  CHECK(to_a > 0);  // both outcomes occur (40 fair coins)
  CHECK(to_a < 40);
}

// Committed agents never change, whatever they hear; an agent nobody listens
// to and who listens to nobody keeps B; every state is A, AB or B. On an
// erdos_renyi organization with 10% committed agents, over 60 steps.
TEST_CASE("agreement: committed agents never change and an isolated agent keeps B", "[unit][agreement]") {
  const auto x = model::parse_experiment(R"(
rule = "agreement"
[experiment]
seed = 84
trials = 3
steps = 60
[organization]
generator = "erdos_renyi"
size = 300
mean_degree = 5
[champions]
count = 30
selection = "central"
)",
                                         "agreement.toml", ".");
  for (TrialIndex k = 0; k < x.trials; ++k) {
    const auto setup = experiment::prepare_scenario_trial(x, 0, k);
    const auto& spec = x.scenarios[0];
    engine::TrialSimulation sim(spec, setup, engine::dynamics_key(x.seed, spec.name, k));
    engine::SnapshotRecorder states;
    REQUIRE(engine::run_trial(sim, x.steps, states));
    const auto& net = setup.organization.network;
    const AgentId n = setup.organization.size();
    std::vector<AgentId> isolated;
    for (AgentId i = 0; i < n; ++i) {
      bool tied = net.offsets[i + 1] > net.offsets[i];
      for (AgentId j = 0; j < n && !tied; ++j)
        for (EdgeIndex e = net.offsets[j]; e < net.offsets[j + 1]; ++e) tied = tied || net.sources[e] == i;
      if (!tied && !setup.is_champion[i]) isolated.push_back(i);
    }
    CHECK(setup.champions.size() == 30);
    bool changed = false;
    for (Step t = 0; t <= x.steps; ++t) {
      INFO("trial " << k << ", step " << t);
      for (AgentId c : setup.champions) CHECK(states.at(t)[c] == kA);
      for (AgentId i : isolated) CHECK(states.at(t)[i] == kB);
      for (AgentId i = 0; i < n; ++i) CHECK(states.at(t)[i] != State::R);
      changed = changed || !std::equal(states.at(t), states.at(t) + n, states.at(0));
    }
    CHECK(changed);
    CHECK(sim.state().committed == setup.is_champion);
  }
}

// ---------------------------------------------------------------------------
// Statistical checks
// ---------------------------------------------------------------------------

// The listener is drawn weight-proportional among the agents who listen to
// the speaker (MODEL.md 6). Agent 0 (committed) has listeners 1 (weight 3)
// and 2 (weight 1), and nobody listens to 1 or 2. In each of the 3
// interactions of step 1, 0 speaks to 1 with probability 1/3 x 3/4 = 1/4 and
// to 2 with 1/12, so after step 1 (binomial over 3 interactions)
//   P(1 left B) = 1 - (3/4)^3,  P(1 in A) = 3 (1/4)^2 (3/4) + (1/4)^3 = 10/64,
//   P(2 left B) = 1 - (11/12)^3.
TEST_CASE("agreement: the listener is drawn in proportion to its weight (exact probabilities)", "[stat][agreement]") {
  const auto spec = agreement_spec("weights");
  const auto setup = agreement_setup(flat(3, {{1, 0, 3.0f, false}, {2, 0, 1.0f, false}}), {0});
  constexpr TrialIndex kTrials = 40000;
  std::size_t one_left = 0, one_in_a = 0, two_left = 0;
  for (TrialIndex trial = 0; trial < kTrials; ++trial) {
    engine::TrialSimulation sim(spec, setup, engine::dynamics_key(1991, spec.name, trial));
    sim.step();
    const auto& s = sim.state().current.state;
    one_left += s[1] != kB;
    one_in_a += s[1] == kA;
    two_left += s[2] != kB;
  }
  const double expected[3] = {1 - std::pow(0.75, 3), 10.0 / 64, 1 - std::pow(11.0 / 12, 3)};
  const std::size_t counted[3] = {one_left, one_in_a, two_left};
  for (int c = 0; c < 3; ++c) {
    const double freq = static_cast<double>(counted[c]) / kTrials;
    INFO("case " << c << ": frequency " << freq << ", exact " << expected[c]);
    CHECK(std::abs(freq - expected[c]) <= four_binomial_se(expected[c], kTrials));
  }
}

namespace {

/// Moments of the A share of the exact finite-N chain of binary agreement on
/// `complete` (MODEL.md 6 as implemented): c committed agents, a uncommitted in
/// A, b in B, m = N - c - a - b in AB. In each interaction the speaker is
/// uniform over the N agents and the listener uniform over the N - 1 others;
/// the moves (speaker -> listener: change) are
///   committed or A -> B: b-1, m+1;   committed or A -> AB: m-1, a+1;
///   B -> A: a-1, m+1;                B -> AB: m-1, b+1;
///   AB voicing A (1/2) -> committed or A: m-1, a+1 (the speaker collapses);
///       -> B: b-1, m+1;  -> AB: m-2, a+2;
///   AB voicing B (1/2) -> A: a-1, m+1;  -> B: m-1, b+1;  -> AB: m-2, b+2;
///       -> committed: nothing.
/// The distribution over (a, b) is propagated one interaction at a time,
/// N per step, exactly.
struct ChainMoments {
  std::vector<double> mean_a, var_a, mean_ab, var_ab;  ///< per step: A share (committed included), AB share
};

ChainMoments agreement_complete_chain(int n, int c, int steps) {
  const int u = n - c;  // uncommitted agents
  const auto w = static_cast<std::size_t>(u) + 1;
  std::vector<double> dist(w * w, 0.0), next(w * w, 0.0);
  auto at = [&](std::vector<double>& d, int a, int b) -> double& {
    return d[static_cast<std::size_t>(a) * w + static_cast<std::size_t>(b)];
  };
  at(dist, 0, u) = 1.0;  // everyone uncommitted starts in B
  ChainMoments out;
  const double nn = n, others = n - 1.0;
  auto record = [&] {
    double ma = 0, ma2 = 0, mm = 0, mm2 = 0;
    for (int a = 0; a <= u; ++a)
      for (int b = 0; a + b <= u; ++b) {
        const double p = at(dist, a, b), xa = (c + a) / nn, xm = (u - a - b) / nn;
        ma += p * xa;
        ma2 += p * xa * xa;
        mm += p * xm;
        mm2 += p * xm * xm;
      }
    out.mean_a.push_back(ma);
    out.var_a.push_back(ma2 - ma * ma);
    out.mean_ab.push_back(mm);
    out.var_ab.push_back(mm2 - mm * mm);
  };
  record();
  for (int t = 1; t <= steps; ++t) {
    for (int k = 0; k < n; ++k) {
      std::fill(next.begin(), next.end(), 0.0);
      for (int a = 0; a <= u; ++a)
        for (int b = 0; a + b <= u; ++b) {
          const double p = at(dist, a, b);
          if (p == 0) continue;
          const int m = u - a - b;
          double stay = 1.0;
          auto move = [&](double prob, int da, int db) {
            if (prob <= 0) return;
            at(next, a + da, b + db) += p * prob;
            stay -= prob;
          };
          const double from_a = (c + a) / nn, from_b = b / nn, from_ab = m / nn;
          move(from_a * b / others, 0, -1);              // A voiced to B: B -> AB
          move(from_a * m / others, 1, 0);               // A voiced to AB: AB -> A
          move(from_b * a / others, -1, 0);              // B voiced to A: A -> AB
          move(from_b * m / others, 0, 1);               // B voiced to AB: AB -> B
          move(0.5 * from_ab * (c + a) / others, 1, 0);  // AB voices A to A: speaker -> A
          move(0.5 * from_ab * b / others, 0, -1);       // AB voices A to B: B -> AB
          move(0.5 * from_ab * (m - 1) / others, 2, 0);  // AB voices A to AB: both -> A
          move(0.5 * from_ab * a / others, -1, 0);       // AB voices B to A: A -> AB
          move(0.5 * from_ab * b / others, 0, 1);        // AB voices B to B: speaker -> B
          move(0.5 * from_ab * (m - 1) / others, 0, 2);  // AB voices B to AB: both -> B
          at(next, a, b) += p * stay;
        }
      dist.swap(next);
    }
    record();
  }
  return out;
}

}  // namespace

// The mean A and AB shares on `complete` follow the exact finite-N chain at
// every step (N = 100; p = 0.06, below p_c, and p = 0.14, above), within 4
// standard errors sqrt(Var / trials) from the chain's own variance.
TEST_CASE("agreement on complete follows the exact finite-N chain at every step", "[stat][agreement]") {
  constexpr int kN = 100;
  constexpr Step kSteps = 40;
  constexpr TrialIndex kTrials = 2000;
  for (const int committed : {6, 14}) {
    const auto x =
        model::parse_experiment("rule = \"agreement\"\n[experiment]\nseed = 2011\ntrials = " + std::to_string(kTrials) +
                                    "\nsteps = " + std::to_string(kSteps) +
                                    "\n[organization]\ngenerator = \"complete\"\nsize = " + std::to_string(kN) +
                                    "\n[champions]\ncount = " + std::to_string(committed) + "\n",
                                "chain.toml", ".");
    struct Sink : experiment::TrialSink {
      std::vector<double> sum_a, sum_ab;
      void write_batch(TrialIndex, const experiment::TrialBatch& out) override {
        for (const auto& c : out.curves[0]) {
          const auto& a = c.share[static_cast<int>(kA)];
          const auto& ab = c.share[static_cast<int>(kAB)];
          sum_a.resize(a.size(), 0.0);
          sum_ab.resize(a.size(), 0.0);
          for (std::size_t t = 0; t < a.size(); ++t) {
            sum_a[t] += a[t];
            sum_ab[t] += ab[t];
          }
        }
      }
    } sink;
    experiment::RunOptions options;
    options.threads = 1;
    experiment::run_experiment(x, options, &sink);
    const ChainMoments exact = agreement_complete_chain(kN, committed, kSteps);
    for (Step t = 0; t <= kSteps; ++t) {
      const auto row = static_cast<std::size_t>(t);
      const double mean_a = sink.sum_a[row] / kTrials, mean_ab = sink.sum_ab[row] / kTrials;
      INFO("p = " << committed / double{kN} << ", step " << t << ": A " << mean_a << " (exact " << exact.mean_a[row]
                  << "), AB " << mean_ab << " (exact " << exact.mean_ab[row] << ")");
      CHECK(std::abs(mean_a - exact.mean_a[row]) <= 4 * std::sqrt(exact.var_a[row] / kTrials) + 1e-6);
      CHECK(std::abs(mean_ab - exact.mean_ab[row]) <= 4 * std::sqrt(exact.var_ab[row] / kTrials) + 1e-6);
    }
  }
}

namespace {

/// Per trial of one scenario: the consensus time, the first step with A share
/// >= 0.99 (nullopt if not reached by T), and the A share at T.
struct Consensus {
  std::vector<double> time;     ///< min(consensus time, T): T for trials that did not reach it
  std::vector<double> final_a;  ///< A share at T
  std::size_t reached = 0;
};

}  // namespace

// Xie et al. (2011), Fig. 1 and 2: on a complete graph a committed minority
// below p_c = 0.0979 leaves the population in a B-dominated mixed state (its
// lifetime grows exponentially with N), while above p_c consensus on A comes
// in a time of order ln N, which falls steeply as p passes p_c. Checked on the
// scenarios of scenarios/validation/critical_mass.toml (N = 500, T = 300
// steps, 60 trials each, seed 2011); consensus = A share >= 0.99:
//   - p = 0.06 and 0.08: most trials do not reach consensus (the share that
//     does is below 1/2 by more than 4 binomial SE at 1/2), and the mean A
//     share at T is below 1/2 by more than 4 SE;
//   - p = 0.12 and 0.14: every trial reaches consensus;
//   - the mean consensus time falls from p = 0.10 to 0.12 to 0.14, each drop
//     more than 4 unpaired SE, and the first drop is larger than the second by
//     more than 4 SE (steep near p_c). Trials at 0.10 that have not reached
//     consensus count as T, which only lowers that mean (conservative).
TEST_CASE("agreement on complete: the consensus time falls steeply as the committed share passes p_c (Xie et al. 2011)",
          "[stat][agreement]") {
  auto x = model::load_experiment(GROUNDSWELL_SOURCE_DIR "/scenarios/validation/critical_mass.toml");
  x.trials = 60;
  const std::vector<std::string> names = {"p0.06", "p0.08", "p0.10", "p0.12", "p0.14"};
  std::vector<model::ScenarioSpec> chosen;
  for (const auto& name : names)
    for (const auto& s : x.scenarios)
      if (s.name == name) chosen.push_back(s);
  REQUIRE(chosen.size() == names.size());
  x.scenarios = chosen;
  struct Sink : experiment::TrialSink {
    std::vector<Consensus> by_scenario;
    Step steps = 0;
    void write_batch(TrialIndex, const experiment::TrialBatch& out) override {
      by_scenario.resize(out.curves.size());
      for (std::size_t s = 0; s < out.curves.size(); ++s)
        for (const auto& c : out.curves[s]) {
          const auto& a = c.share[static_cast<int>(kA)];
          const auto hit = std::find_if(a.begin(), a.end(), [](float share) { return share >= 0.99f; });
          Consensus& r = by_scenario[s];
          r.reached += hit != a.end();
          r.time.push_back(static_cast<double>(hit != a.end() ? hit - a.begin() : steps));
          r.final_a.push_back(a.back());
        }
    }
  } sink;
  sink.steps = x.steps;
  experiment::RunOptions options;
  options.threads = 1;  // the time budget is per core
  experiment::run_experiment(x, options, &sink);
  struct Stat {
    double mean, se;
  };
  auto stat = [](const std::vector<double>& v) {
    double mean = 0, var = 0;
    for (double y : v) mean += y;
    mean /= static_cast<double>(v.size());
    for (double y : v) var += (y - mean) * (y - mean);
    var /= static_cast<double>(v.size() - 1);
    return Stat{mean, std::sqrt(var / static_cast<double>(v.size()))};
  };
  const auto& r = sink.by_scenario;
  const auto trials = static_cast<double>(x.trials);
  for (std::size_t s = 0; s < names.size(); ++s)
    UNSCOPED_INFO(names[s] << ": consensus in " << r[s].reached << " of " << x.trials
                           << " trials, mean time (T = " << x.steps << " if not reached) " << stat(r[s].time).mean
                           << " (SE " << stat(r[s].time).se << "), mean A share at T " << stat(r[s].final_a).mean);
  for (std::size_t s : {0u, 1u}) {  // below p_c
    CHECK(static_cast<double>(r[s].reached) / trials < 0.5 - four_binomial_se(0.5, x.trials));
    const Stat a = stat(r[s].final_a);
    CHECK(a.mean < 0.5 - 4 * a.se);
  }
  for (std::size_t s : {3u, 4u}) CHECK(r[s].reached == x.trials);  // above p_c
  const Stat t10 = stat(r[2].time), t12 = stat(r[3].time), t14 = stat(r[4].time);
  const double drop1 = t10.mean - t12.mean, drop2 = t12.mean - t14.mean;
  const double se1 = std::hypot(t10.se, t12.se), se2 = std::hypot(t12.se, t14.se);
  CHECK(drop1 > 4 * se1);
  CHECK(drop2 > 4 * se2);
  // drop1 - drop2 = t10 - 2 t12 + t14: the three samples are independent
  CHECK(drop1 - drop2 > 4 * std::sqrt(t10.se * t10.se + 4 * t12.se * t12.se + t14.se * t14.se));
}
