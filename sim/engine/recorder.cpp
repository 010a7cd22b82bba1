// Recorders of the trial loop: curves and per-trial metrics (MODEL.md 7),
// adoption times, snapshots.
#include "groundswell/engine/recorder.hpp"

#include <algorithm>
#include <cstring>

#include "engine/detail/parallel.hpp"

namespace groundswell::engine {
namespace {
constexpr std::size_t kSums = 5;  // sums of a, c, r, P; active champions
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
  partial_.assign(blocks * kSums, 0.0);
  tally_.assign(blocks * (kStateCount + 2 * d_count), 0);
  before_.assign(o.size(), State::N);
  recorded_ = -1;
}

/// Sums over fixed blocks of agents (in parallel for large organizations),
/// then over blocks in order: the result never depends on the thread count.
/// The counts are kept from one step to the next and changed only for the
/// agents whose state changed, which are few in most steps.
void CurveRecorder::sum_agents(const TrialSimulation& trial) {
  const RunState& state = trial.state();
  const org::Organization& o = trial.setup().organization;
  const AgentId n = o.size();
  const auto d_count = static_cast<std::size_t>(curves_.departments);
  const std::size_t tally_width = kStateCount + 2 * d_count;
  const std::size_t blocks = (n + detail::kAgentBlock - 1) / detail::kAgentBlock;
  const State* now = state.current.state.data();
  // Parallel only when the agent phases are (parallel.hpp): small
  // organizations run many trials at once instead.
  const bool parallel = n >= 2 * detail::kAgentBlock;
  auto sum_block = [&](std::size_t b) {
    const std::size_t begin = b * detail::kAgentBlock;
    const std::size_t end = std::min<std::size_t>(n, begin + detail::kAgentBlock);
    // Counts of N, C, A, R, then adopters (A + C) and the internalized (A) per department.
    std::uint32_t* count = tally_.data() + b * tally_width;
    std::uint32_t* adopted = count + kStateCount;
    std::uint32_t* internalized = adopted + d_count;
    auto tally = [&](std::size_t i, State s, std::uint32_t sign) {  // sign 1 or -1 (modulo 2^32)
      const auto d = static_cast<std::size_t>(o.department[i]);
      count[static_cast<int>(s)] += sign;
      adopted[d] += s == State::A || s == State::C ? sign : 0u;
      internalized[d] += s == State::A ? sign : 0u;
    };
    if (recorded_ < 0) {
      for (std::size_t i = begin; i < end; ++i) tally(i, now[i], 1u);
    } else {
      constexpr std::size_t kWord = sizeof(std::uint64_t);  // eight states compared at once
      for (std::size_t i = begin; i < end;) {
        if (i + kWord <= end && std::memcmp(now + i, before_.data() + i, kWord) == 0) {
          i += kWord;
          continue;
        }
        for (const std::size_t stop = std::min(end, i + kWord); i < stop; ++i)
          if (now[i] != before_[i]) {
            tally(i, before_[i], ~0u);
            tally(i, now[i], 1u);
          }
      }
    }
    std::copy(now + begin, now + end, before_.begin() + static_cast<std::ptrdiff_t>(begin));
    std::uint32_t champions = 0;
    for (std::size_t i = begin; i < end; ++i) champions += state.champion[i];
    // Two accumulators for each sum (even and odd agents), so that
    // consecutive additions do not wait for each other: one pair of doubles.
    using Pair = double __attribute__((vector_size(16)));
    Pair autonomy = {0, 0}, competence = {0, 0}, relatedness = {0, 0}, pressure = {0, 0};
    const float* a = state.current.autonomy.data();
    const float* c = state.current.competence.data();
    const float* r = state.current.relatedness.data();
    const float* P = state.pressure.data();
    std::size_t i = begin;
    for (; i + 1 < end; i += 2) {
      autonomy += Pair{a[i], a[i + 1]};
      competence += Pair{c[i], c[i + 1]};
      relatedness += Pair{r[i], r[i + 1]};
      pressure += Pair{P[i], P[i + 1]};
    }
    if (i < end) {
      autonomy[0] += a[i];
      competence[0] += c[i];
      relatedness[0] += r[i];
      pressure[0] += P[i];
    }
    double* sum = partial_.data() + b * kSums;
    sum[0] = autonomy[0] + autonomy[1];
    sum[1] = competence[0] + competence[1];
    sum[2] = relatedness[0] + relatedness[1];
    sum[3] = pressure[0] + pressure[1];
    sum[4] = champions;
  };
  if (parallel) {
    detail::for_each_block_index(blocks, sum_block);
  } else {
    for (std::size_t b = 0; b < blocks; ++b) sum_block(b);
  }
  for (std::size_t k = 0; k < kSums; ++k) sums_[k] = partial_[k];
  for (std::size_t b = 1; b < blocks; ++b)
    for (std::size_t k = 0; k < kSums; ++k) sums_[k] += partial_[b * kSums + k];
}

/// Bass, threshold and cascade only move agents N -> A, the step's adopters,
/// and never change traits, pressure or champions: the counts follow from
/// that list, and the sums stand.
void CurveRecorder::add_adopters(const TrialSimulation& trial) {
  const auto& department = trial.setup().organization.department;
  const auto d_count = static_cast<std::size_t>(curves_.departments);
  const std::size_t tally_width = kStateCount + 2 * d_count;
  for (AgentId i : trial.state().newly_adopted) {
    std::uint32_t* count = tally_.data() + (i / detail::kAgentBlock) * tally_width;
    const auto d = static_cast<std::size_t>(department[i]);
    --count[static_cast<int>(State::N)];
    ++count[static_cast<int>(State::A)];
    ++count[kStateCount + d];            // adopters (A + C)
    ++count[kStateCount + d_count + d];  // internalized (A)
    before_[i] = State::A;
  }
}

void CurveRecorder::record(const TrialSimulation& trial) {
  static_assert(std::tuple_size_v<decltype(sums_)> == kSums);
  const RunState& state = trial.state();
  TrialCurves& curves = curves_;
  const AgentId n = trial.setup().organization.size();
  const auto row = static_cast<std::size_t>(state.time);
  const auto d_count = static_cast<std::size_t>(curves.departments);
  const std::size_t tally_width = kStateCount + 2 * d_count;
  const auto rule = trial.spec().rule;
  const bool only_adopt = rule == model::Rule::Bass || rule == model::Rule::Threshold || rule == model::Rule::Cascade;
  if (only_adopt && recorded_ >= 0 && state.time == recorded_ + 1)
    add_adopters(trial);
  else
    sum_agents(trial);
  recorded_ = state.time;
  std::vector<std::uint64_t>& counts = totals_;
  counts.assign(tally_width, 0);
  for (std::size_t b = 0; b < tally_.size() / tally_width; ++b)
    for (std::size_t k = 0; k < tally_width; ++k) counts[k] += tally_[b * tally_width + k];
  for (int k = 0; k < kStateCount; ++k)
    curves.share[k][row] = static_cast<float>(static_cast<double>(counts[static_cast<std::size_t>(k)]) / n);
  curves.mean_autonomy[row] = static_cast<float>(sums_[0] / n);
  curves.mean_competence[row] = static_cast<float>(sums_[1] / n);
  curves.mean_relatedness[row] = static_cast<float>(sums_[2] / n);
  curves.mean_pressure[row] = static_cast<float>(sums_[3] / n);
  curves.active_champions[row] = static_cast<std::int32_t>(sums_[4]);
  float* dept = curves.department_adopted.data() + row * d_count;
  float* dept_internalized = curves.department_internalized.data() + row * d_count;
  for (std::size_t d = 0; d < d_count; ++d) {
    const auto size = curves.department_size[d];
    const auto adopted = static_cast<double>(counts[kStateCount + d]);
    const auto internalized = static_cast<double>(counts[kStateCount + d_count + d]);
    dept[d] = size ? static_cast<float>(adopted / size) : 0.0f;
    dept_internalized[d] = size ? static_cast<float>(internalized / size) : 0.0f;
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
