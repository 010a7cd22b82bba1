// The formal hierarchy's shared rules: manager cycles and levels.
#include "groundswell/org/hierarchy.hpp"

#include <cstddef>

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

}  // namespace groundswell::org
