// Organization generators (MODEL.md 2.1, 2.2).
#include <catch2/catch.hpp>

#include <cmath>

#include "groundswell/org/generate.hpp"

using namespace groundswell;

namespace {
model::OrganizationSpec spec_of(model::Generator g, std::uint32_t n) {
  model::OrganizationSpec s;
  s.generator = g;
  s.size = n;
  return s;
}
}  // namespace

TEST_CASE("hierarchy: complete span-ary tree, departments under level-1 managers", "[unit][org]") {
  const auto o = org::generate_organization(spec_of(model::Generator::Hierarchy, 1000), 1);
  REQUIRE(o.size() == 1000);
  CHECK(o.manager[0] == kNoManager);
  CHECK(o.level[0] == 0);
  CHECK(o.department_count == 7);
  for (AgentId k = 1; k < 1000; ++k) {
    CHECK(o.manager[k] == static_cast<std::int32_t>((k - 1) / 7));
    CHECK(o.level[k] == o.level[static_cast<AgentId>(o.manager[k])] + 1);
    if (o.level[k] == 1)
      CHECK(o.department[k] == static_cast<DepartmentId>(k - 1));
    else
      CHECK(o.department[k] == o.department[static_cast<AgentId>(o.manager[k])]);
  }
  CHECK(o.department[0] == 0);
  CHECK(o.is_formal_leader[0] == 1);
  CHECK(o.is_formal_leader[999] == 0);
  CHECK(o.depth() == 5);  // 1 + 7 + 49 + 343 = 400 < 1000 <= 2801
}

TEST_CASE("hierarchy: every agent listens to its manager, advisors are unique, weighted in (0,1)", "[unit][org]") {
  const auto o = org::generate_organization(spec_of(model::Generator::Hierarchy, 2000), 4);
  const auto& net = o.network;
  for (AgentId i = 0; i < o.size(); ++i) {
    const auto degree = net.offsets[i + 1] - net.offsets[i];
    CHECK(degree <= 9);
    std::size_t formal = 0;
    for (EdgeIndex e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
      CHECK(net.sources[e] != i);
      for (EdgeIndex f = net.offsets[i]; f < e; ++f) CHECK(net.sources[f] != net.sources[e]);
      if (net.formal[e]) {
        ++formal;
        CHECK(static_cast<std::int32_t>(net.sources[e]) == o.manager[i]);
      } else {
        CHECK(net.weights[e] > 0.0f);
        CHECK(net.weights[e] < 1.0f);
      }
    }
    CHECK(formal == (i == 0 ? 0u : 1u));
  }
}

TEST_CASE("hierarchy: cross_department sets which pool advisors come from", "[unit][org]") {
  auto spec = spec_of(model::Generator::Hierarchy, 1000);
  auto count_cross = [](const org::Organization& o) {
    std::size_t cross = 0, informal = 0;
    for (AgentId i = 0; i < o.size(); ++i)
      for (EdgeIndex e = o.network.offsets[i]; e < o.network.offsets[i + 1]; ++e)
        if (!o.network.formal[e]) {
          ++informal;
          cross += o.department[o.network.sources[e]] != o.department[i];
        }
    return std::pair<std::size_t, std::size_t>{cross, informal};
  };
  spec.cross_department = 0;
  CHECK(count_cross(org::generate_organization(spec, 2)).first == 0);
  spec.cross_department = 1;
  const auto all = count_cross(org::generate_organization(spec, 2));
  CHECK(all.first == all.second);
}

TEST_CASE("hierarchy: prestige makes a few agents much more listened to than others", "[unit][org]") {
  const auto o = org::generate_organization(spec_of(model::Generator::Hierarchy, 5000), 8);
  auto score = org::listened_to(o, false);
  std::sort(score.rbegin(), score.rend());
  double total = 0, top = 0;
  for (std::size_t k = 0; k < score.size(); ++k) {
    total += score[k];
    if (k < 50) top += score[k];
  }
  CHECK(top / total > 0.05);  // the top 1% hold more than 5% of the attention
}

TEST_CASE("generators are functions of their stream key", "[seed][org]") {
  const auto spec = spec_of(model::Generator::Hierarchy, 500);
  const auto a = org::generate_organization(spec, 10), b = org::generate_organization(spec, 10),
             c = org::generate_organization(spec, 11);
  CHECK(a.network.sources == b.network.sources);
  CHECK(a.network.weights == b.network.weights);
  CHECK(a.network.sources != c.network.sources);
}

TEST_CASE("complete, erdos_renyi and watts_strogatz have the specified structure", "[unit][org]") {
  const auto complete = org::generate_organization(spec_of(model::Generator::Complete, 30), 1);
  CHECK(complete.network.edge_count() == 30u * 29u);

  auto er_spec = spec_of(model::Generator::ErdosRenyi, 20000);
  er_spec.mean_degree = 4;
  const auto er = org::generate_organization(er_spec, 3);
  // edges ~ Binomial(N(N-1)/2, z/(N-1)): mean degree z within 4 SE
  const double pairs = 20000.0 * 19999.0 / 2, p = 4.0 / 19999.0;
  const double edges = static_cast<double>(er.network.edge_count()) / 2;
  CHECK(std::abs(edges - pairs * p) <= 4 * std::sqrt(pairs * p * (1 - p)));
  for (AgentId i = 0; i < 200; ++i)
    for (EdgeIndex e = er.network.offsets[i]; e < er.network.offsets[i + 1]; ++e)
      CHECK(org::listens_to(er.network, er.network.sources[e], i));  // undirected

  auto ws_spec = spec_of(model::Generator::WattsStrogatz, 100);
  ws_spec.neighbours = 6;
  ws_spec.rewire = 0;
  const auto ring = org::generate_organization(ws_spec, 1);
  for (AgentId i = 0; i < 100; ++i) {
    CHECK(ring.network.offsets[i + 1] - ring.network.offsets[i] == 6);
    CHECK(org::listens_to(ring.network, i, (i + 3) % 100));
    CHECK_FALSE(org::listens_to(ring.network, i, (i + 4) % 100));
  }
  ws_spec.rewire = 0.3;
  const auto rewired = org::generate_organization(ws_spec, 1);
  CHECK(rewired.network.edge_count() == 600);
}
