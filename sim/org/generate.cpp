// Organization generators of MODEL.md 2.1 (hierarchy) and 2.2 (complete,
// erdos_renyi, watts_strogatz), and the `file` generator of 2.3.
#include "groundswell/org/generate.hpp"

#include <algorithm>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <numeric>
#include <utility>
#include "groundswell/distributions.hpp"

#include "groundswell/org/import.hpp"
#include "groundswell/org/tables.hpp"
#include "groundswell/random.hpp"

namespace groundswell::org {
namespace {

using model::OrganizationSpec;

/// Contiguous departments for the generic generators: agent i is in i*D/N.
void flat_hierarchy(Organization& o, AgentId n, std::uint32_t departments) {
  o.manager.assign(n, kNoManager);
  o.level.assign(n, 0);
  o.department.resize(n);
  for (AgentId i = 0; i < n; ++i) o.department[i] = static_cast<DepartmentId>(std::uint64_t{i} * departments / n);
  o.department_count = static_cast<DepartmentId>(departments);
  mark_formal_leaders(o);
}

/// Draws a member with probability proportional to its weight in O(1). Each
/// entry holds both the member and its alias, so a draw touches one entry:
/// on large organizations each touch is a cache miss.
class AliasTable {
 public:
  AliasTable(const std::vector<AgentId>& members, const std::vector<double>& weight) : entry_(members.size()) {
    const std::size_t n = members.size();
    if (n == 0) return;
    double total = 0;
    for (AgentId m : members) total += weight[m];
    std::vector<double> scaled(n);
    std::vector<std::uint32_t> small, large;
    for (std::size_t k = 0; k < n; ++k) {
      scaled[k] = weight[members[k]] * static_cast<double>(n) / total;
      (scaled[k] < 1.0 ? small : large).push_back(static_cast<std::uint32_t>(k));
      entry_[k] = {1.0, members[k], members[k]};
    }
    while (!small.empty() && !large.empty()) {
      const std::uint32_t lo = small.back(), hi = large.back();
      small.pop_back();
      entry_[lo].probability = scaled[lo];
      entry_[lo].alias = members[hi];
      scaled[hi] -= 1.0 - scaled[lo];
      if (scaled[hi] < 1.0) {
        large.pop_back();
        small.push_back(hi);
      }
    }
    // entries left in either list keep probability 1 (rounding leftovers)
  }
  AgentId operator()(PhiloxEngine& rng) const {
    const Entry& e = entry_[slot(rng())];
    return rng.uniform() < e.probability ? e.member : e.alias;
  }
  /// Starts loading the entry a draw whose first word is `word` reads.
  void prefetch(std::uint32_t word) const { __builtin_prefetch(&entry_[slot(word)]); }
  std::size_t bytes() const { return entry_.size() * sizeof(Entry); }

 private:
  std::size_t slot(std::uint32_t word) const {
    return static_cast<std::size_t>((std::uint64_t{word} * entry_.size()) >> 32);
  }
  struct Entry {
    double probability;
    AgentId member, alias;
  };
  std::vector<Entry> entry_;
};

/// MODEL.md 2.1: complete span-ary tree, departments under level-1 managers,
/// prestige-weighted advisors (heavy-tailed prestige makes informal leaders
/// who are mostly not the formal ones), Beta trust, formal tie to the manager.
Organization hierarchy(const OrganizationSpec& s, PhiloxEngine& rng) {
  const AgentId n = s.size;
  Organization o;
  o.manager.resize(n);
  o.level.resize(n);
  o.department.resize(n);
  for (AgentId k = 0; k < n; ++k) {
    if (k == 0) {
      o.manager[k] = kNoManager;
      o.level[k] = 0;
      o.department[k] = 0;
      continue;
    }
    const auto m = static_cast<std::int32_t>((k - 1) / s.span);
    o.manager[k] = m;
    o.level[k] = o.level[static_cast<AgentId>(m)] + 1;
    o.department[k] = o.level[k] == 1 ? static_cast<DepartmentId>(k - 1) : o.department[static_cast<AgentId>(m)];
  }
  o.department_count = n > 1 ? static_cast<DepartmentId>(std::min<AgentId>(s.span, n - 1)) : 1;
  mark_formal_leaders(o);

  // Prestige: log p_j = sigma (rho z_j + sqrt(1 - rho^2) e_j), z = standardized -level.
  double mean = 0, var = 0;
  for (AgentId j = 0; j < n; ++j) mean += -o.level[j];
  mean /= n;
  for (AgentId j = 0; j < n; ++j) var += (-o.level[j] - mean) * (-o.level[j] - mean);
  const double sd = std::sqrt(var / n);
  boost::random::normal_distribution<double> normal(0.0, 1.0);
  const double rho = s.prestige_rank_corr;
  std::vector<double> prestige(n);
  for (AgentId j = 0; j < n; ++j) {
    const double z = sd > 0 ? (-o.level[j] - mean) / sd : 0.0;
    prestige[j] = std::exp(s.prestige_sigma * (rho * z + std::sqrt(1 - rho * rho) * normal(rng)));
  }

  // Prestige-proportional draws in O(1) with alias tables (Walker 1977; Vose
  // 1991, IEEE TSE 17:972, doi:10.1109/32.92917): one per department and one
  // over everybody. Excluding i, or i's department, is done by rejection,
  // which keeps the draw exactly proportional to prestige within the pool.
  const auto d_count = static_cast<std::size_t>(o.department_count);
  std::vector<std::vector<AgentId>> members(d_count);
  for (AgentId i = 0; i < n; ++i) members[static_cast<std::size_t>(o.department[i])].push_back(i);
  std::vector<AliasTable> own_department;
  own_department.reserve(d_count);
  for (const auto& m : members) own_department.emplace_back(m, prestige);
  std::vector<AgentId> everybody(n);
  std::iota(everybody.begin(), everybody.end(), 0);
  const AliasTable anybody(everybody, prestige);
  // Tables beyond a core's second-level cache (1 MB here): prefetch (below).
  const bool prefetch_draws = anybody.bytes() > (std::size_t{1} << 20);
  constexpr int kMaxTries = 10000;  // only reached if one agent holds nearly all of a pool's prestige

  BetaSampler trust(s.trust_a, s.trust_b);
  // Agents are visited in order, so the in-edges are written straight into CSR.
  InfluenceNetwork& net = o.network;
  net.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  const std::size_t most = static_cast<std::size_t>(n) * (s.advisors + 1);
  net.sources.reserve(most);
  net.weights.reserve(most);
  net.formal.reserve(most);
  auto add_tie = [&net](AgentId source, float weight, bool formal) {
    net.sources.push_back(source);
    net.weights.push_back(weight);
    net.formal.push_back(formal ? 1 : 0);
  };
  std::vector<AgentId> chosen;
  for (AgentId i = 0; i < n; ++i) {
    const auto d = static_cast<std::size_t>(o.department[i]);
    chosen.clear();
    // On large organizations each draw from a table misses the cache. Without
    // rejections advisor a takes words 3a (cross), 3a + 1 and 3a + 2 (the
    // draw), so the entries those words point to are loaded first, all at
    // once; a rejection only makes the later guesses wrong. The draws are
    // the same either way.
    if (prefetch_draws)
      for (std::uint32_t a = 0; a < s.advisors; ++a) {
        const bool cross = to_unit(rng.peek(std::uint64_t{3} * a)) < s.cross_department;
        (cross ? anybody : own_department[d]).prefetch(rng.peek(std::uint64_t{3} * a + 1));
      }
    for (std::uint32_t a = 0; a < s.advisors; ++a) {
      const bool cross = rng.uniform() < s.cross_department;
      if (cross ? d_count < 2 : members[d].size() < 2) continue;  // the pool is empty
      AgentId candidate = i;
      for (int tries = 0; tries < kMaxTries; ++tries) {
        candidate = cross ? anybody(rng) : own_department[d](rng);
        if (cross ? o.department[candidate] != o.department[i] : candidate != i) break;
        candidate = i;
      }
      if (candidate == i) continue;
      if (std::find(chosen.begin(), chosen.end(), candidate) != chosen.end()) continue;  // duplicates dropped
      chosen.push_back(candidate);
    }
    bool manager_is_advisor = false;
    for (AgentId j : chosen) {
      const bool is_manager = static_cast<std::int32_t>(j) == o.manager[i];
      manager_is_advisor = manager_is_advisor || is_manager;
      add_tie(j, static_cast<float>(trust(rng)), is_manager);
    }
    if (o.manager[i] != kNoManager && !manager_is_advisor)
      add_tie(static_cast<AgentId>(o.manager[i]), static_cast<float>(s.formal_weight), true);
    net.offsets[i + 1] = static_cast<EdgeIndex>(net.sources.size());
  }
  return o;
}

Organization complete(const OrganizationSpec& s) {
  Organization o;
  flat_hierarchy(o, s.size, s.departments);
  std::vector<Tie> ties;
  ties.reserve(static_cast<std::size_t>(s.size) * (s.size - 1));
  for (AgentId i = 0; i < s.size; ++i)
    for (AgentId j = 0; j < s.size; ++j)
      if (i != j) ties.push_back({i, j, 1.0f, false});
  o.network = build_network(s.size, ties);
  o.network.symmetric = true;  // rows ascending, every tie both ways with weight 1
  return o;
}

/// G(N, z/(N-1)) by geometric skipping over the pairs i < j (Batagelj and
/// Brandes 2005, Phys Rev E 71:036113), each edge stored in both directions.
Organization erdos_renyi(const OrganizationSpec& s, PhiloxEngine& rng) {
  const AgentId n = s.size;
  Organization o;
  flat_hierarchy(o, n, s.departments);
  std::vector<std::pair<AgentId, AgentId>> pairs;  // (v, w), w < v, in the order drawn
  const double p = n > 1 ? s.mean_degree / (n - 1) : 0.0;
  if (p > 0) {
    pairs.reserve(static_cast<std::size_t>(s.mean_degree * n * 0.55) + 16);
    const double log_q = std::log1p(-std::min(p, 1.0 - 1e-16));
    std::int64_t v = 1, w = -1;
    while (v < static_cast<std::int64_t>(n)) {
      w += 1 + (p >= 1.0 ? 0 : static_cast<std::int64_t>(std::floor(std::log(rng.uniform()) / log_q)));
      while (w >= v && v < static_cast<std::int64_t>(n)) {
        w -= v;
        ++v;
      }
      if (v < static_cast<std::int64_t>(n)) pairs.emplace_back(static_cast<AgentId>(v), static_cast<AgentId>(w));
    }
  }
  // Straight into CSR, each pair as the ties v <- w then w <- v: the rows
  // build_network makes of that tie list, without the list. Pairs come in
  // order (v, w < v), so row a lists its w < a, then its v > a: ascending.
  InfluenceNetwork& net = o.network;
  net.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  for (const auto& [v, w] : pairs) {
    ++net.offsets[v + 1];
    ++net.offsets[w + 1];
  }
  for (AgentId i = 0; i < n; ++i) net.offsets[i + 1] += net.offsets[i];
  net.sources.resize(2 * pairs.size());
  net.weights.assign(2 * pairs.size(), 1.0f);
  net.formal.assign(2 * pairs.size(), 0);
  std::vector<EdgeIndex> cursor(net.offsets.begin(), net.offsets.end() - 1);
  for (const auto& [v, w] : pairs) {
    net.sources[cursor[v]++] = w;
    net.sources[cursor[w]++] = v;
  }
  net.symmetric = true;
  return o;
}

/// Watts and Strogatz (1998), Nature 393:440: ring of k neighbours, each
/// clockwise edge rewired with probability beta to a uniform target, avoiding
/// self-loops and duplicates; undirected (both directions), weight 1.
Organization watts_strogatz(const OrganizationSpec& s, PhiloxEngine& rng) {
  const AgentId n = s.size;
  Organization o;
  flat_hierarchy(o, n, s.departments);
  const std::uint32_t half = s.neighbours / 2;
  std::vector<std::vector<AgentId>> adj(n);
  for (AgentId i = 0; i < n; ++i)
    for (std::uint32_t j = 1; j <= half; ++j) {
      const AgentId t = (i + j) % n;
      adj[i].push_back(t);
      adj[t].push_back(i);
    }
  auto has = [&](AgentId a, AgentId b) { return std::find(adj[a].begin(), adj[a].end(), b) != adj[a].end(); };
  auto drop = [&](AgentId a, AgentId b) { adj[a].erase(std::find(adj[a].begin(), adj[a].end(), b)); };
  boost::random::uniform_int_distribution<AgentId> any(0, n - 1);
  for (std::uint32_t j = 1; j <= half; ++j)
    for (AgentId i = 0; i < n; ++i) {
      if (rng.uniform() >= s.rewire) continue;
      const AgentId old = (i + j) % n;
      if (!has(i, old) || adj[i].size() >= n - 1) continue;
      AgentId t;
      do t = any(rng);
      while (t == i || has(i, t));
      drop(i, old);
      drop(old, i);
      adj[i].push_back(t);
      adj[t].push_back(i);
    }
  std::vector<Tie> ties;
  for (AgentId i = 0; i < n; ++i) {
    std::sort(adj[i].begin(), adj[i].end());
    for (AgentId j : adj[i]) ties.push_back({i, j, 1.0f, false});
  }
  o.network = build_network(n, ties);
  o.network.symmetric = true;  // adj is undirected without duplicates, each row sorted
  return o;
}

}  // namespace

Organization generate_organization(const OrganizationSpec& spec, std::uint64_t key) {
  PhiloxEngine rng(key);
  switch (spec.generator) {
    case model::Generator::Hierarchy:
      return hierarchy(spec, rng);
    case model::Generator::Complete:
      return complete(spec);
    case model::Generator::ErdosRenyi:
      return erdos_renyi(spec, rng);
    case model::Generator::WattsStrogatz:
      return watts_strogatz(spec, rng);
    case model::Generator::File:
      return import_organization(spec);  // CSV tables or another format (docs/data.md)
  }
  return {};
}

}  // namespace groundswell::org
