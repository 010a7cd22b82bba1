// [seed]: same seed same bits for any thread count; different seeds differ;
// common random numbers pair the scenarios of a trial (MODEL.md 7).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "groundswell/engine/isa.hpp"
#include "groundswell/experiment/ensemble.hpp"
#include "groundswell/experiment/parallel.hpp"
#include "groundswell/model/scenario.hpp"

using namespace groundswell;

namespace {

const char* kExperiment = R"(
rule = "sdt"
[experiment]
seed = 99
trials = 24
steps = 40
[organization]
size = 400
[[scenario]]
name = "top_down"
mandate = { issuers = "top" }
[[scenario]]
name = "distributed"
champions = { count = 8, selection = "distributed", coalition = true }
connectors = { bridges = 5 }
[[scenario]]
name = "random_hybrid"
champions = { count = 8, selection = "random" }
formalization = { at = 0.2 }
)";

const char* kLarge = R"(
rule = "sdt"
[experiment]
seed = 5
trials = 2
steps = 15
[organization]
size = 40000
[[scenario]]
name = "hybrid"
mandate = { issuers = "leaders", levels = 2 }
champions = { count = 400, selection = "distributed", coalition = true }
formalization = { at = 0.05 }
)";

// The v2 paths (MODEL.md 3, 4): burnout (fast, so that it happens), a coalition
// over existing ties, connectors, issuers who only press, formalization that
// only gives resources and presses, and a large organization whose agents are
// updated in parallel inside one trial.
const char* kV2 = R"(
rule = "sdt"
[experiment]
seed = 314
trials = 24
steps = 40
[organization]
size = 400
[sdt]
lambda_b = 0.3
[[scenario]]
name = "coalition_burnout"
champions = { count = 10, selection = "distributed", coalition = true }
connectors = { bridges = 20 }
record = { credit = true }
[[scenario]]
name = "pressing_issuers"
mandate = { issuers = "leaders", levels = 1, issuers_adopt = false, half_life = inf }
champions = { count = 6, selection = "central" }
[[scenario]]
name = "formal_pressure"
champions = { count = 10, selection = "random" }
formalization = { at = 0.1, leaders_adopt = false, pressure = 0.5 }
)";

const char* kV2Large = R"(
rule = "sdt"
[experiment]
seed = 27
trials = 2
steps = 12
[organization]
size = 40000
[sdt]
lambda_b = 0.3
[[scenario]]
name = "v2_large"
mandate = { issuers = "leaders", levels = 2, issuers_adopt = false }
champions = { count = 400, selection = "distributed", coalition = true }
connectors = { bridges = 100 }
formalization = { at = 0.05, leaders_adopt = false, pressure = 0.3 }
)";

// Binary agreement (MODEL.md 6): N interactions in sequence per step, each
// from its own counter (step, interaction); weighted listeners (hierarchy,
// alias tables) and equal ones (complete, erdos_renyi); attribution to the
// last agent that moved each entry into A.
const char* kAgreement = R"(
rule = "agreement"
[experiment]
seed = 2011
trials = 24
steps = 40
[organization]
size = 400
[[scenario]]
name = "hierarchy"
champions = { count = 48, selection = "distributed" }
record = { credit = true }
[[scenario]]
name = "complete"
organization = { generator = "complete", size = 200 }
champions = { count = 24, selection = "random" }
[[scenario]]
name = "erdos_renyi_bridges"
organization = { generator = "erdos_renyi", mean_degree = 6, departments = 4 }
champions = { count = 40, selection = "central", coalition = true }
connectors = { bridges = 20 }
)";

/// Keeps every curve of every trial, in trial order. No Catch2 assertion in
/// here: a test below runs two ensembles on two threads, and Catch2 is not
/// thread-safe; identical() checks the order instead.
struct Collector : experiment::TrialSink {
  std::vector<std::vector<engine::TrialCurves>> curves;
  std::vector<std::vector<engine::TrialAttribution>> attribution;
  bool in_order = true;  ///< every batch started where the one before ended
  void write_batch(TrialIndex first, const experiment::TrialBatch& out) override {
    const auto& batch = out.curves;
    curves.resize(batch.size());
    attribution.resize(batch.size());
    for (std::size_t s = 0; s < batch.size(); ++s) {
      in_order = in_order && curves[s].size() == first;
      curves[s].insert(curves[s].end(), batch[s].begin(), batch[s].end());
      attribution[s].insert(attribution[s].end(), out.attribution[s].begin(), out.attribution[s].end());
    }
  }
};

Collector run(const model::ExperimentSpec& x, unsigned threads, TrialIndex batch) {
  Collector c;
  experiment::RunOptions options;
  options.threads = threads;
  options.batch_trials = batch;
  experiment::run_experiment(x, options, &c);
  return c;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  // memcmp of two empty vectors would get null pointers (undefined behaviour)
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

bool identical(const Collector& a, const Collector& b) {
  if (!a.in_order || !b.in_order || a.curves.size() != b.curves.size()) return false;
  for (std::size_t s = 0; s < a.curves.size(); ++s) {
    if (a.curves[s].size() != b.curves[s].size()) return false;
    for (std::size_t k = 0; k < a.curves[s].size(); ++k) {
      const auto& x = a.curves[s][k];
      const auto& y = b.curves[s][k];
      for (int st = 0; st < kStateCount; ++st)
        if (!same_bits(x.share[st], y.share[st])) return false;
      if (!same_bits(x.mean_autonomy, y.mean_autonomy) || !same_bits(x.mean_competence, y.mean_competence) ||
          !same_bits(x.mean_relatedness, y.mean_relatedness) || !same_bits(x.mean_pressure, y.mean_pressure) ||
          !same_bits(x.department_adopted, y.department_adopted) ||
          !same_bits(x.department_internalized, y.department_internalized) || x.active_champions != y.active_champions)
        return false;
      // attribution too (MODEL.md 7): causes, credit by role, credit by agent
      const auto& u = a.attribution[s][k];
      const auto& v = b.attribution[s][k];
      for (int c = 0; c < engine::kCauseCount; ++c)
        if (!same_bits(u.entries[c], v.entries[c])) return false;
      for (int r = 0; r < engine::kRoleCount; ++r)
        if (!same_bits(u.credit[r], v.credit[r])) return false;
      if (!same_bits(u.entries_complying, v.entries_complying) || !same_bits(u.credit_by_agent, v.credit_by_agent))
        return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("results are bit-identical for 1, 2 and 8 threads and any batch size", "[seed]") {
  const auto x = model::parse_experiment(kExperiment, "determinism.toml", ".");
  const Collector one = run(x, 1, 0);
  CHECK(identical(one, run(x, 2, 0)));
  CHECK(identical(one, run(x, 8, 0)));
  CHECK(identical(one, run(x, 8, 5)));  // batches of 5 trials: 24 is not a multiple
}

TEST_CASE("a different seed gives different results", "[seed]") {
  auto x = model::parse_experiment(kExperiment, "determinism.toml", ".");
  const Collector a = run(x, 2, 0);
  x.seed = 100;
  CHECK_FALSE(identical(a, run(x, 2, 0)));
}

TEST_CASE("the trials of all scenarios share their organization and initial state", "[seed]") {
  const auto x = model::parse_experiment(kExperiment, "determinism.toml", ".");
  const Collector c = run(x, 2, 0);
  for (std::size_t k = 0; k < x.trials; ++k) {
    // step 0: same traits, same resisters in every scenario, except that the
    // 8 champions of 400 start in A whatever their draw (5% resisters: P(none) ~ 1e-9)
    const float resisting = c.curves[0][k].share[3][0];
    CHECK(resisting > 0.0f);
    for (std::size_t s : {1u, 2u}) {
      CHECK(c.curves[s][k].share[3][0] <= resisting);
      CHECK(c.curves[s][k].share[3][0] >= resisting - 8.0f / 400.0f - 1e-6f);
    }
    CHECK(c.curves[0][k].mean_autonomy[0] == c.curves[1][k].mean_autonomy[0]);
    CHECK(c.curves[0][k].mean_relatedness[0] == c.curves[2][k].mean_relatedness[0]);
  }
  // ... and trials differ from each other
  CHECK(c.curves[0][0].mean_autonomy[0] != c.curves[0][1].mean_autonomy[0]);
}

TEST_CASE("a scenario's results do not depend on the other scenarios in the file", "[seed]") {
  const auto x = model::parse_experiment(kExperiment, "determinism.toml", ".");
  auto only = x;
  only.scenarios.erase(only.scenarios.begin());  // drop top_down
  const Collector all = run(x, 2, 0), alone = run(only, 2, 0);
  for (std::size_t k = 0; k < x.trials; ++k) CHECK(same_bits(all.curves[1][k].share[2], alone.curves[0][k].share[2]));
}

TEST_CASE("agents updated in parallel inside one trial give the same bits for 1, 2 and 8 threads", "[seed]") {
  // 40000 agents: several blocks of agents, so the step and the recorder go parallel.
  const auto x = model::parse_experiment(kLarge, "large.toml", ".");
  const Collector one = run(x, 1, 0);
  CHECK(identical(one, run(x, 2, 0)));
  CHECK(identical(one, run(x, 8, 0)));
}

// Each job runs in a task arena of its own (experiment/parallel.hpp): no
// process-wide thread limit, so a host can run jobs of different sizes at once.
TEST_CASE("two ensembles run at once with different thread counts give the bits of each alone", "[seed]") {
  const auto small = model::parse_experiment(kExperiment, "determinism.toml", ".");
  const auto large = model::parse_experiment(kLarge, "large.toml", ".");
  const Collector small_alone = run(small, 1, 0), large_alone = run(large, 3, 0);
  Collector small_together, large_together;
  std::thread other([&] { large_together = run(large, 3, 0); });
  small_together = run(small, 1, 0);
  other.join();
  CHECK(identical(small_alone, small_together));
  CHECK(identical(large_alone, large_together));
  // ... and the other way round: many threads on the small one, one on the large one
  Collector small_many, large_one;
  std::thread first([&] { small_many = run(small, 4, 5); });
  large_one = run(large, 1, 0);
  first.join();
  CHECK(identical(small_alone, small_many));
  CHECK(identical(large_alone, large_one));
}

TEST_CASE("for_each_index runs every index once on at most its own thread count", "[unit]") {
  // A one-thread job stays on one thread while a four-thread job runs beside it.
  std::vector<int> ran_one(200, 0), ran_four(200, 0);
  std::set<std::thread::id> threads_one;
  std::mutex m;
  std::thread other([&] {
    experiment::for_each_index(ran_four.size(), 4, [&](std::size_t i) {
      ++ran_four[i];
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    });
  });
  experiment::for_each_index(ran_one.size(), 1, [&](std::size_t i) {
    ++ran_one[i];
    const std::lock_guard<std::mutex> lock(m);
    threads_one.insert(std::this_thread::get_id());
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  });
  other.join();
  CHECK(threads_one.size() == 1);
  CHECK(std::count(ran_one.begin(), ran_one.end(), 1) == 200);
  CHECK(std::count(ran_four.begin(), ran_four.end(), 1) == 200);
  experiment::for_each_index(0, 2, [](std::size_t) { FAIL("no index"); });
  CHECK_THROWS_AS(experiment::for_each_index(10, 2,
                                             [](std::size_t i) {
                                               if (i == 7) throw std::runtime_error("seven");
                                             }),
                  std::runtime_error);
}

namespace {

/// The same bits for 1, 2 and 8 threads and batches of 5; another seed differs.
void check_thread_invariant(const char* text, const char* name) {
  INFO(name);
  const auto x = model::parse_experiment(text, name, ".");
  const Collector one = run(x, 1, 0);
  CHECK(identical(one, run(x, 2, 0)));
  CHECK(identical(one, run(x, 8, 0)));
  CHECK(identical(one, run(x, 8, 5)));
  auto other = x;
  other.seed += 1;
  CHECK_FALSE(identical(one, run(other, 2, 0)));
}

}  // namespace

TEST_CASE(
    "v2 paths (burnout, issuers_adopt, formalization pressure, connectors) are bit-identical for 1, 2 and 8 threads",
    "[seed]") {
  check_thread_invariant(kV2, "v2.toml");
  check_thread_invariant(kV2Large, "v2_large.toml");
}

TEST_CASE("agreement is bit-identical for 1, 2 and 8 threads, a different seed differs", "[seed]") {
  check_thread_invariant(kAgreement, "agreement.toml");
}

namespace {

// Issue 21: bass with a time-varying outside influence and a market
// potential, and both classic rules on structural-equivalence exposure.
const char* kBassExtensions = R"(
rule = "bass"
[experiment]
seed = 21
trials = 24
steps = 30
[organization]
size = 150
[bass]
p = 0.01
q = 0.4
[champions]
count = 3
[[scenario]]
name = "linear_potential"
bass = { outside = "linear", p_end = 0.05, market_potential = 0.7 }
[[scenario]]
name = "piecewise"
bass = { outside = "piecewise", p_2 = 0.05, period_2 = 5, p_3 = 0.001, period_3 = 20 }
[[scenario]]
name = "structural_equivalence"
bass = { market_potential = 0.8 }
exposure = { definition = "structural_equivalence", power = 1.5 }
[[scenario]]
name = "threshold_se"
rule = "threshold"
champions = { count = 20 }
exposure = { definition = "structural_equivalence" }
)";

/// The curves and attribution of every trial of the one scenario of `text`.
Collector run_text(const std::string& text, unsigned threads) {
  return run(model::parse_experiment(text, "bass_defaults.toml", "."), threads, 0);
}

}  // namespace

TEST_CASE(
    "bass outside influence, market potential and structural equivalence are bit-identical for 1, 2 and 8 threads",
    "[seed]") {
  check_thread_invariant(kBassExtensions, "bass_extensions.toml");
}

// The defaults leave every bit as it was: a constant p, m = 1 (no draw),
// cohesion exposure; so do a linear p with p_end = p (p + 0 x ... = p) and
// three periods of the same p.
TEST_CASE("bass defaults, m = 1 and schedules of one value give the bits of plain bass", "[seed]") {
  const std::string head =
      "rule = \"bass\"\n[experiment]\nseed = 7\ntrials = 12\nsteps = 25\n[organization]\nsize = 300\n"
      "[champions]\ncount = 2\n[bass]\np = 0.02\nq = 0.5\n";
  const Collector plain = run_text(head, 2);
  CHECK(identical(plain, run_text(head + "outside = \"constant\"\nmarket_potential = 1.0\n"
                                         "[exposure]\ndefinition = \"cohesion\"\npower = 3\n",
                                  2)));
  CHECK(identical(plain, run_text(head + "outside = \"linear\"\np_end = 0.02\n", 2)));
  CHECK(identical(plain, run_text(head + "outside = \"piecewise\"\np_2 = 0.02\nperiod_2 = 4\np_3 = 0.02\n"
                                         "period_3 = 9\n",
                                  2)));
  CHECK_FALSE(identical(plain, run_text(head + "market_potential = 0.9\n", 2)));
  CHECK_FALSE(identical(plain, run_text(head + "outside = \"linear\"\np_end = 0.03\n", 2)));
}

namespace {

// The step function of Granovetter (tau = 0) and the smooth pull, with a
// mandate that lapses, champions who burn out and formal pressure: every
// branch of the agent pass, on an organization whose size is not a multiple
// of 16 lanes.
const char* kEveryBranch = R"(
rule = "sdt"
[experiment]
seed = 4242
trials = 12
steps = 30
[organization]
size = 397
[sdt]
lambda_b = 0.2
[[scenario]]
name = "step_pull"
sdt = { tau = 0 }
mandate = { issuers = "leaders", levels = 2, half_life = 6 }
champions = { count = 9, selection = "distributed", coalition = true }
[[scenario]]
name = "smooth_pull"
mandate = { issuers = "top", half_life = inf }
champions = { count = 9, selection = "random" }
formalization = { at = 0.1, pressure = 0.4 }
)";

// More than 131,072 agents: their 16-byte signals pass the 2 MiB that
// engine/detail/sdt_kernel.hpp takes for cache (kSignalsInCache), so the
// listen pass of its own reads the compact signals.
const char* kOutOfCache = R"(
rule = "sdt"
[experiment]
seed = 65537
trials = 1
steps = 5
[organization]
size = 140000
[sdt]
lambda_b = 0.3
[[scenario]]
name = "out_of_cache"
mandate = { issuers = "leaders", levels = 2, half_life = 3 }
champions = { count = 700, selection = "distributed", coalition = true }
formalization = { at = 0.02, pressure = 0.3 }
)";
static_assert(70000 * 16 > (1 << 20), "kOutOfCache must be a large organization");

}  // namespace

TEST_CASE("the sdt rule gives the same bits on every instruction-set path this processor runs", "[seed]") {
  const engine::InstructionSet before = engine::instruction_set();
  const auto paths = engine::supported_instruction_sets();
  if (paths.size() == 1) WARN("this processor runs only sse2: one path, nothing to compare");
  if (paths.size() < 3) WARN("this processor has no AVX-512, the only path where the compiler could fuse a * b + c");
  for (const auto& [text, name] :
       {std::pair{kEveryBranch, "every_branch.toml"}, std::pair{kV2, "v2.toml"}, std::pair{kV2Large, "v2_large.toml"},
        std::pair{kLarge, "large.toml"}, std::pair{kOutOfCache, "out_of_cache.toml"}}) {
    const auto x = model::parse_experiment(text, name, ".");
    engine::set_instruction_set(engine::InstructionSet::sse2);
    const Collector sse2 = run(x, 2, 0);
    for (const engine::InstructionSet isa : paths) {
      INFO(name << " on " << engine::name(isa) << " against sse2");
      engine::set_instruction_set(isa);
      CHECK(identical(sse2, run(x, 2, 0)));
    }
  }
  engine::set_instruction_set(before);
}

TEST_CASE("instruction sets are named, parsed and refused when the processor lacks them", "[unit]") {
  for (const engine::InstructionSet isa :
       {engine::InstructionSet::sse2, engine::InstructionSet::avx2, engine::InstructionSet::avx512})
    CHECK(engine::parse_instruction_set(engine::name(isa)) == isa);
  CHECK_FALSE(engine::parse_instruction_set("avx").has_value());
  CHECK_FALSE(engine::parse_instruction_set("SSE2").has_value());
  const auto paths = engine::supported_instruction_sets();
  REQUIRE_FALSE(paths.empty());
  CHECK(paths.front() == engine::InstructionSet::sse2);
  if (paths.size() < 3)
    CHECK_THROWS_WITH(engine::set_instruction_set(engine::InstructionSet::avx512),
                      Catch::Contains("this processor does not run avx512"));
}
