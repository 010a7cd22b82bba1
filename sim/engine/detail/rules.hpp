#pragma once
// The step of each rule, as phases over the run state (MODEL.md 5 and 6).
#include <vector>

#include "groundswell/engine/trial.hpp"
#include "groundswell/random.hpp"

namespace groundswell::engine::detail {

/// Read-only data of a running trial, derived once from the setup.
struct TrialContext {
  const model::ScenarioSpec& spec;
  const TrialSetup& setup;
  CounterStream rng;
  std::vector<float> inverse_total_weight;  ///< 1 / W_i, 0 when i listens to nobody
  org::InfluenceNetwork listeners;          ///< transposed network (classic rules): who listens to j
};

void sdt_start(const TrialContext& ctx, RunState& state);
void sdt_step(const TrialContext& ctx, RunState& state);
double mandate_intensity(const model::MandateSpec& mandate, Step t);

void classic_start(const TrialContext& ctx, RunState& state);
void bass_step(const TrialContext& ctx, RunState& state);
void threshold_step(const TrialContext& ctx, RunState& state);
void cascade_step(const TrialContext& ctx, RunState& state);

}  // namespace groundswell::engine::detail
