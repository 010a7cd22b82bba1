// Recorders of the trial loop: curves and per-trial metrics (MODEL.md 7),
// adoption times, snapshots.
#include "groundswell/engine/recorder.hpp"

#include <algorithm>

#include "engine/detail/parallel.hpp"

namespace groundswell::engine {
namespace {
constexpr std::size_t kSums = 9;      // counts of N, C, A, R; sums of a, c, r, P; active champions
constexpr std::size_t kCounters = 4;  // interleaved department tallies
}  // namespace

void TrialCurves::resize(Step steps_, const org::Organization& o) {
  steps = steps_;
  departments = o.department_count;
  department_size.assign(static_cast<std::size_t>(departments), 0);
  for (DepartmentId d : o.department) ++department_size[static_cast<std::size_t>(d)];
  department_names = o.department_names;
  const auto len = static_cast<std::size_t>(steps) + 1;
  for (auto& s : share) s.assign(len, 0.0f);
  mean_autonomy.assign(len, 0.0f);
  mean_competence.assign(len, 0.0f);
  mean_relatedness.assign(len, 0.0f);
  mean_pressure.assign(len, 0.0f);
  department_adopted.assign(len * static_cast<std::size_t>(departments), 0.0f);
  department_internalized.assign(len * static_cast<std::size_t>(departments), 0.0f);
  active_champions.assign(len, 0);
}

void CurveRecorder::begin(const TrialSimulation& trial, Step steps) {
  const org::Organization& o = trial.setup().organization;
  curves_.resize(steps, o);
  const std::size_t blocks = (o.size() + detail::kAgentBlock - 1) / detail::kAgentBlock;
  const auto d_count = static_cast<std::size_t>(o.department_count);
  partial_.assign(blocks * (kSums + 2 * d_count), 0.0);
  tally_.assign(blocks * 2 * kCounters * d_count, 0);
  recorded_ = -1;
}

/// Sums over fixed blocks of agents (in parallel for large organizations),
/// then over blocks in order into the first block's slots: the result never
/// depends on the thread count.
void CurveRecorder::sum_agents(const TrialSimulation& trial) {
  const RunState& state = trial.state();
  const org::Organization& o = trial.setup().organization;
  const AgentId n = o.size();
  const auto d_count = static_cast<std::size_t>(curves_.departments);
  const std::size_t width = kSums + 2 * d_count;
  const std::size_t blocks = (n + detail::kAgentBlock - 1) / detail::kAgentBlock;
  auto& partial = partial_;
  std::fill(partial.begin(), partial.end(), 0.0);
  // Parallel only when the agent phases are (parallel.hpp): small
  // organizations run many trials at once instead.
  const bool parallel = n >= 2 * detail::kAgentBlock;
  auto sum_block = [&](std::size_t b) {
    // Local accumulators: the sums must not live behind a pointer, since
    // the byte-sized state loads could alias them and force a store per agent.
    // Counts and sums in registers, with two accumulators for each sum (even
    // and odd agents) so that consecutive additions do not wait for each other.
    std::uint32_t count[kStateCount] = {0, 0, 0, 0};
    std::uint32_t champions = 0;
    double autonomy0 = 0, competence0 = 0, relatedness0 = 0, pressure0 = 0;
    double autonomy1 = 0, competence1 = 0, relatedness1 = 0, pressure1 = 0;
    // Adopters (A + C) and the internalized (A) per department, counted in
    // kCounters interleaved tallies: neighbours are often in one department,
    // and a single tally would make each count wait for the previous one.
    std::uint32_t* adopted = tally_.data() + b * 2 * kCounters * d_count;
    std::uint32_t* internalized = adopted + kCounters * d_count;
    std::fill(adopted, adopted + 2 * kCounters * d_count, 0u);
    auto tally = [&](std::size_t i) {
      const State s = state.current.state[i];
      for (int k = 0; k < kStateCount; ++k) count[k] += s == static_cast<State>(k);
      const std::size_t slot = (i % kCounters) * d_count + static_cast<std::size_t>(o.department[i]);
      adopted[slot] += s == State::A || s == State::C;
      internalized[slot] += s == State::A;
      champions += state.champion[i];
    };
    const std::size_t begin = b * detail::kAgentBlock;
    const std::size_t end = std::min<std::size_t>(n, begin + detail::kAgentBlock);
    std::size_t i = begin;
    for (; i + 1 < end; i += 2) {
      tally(i);
      tally(i + 1);
      autonomy0 += state.current.autonomy[i];
      competence0 += state.current.competence[i];
      relatedness0 += state.current.relatedness[i];
      pressure0 += state.pressure[i];
      autonomy1 += state.current.autonomy[i + 1];
      competence1 += state.current.competence[i + 1];
      relatedness1 += state.current.relatedness[i + 1];
      pressure1 += state.pressure[i + 1];
    }
    if (i < end) {
      tally(i);
      autonomy0 += state.current.autonomy[i];
      competence0 += state.current.competence[i];
      relatedness0 += state.current.relatedness[i];
      pressure0 += state.pressure[i];
    }
    double* sum = partial.data() + b * width;
    for (std::size_t d = 0; d < d_count; ++d) {
      std::uint32_t total = 0, total_internalized = 0;
      for (std::size_t k = 0; k < kCounters; ++k) {
        total += adopted[k * d_count + d];
        total_internalized += internalized[k * d_count + d];
      }
      sum[kSums + d] = total;
      sum[kSums + d_count + d] = total_internalized;
    }
    sum[8] = champions;
    for (int k = 0; k < kStateCount; ++k) sum[k] = count[k];
    sum[4] = autonomy0 + autonomy1;
    sum[5] = competence0 + competence1;
    sum[6] = relatedness0 + relatedness1;
    sum[7] = pressure0 + pressure1;
  };
  if (parallel) {
    detail::for_each_block_index(blocks, sum_block);
  } else {
    for (std::size_t b = 0; b < blocks; ++b) sum_block(b);
  }
  for (std::size_t b = 1; b < blocks; ++b)
    for (std::size_t k = 0; k < width; ++k) partial[k] += partial[b * width + k];
}

/// The totals of the last step plus this step's adopters, N -> A. The
/// counts are whole numbers in double, so they are exact in any order; the
/// sums of traits and pressure stand, since these rules never change them.
void CurveRecorder::add_adopters(const TrialSimulation& trial) {
  const auto& adopters = trial.state().newly_adopted;
  const auto& department = trial.setup().organization.department;
  const auto d_count = static_cast<std::size_t>(curves_.departments);
  double* total = partial_.data();
  const auto k = static_cast<double>(adopters.size());
  total[static_cast<int>(State::N)] -= k;
  total[static_cast<int>(State::A)] += k;
  for (AgentId i : adopters) {
    const auto d = static_cast<std::size_t>(department[i]);
    total[kSums + d] += 1;            // adopted (A + C)
    total[kSums + d_count + d] += 1;  // internalized (A)
  }
}

void CurveRecorder::record(const TrialSimulation& trial) {
  const RunState& state = trial.state();
  TrialCurves& curves = curves_;
  const AgentId n = trial.setup().organization.size();
  const auto row = static_cast<std::size_t>(state.time);
  const auto d_count = static_cast<std::size_t>(curves.departments);
  const auto rule = trial.spec().rule;
  const bool only_adopt = rule == model::Rule::Bass || rule == model::Rule::Threshold || rule == model::Rule::Cascade;
  if (only_adopt && recorded_ >= 0 && state.time == recorded_ + 1)
    add_adopters(trial);
  else
    sum_agents(trial);
  recorded_ = state.time;
  const double* total = partial_.data();
  for (int k = 0; k < kStateCount; ++k) curves.share[k][row] = static_cast<float>(total[k] / n);
  curves.mean_autonomy[row] = static_cast<float>(total[4] / n);
  curves.mean_competence[row] = static_cast<float>(total[5] / n);
  curves.mean_relatedness[row] = static_cast<float>(total[6] / n);
  curves.mean_pressure[row] = static_cast<float>(total[7] / n);
  curves.active_champions[row] = static_cast<std::int32_t>(total[8]);
  float* dept = curves.department_adopted.data() + row * d_count;
  float* dept_internalized = curves.department_internalized.data() + row * d_count;
  for (std::size_t d = 0; d < d_count; ++d) {
    const auto size = curves.department_size[d];
    dept[d] = size ? static_cast<float>(total[kSums + d] / size) : 0.0f;
    dept_internalized[d] = size ? static_cast<float>(total[kSums + d_count + d] / size) : 0.0f;
  }
}

TrialMetrics compute_metrics(const TrialCurves& curves) {
  TrialMetrics m;
  const auto T = static_cast<std::size_t>(curves.steps);
  const auto& C = curves.share[static_cast<int>(State::C)];
  const auto& A = curves.share[static_cast<int>(State::A)];
  const auto& R = curves.share[static_cast<int>(State::R)];
  m.final_adopted = A[T] + C[T];
  m.final_internalized = A[T];
  for (std::size_t t = 0; t <= T; ++t) {
    if (!m.t50 && A[t] + C[t] >= 0.5f) m.t50 = static_cast<std::int32_t>(t);
    if (!m.t50_internalized && A[t] >= 0.5f) m.t50_internalized = static_cast<std::int32_t>(t);
    m.peak_compliance = std::max(m.peak_compliance, C[t]);
    m.peak_resistance = std::max(m.peak_resistance, R[t]);
  }
  const auto d_count = static_cast<std::size_t>(curves.departments);
  for (std::size_t d = 0; d < d_count; ++d) {
    m.departments_reached += curves.department_adopted[T * d_count + d] >= 0.5f;
    m.departments_internalized += curves.department_internalized[T * d_count + d] >= 0.5f;
  }
  return m;
}

void AdoptionTimeRecorder::begin(const TrialSimulation& trial, Step steps) {
  never_ = never(steps);
  agents_ = trial.setup().organization.size();
  std::fill(times_, times_ + agents_, never_);
}

void AdoptionTimeRecorder::record(const TrialSimulation& trial) {
  const State* state = trial.state().current.state.data();
  const auto t = static_cast<std::int32_t>(trial.state().time);
  for (AgentId i = 0; i < agents_; ++i)
    if (times_[i] == never_ && (state[i] == State::A || state[i] == State::C)) times_[i] = t;
}

void SnapshotRecorder::begin(const TrialSimulation& trial, Step steps) {
  agents_ = trial.setup().organization.size();
  states_.assign((static_cast<std::size_t>(steps) + 1) * agents_, State::N);
  recorded_ = 0;
}

void SnapshotRecorder::record(const TrialSimulation& trial) {
  const auto& state = trial.state().current.state;
  std::copy(state.begin(), state.end(), states_.begin() + static_cast<std::ptrdiff_t>(recorded_) * agents_);
  ++recorded_;
}

bool run_trial(const model::ScenarioSpec& spec, const TrialSetup& setup, std::uint64_t key, Step steps,
               TrialCurves& curves, StopToken stop, TrialAttribution* attribution) {
  TrialSimulation sim(spec, setup, key, steps);
  CurveRecorder recorder(curves);
  if (!attribution) return run_trial(sim, steps, recorder, stop);
  AttributionRecorder attributing(*attribution, spec.record.credit);
  Recorders both{&recorder, &attributing};
  return run_trial(sim, steps, both, stop);
}

}  // namespace groundswell::engine
