#include "groundswell/org/organization.hpp"

#include <algorithm>

namespace groundswell::org {

std::int32_t Organization::depth() const noexcept {
  if (level.empty()) return 0;
  return *std::max_element(level.begin(), level.end()) + 1;
}

namespace {

/// Writes each tie at its listener's cursor (the next free in-edge slot), in order.
void place_ties(const std::vector<Tie>& ties, std::vector<EdgeIndex>& cursor, InfluenceNetwork& net) {
  for (const Tie& t : ties) {
    const EdgeIndex e = cursor[t.listener]++;
    net.sources[e] = t.source;
    net.weights[e] = t.weight;
    net.formal[e] = t.formal ? 1 : 0;
  }
}

}  // namespace

InfluenceNetwork build_network(AgentId agent_count, const std::vector<Tie>& ties) {
  InfluenceNetwork net;
  net.offsets.assign(static_cast<std::size_t>(agent_count) + 1, 0);
  for (const Tie& t : ties) ++net.offsets[t.listener + 1];
  for (AgentId i = 0; i < agent_count; ++i) net.offsets[i + 1] += net.offsets[i];
  net.sources.resize(ties.size());
  net.weights.resize(ties.size());
  net.formal.resize(ties.size());
  std::vector<EdgeIndex> cursor(net.offsets.begin(), net.offsets.end() - 1);
  place_ties(ties, cursor, net);
  return net;
}

InfluenceNetwork with_extra_ties(const InfluenceNetwork& network, const std::vector<Tie>& extra) {
  // Each agent's own ties, then its extra ties in the order given: merged
  // straight into CSR, without sorting all ties again.
  const AgentId n = network.agent_count();
  std::vector<EdgeIndex> added(static_cast<std::size_t>(n) + 1, 0);
  for (const Tie& t : extra) ++added[t.listener + 1];
  InfluenceNetwork net;
  net.offsets.resize(static_cast<std::size_t>(n) + 1);
  net.offsets[0] = 0;
  for (AgentId i = 0; i < n; ++i) {
    added[i + 1] += added[i];  // now: extra ties of agents before i + 1
    net.offsets[i + 1] = network.offsets[i + 1] + added[i + 1];
  }
  const std::size_t total = network.edge_count() + extra.size();
  net.sources.resize(total);
  net.weights.resize(total);
  net.formal.resize(total);
  std::vector<EdgeIndex> cursor(n);
  for (AgentId i = 0; i < n; ++i) {
    const EdgeIndex from = network.offsets[i], count = network.offsets[i + 1] - from, to = net.offsets[i];
    std::copy_n(network.sources.begin() + from, count, net.sources.begin() + to);
    std::copy_n(network.weights.begin() + from, count, net.weights.begin() + to);
    std::copy_n(network.formal.begin() + from, count, net.formal.begin() + to);
    cursor[i] = to + count;
  }
  place_ties(extra, cursor, net);
  return net;
}

InfluenceNetwork transpose(const InfluenceNetwork& in) {
  // Counting sort of the in-edges by source, visiting listeners in order:
  // what build_network makes of the reversed ties, without the tie list.
  const AgentId n = in.agent_count();
  InfluenceNetwork out;
  out.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  for (AgentId j : in.sources) ++out.offsets[j + 1];
  for (AgentId j = 0; j < n; ++j) out.offsets[j + 1] += out.offsets[j];
  out.sources.resize(in.edge_count());
  out.weights.resize(in.edge_count());
  out.formal.resize(in.edge_count());
  std::vector<EdgeIndex> cursor(out.offsets.begin(), out.offsets.end() - 1);
  for (AgentId i = 0; i < n; ++i)
    for (EdgeIndex e = in.offsets[i]; e < in.offsets[i + 1]; ++e) {
      const EdgeIndex f = cursor[in.sources[e]]++;
      out.sources[f] = i;
      out.weights[f] = in.weights[e];
      out.formal[f] = in.formal[e];
    }
  return out;
}

bool is_own_transpose(const InfluenceNetwork& network) {
  // Visiting listeners i in order, the transpose's row j would list them in
  // that order: each tie i <- j must be the next unmatched entry of row j.
  const AgentId n = network.agent_count();
  std::vector<EdgeIndex> cursor(network.offsets.begin(), network.offsets.end() - 1);
  for (AgentId i = 0; i < n; ++i)
    for (EdgeIndex e = network.offsets[i]; e < network.offsets[i + 1]; ++e) {
      const AgentId j = network.sources[e];
      if (j >= n || cursor[j] == network.offsets[j + 1]) return false;
      const EdgeIndex f = cursor[j]++;
      if (network.sources[f] != i || network.weights[f] != network.weights[e] || network.formal[f] != network.formal[e])
        return false;
    }
  for (AgentId j = 0; j < n; ++j)
    if (cursor[j] != network.offsets[j + 1]) return false;
  return true;
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
