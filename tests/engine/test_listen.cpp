// Phase "listen" of the sdt rule (engine/detail/sdt_kernel.hpp) on a large
// organization: the three ways it reads what sources show (16-byte signals;
// one-byte codes with the knowledge of sources in A read only for them; codes
// with the knowledge always read) must give the same bits, since which runs
// depends on the organization's size and on how many ties come from A.
#include <catch2/catch.hpp>

#include <cstring>

#include "engine/detail/rules.hpp"
#include "engine/detail/sdt_kernel.hpp"
#include "groundswell/org/generate.hpp"
#include "groundswell/random.hpp"

using namespace groundswell;
using namespace groundswell::engine::detail;

namespace {

struct Heard {
  std::vector<float> exposure, support, knowledge, belonging;
  explicit Heard(std::size_t n) : exposure(n), support(n), knowledge(n), belonging(n) {}
  HeardColumns columns() { return {exposure.data(), support.data(), knowledge.data(), belonging.data()}; }
  bool operator==(const Heard& o) const {
    auto same = [](const std::vector<float>& a, const std::vector<float>& b) {
      return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
    };
    return same(exposure, o.exposure) && same(support, o.support) && same(knowledge, o.knowledge) &&
           same(belonging, o.belonging);
  }
};

}  // namespace

TEST_CASE("listen on a large organization: signals, codes and codes with knowledge give the same bits", "[unit]") {
  model::ScenarioSpec spec;
  spec.organization.size = 140000;  // beyond kSignalsInCache: the large path
  REQUIRE(large_organization(spec.organization.size));
  const org::Organization base = org::generate_organization(spec.organization, 7);
  const engine::TrialSetup setup = engine::prepare_trial(spec, 7, 0, base);
  const AgentId n = setup.organization.size();
  const auto& net = setup.organization.network;
  TrialContext ctx{spec, setup, CounterStream(11), 0, inverse_total_weights(net), {}, nullptr};
  engine::RunState s;
  s.current = setup.agents;
  Workspace w;
  sdt_start(ctx, s, w);
  // Every state, champions in all of them, and a share in A on both sides of
  // the switch between the two ways of reading knowledge.
  const double in_a = GENERATE(0.02, 0.5);
  PhiloxEngine rng(19);
  constexpr State kNotA[] = {State::N, State::C, State::R};
  for (AgentId i = 0; i < n; ++i) {
    s.current.state[i] = rng.uniform() < in_a ? State::A : kNotA[static_cast<int>(rng.uniform() * 3)];
    s.champion[i] = rng.uniform() < 0.1;
    s.current.competence[i] = static_cast<float>(rng.uniform());
  }
  const model::SdtParams& p = spec.sdt;
  const SdtStep step{
      ctx,        s, w, 1, 0.0f, 0.0f, {0.0f, static_cast<float>(p.gamma_c), 1.0f, -static_cast<float>(p.gamma_r)},
      SdtRates(p)};
  w.signal.assign(n, Signal{});
  step.publish<false>(0, n);
  step.publish<true>(0, n);

  Heard signals(n), codes(n), codes_and_knowledge(n);
  step.listen<false>(0, n, signals.columns());
  const std::size_t sampled = step.listen<true, false>(0, n, codes.columns());
  REQUIRE(step.listen<true, true>(0, n, codes_and_knowledge.columns()) == sampled);
  CHECK(signals == codes);
  CHECK(signals == codes_and_knowledge);

  // The sample: every 64th agent's first tie, whether its source is in A.
  std::size_t expected = 0;
  for (AgentId i = 0; i < n; i += SdtStep::kSampleEvery)
    if (net.offsets[i] < net.offsets[i + 1]) expected += s.current.state[net.sources[net.offsets[i]]] == State::A;
  CHECK(sampled == expected);
  CHECK(expected > 0);

  // In blocks, as the step runs it, the same sums and the same sample.
  Heard blocks(n);
  std::size_t sampled_in_blocks = 0;
  for (std::size_t b = 0; b < n; b += 10007)
    sampled_in_blocks += step.listen<true, true>(b, std::min<std::size_t>(10007, n - b), blocks.columns().at(b));
  CHECK(blocks == signals);
  CHECK(sampled_in_blocks == sampled);
}
