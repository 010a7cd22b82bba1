#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>

#include "engine/detail/rules.hpp"
#include "groundswell/engine/trial.hpp"

namespace groundswell::engine {

std::vector<float> detail::inverse_total_weights(const org::InfluenceNetwork& net) {
  const AgentId n = net.agent_count();
  std::vector<float> inverse(n);
  for (AgentId i = 0; i < n; ++i) {
    double total = 0;
    for (EdgeIndex e = net.offsets[i]; e < net.offsets[i + 1]; ++e) total += net.weights[e];
    inverse[i] = total > 0 ? static_cast<float>(1.0 / total) : 0.0f;
  }
  return inverse;
}

/// What the simulation keeps beside the run state: the read-only context,
/// the rule's step and its caches and scratch.
struct TrialSimulation::Impl {
  detail::TrialContext ctx;
  void (*step)(const detail::TrialContext&, RunState&, detail::Workspace&);
  detail::Workspace work;
};

TrialSimulation::TrialSimulation(const model::ScenarioSpec& spec, const TrialSetup& setup, std::uint64_t key,
                                 Step steps)
    : spec_(spec), setup_(setup) {
  if (spec.rule == model::Rule::Bass && spec.bass.outside == model::BassOutside::Linear && steps <= 0)
    throw std::invalid_argument("bass.outside = \"linear\" needs the run's number of steps");
  const auto& net = setup.organization.network;
  const AgentId n = setup.organization.size();
  impl_ = std::make_unique<Impl>(
      Impl{detail::TrialContext{spec, setup, CounterStream(key), steps, {}, {}, nullptr}, nullptr, {}});
  auto& ctx = impl_->ctx;
  ctx.inverse_total_weight = detail::inverse_total_weights(net);
  state_.current = setup.agents;
  if (spec.rule == model::Rule::Sdt) {
    detail::sdt_start(ctx, state_, impl_->work);
    impl_->step = detail::sdt_step;
  } else {
    // A symmetric network lists each agent's listeners itself, in the order
    // the transpose would: no copy (org::InfluenceNetwork::symmetric).
    assert(!net.symmetric || org::is_own_transpose(net));
    if (!net.symmetric) ctx.transposed = org::transpose(net);
    ctx.listeners = net.symmetric ? &net : &ctx.transposed;
    state_.committed.assign(n, 0);
    state_.champion.assign(n, 0);
    state_.issuer.assign(n, 0);
    if (spec.rule == model::Rule::Agreement) {
      detail::agreement_start(ctx, state_, impl_->work);
      impl_->step = detail::agreement_step;
    } else {
      detail::classic_start(ctx, state_, impl_->work);
      impl_->step = spec.rule == model::Rule::Bass        ? detail::bass_step
                    : spec.rule == model::Rule::Threshold ? detail::threshold_step
                                                          : detail::cascade_step;
    }
  }
}

TrialSimulation::~TrialSimulation() = default;

void TrialSimulation::step() { impl_->step(impl_->ctx, state_, impl_->work); }

double TrialSimulation::mandate_intensity(Step t) const noexcept { return detail::mandate_intensity(spec_.mandate, t); }

double TrialSimulation::outside_influence(Step t) const noexcept {
  return detail::bass_outside_influence(spec_.bass, t, impl_->ctx.steps);
}

}  // namespace groundswell::engine
