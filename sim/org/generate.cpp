// Organization generators of MODEL.md 2.1 (hierarchy) and 2.2 (complete,
// erdos_renyi, watts_strogatz), and the `file` generator of 2.3.
#include "groundswell/org/generate.hpp"

#include <algorithm>
#include <boost/random/beta_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <numeric>

#include "groundswell/random.hpp"
#include "groundswell/org/tables.hpp"

namespace groundswell::org {
namespace {

using model::OrganizationSpec;

/// Contiguous departments for the generic generators: agent i is in i*D/N.
void flat_hierarchy(Organization& o, AgentId n, std::uint32_t departments) {
  o.manager.assign(n, kNoManager);
  o.level.assign(n, 0);
  o.department.resize(n);
  for (AgentId i = 0; i < n; ++i)
    o.department[i] = static_cast<DepartmentId>(std::uint64_t{i} * departments / n);
  o.department_count = static_cast<DepartmentId>(departments);
  mark_formal_leaders(o);
}

/// Draws an index from a range of a prefix-sum array (cum[k] = mass of items < k).
std::size_t pick_by_mass(const std::vector<double>& cum, std::size_t begin, std::size_t end, double u) {
  // first k in [begin, end) with cum[k+1] > u
  auto it = std::upper_bound(cum.begin() + static_cast<std::ptrdiff_t>(begin) + 1,
                             cum.begin() + static_cast<std::ptrdiff_t>(end) + 1, u);
  const auto k = static_cast<std::size_t>(it - cum.begin()) - 1;
  return std::min(k, end - 1);
}

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

  // Agents in department-major order with prefix sums of prestige, so a
  // department is a contiguous range and "another department" is the rest.
  const auto d_count = static_cast<std::size_t>(o.department_count);
  std::vector<AgentId> by_dept(n);
  std::iota(by_dept.begin(), by_dept.end(), 0);
  std::stable_sort(by_dept.begin(), by_dept.end(), [&](AgentId a, AgentId b) { return o.department[a] < o.department[b]; });
  std::vector<std::size_t> dept_begin(d_count + 1, 0);
  for (AgentId i = 0; i < n; ++i) ++dept_begin[static_cast<std::size_t>(o.department[i]) + 1];
  for (std::size_t d = 0; d < d_count; ++d) dept_begin[d + 1] += dept_begin[d];
  std::vector<double> cum(n + 1, 0.0);
  std::vector<std::size_t> position(n);
  for (AgentId k = 0; k < n; ++k) {
    cum[k + 1] = cum[k] + prestige[by_dept[k]];
    position[by_dept[k]] = k;
  }

  boost::random::beta_distribution<double> trust(s.trust_a, s.trust_b);
  std::vector<Tie> ties;
  ties.reserve(static_cast<std::size_t>(n) * (s.advisors + 1));
  std::vector<AgentId> chosen;
  for (AgentId i = 0; i < n; ++i) {
    const auto d = static_cast<std::size_t>(o.department[i]);
    const std::size_t b = dept_begin[d], e = dept_begin[d + 1];
    const double own_mass = cum[e] - cum[b], other_mass = cum[n] - own_mass;
    chosen.clear();
    for (std::uint32_t a = 0; a < s.advisors; ++a) {
      const bool cross = rng.uniform() < s.cross_department;
      AgentId candidate;
      if (cross) {
        if (b == 0 && e == n) continue;  // a single department: no other pool
        double u = rng.uniform() * other_mass;
        if (u >= cum[b]) u += own_mass;  // skip over the own department's range
        candidate = by_dept[pick_by_mass(cum, 0, n, u)];
        if (o.department[candidate] == o.department[i]) continue;  // rounding at a range edge
      } else {
        if (e - b <= 1) continue;  // alone in the department
        // prestige-proportional among the department without i: remove i's mass
        double u = cum[b] + rng.uniform() * (own_mass - prestige[i]);
        if (u >= cum[position[i]]) u += prestige[i];
        candidate = by_dept[pick_by_mass(cum, b, e, u)];
        if (candidate == i) continue;
      }
      if (std::find(chosen.begin(), chosen.end(), candidate) != chosen.end()) continue;  // duplicates dropped
      chosen.push_back(candidate);
    }
    bool manager_is_advisor = false;
    for (AgentId j : chosen) {
      const bool is_manager = static_cast<std::int32_t>(j) == o.manager[i];
      manager_is_advisor = manager_is_advisor || is_manager;
      ties.push_back({i, j, static_cast<float>(trust(rng)), is_manager});
    }
    if (o.manager[i] != kNoManager && !manager_is_advisor)
      ties.push_back({i, static_cast<AgentId>(o.manager[i]), static_cast<float>(s.formal_weight), true});
  }
  o.network = build_network(n, ties);
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
  return o;
}

/// G(N, z/(N-1)) by geometric skipping over the pairs i < j (Batagelj and
/// Brandes 2005, Phys Rev E 71:036113), each edge stored in both directions.
Organization erdos_renyi(const OrganizationSpec& s, PhiloxEngine& rng) {
  const AgentId n = s.size;
  Organization o;
  flat_hierarchy(o, n, s.departments);
  std::vector<Tie> ties;
  const double p = n > 1 ? s.mean_degree / (n - 1) : 0.0;
  if (p > 0) {
    ties.reserve(static_cast<std::size_t>(s.mean_degree * n * 1.1) + 16);
    const double log_q = std::log1p(-std::min(p, 1.0 - 1e-16));
    std::int64_t v = 1, w = -1;
    while (v < static_cast<std::int64_t>(n)) {
      w += 1 + (p >= 1.0 ? 0 : static_cast<std::int64_t>(std::floor(std::log(rng.uniform()) / log_q)));
      while (w >= v && v < static_cast<std::int64_t>(n)) {
        w -= v;
        ++v;
      }
      if (v < static_cast<std::int64_t>(n)) {
        const auto a = static_cast<AgentId>(v), b = static_cast<AgentId>(w);
        ties.push_back({a, b, 1.0f, false});
        ties.push_back({b, a, 1.0f, false});
      }
    }
  }
  o.network = build_network(n, ties);
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
  return o;
}

}  // namespace

Organization generate_organization(const OrganizationSpec& spec, std::uint64_t key) {
  PhiloxEngine rng(key);
  switch (spec.generator) {
    case model::Generator::Hierarchy: return hierarchy(spec, rng);
    case model::Generator::Complete: return complete(spec);
    case model::Generator::ErdosRenyi: return erdos_renyi(spec, rng);
    case model::Generator::WattsStrogatz: return watts_strogatz(spec, rng);
    case model::Generator::File: return read_organization_tables(spec.nodes_file, spec.edges_file);
  }
  return {};
}

}  // namespace groundswell::org
