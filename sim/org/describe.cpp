// `groundswell network describe`: an organization in numbers.
#include "groundswell/org/describe.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <unordered_set>

namespace groundswell::org {
namespace {

Spread spread(std::vector<double> values) {
  Spread s;
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  s.min = values.front();
  s.max = values.back();
  s.median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(n);
  return s;
}

std::string number(double v) {
  if (std::isnan(v)) return "n/a";
  char buffer[32];
  if (v == std::floor(v) && std::fabs(v) < 1e15)
    std::snprintf(buffer, sizeof buffer, "%.0f", v);
  else
    std::snprintf(buffer, sizeof buffer, "%.3g", v);
  return buffer;
}

std::string share(double v) {
  if (std::isnan(v)) return "n/a";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f", v);
  return buffer;
}

std::string spread_text(const Spread& s) {
  char mean[32];
  std::snprintf(mean, sizeof mean, "%.1f", s.mean);
  return "min " + number(s.min) + ", median " + number(s.median) + ", max " + number(s.max) + ", mean " + mean;
}

}  // namespace

Description describe_organization(const Organization& o, std::size_t top) {
  Description d;
  const AgentId n = o.size();
  const InfluenceNetwork& net = o.network;
  d.agents = n;
  d.departments = o.department_count;
  std::vector<double> sizes(static_cast<std::size_t>(o.department_count), 0.0);
  for (DepartmentId dep : o.department) sizes[static_cast<std::size_t>(dep)] += 1;
  d.department_size = spread(sizes);
  d.depth = o.depth();
  d.tops = static_cast<std::size_t>(std::count(o.manager.begin(), o.manager.end(), kNoManager));
  d.with_manager = n - d.tops;
  d.formal_leader_count = static_cast<std::size_t>(std::count(o.is_formal_leader.begin(), o.is_formal_leader.end(), 1));

  std::vector<double> out(n, 0.0), in(n, 0.0);
  d.informal_score.assign(n, 0.0);
  std::unordered_set<std::uint64_t> informal;  // (listener, source)
  for (AgentId i = 0; i < n; ++i)
    for (EdgeIndex e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
      const AgentId j = net.sources[e];
      out[i] += 1;
      in[j] += 1;
      if (o.manager[i] == static_cast<std::int32_t>(j)) ++d.listen_to_manager;
      if (net.formal[e]) {
        ++d.formal_ties;
        continue;
      }
      ++d.informal_ties;
      d.informal_score[j] += net.weights[e];
      informal.insert((std::uint64_t{i} << 32) | j);
    }
  d.ties = net.edge_count();
  d.listens_to = spread(out);
  d.listened_to_by = spread(in);

  std::size_t returned = 0, across = 0;
  for (AgentId i = 0; i < n; ++i)
    for (EdgeIndex e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
      if (net.formal[e]) continue;
      const AgentId j = net.sources[e];
      if (informal.count((std::uint64_t{j} << 32) | i)) ++returned;
      if (o.department[i] != o.department[j]) ++across;
    }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  d.reciprocity = d.informal_ties ? static_cast<double>(returned) / static_cast<double>(d.informal_ties) : nan;
  d.cross_department = d.informal_ties ? static_cast<double>(across) / static_cast<double>(d.informal_ties) : nan;

  std::vector<AgentId> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](AgentId a, AgentId b) { return d.informal_score[a] > d.informal_score[b]; });
  for (AgentId i : order) {
    if (d.informal_leaders.size() >= top || d.informal_score[i] <= 0) break;
    d.informal_leaders.push_back(i);
  }
  if (d.formal_leader_count > 0) {
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](AgentId a, AgentId b) { return o.level[a] < o.level[b]; });
    for (AgentId i : order) {
      if (d.formal_leaders.size() >= top) break;
      if (o.is_formal_leader[i]) d.formal_leaders.push_back(i);
    }
  }
  for (AgentId i : d.informal_leaders)
    if (std::find(d.formal_leaders.begin(), d.formal_leaders.end(), i) != d.formal_leaders.end())
      d.overlap.push_back(i);
  return d;
}

std::string format_description(const Organization& o, const Description& d) {
  const auto id = [&](AgentId i) { return o.ids.empty() ? std::to_string(i) : o.ids[i]; };
  const auto department = [&](AgentId i) {
    const auto dep = static_cast<std::size_t>(o.department[i]);
    return o.department_names.empty() ? std::to_string(dep) : o.department_names[dep];
  };
  std::string s;
  const auto row = [&](const char* key, const std::string& value) {
    char label[24];
    std::snprintf(label, sizeof label, "%-18s", key);
    s += label + value + "\n";
  };
  row("agents", std::to_string(d.agents));
  row("departments",
      std::to_string(d.departments) + " (people per department: " + spread_text(d.department_size) + ")");
  if (d.formal_leader_count > 0)
    row("hierarchy", "depth " + std::to_string(d.depth) + ", " + std::to_string(d.tops) +
                         (d.tops == 1 ? " top, " : " tops, ") + std::to_string(d.formal_leader_count) +
                         " formal leaders (with direct reports)");
  else
    row("hierarchy", "none (nobody has a manager)");
  std::string to_manager;
  if (d.formal_leader_count > 0)
    to_manager = "; " + std::to_string(d.listen_to_manager) + " of the " + std::to_string(d.with_manager) +
                 " people with a manager listen to them (formally or informally)";
  row("ties", std::to_string(d.ties) + ": " + std::to_string(d.informal_ties) + " informal, " +
                  std::to_string(d.formal_ties) + " formal" + to_manager);
  row("listens to", spread_text(d.listens_to) + "  [out: people each agent listens to]");
  row("listened to by", spread_text(d.listened_to_by) + "  [in: people who listen to each agent]");
  row("reciprocity", share(d.reciprocity) + " of informal ties are returned");
  row("cross-department", share(d.cross_department) + " of informal ties join two departments");
  std::string informal;
  for (AgentId i : d.informal_leaders) {
    informal += "\n    " + id(i) + " (level " + std::to_string(o.level[i]) + ", department " + department(i) +
                ", listened to with weight " + number(d.informal_score[i]) + ")";
  }
  row("informal leaders",
      "top " + std::to_string(d.informal_leaders.size()) + " by weighted in-degree on the informal ties:" + informal);
  if (d.formal_leaders.empty()) {
    row("formal leaders", "none (no hierarchy)");
  } else {
    std::string formal;
    for (AgentId i : d.formal_leaders)
      formal += "\n    " + id(i) + " (level " + std::to_string(o.level[i]) + ", department " + department(i) + ")";
    row("formal leaders", "top " + std::to_string(d.formal_leaders.size()) +
                              " of the org chart (people with direct reports, by level, then id):" + formal);
  }
  std::string both;
  for (AgentId i : d.overlap) both += (both.empty() ? ": " : ", ") + id(i);
  row("overlap", std::to_string(d.overlap.size()) + " of the informal leaders are formal leaders" + both);
  return s;
}

}  // namespace groundswell::org
