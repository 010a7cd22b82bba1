#pragma once
// Alternative exposure networks of the classic rules bass and threshold
// (docs/model.md, "Exposure"): whom an agent's exposure x_i weighs, other
// than the listens-to ties themselves.
#include <cstdint>
#include <vector>

#include "groundswell/org/organization.hpp"

namespace groundswell::org {

/// Geodesics z_ij along listens-to ties (i listens to j = one hop from i to
/// j; ties of weight 0 are not hops), row-major [i * N + j], z_ii = 0. An
/// unreachable pair gets the largest finite geodesic of the network plus 1
/// (1 if no agent reaches another). Cost O(N (N + E)) time, 2 N^2 bytes.
/// @throws InputError above model::kMaxStructuralEquivalenceAgents agents
std::vector<std::uint16_t> geodesics(const InfluenceNetwork& network);

/// Structural equivalence of Burt (1987), AJS 92:1287, doi:10.1086/228667, in
/// the form of Valente (1995) and netdiffuseR's struct_equiv:
///   d_ij = sqrt((z_ij - z_ji)^2 + sum_{k != i,j} [(z_ik - z_jk)^2 + (z_ki - z_kj)^2]),
///   dmax_i = max_{k != i} d_ik,
///   SE_ij = (dmax_i - d_ij)^v / sum_{k != i} (dmax_i - d_ik)^v  (j != i),
/// with z of geodesics(). Returned as a listens-to network in the CSR of
/// InfluenceNetwork: agent i "listens to" every j whose SE_ij, rounded to
/// float32, is > 0, in increasing j, with that weight (formal 0). An agent whose
/// denominator is 0 (all others equally far, or N = 1) has no ties.
/// Arithmetic, so that another implementation can match it bit for bit: the
/// squared distance is an exact integer (int64); d_ij = sqrt of it as a
/// double; dmax_i - d_ik and (for v != 1) std::pow in double; the
/// denominator summed in double in increasing k; SE_ij = term / denominator
/// in double, rounded once to float32.
/// Cost O(N^2) memory (about 30 N^2 bytes while built) and O(N^3) time.
/// @param organization the trial's organization (its network after coalition and connectors)
/// @param power v > 0
/// @throws InputError above model::kMaxStructuralEquivalenceAgents agents
InfluenceNetwork structural_equivalence_network(const Organization& organization, double power);

}  // namespace groundswell::org
