// Structural equivalence exposure (include/groundswell/org/exposure.hpp).
#include "groundswell/org/exposure.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "groundswell/model/scenario.hpp"

namespace groundswell::org {
namespace {

void require_size(AgentId n) {
  if (n > model::kMaxStructuralEquivalenceAgents)
    throw InputError(
        "exposure.definition = \"structural_equivalence\" needs the geodesics of every pair of agents "
        "(N^2 memory, N^3 time per trial), so it allows at most " +
        std::to_string(model::kMaxStructuralEquivalenceAgents) + " agents; this organization has " + std::to_string(n) +
        ": use a smaller organization or exposure.definition = \"cohesion\"");
}

constexpr std::uint16_t kUnreached = 0xFFFF;
constexpr std::size_t kBlock = 64;

}  // namespace

std::vector<std::uint16_t> geodesics(const InfluenceNetwork& network) {
  const AgentId n = network.agent_count();
  require_size(n);
  const std::size_t nn = static_cast<std::size_t>(n);
  std::vector<std::uint16_t> z(nn * nn, kUnreached);
  std::vector<AgentId> queue(nn);
  std::uint16_t longest = 0;
  for (AgentId i = 0; i < n; ++i) {  // breadth-first from i along "i listens to j"
    std::uint16_t* row = z.data() + static_cast<std::size_t>(i) * nn;
    row[i] = 0;
    std::size_t head = 0, tail = 0;
    queue[tail++] = i;
    while (head < tail) {
      const AgentId u = queue[head++];
      const auto next = static_cast<std::uint16_t>(row[u] + 1);
      for (EdgeIndex e = network.offsets[u]; e < network.offsets[u + 1]; ++e) {
        const AgentId v = network.sources[e];
        if (network.weights[e] > 0 && row[v] == kUnreached) {
          row[v] = next;
          longest = std::max(longest, next);
          queue[tail++] = v;
        }
      }
    }
  }
  const auto unreachable = static_cast<std::uint16_t>(longest + 1);
  std::replace(z.begin(), z.end(), kUnreached, unreachable);
  return z;
}

InfluenceNetwork structural_equivalence_network(const Organization& organization, double power) {
  const InfluenceNetwork& network = organization.network;
  const AgentId n = network.agent_count();
  require_size(n);
  const std::size_t nn = static_cast<std::size_t>(n);
  const std::vector<std::uint16_t> z = geodesics(network);
  // Profile of i: its row then its column, [z_i0 .. z_i,N-1, z_0i .. z_N-1,i],
  // so that the sum over all k of both squares is one pass over 2N values.
  std::vector<std::int32_t> profile(2 * nn * nn);
  for (std::size_t i = 0; i < nn; ++i)
    for (std::size_t k = 0; k < nn; ++k) {
      profile[i * 2 * nn + k] = z[i * nn + k];
      profile[i * 2 * nn + nn + k] = z[k * nn + i];
    }
  std::vector<double> d(nn * nn, 0.0);
  for (std::size_t i = 0; i < nn; ++i) {
    const std::int32_t* a = profile.data() + i * 2 * nn;
    for (std::size_t j = i + 1; j < nn; ++j) {
      const std::int32_t* b = profile.data() + j * 2 * nn;
      // The sum over every k, i and j included. A square is below 2^25, so
      // blocks of 64 add up exactly in 32 bits (and vectorize).
      std::int64_t all = 0;
      for (std::size_t from = 0; from < 2 * nn; from += kBlock) {
        const std::size_t to = std::min(2 * nn, from + kBlock);
        std::int32_t block = 0;
        for (std::size_t k = from; k < to; ++k) {
          const std::int32_t diff = a[k] - b[k];
          block += diff * diff;
        }
        all += block;
      }
      // The terms of k = i and k = j are each z_ij^2 + z_ji^2 (z_ii = z_jj = 0).
      const std::int64_t zij = z[i * nn + j], zji = z[j * nn + i];
      const std::int64_t squared = all - 2 * (zij * zij + zji * zji) + (zij - zji) * (zij - zji);
      d[i * nn + j] = d[j * nn + i] = std::sqrt(static_cast<double>(squared));
    }
  }
  InfluenceNetwork se;
  se.offsets.assign(nn + 1, 0);
  std::vector<double> term(nn);
  for (std::size_t i = 0; i < nn; ++i) {
    const double* row = d.data() + i * nn;
    double dmax = 0;
    for (std::size_t k = 0; k < nn; ++k)
      if (k != i) dmax = std::max(dmax, row[k]);
    double total = 0;
    for (std::size_t k = 0; k < nn; ++k) {
      term[k] = 0;
      if (k == i) continue;
      const double gap = dmax - row[k];
      term[k] = power == 1.0 ? gap : std::pow(gap, power);
      total += term[k];
    }
    if (total > 0)
      for (std::size_t k = 0; k < nn; ++k)
        if (k != i && term[k] > 0) {
          const auto weight = static_cast<float>(term[k] / total);
          if (weight <= 0) continue;  // below float32's range
          se.sources.push_back(static_cast<AgentId>(k));
          se.weights.push_back(weight);
        }
    se.offsets[i + 1] = se.sources.size();
  }
  se.formal.assign(se.sources.size(), 0);
  return se;
}

}  // namespace groundswell::org
