#include "groundswell/org/organization.hpp"

#include <algorithm>

namespace groundswell::org {

std::int32_t Organization::depth() const noexcept {
  if (level.empty()) return 0;
  return *std::max_element(level.begin(), level.end()) + 1;
}

InfluenceNetwork build_network(AgentId agent_count, const std::vector<Tie>& ties) {
  InfluenceNetwork net;
  net.offsets.assign(static_cast<std::size_t>(agent_count) + 1, 0);
  for (const Tie& t : ties) ++net.offsets[t.listener + 1];
  for (AgentId i = 0; i < agent_count; ++i) net.offsets[i + 1] += net.offsets[i];
  net.sources.resize(ties.size());
  net.weights.resize(ties.size());
  net.formal.resize(ties.size());
  std::vector<EdgeIndex> cursor(net.offsets.begin(), net.offsets.end() - 1);
  for (const Tie& t : ties) {
    const EdgeIndex e = cursor[t.listener]++;
    net.sources[e] = t.source;
    net.weights[e] = t.weight;
    net.formal[e] = t.formal ? 1 : 0;
  }
  return net;
}

InfluenceNetwork with_extra_ties(const InfluenceNetwork& network, const std::vector<Tie>& extra) {
  const AgentId n = network.agent_count();
  std::vector<Tie> ties;
  ties.reserve(network.edge_count() + extra.size());
  for (AgentId i = 0; i < n; ++i)
    for (EdgeIndex e = network.offsets[i]; e < network.offsets[i + 1]; ++e)
      ties.push_back({i, network.sources[e], network.weights[e], network.formal[e] != 0});
  ties.insert(ties.end(), extra.begin(), extra.end());
  return build_network(n, ties);  // stable: extra ties follow the agent's own
}

bool listens_to(const InfluenceNetwork& network, AgentId listener, AgentId source) {
  for (EdgeIndex e = network.offsets[listener]; e < network.offsets[listener + 1]; ++e)
    if (network.sources[e] == source) return true;
  return false;
}

void mark_formal_leaders(Organization& organization) {
  organization.is_formal_leader.assign(organization.size(), 0);
  for (std::int32_t m : organization.manager)
    if (m != kNoManager) organization.is_formal_leader[static_cast<std::size_t>(m)] = 1;
}

std::vector<double> listened_to(const Organization& organization, bool cross_department_only) {
  const auto& net = organization.network;
  std::vector<double> score(organization.size(), 0.0);
  for (AgentId i = 0; i < organization.size(); ++i) {
    for (EdgeIndex e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
      const AgentId j = net.sources[e];
      if (cross_department_only && organization.department[j] == organization.department[i]) continue;
      score[j] += net.weights[e];
    }
  }
  return score;
}

}  // namespace groundswell::org
