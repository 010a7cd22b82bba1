#pragma once
// The formal hierarchy's shared rules (MODEL.md 2): every manager chain ends
// at a top, and a person's level is their distance from the top of their
// chain. One implementation, used by the CSV tables (read_organization_tables)
// and by every importer (map_network), so that both report a fault in the
// same words.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "groundswell/org/organization.hpp"
#include "groundswell/types.hpp"

namespace groundswell::org {

/// A member of a manager cycle, found by following each chain once.
/// @param manager [agent] the manager's agent number, or kNoManager for a top;
///   every other entry must lie in [0, manager.size()).
/// @return the first person met twice on a chain followed from agent 0, 1, ...
///   (a member of the first cycle found), or kNoManager if every chain ends at
///   a top. Cost: O(N) time and memory.
std::int32_t find_manager_cycle(const std::vector<std::int32_t>& manager);

/// The words for a manager cycle, shown to the user.
/// @param manager as for find_manager_cycle.
/// @param ids [agent] the people's ids; empty: the agent numbers.
/// @param member a member of the cycle (find_manager_cycle's result).
/// @return `the manager chain is a cycle: "a" -> "b" -> "a" (each reports to
///   the next)`, with at most 20 steps shown and the length of a longer cycle.
std::string describe_manager_cycle(const std::vector<std::int32_t>& manager, const std::vector<std::string>& ids,
                                   std::int32_t member);

/// Checks that every manager chain ends at a top.
/// @param manager as for find_manager_cycle.
/// @param ids [agent] the people's ids; empty: the agent numbers.
/// @param where the place of a person in the input, e.g. "nodes.csv:4", put
///   before the message.
/// @param fix what the user should do, put after the message.
/// @throws InputError "WHERE: the manager chain is a cycle: ... (each reports
///   to the next); FIX" for the first cycle found.
void check_manager_cycles(const std::vector<std::int32_t>& manager, const std::vector<std::string>& ids,
                          const std::function<std::string(std::int32_t)>& where, const std::string& fix);

/// The levels the managers give: a top (kNoManager) is at level 0, everyone
/// else one below their manager.
/// @param manager as for find_manager_cycle, without cycles (check_manager_cycles).
/// @return [agent] the level. Cost: O(N): each chain is followed once.
std::vector<std::int32_t> levels_from_managers(const std::vector<std::int32_t>& manager);

/// The organization without agent `removed` (a departure before the change
/// starts): its ties in both directions are dropped, its direct reports
/// report to its own manager (they become tops if it was one), levels and
/// formal leaders follow. Agents after it move down one id; departments keep
/// their numbers (one may be left empty).
/// @throws std::out_of_range if `removed` is not an agent of `organization`
Organization without_agent(const Organization& organization, AgentId removed);

/// The organization of the agents with keep[i] != 0, in their order (the
/// unrecorded agents of a calibration, docs/calibration.md): ties to and from
/// a removed agent are dropped, a kept agent whose manager is removed reports
/// to the nearest kept manager up the chain (a top if there is none), levels
/// and formal leaders follow. Departments keep their numbers and names (one
/// may be left empty). Ids are kept: a generated organization (no ids) gets
/// its old numbers "0".."N-1" as ids when an agent is removed.
/// @param keep one value per agent
/// @throws std::invalid_argument if keep.size() is not the organization's size
/// Cost: O(N x depth + ties).
Organization without_agents(const Organization& organization, const std::vector<std::uint8_t>& keep);

}  // namespace groundswell::org
