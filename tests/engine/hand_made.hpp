#pragma once
// Small organizations built by hand for the mechanism tests (MODEL.md 4, 5, 7).
#include "groundswell/engine/trial.hpp"
#include "groundswell/org/generate.hpp"

namespace groundswell::testing {

/// An organization from a manager list; each agent listens to its manager
/// with weight 1 (formal) plus the extra ties given.
inline engine::TrialSetup make_setup(const std::vector<std::int32_t>& manager,
                                     const std::vector<org::Tie>& extra = {}) {
  engine::TrialSetup s;
  auto& o = s.organization;
  const auto n = static_cast<AgentId>(manager.size());
  o.manager = manager;
  o.level.assign(n, 0);
  for (AgentId i = 0; i < n; ++i)
    if (manager[i] != kNoManager) o.level[i] = o.level[static_cast<AgentId>(manager[i])] + 1;
  o.department.assign(n, 0);
  o.department_count = 1;
  org::mark_formal_leaders(o);
  std::vector<org::Tie> ties;
  for (AgentId i = 0; i < n; ++i)
    if (manager[i] != kNoManager) ties.push_back({i, static_cast<AgentId>(manager[i]), 1.0f, true});
  ties.insert(ties.end(), extra.begin(), extra.end());
  o.network = org::build_network(n, ties);
  s.agents.resize(n);
  for (AgentId i = 0; i < n; ++i) {
    s.agents.state[i] = State::N;
    s.agents.autonomy[i] = s.agents.competence[i] = s.agents.relatedness[i] = 0.5f;
  }
  s.threshold.assign(n, 0.4f);
  s.is_champion.assign(n, 0);
  return s;
}

/// Sdt parameters with every hazard and trait rate off; tests switch on one mechanism.
inline model::ScenarioSpec quiet_spec() {
  model::ScenarioSpec spec;
  spec.name = "mechanism";
  auto& p = spec.sdt;
  p.beta0 = p.beta_s = p.beta_p = p.rho_p = p.rho_s = 0;
  p.kappa_i = p.lambda_l = p.lambda_a = p.lambda_r = 0;
  p.eta_a = p.eta_c = p.eta_r = 0;
  return spec;
}

}  // namespace groundswell::testing
