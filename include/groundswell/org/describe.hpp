#pragma once
// What an organization is, in numbers (`groundswell network describe`):
// size, departments, hierarchy, ties per type, degrees, reciprocity, silos,
// and who the informal and the formal leaders are.
#include <cstddef>
#include <string>
#include <vector>

#include "groundswell/org/organization.hpp"

namespace groundswell::org {

/// Minimum, median, maximum and mean of a list of counts.
struct Spread {
  double min = 0, median = 0, max = 0, mean = 0;
};

struct Description {
  AgentId agents = 0;
  DepartmentId departments = 0;
  Spread department_size;
  std::int32_t depth = 0;               ///< levels in the hierarchy (1 when flat)
  std::size_t tops = 0;                 ///< agents without a manager
  std::size_t with_manager = 0;         ///< agents with a manager
  std::size_t listen_to_manager = 0;    ///< agents with a tie (formal or informal) to their manager
  std::size_t formal_leader_count = 0;  ///< agents with at least one direct report
  EdgeIndex ties = 0, formal_ties = 0, informal_ties = 0;
  Spread listens_to;            ///< per agent: how many people it listens to (all ties)
  Spread listened_to_by;        ///< per agent: how many people listen to it (all ties)
  double reciprocity = 0;       ///< share of informal ties i <- j with an informal j <- i (NaN if none)
  double cross_department = 0;  ///< share of informal ties between two departments (NaN if none)
  /// The `top` most listened-to agents: weighted in-degree on the informal
  /// ties, highest first, ties by lower id; only agents listened to at all.
  std::vector<AgentId> informal_leaders;
  std::vector<double> informal_score;  ///< [agent] weighted informal in-degree
  /// The first `top` formal leaders (people with direct reports) by level,
  /// then id (the engine's `formal` champion order, leaders only); empty
  /// without a hierarchy.
  std::vector<AgentId> formal_leaders;
  std::vector<AgentId> overlap;  ///< in both lists, in informal order
};

/// Describes `organization`; `top` is the length of the leader lists.
/// Cost O(N log N + E).
Description describe_organization(const Organization& organization, std::size_t top);

/// The description as aligned text lines, naming agents by their ids.
std::string format_description(const Organization& organization, const Description& description);

}  // namespace groundswell::org
