// The formal hierarchy's shared rules: manager cycles and levels.
#include "groundswell/org/hierarchy.hpp"
#include <algorithm>

#include <cstddef>
#include <stdexcept>

namespace groundswell::org {
namespace {

std::string id_of(const std::vector<std::string>& ids, std::int32_t agent) {
  const auto a = static_cast<std::size_t>(agent);
  return "\"" + (a < ids.size() ? ids[a] : std::to_string(agent)) + "\"";
}

}  // namespace

std::int32_t find_manager_cycle(const std::vector<std::int32_t>& manager) {
  // Three colours: a chain stops at a person already done (their chain ends
  // at a top) and is a cycle when it meets a person on the current path.
  enum : std::uint8_t { kUnseen, kOnPath, kDone };
  std::vector<std::uint8_t> mark(manager.size(), kUnseen);
  std::vector<std::int32_t> path;
  for (std::size_t i = 0; i < manager.size(); ++i) {
    path.clear();
    auto j = static_cast<std::int32_t>(i);
    while (j != kNoManager && mark[static_cast<std::size_t>(j)] == kUnseen) {
      mark[static_cast<std::size_t>(j)] = kOnPath;
      path.push_back(j);
      j = manager[static_cast<std::size_t>(j)];
    }
    if (j != kNoManager && mark[static_cast<std::size_t>(j)] == kOnPath) return j;
    for (std::int32_t k : path) mark[static_cast<std::size_t>(k)] = kDone;
  }
  return kNoManager;
}

std::string describe_manager_cycle(const std::vector<std::int32_t>& manager, const std::vector<std::string>& ids,
                                   std::int32_t member) {
  constexpr std::size_t kShown = 20;
  std::string out = "the manager chain is a cycle: " + id_of(ids, member);
  std::size_t length = 0;
  std::int32_t j = member;
  do {
    j = manager[static_cast<std::size_t>(j)];
    ++length;
    if (length <= kShown) out += " -> " + id_of(ids, j);
  } while (j != member);
  if (length > kShown) out += " -> ... (" + std::to_string(length) + " people in all)";
  return out + " (each reports to the next)";
}

void check_manager_cycles(const std::vector<std::int32_t>& manager, const std::vector<std::string>& ids,
                          const std::function<std::string(std::int32_t)>& where, const std::string& fix) {
  const std::int32_t member = find_manager_cycle(manager);
  if (member != kNoManager)
    throw InputError(where(member) + ": " + describe_manager_cycle(manager, ids, member) + "; " + fix);
}

std::vector<std::int32_t> levels_from_managers(const std::vector<std::int32_t>& manager) {
  const std::size_t n = manager.size();
  std::vector<std::int32_t> level(n, -1);
  std::vector<std::size_t> chain;
  for (std::size_t i = 0; i < n; ++i) {
    chain.clear();
    std::size_t j = i;
    while (level[j] < 0 && manager[j] != kNoManager) {
      chain.push_back(j);
      j = static_cast<std::size_t>(manager[j]);
    }
    if (level[j] < 0) level[j] = 0;  // a top
    std::int32_t l = level[j];
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) level[*it] = ++l;
  }
  return level;
}

namespace {

/// The organization of the kept agents (without_agent, without_agents): ties
/// of a removed agent dropped, reports moved to the nearest kept manager up
/// the chain; `number_ids`: a generated organization (no ids) gets its old
/// numbers as ids.
Organization kept_agents(const Organization& o, const std::vector<std::uint8_t>& keep, bool number_ids) {
  const AgentId n = o.size();
  std::vector<AgentId> renumber(n, 0);  // new id of a kept agent
  AgentId kept = 0;
  for (AgentId i = 0; i < n; ++i)
    if (keep[i]) renumber[i] = kept++;
  Organization out;
  out.department_count = o.department_count;
  out.department_names = o.department_names;
  out.attribute_names = o.attribute_names;
  for (AgentId i = 0; i < n; ++i) {
    if (!keep[i]) continue;
    std::int32_t m = o.manager[i];
    while (m != kNoManager && !keep[static_cast<AgentId>(m)]) m = o.manager[static_cast<AgentId>(m)];
    out.manager.push_back(m == kNoManager ? kNoManager : static_cast<std::int32_t>(renumber[static_cast<AgentId>(m)]));
    out.department.push_back(o.department[i]);
    if (!o.ids.empty())
      out.ids.push_back(o.ids[i]);
    else if (number_ids)
      out.ids.push_back(std::to_string(i));
    if (!o.attributes.empty()) out.attributes.push_back(o.attributes[i]);
  }
  out.level = levels_from_managers(out.manager);
  mark_formal_leaders(out);
  std::vector<Tie> ties;
  const auto& net = o.network;
  ties.reserve(net.edge_count());
  for (AgentId i = 0; i < n; ++i) {
    if (!keep[i]) continue;
    for (EdgeIndex e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
      if (keep[net.sources[e]])
        ties.push_back({renumber[i], renumber[net.sources[e]], net.weights[e], net.formal[e] != 0});
  }
  out.network = build_network(kept, ties);
  return out;
}

}  // namespace

Organization without_agent(const Organization& o, AgentId removed) {
  if (removed >= o.size()) throw std::out_of_range("without_agent: no agent " + std::to_string(removed));
  std::vector<std::uint8_t> keep(o.size(), 1);
  keep[removed] = 0;
  return kept_agents(o, keep, false);  // ids as they were (recommend names agents by their number)
}

Organization without_agents(const Organization& o, const std::vector<std::uint8_t>& keep) {
  if (keep.size() != o.size())
    throw std::invalid_argument("without_agents: " + std::to_string(keep.size()) + " keep flags for " +
                                std::to_string(o.size()) + " agents");
  const bool all = std::find(keep.begin(), keep.end(), 0) == keep.end();
  return kept_agents(o, keep, !all);
}

}  // namespace groundswell::org
