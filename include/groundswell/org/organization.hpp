#pragma once
// The organization of one trial: formal hierarchy and the listens-to network
// (MODEL.md 2), stored once as a CSR of in-edges.
#include <cstdint>
#include <string>
#include <vector>

#include "groundswell/types.hpp"

namespace groundswell::org {

/// Listens-to network as compressed sparse rows of in-edges: agent i listens
/// to sources[e] with weight weights[e] for e in [offsets[i], offsets[i+1]).
/// formal[e] is 1 for the tie to the manager (or a formal tie from a file).
struct InfluenceNetwork {
  std::vector<EdgeIndex> offsets{0};
  std::vector<AgentId> sources;
  std::vector<float> weights;
  std::vector<std::uint8_t> formal;
  /// True only if the network is its own transpose edge for edge: i is in
  /// j's row iff j is in i's, with the same weight and formal flag, and
  /// every row ascending. Then the listener lists of the classic rules are
  /// the network itself. Set only by the complete, erdos_renyi and
  /// watts_strogatz generators; whatever builds or changes a network
  /// otherwise leaves or sets it false.
  bool symmetric = false;

  AgentId agent_count() const noexcept { return static_cast<AgentId>(offsets.size() - 1); }
  EdgeIndex edge_count() const noexcept { return sources.size(); }
};

/// Formal hierarchy (MODEL.md 2): manager (kNoManager for a top), level (top
/// = 0), department. A formal leader has at least one direct report.
struct Organization {
  std::vector<std::int32_t> manager;
  std::vector<std::int32_t> level;
  std::vector<DepartmentId> department;
  std::vector<std::uint8_t> is_formal_leader;
  DepartmentId department_count = 0;
  InfluenceNetwork network;
  // From files only (MODEL.md 2.3): the original ids, department labels and
  // extra node columns, kept so that an exported table round-trips.
  std::vector<std::string> ids;                      ///< empty: ids are 0..N-1
  std::vector<std::string> department_names;         ///< empty: names are 0..D-1
  std::vector<std::string> attribute_names;          ///< extra node columns
  std::vector<std::vector<std::string>> attributes;  ///< [agent][column]

  AgentId size() const noexcept { return static_cast<AgentId>(manager.size()); }
  std::int32_t depth() const noexcept;  ///< largest level + 1 (0 when empty)
};

/// One directed tie "target listens to source", used while building.
struct Tie {
  AgentId listener;
  AgentId source;
  float weight;
  bool formal;
};

/// Builds the CSR from a list of ties (stable: in-edges keep the order given).
InfluenceNetwork build_network(AgentId agent_count, const std::vector<Tie>& ties);

/// A copy of `network` with `extra` ties appended after each agent's own in-edges.
InfluenceNetwork with_extra_ties(const InfluenceNetwork& network, const std::vector<Tie>& extra);

/// Who listens to whom: row j lists the agents that listen to j, ascending,
/// with the weight and formal flag of their tie (the CSR of out-edges).
/// O(N + E). Never flagged symmetric.
InfluenceNetwork transpose(const InfluenceNetwork& network);

/// True if `network` is its own transpose edge for edge (what the
/// `symmetric` flag promises), checked in O(N + E).
bool is_own_transpose(const InfluenceNetwork& network);

/// True if `listener` already listens to `source` (linear in listener's in-degree).
bool listens_to(const InfluenceNetwork& network, AgentId listener, AgentId source);

/// Fills is_formal_leader from manager. Precondition: manager ids valid.
void mark_formal_leaders(Organization& organization);

/// Weighted in-degree on the listens-to network ("how much i is listened to"),
/// optionally only counting listeners from other departments (MODEL.md 4).
std::vector<double> listened_to(const Organization& organization, bool cross_department_only);

}  // namespace groundswell::org
