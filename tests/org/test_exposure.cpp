// Structural equivalence exposure (include/groundswell/org/exposure.hpp;
// Burt 1987, AJS 92:1287; the form of Valente 1995 and netdiffuseR's
// struct_equiv), checked on a hand-made graph against numbers derived by hand
// and by an independent numpy implementation (below).
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "groundswell/model/scenario.hpp"
#include "groundswell/org/exposure.hpp"
#include "groundswell/org/organization.hpp"

using namespace groundswell;

namespace {

/// Five agents, ties "i listens to j": 0->1, 1->2, 2->0 (a cycle), 3->0, 4->3, 0->4.
org::Organization five() {
  org::Organization o;
  o.manager.assign(5, kNoManager);
  o.level.assign(5, 0);
  o.department.assign(5, 0);
  o.department_count = 1;
  org::mark_formal_leaders(o);
  o.network = org::build_network(5, {{0, 1, 0.5f, false},
                                     {1, 2, 1.0f, false},
                                     {2, 0, 2.0f, false},
                                     {3, 0, 1.0f, false},
                                     {4, 3, 1.0f, false},
                                     {0, 4, 1.0f, false}});
  return o;
}

/// The weight of i -> j in `net`, 0 without a tie.
double weight(const org::InfluenceNetwork& net, AgentId i, AgentId j) {
  for (EdgeIndex e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
    if (net.sources[e] == j) return net.weights[e];
  return 0;
}

}  // namespace

// Geodesics by hand (every agent reaches every other, so no "largest + 1"):
//   z = [[0 1 2 2 1], [2 0 1 4 3], [1 2 0 3 2], [1 2 3 0 2], [2 3 4 1 0]].
// Squared distances d_ij^2 = (z_ij - z_ji)^2 + sum_{k != i,j} (z_ik - z_jk)^2 + (z_ki - z_kj)^2:
//   d^2 row 0 = [-, 13, 13, 13, 13]; d_12^2 = 7, d_13^2 = 16, d_14^2 = 18,
//   d_23^2 = 18, d_24^2 = 16, d_34^2 = 7 (e.g. d_12^2 = (1-2)^2 + [(2-1)^2 + (2-1)^2]
//   + [(4-3)^2 + (4-3)^2] + [(3-2)^2 + (3-2)^2] for k = 0, 3, 4).
// Agent 0 is equally far from all: dmax_0 - d_0k = 0, no SE alters. Agent 1:
// dmax_1 = sqrt(18), SE_1j = (sqrt 18 - d_1j) / sum. The same from numpy
// (z by breadth-first search, D and W by the formula's loops):
//   W[1] = [0.25724154159742824, 0, 0.6447859238306182, 0.09797253457195364, 0]
//   v = 2: W[1] = [0.13462954759597778, 0, 0.8458420634269714, 0.019528409466147423, 0]
// and rows 2-4 hold the same three weights at other places (numpy: W[2] = [a, c, 0, 0, b],
// W[3] = [a, b, 0, 0, c], W[4] = [a, 0, b, c, 0] for W[1] = [a, 0, c, b, 0]).
TEST_CASE("structural equivalence on a five-agent graph matches the hand-computed weights", "[unit][exposure]") {
  const org::Organization o = five();
  const std::vector<std::uint16_t> z = org::geodesics(o.network);
  const std::vector<std::uint16_t> expected_z = {0, 1, 2, 2, 1, 2, 0, 1, 4, 3, 1, 2, 0,
                                                 3, 2, 1, 2, 3, 0, 2, 2, 3, 4, 1, 0};
  CHECK(z == expected_z);

  const org::InfluenceNetwork se = org::structural_equivalence_network(o, 1.0);
  REQUIRE(se.agent_count() == 5);
  CHECK(se.offsets[1] - se.offsets[0] == 0);  // agent 0: no SE alters
  const double r18 = std::sqrt(18.0), r13 = std::sqrt(13.0), r7 = std::sqrt(7.0);
  const double total = (r18 - r13) + (r18 - r7) + (r18 - 4.0);
  CHECK(weight(se, 1, 0) == static_cast<float>((r18 - r13) / total));
  CHECK(weight(se, 1, 2) == static_cast<float>((r18 - r7) / total));
  CHECK(weight(se, 1, 3) == static_cast<float>((r18 - 4.0) / total));
  CHECK(weight(se, 1, 4) == 0);
  CHECK(weight(se, 1, 0) == Approx(0.25724154159742824).epsilon(1e-7));
  CHECK(weight(se, 1, 2) == Approx(0.6447859238306182).epsilon(1e-7));
  CHECK(weight(se, 1, 3) == Approx(0.09797253457195364).epsilon(1e-7));
  // The symmetric rows: 2 is to 1 and 4 what 1 is to 2 and 3, and so on.
  CHECK(weight(se, 2, 0) == weight(se, 1, 0));
  CHECK(weight(se, 2, 1) == weight(se, 1, 2));
  CHECK(weight(se, 2, 4) == weight(se, 1, 3));
  CHECK(weight(se, 3, 4) == weight(se, 1, 2));
  CHECK(weight(se, 3, 1) == weight(se, 1, 3));
  CHECK(weight(se, 4, 3) == weight(se, 1, 2));
  CHECK(weight(se, 4, 2) == weight(se, 1, 3));
  // Rows sum to 1, ties in increasing source order, none formal, none to oneself.
  for (AgentId i = 1; i < 5; ++i) {
    double sum = 0;
    for (EdgeIndex e = se.offsets[i]; e < se.offsets[i + 1]; ++e) {
      sum += se.weights[e];
      CHECK(se.sources[e] != i);
      CHECK(se.formal[e] == 0);
      if (e > se.offsets[i]) CHECK(se.sources[e] > se.sources[e - 1]);
    }
    CHECK(sum == Approx(1.0).epsilon(1e-6));
  }
  // d is symmetric, so SE_ij > 0 and SE_ji > 0 go together here (dmax equal for rows 1-4).
  for (AgentId i = 1; i < 5; ++i)
    for (AgentId j = 1; j < 5; ++j) CHECK((weight(se, i, j) > 0) == (weight(se, j, i) > 0));

  const org::InfluenceNetwork squared = org::structural_equivalence_network(o, 2.0);
  CHECK(weight(squared, 1, 0) == Approx(0.13462954759597778).epsilon(1e-7));
  CHECK(weight(squared, 1, 2) == Approx(0.8458420634269714).epsilon(1e-7));
  CHECK(weight(squared, 1, 3) == Approx(0.019528409466147423).epsilon(1e-7));
}

TEST_CASE("structural equivalence: unreachable pairs are one beyond the longest geodesic", "[unit][exposure]") {
  // 0 -> 1 -> 2 and an isolated 3: the longest geodesic is 2, so unreachable = 3.
  org::Organization o = five();
  o.network = org::build_network(4, {{0, 1, 1.0f, false}, {1, 2, 1.0f, false}});
  const std::vector<std::uint16_t> z = org::geodesics(o.network);
  const std::vector<std::uint16_t> expected = {0, 1, 2, 3, 3, 0, 1, 3, 3, 3, 0, 3, 3, 3, 3, 0};
  CHECK(z == expected);
  // Ties of weight 0 are not hops; no ties at all: every pair unreachable at 1,
  // all agents equally far apart, so nobody has an SE alter.
  o.network = org::build_network(4, {{0, 1, 0.0f, false}});
  CHECK(org::geodesics(o.network) == std::vector<std::uint16_t>{0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0});
  CHECK(org::structural_equivalence_network(o, 1.0).edge_count() == 0);
}

TEST_CASE("structural equivalence refuses organizations above its documented size", "[unit][exposure]") {
  org::Organization o;
  const AgentId n = model::kMaxStructuralEquivalenceAgents + 1;
  o.manager.assign(n, kNoManager);
  o.level.assign(n, 0);
  o.department.assign(n, 0);
  o.network = org::build_network(n, {});
  CHECK_THROWS_AS(org::structural_equivalence_network(o, 1.0), InputError);
  CHECK_THROWS_WITH(org::structural_equivalence_network(o, 1.0),
                    Catch::Contains("at most 5000 agents") && Catch::Contains("exposure.definition = \"cohesion\""));
}
