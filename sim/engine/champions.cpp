// What a trial starts from (MODEL.md 3 and 4): initial agents, champions,
// coalition and connectors, all drawn from (seed, trial) streams.
#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <numeric>
#include <unordered_set>
#include "groundswell/distributions.hpp"

#include "groundswell/engine/trial.hpp"
#include "groundswell/org/exposure.hpp"
#include "groundswell/org/hierarchy.hpp"
#include "groundswell/random.hpp"

namespace groundswell::engine {

std::uint64_t organization_key(std::uint64_t seed, TrialIndex trial) {
  return stream_key(Purpose::Organization, seed, trial);
}

std::uint64_t dynamics_key(std::uint64_t seed, const std::string& scenario, TrialIndex trial) {
  return stream_key(Purpose::Dynamics, seed, name_hash(scenario), trial);
}

void draw_initial_agents(const model::AgentSpec& spec, bool with_resisters, AgentId n, std::uint64_t key,
                         AgentArrays& agents, std::vector<float>& threshold) {
  PhiloxEngine rng(key);
  BetaSampler autonomy(spec.autonomy_a, spec.autonomy_b);
  BetaSampler competence(spec.competence_a, spec.competence_b);
  BetaSampler relatedness(spec.relatedness_a, spec.relatedness_b);
  boost::random::normal_distribution<double> theta(spec.threshold_mean, spec.threshold_sd);
  agents.resize(n);
  threshold.resize(n);
  for (AgentId i = 0; i < n; ++i) {
    agents.autonomy[i] = static_cast<float>(autonomy(rng));
    agents.competence[i] = static_cast<float>(competence(rng));
    agents.relatedness[i] = static_cast<float>(relatedness(rng));
    threshold[i] = static_cast<float>(std::clamp(spec.threshold_sd > 0 ? theta(rng) : spec.threshold_mean, 0.0, 1.0));
    const bool resists = rng.uniform() < spec.initial_resisters;  // drawn always: same stream for every rule
    agents.state[i] = with_resisters && resists ? State::R : State::N;
  }
}

namespace {

/// Agents ordered by score, highest first, ties by lower id.
std::vector<AgentId> by_score(const std::vector<double>& score) {
  std::vector<AgentId> order(score.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](AgentId a, AgentId b) { return score[a] > score[b]; });
  return order;
}

}  // namespace

std::vector<AgentId> select_champions(const org::Organization& o, const model::ChampionSpec& spec, std::uint64_t key) {
  const AgentId n = o.size();
  if (spec.count > n)
    throw InputError("champions.count = " + std::to_string(spec.count) + " exceeds the organization's " +
                     std::to_string(n) + " agents");
  std::vector<AgentId> chosen;
  if (spec.count == 0) return chosen;
  switch (spec.selection) {
    case model::Selection::Random: {  // partial Fisher-Yates
      PhiloxEngine rng(key);
      std::vector<AgentId> pool(n);
      std::iota(pool.begin(), pool.end(), 0);
      for (AgentId k = 0; k < spec.count; ++k) {
        boost::random::uniform_int_distribution<AgentId> pick(k, n - 1);
        std::swap(pool[k], pool[pick(rng)]);
      }
      chosen.assign(pool.begin(), pool.begin() + spec.count);
      break;
    }
    case model::Selection::Formal: {  // top of the org chart first, breadth-first
      std::vector<AgentId> order(n);
      std::iota(order.begin(), order.end(), 0);
      std::stable_sort(order.begin(), order.end(), [&](AgentId a, AgentId b) { return o.level[a] < o.level[b]; });
      chosen.assign(order.begin(), order.begin() + spec.count);
      break;
    }
    case model::Selection::Central:
    case model::Selection::Bridging: {
      const auto order = by_score(org::listened_to(o, spec.selection == model::Selection::Bridging));
      chosen.assign(order.begin(), order.begin() + spec.count);
      break;
    }
    case model::Selection::Distributed: {  // round-robin over departments
      const auto order = by_score(org::listened_to(o, false));
      std::vector<std::vector<AgentId>> members(static_cast<std::size_t>(o.department_count));
      for (AgentId i : order) members[static_cast<std::size_t>(o.department[i])].push_back(i);
      std::vector<std::size_t> next(members.size(), 0);
      while (chosen.size() < spec.count)
        for (std::size_t d = 0; d < members.size() && chosen.size() < spec.count; ++d)
          if (next[d] < members[d].size()) chosen.push_back(members[d][next[d]++]);
      break;
    }
  }
  return chosen;
}

void add_coalition(org::Organization& o, const std::vector<AgentId>& champions) {
  auto& net = o.network;
  net.symmetric = false;  // weights change in place and extra ties go after each row
  std::vector<org::Tie> extra;
  for (AgentId i : champions)
    for (AgentId j : champions) {
      if (i == j) continue;
      bool tied = false;
      for (EdgeIndex e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
        if (net.sources[e] == j) {
          net.weights[e] = std::max(net.weights[e], 1.0f);  // one tie per pair: max(w_ij, 1)
          tied = true;
        }
      if (!tied) extra.push_back({i, j, 1.0f, false});
    }
  if (!extra.empty()) o.network = org::with_extra_ties(o.network, extra);
}

namespace {

/// Unordered pair {i, j} as one number.
std::uint64_t pair_key(AgentId i, AgentId j) {
  const auto lo = static_cast<std::uint64_t>(std::min(i, j)), hi = static_cast<std::uint64_t>(std::max(i, j));
  return lo << 32 | hi;
}

/// How many pairs of agents in different departments no tie joins, in either direction.
std::uint64_t open_cross_pairs(const org::Organization& o) {
  std::vector<std::uint64_t> size(static_cast<std::size_t>(o.department_count), 0);
  for (AgentId i = 0; i < o.size(); ++i) ++size[static_cast<std::size_t>(o.department[i])];
  const std::uint64_t n = o.size();
  std::uint64_t same = 0;
  for (std::uint64_t d : size) same += d * d;
  const std::uint64_t cross = (n * n - same) / 2;
  std::vector<std::uint64_t> tied;
  const auto& net = o.network;
  for (AgentId i = 0; i < o.size(); ++i)
    for (EdgeIndex e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
      if (o.department[net.sources[e]] != o.department[i]) tied.push_back(pair_key(i, net.sources[e]));
  std::sort(tied.begin(), tied.end());
  return cross - static_cast<std::uint64_t>(std::unique(tied.begin(), tied.end()) - tied.begin());
}

}  // namespace

void add_bridges(org::Organization& o, std::uint32_t count, double trust_a, double trust_b, std::uint64_t key) {
  if (count == 0) return;
  if (o.department_count < 2)
    throw InputError("connectors.bridges = " + std::to_string(count) +
                     " needs at least two departments; this organization has one");
  if (const std::uint64_t open = open_cross_pairs(o); open < count)
    throw InputError("connectors.bridges = " + std::to_string(count) + " exceeds the " + std::to_string(open) +
                     " pairs of agents in different departments not yet tied; use at most " + std::to_string(open));
  PhiloxEngine rng(key);
  boost::random::uniform_int_distribution<AgentId> any(0, o.size() - 1);
  BetaSampler trust(trust_a, trust_b);
  std::vector<org::Tie> extra;
  extra.reserve(2 * std::size_t{count});
  std::unordered_set<std::uint64_t> bridged;
  bridged.reserve(count);
  auto taken = [&](AgentId i, AgentId j) {
    return o.department[i] == o.department[j] || org::listens_to(o.network, i, j) || org::listens_to(o.network, j, i) ||
           bridged.count(pair_key(i, j)) != 0;
  };
  for (std::uint32_t b = 0; b < count; ++b) {
    AgentId i, j;
    do {
      i = any(rng);
      j = any(rng);
    } while (taken(i, j));
    bridged.insert(pair_key(i, j));
    extra.push_back({i, j, static_cast<float>(trust(rng)), false});
    extra.push_back({j, i, static_cast<float>(trust(rng)), false});
  }
  o.network = org::with_extra_ties(o.network, extra);
}

std::vector<std::uint8_t> draw_market_potential(double m, AgentId n, std::uint64_t key) {
  const CounterStream rng(key);
  std::vector<std::uint8_t> in(n);
  for (AgentId i = 0; i < n; ++i) in[i] = to_unit(rng.bits(0, i)[0]) < m ? 1 : 0;
  return in;
}

TrialSetup prepare_trial(const model::ScenarioSpec& spec, std::uint64_t seed, TrialIndex trial,
                         const org::Organization& base, const TrialVariant& variant) {
  TrialSetup setup;
  draw_initial_agents(spec.agents, spec.rule == model::Rule::Sdt, base.size(), stream_key(Purpose::Traits, seed, trial),
                      setup.agents, setup.threshold);
  if (spec.rule == model::Rule::Bass && spec.bass.market_potential < 1)
    setup.in_potential =
        draw_market_potential(spec.bass.market_potential, base.size(), stream_key(Purpose::Potential, seed, trial));
  if (variant.without) {  // a departure: the others keep the traits they would have had
    const AgentId gone = *variant.without;
    setup.organization = org::without_agent(base, gone);
    const auto at = static_cast<std::ptrdiff_t>(gone);
    auto& a = setup.agents;
    a.state.erase(a.state.begin() + at);
    a.autonomy.erase(a.autonomy.begin() + at);
    a.competence.erase(a.competence.begin() + at);
    a.relatedness.erase(a.relatedness.begin() + at);
    setup.threshold.erase(setup.threshold.begin() + at);
    if (!setup.in_potential.empty()) setup.in_potential.erase(setup.in_potential.begin() + at);
  } else {
    setup.organization = base;
  }
  const org::Organization& o = setup.organization;
  // For hierarchy organizations the scenario parser reports this; an
  // organization read from files is known only now.
  if (spec.mandate.issuers == model::Issuers::Leaders && spec.mandate.levels >= o.depth())
    throw InputError("mandate.levels = " + std::to_string(spec.mandate.levels) +
                     " is beyond the organization's depth (levels 0.." + std::to_string(o.depth() - 1) + ")");
  const AgentId n = o.size();
  if (variant.champions) {
    setup.champions = *variant.champions;
    for (AgentId c : setup.champions)
      if (c >= n)
        throw InputError("change agent " + std::to_string(c) + " is not in the organization of " + std::to_string(n) +
                         " agents");
  } else {
    setup.champions = select_champions(o, spec.champions, stream_key(Purpose::Champions, seed, trial));
  }
  setup.is_champion.assign(n, 0);
  for (AgentId c : setup.champions) {
    setup.is_champion[c] = 1;
    setup.agents.state[c] = State::A;
    setup.agents.competence[c] = std::max(setup.agents.competence[c], 0.8f);
  }
  if (spec.champions.coalition) add_coalition(setup.organization, setup.champions);
  add_bridges(setup.organization, spec.bridges, spec.organization.trust_a, spec.organization.trust_b,
              stream_key(Purpose::Bridges, seed, trial));
  if (spec.exposure.definition == model::ExposureDefinition::StructuralEquivalence)
    setup.organization.network = org::structural_equivalence_network(setup.organization, spec.exposure.power);
  return setup;
}

}  // namespace groundswell::engine
