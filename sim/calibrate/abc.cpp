// Approximate Bayesian computation of a rule's free parameters (docs/calibration.md).
//
// Rejection ABC: `draws` parameter vectors from the prior, each simulated for
// `trials` engine trials; the `particles` closest (or all within epsilon) form the posterior.
//
// ABC-SMC, the population Monte Carlo of Beaumont, Cornuet, Marin and Robert
// (2009, Biometrika 96:983, doi:10.1093/biomet/asp052), as in Toni et al.
// (2009, J R Soc Interface 6:187, doi:10.1098/rsif.2008.0172): generation 0
// is `particles` prior draws; generation g has the tolerance eps_g = the
// `quantile` of generation g-1's distances, proposes by picking a particle of
// g-1 by weight and moving it with a Gaussian kernel whose variance is twice
// the weighted variance of g-1 (per parameter), and weighs an accepted
// particle by prior / sum_j w_j K(theta | theta_j). Parameters with a
// log-uniform prior are handled on the log scale, where their prior is uniform.
//
// Reproducibility: attempt a of generation g draws its proposal from the
// stream (Purpose::Propose, seed, g, a) and its simulations from the experiment seed
// (Purpose::Simulate, seed, g, a); attempts are simulated in parallel in batches of a
// fixed size and accepted in attempt order, so the thread count never changes
// a result.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <iomanip>
#include <limits>
#include <memory>
#include <numeric>
#include <sstream>
#include <unordered_map>

#include "groundswell/calibrate/calibration.hpp"
#include "groundswell/data_dir.hpp"
#include "groundswell/engine/recorder.hpp"
#include "groundswell/engine/trial.hpp"
#include "groundswell/experiment/memory.hpp"
#include "groundswell/experiment/parallel.hpp"
#include "groundswell/experiment/summary.hpp"
#include "groundswell/org/generate.hpp"
#include "groundswell/org/hierarchy.hpp"
#include "groundswell/random.hpp"

namespace groundswell::calibrate {
namespace {

/// The first progress line: what is being fitted, and how.
std::string calibration_header(const CalibrationSpec& spec) {
  const auto& x = spec.experiment;
  std::ostringstream os;
  os << "calibrating " << x.name << ": rule " << model::to_string(x.scenarios.front().rule) << ", "
     << (spec.abc.method == Method::Smc ? "ABC-SMC" : "rejection ABC") << ", " << spec.abc.particles << " particles";
  if (spec.abc.method == Method::Smc) os << ", " << spec.abc.generations << " generations";
  os << ", " << spec.abc.trials << " trials per particle (seed " << x.seed << ")";
  return os.str();
}

constexpr double kInf = std::numeric_limits<double>::infinity();

/// What is compared: the observed record (the organization, each agent's
/// observed adoption step and role) and the observed curves made of it.
struct Problem : ObservedRecord {
  std::vector<double> observed_curve;          ///< fit agents, steps 0..T
  std::vector<double> observed_holdout_curve;  ///< held-out agents
  std::vector<std::uint32_t> fit_in_department;
  std::vector<double> observed_department_curves;  ///< [department x (T + 1)], fit agents
};

std::vector<std::string> split_row(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  for (char ch : line) {
    if (ch == ' ' || ch == '\t' || ch == ',' || ch == '\r') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::string department_name(const org::Organization& o, DepartmentId d) {
  return o.department_names.empty() ? std::to_string(d) : o.department_names[static_cast<std::size_t>(d)];
}

/// Cumulative share of the agents with role `r` adopted by each step 0..T.
std::vector<double> curve_of(const std::vector<std::int32_t>& time, const std::vector<std::uint8_t>& role,
                             std::uint8_t r, Step steps) {
  std::vector<double> c(static_cast<std::size_t>(steps) + 1, 0.0);
  std::size_t n = 0;
  for (std::size_t i = 0; i < time.size(); ++i) {
    if (role[i] != r) continue;
    ++n;
    if (time[i] >= 0 && time[i] <= steps)
      for (Step t = time[i]; t <= steps; ++t) c[static_cast<std::size_t>(t)] += 1;
  }
  for (double& v : c) v = n ? v / static_cast<double>(n) : 0.0;
  return c;
}

/// The organization of trial 0 and the empty record: every agent missing, out of the distance.
ObservedRecord start_record(const CalibrationSpec& spec) {
  const model::ExperimentSpec& x = spec.experiment;
  ObservedRecord p;
  p.steps = x.steps;
  p.never = engine::AdoptionTimeRecorder::never(x.steps);
  p.organization = org::generate_organization(x.scenarios.front().organization, engine::organization_key(x.seed, 0));
  p.observed.assign(p.organization.size(), -1);
  p.role.assign(p.organization.size(), 0);
  return p;
}

/// observed.curve: every agent is fitted (against the given curve).
void fit_every_agent(ObservedRecord& p) {
  const AgentId n = p.organization.size();
  p.role.assign(n, 1);
  p.fit = n;
}

/// The column called `name` of the header (observed.`key`); throws InputError naming the columns there are.
std::size_t column_of(const std::vector<std::string>& header, const std::string& name, const char* key,
                      const std::string& where, const std::string& source) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) {
    std::string list;
    for (const auto& h : header) list += (list.empty() ? "" : ", ") + h;
    throw InputError(where + "no column \"" + name + "\" (observed." + key + " in " + source +
                     "); the header has: " + list);
  }
  return static_cast<std::size_t>(it - header.begin());
}

/// Agent i's observed adoption time `value`: a step 1..T (fitted), a code of
/// observed.never (fitted, never adopted) or of observed.missing (excluded).
void set_observed_time(const CalibrationSpec& spec, const std::string& value, const std::string& where, AgentId i,
                       ObservedRecord& p) {
  std::int64_t v = 0;
  std::size_t used = 0;
  try {
    v = std::stoll(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != value.size() || value.empty())
    throw InputError(where + "adoption time \"" + value + "\" in column \"" + spec.observed.time_column +
                     "\" is not an integer step");
  const auto& never = spec.observed.never;
  const auto& missing = spec.observed.missing;
  if (std::find(missing.begin(), missing.end(), v) != missing.end()) {
    p.observed[i] = -1;
    ++p.missing;
  } else if (std::find(never.begin(), never.end(), v) != never.end()) {
    p.observed[i] = p.never;
    p.role[i] = 1;
    ++p.never_count;
  } else if (v >= 1 && v <= p.steps) {
    p.observed[i] = static_cast<std::int32_t>(v);
    p.role[i] = 1;
  } else {
    throw InputError(where + "adoption time " + value + " is not a step 1.." + std::to_string(p.steps) +
                     " (experiment.steps in " + spec.experiment.source_path +
                     ") nor a code of observed.never or observed.missing; "
                     "add it to one of them or raise experiment.steps");
  }
}

/// observed.file: a header line, then one row per agent (id, adoption time);
/// agents without a row are missing.
void read_observed_file(const CalibrationSpec& spec, ObservedRecord& p) {
  const std::string& source = spec.experiment.source_path;
  const std::string& path = spec.observed.file;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const std::string hint = data_directory_hint(path);
    throw InputError(source + ": observed.file " + path + " cannot be read (not found or not readable)" +
                     (hint.empty() ? std::string("; check the path (relative to the calibration file)") : "; " + hint));
  }
  const org::Organization& o = p.organization;
  const AgentId n = o.size();
  std::unordered_map<std::string, AgentId> index;
  for (AgentId i = 0; i < n; ++i) index.emplace(o.ids.empty() ? std::to_string(i) : o.ids[i], i);
  std::string line;
  std::size_t line_no = 0;
  std::vector<std::string> header;
  std::size_t id_col = 0, time_col = 0;
  std::vector<std::uint8_t> seen(n, 0);
  while (std::getline(in, line)) {
    ++line_no;
    const auto cells = split_row(line);
    if (cells.empty() || cells.front().front() == '#') continue;
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    if (header.empty()) {
      header = cells;
      id_col = column_of(header, spec.observed.id_column, "id", where, source);
      time_col = column_of(header, spec.observed.time_column, "time", where, source);
      continue;
    }
    if (cells.size() <= std::max(id_col, time_col))
      throw InputError(where + "the row has " + std::to_string(cells.size()) + " values but the header has " +
                       std::to_string(header.size()) + " columns");
    const auto agent = index.find(cells[id_col]);
    if (agent == index.end())
      throw InputError(where + "id \"" + cells[id_col] + "\" is not a node of the organization; check observed.id in " +
                       source + " and the network's node ids");
    const AgentId i = agent->second;
    if (seen[i]) throw InputError(where + "id \"" + cells[id_col] + "\" appears twice; give one row per agent");
    seen[i] = 1;
    set_observed_time(spec, cells[time_col], where, i, p);
  }
  if (header.empty()) throw InputError(path + ": observed.file is empty; it needs a header line and one row per agent");
  for (AgentId i = 0; i < n; ++i)
    if (!seen[i]) ++p.missing;
}

/// The fitted agents of the `holdout` departments become held out (role 2).
void hold_out_departments(const CalibrationSpec& spec, ObservedRecord& p) {
  const org::Organization& o = p.organization;
  for (const std::string& name : spec.holdout) {
    DepartmentId d = -1;
    for (DepartmentId k = 0; k < o.department_count; ++k)
      if (department_name(o, k) == name) d = k;
    if (d < 0) {
      std::string list;
      for (DepartmentId k = 0; k < o.department_count; ++k) list += (list.empty() ? "" : ", ") + department_name(o, k);
      throw InputError(spec.experiment.source_path + ": holdout department \"" + name +
                       "\" is not a department of the organization; "
                       "its departments are: " +
                       list);
    }
    for (AgentId i = 0; i < o.size(); ++i)
      if (o.department[i] == d && p.role[i] == 1) p.role[i] = 2;
  }
}

/// observed.unrecorded = "drop": the agents without an observed time leave the organization.
void drop_unrecorded(ObservedRecord& p) {
  std::vector<std::uint8_t> keep(p.observed.size());
  for (std::size_t i = 0; i < keep.size(); ++i) keep[i] = p.observed[i] >= 0;
  p.organization = org::without_agents(p.organization, keep);
  std::size_t k = 0;
  for (std::size_t i = 0; i < keep.size(); ++i) {
    if (!keep[i]) continue;
    p.observed[k] = p.observed[i];
    p.role[k] = p.role[i];
    ++k;
  }
  p.dropped = static_cast<std::uint32_t>(keep.size() - k);
  p.observed.resize(k);
  p.role.resize(k);
}

/// Counts the fitted and held-out agents; throws InputError when none is left to fit.
void count_roles(const CalibrationSpec& spec, ObservedRecord& p) {
  const std::string& source = spec.experiment.source_path;
  for (AgentId i = 0; i < p.organization.size(); ++i) {
    p.fit += p.role[i] == 1;
    p.holdout += p.role[i] == 2;
  }
  if (p.fit == 0) throw InputError(source + ": no observed agent is left to fit (all missing or held out)");
  if (!spec.holdout.empty() && p.holdout == 0)
    throw InputError(source + ": the holdout departments have no observed agents; hold out other departments");
}

/// The fitted agents' observed curve in each department (for distance = "departments").
void department_curves(Problem& p) {
  const org::Organization& o = p.organization;
  const auto D = static_cast<std::size_t>(std::max<DepartmentId>(o.department_count, 1));
  const auto row = static_cast<std::size_t>(p.steps) + 1;
  p.fit_in_department.assign(D, 0);
  p.observed_department_curves.assign(D * row, 0.0);
  for (AgentId i = 0; i < o.size(); ++i) {
    if (p.role[i] != 1) continue;
    const auto d = static_cast<std::size_t>(o.department[i]);
    ++p.fit_in_department[d];
    if (p.observed[i] >= 0 && p.observed[i] <= p.steps)
      for (Step t = p.observed[i]; t <= p.steps; ++t)
        p.observed_department_curves[d * row + static_cast<std::size_t>(t)] += 1;
  }
  for (std::size_t d = 0; d < D; ++d)
    for (std::size_t t = 0; t < row; ++t)
      if (p.fit_in_department[d]) p.observed_department_curves[d * row + t] /= p.fit_in_department[d];
}

}  // namespace

ObservedRecord observed_record(const CalibrationSpec& spec) {
  if (!spec.observed.curve.empty() && spec.observed.unrecorded == Unrecorded::Drop)
    throw InputError(
        spec.experiment.source_path +
        ": observed.unrecorded = \"drop\" needs per-agent data: give observed.file instead of observed.curve");
  ObservedRecord p = start_record(spec);
  if (!spec.observed.curve.empty()) {
    fit_every_agent(p);
    return p;
  }
  read_observed_file(spec, p);
  if (spec.observed.unrecorded == Unrecorded::Drop) drop_unrecorded(p);
  hold_out_departments(spec, p);
  count_roles(spec, p);
  return p;
}

namespace {

/// The observed record and its curves.
Problem prepare_problem(const CalibrationSpec& spec) {
  Problem p;
  static_cast<ObservedRecord&>(p) = observed_record(spec);
  if (!spec.observed.curve.empty()) {
    p.observed_curve.assign(1, 0.0);  // step 0 is 0
    p.observed_curve.insert(p.observed_curve.end(), spec.observed.curve.begin(), spec.observed.curve.end());
  } else {
    p.observed_curve = curve_of(p.observed, p.role, 1, p.steps);
    if (p.holdout) p.observed_holdout_curve = curve_of(p.observed, p.role, 2, p.steps);
  }
  department_curves(p);
  return p;
}

/// One engine trial on `organization`: each agent's first step in A or C (0
/// for seeds, T + 1 if never). Stops early (times then incomplete) when
/// `stop` is requested.
void simulate_trial(const model::ScenarioSpec& spec, std::uint64_t seed, TrialIndex k,
                    const org::Organization& organization, Step steps, std::int32_t* time, engine::StopToken stop) {
  const engine::TrialSetup setup = engine::prepare_trial(spec, seed, k, organization);
  engine::TrialSimulation sim(spec, setup, engine::dynamics_key(seed, spec.name, k), steps);
  engine::AdoptionTimeRecorder times(time);
  engine::run_trial(sim, steps, times, stop);
}

double rmse(const std::vector<double>& a, const std::vector<double>& b, std::size_t from) {
  double ss = 0;
  for (std::size_t t = from; t < a.size(); ++t) ss += (a[t] - b[t]) * (a[t] - b[t]);
  return a.size() > from ? std::sqrt(ss / static_cast<double>(a.size() - from)) : 0.0;
}

/// The distance of `trials` simulated trials (times: [trials x agents]) to the observed record.
double distance(const Problem& p, Distance kind, const std::vector<std::int32_t>& times, std::uint32_t trials) {
  const std::size_t n = p.organization.size(), row = static_cast<std::size_t>(p.steps) + 1;
  switch (kind) {
    case Distance::Curve: {
      std::vector<double> mean(row, 0.0);
      for (std::uint32_t k = 0; k < trials; ++k)
        for (std::size_t i = 0; i < n; ++i) {
          if (p.role[i] != 1) continue;
          const std::int32_t t0 = times[k * n + i];
          if (t0 <= p.steps)
            for (auto t = static_cast<std::size_t>(t0); t < row; ++t) mean[t] += 1;
        }
      for (double& v : mean) v /= static_cast<double>(trials) * p.fit;
      return rmse(mean, p.observed_curve, 1);
    }
    case Distance::DepartmentCurves: {
      const std::size_t D = p.fit_in_department.size();
      std::vector<double> mean(D * row, 0.0);
      for (std::uint32_t k = 0; k < trials; ++k)
        for (std::size_t i = 0; i < n; ++i) {
          if (p.role[i] != 1) continue;
          const std::int32_t t0 = times[k * n + i];
          const auto d = static_cast<std::size_t>(p.organization.department[i]);
          if (t0 <= p.steps)
            for (auto t = static_cast<std::size_t>(t0); t < row; ++t) mean[d * row + t] += 1;
        }
      double ss = 0;
      std::size_t cells = 0;
      for (std::size_t d = 0; d < D; ++d) {
        if (!p.fit_in_department[d]) continue;
        for (std::size_t t = 1; t < row; ++t) {
          const double m = mean[d * row + t] / (static_cast<double>(trials) * p.fit_in_department[d]);
          const double e = m - p.observed_department_curves[d * row + t];
          ss += e * e;
          ++cells;
        }
      }
      return std::sqrt(ss / static_cast<double>(std::max<std::size_t>(cells, 1)));
    }
    case Distance::Agent: {
      double ss = 0;
      for (std::uint32_t k = 0; k < trials; ++k)
        for (std::size_t i = 0; i < n; ++i) {
          if (p.role[i] != 1) continue;
          const double e = times[k * n + i] - p.observed[i];
          ss += e * e;
        }
      return std::sqrt(ss / (static_cast<double>(trials) * p.fit));
    }
  }
  return kInf;
}

/// Parameters on the scale where their prior is uniform (log for log_uniform).
struct Space {
  std::vector<double> lo, hi;
  std::vector<const FreeParameter*> params;
  explicit Space(const std::vector<FreeParameter>& ps) {
    for (const auto& q : ps) {
      params.push_back(&q);
      lo.push_back(q.prior == Prior::LogUniform ? std::log(q.lower) : q.lower);
      hi.push_back(q.prior == Prior::LogUniform ? std::log(q.upper) : q.upper);
    }
  }
  std::size_t size() const { return lo.size(); }
  bool inside(const double* u) const {
    for (std::size_t j = 0; j < size(); ++j)
      if (!(u[j] >= lo[j] && u[j] <= hi[j])) return false;
    return true;
  }
  double value(std::size_t j, double u) const {
    double v = params[j]->prior == Prior::LogUniform ? std::exp(u) : u;
    if (params[j]->integer) v = std::round(v);
    return v;
  }
};

double normal(PhiloxEngine& rng) {  // Box-Muller
  const double u1 = rng.uniform(), u2 = rng.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

/// Index drawn by weight (inverse CDF of the cumulative weights).
std::size_t pick(const std::vector<double>& cumulative, double u) {
  const double target = u * cumulative.back();
  const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), target);
  return std::min<std::size_t>(static_cast<std::size_t>(it - cumulative.begin()), cumulative.size() - 1);
}

std::vector<double> to_values(const Space& space, const std::vector<double>& u) {
  std::vector<double> v(u.size());
  const std::size_t d = space.size();
  for (std::size_t i = 0; i < u.size(); ++i) v[i] = space.value(i % d, u[i]);
  return v;
}

/// What every phase of a calibration shares: the problem, the parameter
/// space, the seed, the thread count, the stop request and the progress lines.
struct Runner {
  const CalibrationSpec& spec;
  const Problem& problem;
  const Space& space;
  engine::StopToken stop;
  std::uint64_t seed;
  unsigned threads;
  const std::function<void(const std::string&)>& progress;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  /// Seconds since the calibration started.
  double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); }
  bool stopped() const { return stop.stop_requested(); }
  void say(const std::string& line) const {
    if (progress) progress(line);
  }

  /// Simulates the parameter vector u (uniform scale) with the experiment seed `sim_seed`.
  double evaluate(const double* u, std::uint64_t sim_seed, std::vector<std::int32_t>& times) const {
    model::ScenarioSpec s = spec.experiment.scenarios.front();
    for (std::size_t j = 0; j < space.size(); ++j) set_parameter(s, space.params[j]->key, space.value(j, u[j]));
    const std::size_t n = problem.organization.size();
    times.resize(spec.abc.trials * n);
    for (std::uint32_t k = 0; k < spec.abc.trials; ++k)
      simulate_trial(s, sim_seed, k, problem.organization, problem.steps, times.data() + k * n, stop);
    return distance(problem, spec.abc.distance, times, spec.abc.trials);
  }

  void prior_draw(std::uint64_t g, std::uint64_t a, double* u) const {
    PhiloxEngine rng(stream_key(Purpose::Propose, seed, g, a));
    for (std::size_t j = 0; j < space.size(); ++j) u[j] = space.lo[j] + (space.hi[j] - space.lo[j]) * rng.uniform();
  }
};

}  // namespace

double weighted_quantile(const std::vector<double>& values, const std::vector<double>& weights, double q) {
  if (values.empty()) return NAN;
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  double total = 0;
  for (double w : weights) total += w;
  std::vector<double> mid(order.size());
  double cum = 0;
  for (std::size_t k = 0; k < order.size(); ++k) {
    const double w = weights[order[k]] / total;
    mid[k] = cum + w / 2;
    cum += w;
  }
  if (q <= mid.front()) return values[order.front()];
  if (q >= mid.back()) return values[order.back()];
  const auto it = std::upper_bound(mid.begin(), mid.end(), q);
  const std::size_t hi = static_cast<std::size_t>(it - mid.begin()), lo = hi - 1;
  const double f = (q - mid[lo]) / (mid[hi] - mid[lo]);
  return values[order[lo]] + f * (values[order[hi]] - values[order[lo]]);
}

namespace {

/// The result's description of the observed record, before any simulation.
CalibrationResult start_result(const Problem& problem) {
  CalibrationResult r;
  r.steps = problem.steps;
  r.fit_agents = problem.fit;
  r.holdout_agents = problem.holdout;
  r.missing_agents = problem.missing;
  r.never_agents = problem.never_count;
  r.dropped_agents = problem.dropped;
  for (DepartmentId k = 0; k < problem.organization.department_count; ++k)
    r.departments.push_back(department_name(problem.organization, k));
  r.observed_curve = problem.observed_curve;
  r.observed_holdout_curve = problem.observed_holdout_curve;
  return r;
}

/// Rejection ABC: abc.draws prior draws, simulated in batches; the
/// abc.particles closest (or all within abc.epsilon) are the posterior, with
/// equal weights. `u_current` gets its samples on the uniform scale. Returns
/// false if stopped. Throws InputError when no draw is within abc.epsilon.
bool run_rejection(const Runner& run, CalibrationResult& r, std::vector<double>& u_current) {
  const CalibrationSpec& spec = run.spec;
  const std::size_t d = run.space.size(), N = spec.abc.particles, M = spec.abc.draws;
  std::vector<double> u(M * d), dist(M);
  constexpr std::size_t kBatch = 256;
  for (std::size_t first = 0; first < M; first += kBatch) {
    if (run.stopped()) return false;
    const std::size_t count = std::min(kBatch, M - first);
    experiment::for_each_index(count, run.threads, [&](std::size_t k) {
      const std::size_t a = first + k;
      run.prior_draw(0, a, &u[a * d]);
      std::vector<std::int32_t> times;
      dist[a] = run.evaluate(&u[a * d], stream_key(Purpose::Simulate, run.seed, 0, a), times);
    });
    if (run.stopped()) return false;  // trials cut short: the batch is not used
    const double secs = run.elapsed(),
                 left = secs * static_cast<double>(M - first - count) / static_cast<double>(first + count);
    run.say("  " + std::to_string(first + count) + "/" + std::to_string(M) + " prior draws, " +
            experiment::duration_text(secs) + " elapsed, ~" + experiment::duration_text(left) + " left");
  }
  std::vector<std::size_t> order(M);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return dist[a] < dist[b]; });
  std::size_t keep = 0;
  double eps = 0;
  if (spec.abc.epsilon) {
    eps = *spec.abc.epsilon;
    while (keep < M && dist[order[keep]] <= eps) ++keep;
    if (keep == 0) {
      std::ostringstream os;
      os << spec.experiment.source_path << ": no prior draw came within abc.epsilon = " << eps
         << " (the smallest distance was " << dist[order[0]] << "); raise abc.epsilon or abc.draws";
      throw InputError(os.str());
    }
  } else {
    keep = N;
    eps = dist[order[N - 1]];
  }
  Generation g;
  g.epsilon = eps;
  g.attempts = M;
  std::vector<double> uk;
  for (std::size_t k = 0; k < keep; ++k) {
    const std::size_t a = order[k];
    uk.insert(uk.end(), u.begin() + static_cast<std::ptrdiff_t>(a * d),
              u.begin() + static_cast<std::ptrdiff_t>((a + 1) * d));
    g.distances.push_back(dist[a]);
  }
  g.weights.assign(keep, 1.0 / static_cast<double>(keep));
  g.samples = to_values(run.space, uk);
  u_current = uk;
  r.draw_samples = to_values(run.space, u);
  r.draw_distances = dist;
  r.generations.push_back(std::move(g));
  std::ostringstream os;
  os << std::setprecision(3) << "  rejection: kept " << keep << " of " << M << " draws, epsilon " << eps;
  run.say(os.str());
  return true;
}

/// SMC generation 0: abc.particles prior draws, all accepted with equal
/// weights (tolerance infinite). Returns false if stopped.
bool smc_prior_generation(const Runner& run, CalibrationResult& r, std::vector<double>& u_current) {
  const std::size_t d = run.space.size(), N = run.spec.abc.particles;
  Generation g;
  std::vector<double> u(N * d);
  g.distances.assign(N, 0);
  experiment::for_each_index(N, run.threads, [&](std::size_t a) {
    run.prior_draw(0, a, &u[a * d]);
    std::vector<std::int32_t> times;
    g.distances[a] = run.evaluate(&u[a * d], stream_key(Purpose::Simulate, run.seed, 0, a), times);
  });
  if (run.stopped()) return false;
  g.epsilon = kInf;
  g.attempts = N;
  g.weights.assign(N, 1.0 / static_cast<double>(N));
  g.samples = to_values(run.space, u);
  u_current = u;
  r.draw_samples = g.samples;
  r.draw_distances = g.distances;
  r.generations.push_back(std::move(g));
  std::vector<double> sorted = r.generations.back().distances;
  std::sort(sorted.begin(), sorted.end());
  std::ostringstream os;
  os << std::setprecision(3) << "  generation 0 of " << run.spec.abc.generations - 1 << ": " << N
     << " prior draws, median distance " << sorted[N / 2] << " (" << experiment::duration_text(run.elapsed())
     << " elapsed)";
  run.say(os.str());
  return true;
}

/// eps_g: the abc.quantile of the previous generation's distances (linear interpolation).
double next_tolerance(const Generation& prev, double quantile) {
  std::vector<double> sorted = prev.distances;
  std::sort(sorted.begin(), sorted.end());
  const std::size_t N = sorted.size();
  const double h = (static_cast<double>(N) - 1) * quantile;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[std::min(lo + 1, N - 1)] - sorted[lo]);
}

/// The proposal kernel: per parameter, a standard deviation whose variance
/// is twice the weighted variance of the previous generation.
std::vector<double> kernel_sd(const Space& space, const Generation& prev, const std::vector<double>& u_current) {
  const std::size_t d = space.size(), N = prev.weights.size();
  std::vector<double> sd(d);
  for (std::size_t j = 0; j < d; ++j) {
    double mean = 0, var = 0;
    for (std::size_t i = 0; i < N; ++i) mean += prev.weights[i] * u_current[i * d + j];
    for (std::size_t i = 0; i < N; ++i)
      var += prev.weights[i] * (u_current[i * d + j] - mean) * (u_current[i * d + j] - mean);
    sd[j] = std::sqrt(std::max(2.0 * var, 1e-12 * (space.hi[j] - space.lo[j]) * (space.hi[j] - space.lo[j])));
  }
  return sd;
}

/// Importance weights of the accepted particles: prior (uniform on the box)
/// / sum_j w_j K(u | u_j), normalized.
std::vector<double> importance_weights(const Runner& run, const Generation& prev, const std::vector<double>& u_current,
                                       const std::vector<double>& accepted_u, const std::vector<double>& sd) {
  const std::size_t d = run.space.size(), N = prev.weights.size();
  std::vector<double> weights(N, 0.0);
  experiment::for_each_index(N, run.threads, [&](std::size_t i) {
    double denominator = 0;
    for (std::size_t k = 0; k < N; ++k) {
      double log_k = 0;
      for (std::size_t j = 0; j < d; ++j) {
        const double z = (accepted_u[i * d + j] - u_current[k * d + j]) / sd[j];
        log_k += -0.5 * z * z;
      }
      denominator += prev.weights[k] * std::exp(log_k);
    }
    weights[i] = denominator > 0 ? 1.0 / denominator : 0.0;
  });
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  for (double& w : weights) w = total > 0 ? w / total : 1.0 / static_cast<double>(N);
  return weights;
}

enum class Next { Continue, Last, Stopped };

/// SMC generation `gen`: proposals in batches of abc.particles (a size
/// independent of the thread count), accepted in attempt order until
/// abc.particles are within the tolerance; gives up after
/// particles / abc.min_acceptance attempts. Appends the generation to r
/// unless it gave up or was stopped.
Next smc_generation(const Runner& run, std::uint32_t gen, CalibrationResult& r, std::vector<double>& u_current) {
  const CalibrationSpec& spec = run.spec;
  const std::size_t d = run.space.size(), N = spec.abc.particles;
  const std::uint64_t cap =
      static_cast<std::uint64_t>(std::ceil(static_cast<double>(N) / std::max(spec.abc.min_acceptance, 1e-4)));
  const Generation& prev = r.generations.back();
  const double eps = next_tolerance(prev, spec.abc.quantile);
  const std::vector<double> sd = kernel_sd(run.space, prev, u_current);
  std::vector<double> cumulative(N);
  std::partial_sum(prev.weights.begin(), prev.weights.end(), cumulative.begin());

  std::vector<double> accepted_u, accepted_d;
  std::uint64_t attempts = 0;
  const double gen_start = run.elapsed();
  const std::size_t batch = N;  // fixed: independent of the thread count
  std::vector<double> u(batch * d), dist(batch);
  std::vector<std::uint8_t> valid(batch);
  while (accepted_d.size() < N) {
    if (run.stopped()) return Next::Stopped;
    if (attempts >= cap) {
      std::ostringstream os;
      os << "  generation " << gen << ": fewer than " << N << " accepted in " << attempts
         << " attempts (acceptance below abc.min_acceptance); stopping with generation " << gen - 1;
      run.say(os.str());
      return Next::Last;
    }
    const std::uint64_t first = attempts;
    experiment::for_each_index(batch, run.threads, [&](std::size_t k) {
      const std::uint64_t a = first + k;
      PhiloxEngine rng(stream_key(Purpose::Propose, run.seed, gen, a));
      const std::size_t parent = pick(cumulative, rng.uniform());
      double* uk = &u[k * d];
      for (std::size_t j = 0; j < d; ++j) uk[j] = u_current[parent * d + j] + sd[j] * normal(rng);
      valid[k] = run.space.inside(uk);
      dist[k] = kInf;
      if (!valid[k]) return;
      std::vector<std::int32_t> times;
      dist[k] = run.evaluate(uk, stream_key(Purpose::Simulate, run.seed, gen, a), times);
    });
    if (run.stopped()) return Next::Stopped;  // trials cut short: the batch is not used
    const std::size_t before = accepted_d.size();
    for (std::size_t k = 0; k < batch && accepted_d.size() < N; ++k) {
      ++attempts;
      if (valid[k] && dist[k] <= eps) {
        accepted_u.insert(accepted_u.end(), u.begin() + static_cast<std::ptrdiff_t>(k * d),
                          u.begin() + static_cast<std::ptrdiff_t>((k + 1) * d));
        accepted_d.push_back(dist[k]);
      }
    }
    if (accepted_d.size() < N && accepted_d.size() > before) {
      // Within a generation: the time left at this generation's acceptance so far.
      const double per_attempt = (run.elapsed() - gen_start) / static_cast<double>(attempts);
      const double rate = static_cast<double>(accepted_d.size()) / static_cast<double>(attempts);
      const double left = per_attempt * static_cast<double>(N - accepted_d.size()) / rate;
      std::ostringstream os;
      os << "  generation " << gen << " of " << spec.abc.generations - 1 << ": " << accepted_d.size() << "/" << N
         << " accepted, " << experiment::duration_text(run.elapsed()) << " elapsed, ~"
         << experiment::duration_text(left) << " left in this generation";
      run.say(os.str());
    }
  }
  Generation g;
  g.epsilon = eps;
  g.attempts = attempts;
  g.distances = accepted_d;
  g.weights = importance_weights(run, prev, u_current, accepted_u, sd);
  g.samples = to_values(run.space, accepted_u);
  u_current = accepted_u;
  r.generations.push_back(std::move(g));  // prev is not used from here on
  const double rate = static_cast<double>(N) / static_cast<double>(attempts);
  std::ostringstream os;
  os << std::setprecision(3) << "  generation " << gen << " of " << spec.abc.generations - 1 << ": epsilon " << eps
     << ", " << attempts << " attempts (acceptance " << std::setprecision(2) << rate << "), "
     << experiment::duration_text(run.elapsed()) << " elapsed";
  run.say(os.str());
  if (rate < spec.abc.min_acceptance) {
    run.say("  acceptance below abc.min_acceptance: stopping");
    return Next::Last;
  }
  return Next::Continue;
}

/// ABC-SMC: generation 0 from the prior, then abc.generations - 1 more
/// unless the acceptance falls below abc.min_acceptance. Returns false if stopped.
bool run_smc(const Runner& run, CalibrationResult& r, std::vector<double>& u_current) {
  if (!smc_prior_generation(run, r, u_current)) return false;
  for (std::uint32_t gen = 1; gen < run.spec.abc.generations; ++gen) {
    const Next next = smc_generation(run, gen, r, u_current);
    if (next == Next::Stopped) return false;
    if (next == Next::Last) break;
  }
  return true;
}

/// Posterior median and 90% interval of each parameter, from the last generation.
void summarize_posterior(const Space& space, CalibrationResult& r) {
  const Generation& post = r.generations.back();
  const std::size_t d = space.size(), kept = post.weights.size();
  for (std::size_t j = 0; j < d; ++j) {
    std::vector<double> column(kept);
    for (std::size_t i = 0; i < kept; ++i) column[i] = post.samples[i * d + j];
    r.median.push_back(weighted_quantile(column, post.weights, 0.5));
    r.lower.push_back(weighted_quantile(column, post.weights, 0.05));
    r.upper.push_back(weighted_quantile(column, post.weights, 0.95));
  }
}

/// Posterior predictive: abc.predictive particles drawn by weight, one trial
/// each, as curves of the fitted and the held-out agents. Returns false if stopped.
bool predictive_draws(const Runner& run, CalibrationResult& r) {
  const Problem& problem = run.problem;
  const Generation& post = r.generations.back();
  const std::size_t d = run.space.size(), kept = post.weights.size();
  const std::size_t P = run.spec.abc.predictive, row = static_cast<std::size_t>(problem.steps) + 1;
  std::vector<double> cumulative(kept);
  std::partial_sum(post.weights.begin(), post.weights.end(), cumulative.begin());
  r.predictive_samples.assign(P * d, 0.0);
  r.predictive_curves.assign(P * row, 0.0f);
  if (problem.holdout) r.predictive_holdout_curves.assign(P * row, 0.0f);
  if (run.stopped()) return false;
  experiment::for_each_index(P, run.threads, [&](std::size_t k) {
    PhiloxEngine rng(stream_key(Purpose::Predictive, run.seed, k));
    const std::size_t i = pick(cumulative, rng.uniform());
    model::ScenarioSpec s = run.spec.experiment.scenarios.front();
    for (std::size_t j = 0; j < d; ++j) {
      r.predictive_samples[k * d + j] = post.samples[i * d + j];
      set_parameter(s, run.space.params[j]->key, post.samples[i * d + j]);
    }
    std::vector<std::int32_t> times(problem.organization.size());
    simulate_trial(s, stream_key(Purpose::PredictiveSimulate, run.seed, k), 0, problem.organization, problem.steps,
                   times.data(), run.stop);
    const auto fit = curve_of(times, problem.role, 1, problem.steps);
    for (std::size_t t = 0; t < row; ++t) r.predictive_curves[k * row + t] = static_cast<float>(fit[t]);
    if (problem.holdout) {
      const auto out = curve_of(times, problem.role, 2, problem.steps);
      for (std::size_t t = 0; t < row; ++t) r.predictive_holdout_curves[k * row + t] = static_cast<float>(out[t]);
    }
  });
  return !run.stopped();  // a signal during the predictive draws: nothing is written either
}

/// In- and out-of-sample errors of the posterior predictive mean curves.
void predictive_errors(const Problem& problem, std::size_t draws, CalibrationResult& r) {
  const std::size_t row = static_cast<std::size_t>(problem.steps) + 1;
  const auto mean_curve = [&](const std::vector<float>& curves) {
    std::vector<double> m(row, 0.0);
    for (std::size_t k = 0; k < draws; ++k)
      for (std::size_t t = 0; t < row; ++t) m[t] += curves[k * row + t];
    for (double& v : m) v /= static_cast<double>(draws);
    return m;
  };
  r.fit = rmse(mean_curve(r.predictive_curves), r.observed_curve, 1);
  r.out_of_sample = problem.holdout ? rmse(mean_curve(r.predictive_holdout_curves), r.observed_holdout_curve, 1) : NAN;
  r.naive_out_of_sample = problem.holdout ? rmse(r.observed_curve, r.observed_holdout_curve, 1) : NAN;
}

}  // namespace

double calibration_memory(const CalibrationSpec& spec, unsigned threads) {
  constexpr double kBaseBytes = 20e6;  // program, libraries, thread stacks
  const model::ScenarioSpec& s = spec.experiment.scenarios.front();
  const double agents = experiment::organization_agents(s.organization);
  const double d = static_cast<double>(spec.parameters.size());
  const double row = static_cast<double>(spec.experiment.steps) + 1;
  // The organization compared, read or generated once, and per agent its
  // observed step, role and department share.
  // observed.unrecorded = "drop": the organization without them is built while the whole one is held.
  const double organization =
      std::max(experiment::organization_memory(s.organization), experiment::shared_organization_memory(s));
  const double problem = organization * (spec.observed.unrecorded == Unrecorded::Drop ? 2 : 1) + agents * 16;
  // One trial per thread, with its adoption times for abc.trials trials.
  const double running = std::max(1u, threads) * (experiment::trial_memory(s) + 4.0 * agents * spec.abc.trials);
  // Rejection: every draw's values and distance, their copy in the result,
  // the order; SMC: a population, its proposals and the history of them.
  const double draws = spec.abc.method == Method::Rejection ? static_cast<double>(spec.abc.draws) : 0;
  const double particles = spec.abc.particles;
  const double populations = spec.abc.method == Method::Rejection ? 1 : spec.abc.generations + 2.0;
  const double samples = draws * 8 * (2 * d + 3) + populations * particles * 8 * (2 * d + 3);
  // Posterior predictive: its samples and curves (fit agents, held-out agents).
  const double predictive =
      static_cast<double>(spec.abc.predictive) * (8 * d + 4 * row * (spec.holdout.empty() ? 1 : 2));
  return kBaseBytes + problem + running + samples + predictive;
}

const char* to_string(Unrecorded u) noexcept { return u == Unrecorded::Drop ? "drop" : "simulate"; }

std::optional<Unrecorded> unrecorded_from_string(const std::string& text) noexcept {
  if (text == "simulate") return Unrecorded::Simulate;
  if (text == "drop") return Unrecorded::Drop;
  return std::nullopt;
}

std::vector<std::int32_t> simulate_adoption_times(const model::ScenarioSpec& scenario,
                                                  const org::Organization* organization, Step steps, std::uint64_t seed,
                                                  TrialIndex trials, unsigned threads, const std::atomic<bool>* stop) {
  std::shared_ptr<const org::Organization> first;  // trial 0's organization when each trial has its own
  if (!organization)
    first = std::make_shared<const org::Organization>(
        org::generate_organization(scenario.organization, engine::organization_key(seed, 0)));
  const org::Organization& shape = organization ? *organization : *first;
  const std::size_t n = shape.size();
  std::vector<std::int32_t> times(static_cast<std::size_t>(trials) * n, 0);
  experiment::for_each_index(trials, threads, [&](std::size_t k) {
    if (stop && stop->load()) return;
    const auto trial = static_cast<TrialIndex>(k);
    std::shared_ptr<const org::Organization> own;
    // Complete and file organizations do not depend on the trial (run builds them once too).
    const model::Generator g = scenario.organization.generator;
    const bool fixed = g == model::Generator::Complete || g == model::Generator::File;
    if (!organization && trial > 0 && !fixed) {
      own = std::make_shared<const org::Organization>(
          org::generate_organization(scenario.organization, engine::organization_key(seed, trial)));
      if (own->size() != n)
        throw InputError("adoption times: trial " + std::to_string(trial) + "'s organization has " +
                         std::to_string(own->size()) + " agents and trial 0's has " + std::to_string(n) +
                         "; give one organization for every trial (a file or a fixed size)");
    }
    const org::Organization& o = own ? *own : shape;
    simulate_trial(scenario, seed, trial, o, steps, times.data() + k * n, stop);
  });
  return times;
}

CalibrationResult run_calibration(const CalibrationSpec& spec, const CalibrationOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const Problem problem = prepare_problem(spec);
  const Space space(spec.parameters);
  const Runner run{spec,
                   problem,
                   space,
                   options.stop,
                   spec.experiment.seed,
                   experiment::thread_count(options.threads),
                   options.progress};
  run.say(calibration_header(spec));
  CalibrationResult r = start_result(problem);
  std::vector<double> u_current;  // uniform-scale samples of the last generation [particles x parameters]
  const bool done =
      spec.abc.method == Method::Rejection ? run_rejection(run, r, u_current) : run_smc(run, r, u_current);
  if (!done) {
    r.interrupted = true;
    return r;
  }
  summarize_posterior(space, r);
  if (!predictive_draws(run, r)) {
    r.interrupted = true;
    return r;
  }
  predictive_errors(problem, spec.abc.predictive, r);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

double effective_sample_size(const std::vector<double>& weights) {
  double sum = 0, squares = 0;
  for (double w : weights) {
    sum += w;
    squares += w * w;
  }
  return squares > 0 ? sum * sum / squares : 0.0;
}

std::string format_calibration(const CalibrationSpec& spec, const CalibrationResult& r) {
  std::ostringstream os;
  const auto& x = spec.experiment;
  const Generation& post = r.generations.back();
  // The header (rule, method, particles) is the first progress line, printed at the start.
  if (spec.abc.method == Method::Smc && r.generations.size() < spec.abc.generations)
    os << x.name << ": " << r.generations.size() << " of " << spec.abc.generations << " generations run\n";
  os << "observed: " << r.fit_agents << " agents fitted";
  if (r.holdout_agents) os << ", " << r.holdout_agents << " held out";
  if (spec.observed.unrecorded == Unrecorded::Drop)
    os << ", " << r.dropped_agents << " missing and dropped from the organization (observed.unrecorded = \"drop\")";
  else
    os << ", " << r.missing_agents << " missing (excluded)";
  os << ", " << r.never_agents << " never adopted; " << x.steps << " steps\n";
  std::uint64_t attempts = 0;
  for (const auto& g : r.generations) attempts += g.attempts;
  os << "final tolerance " << std::setprecision(3) << post.epsilon << std::setprecision(6) << "; " << attempts
     << " parameter vectors simulated";
  if (spec.abc.method == Method::Smc) {
    const double ess = effective_sample_size(post.weights);
    char e[96];
    std::snprintf(e, sizeof e, "; effective sample size %.0f of %zu", ess, post.weights.size());
    os << e;
    if (ess < 0.5 * static_cast<double>(post.weights.size()))
      os << " (a few particles carry the posterior: more particles)";
  }
  os << "\n";
  if (spec.abc.method == Method::Smc && r.generations.size() < spec.abc.generations) {
    os << "note: SMC stopped after generation " << r.generations.size() - 1 << " of " << spec.abc.generations - 1
       << " (the next accepted fewer than abc.min_acceptance of its attempts)";
    if (r.generations.size() == 1)
      os << "; the posterior below is the PRIOR: loosen abc.quantile or lower abc.min_acceptance";
    os << "\n";
  }
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-24s %12s %26s %22s\n", "parameter", "median", "90% interval", "prior");
  os << buf;
  for (std::size_t j = 0; j < spec.parameters.size(); ++j) {
    const auto& p = spec.parameters[j];
    char interval[64], prior[64];
    std::snprintf(interval, sizeof interval, "[%.3g, %.3g]", r.lower[j], r.upper[j]);
    std::snprintf(prior, sizeof prior, "%s [%.4g, %.4g]", p.prior == Prior::Uniform ? "U" : "logU", p.lower, p.upper);
    std::snprintf(buf, sizeof buf, "%-24s %12.3g %26s %22s\n", p.key.c_str(), r.median[j], interval, prior);
    os << buf;
  }
  std::snprintf(buf, sizeof buf,
                "fit: RMSE of the posterior predictive mean curve to the observed curve = %.3g (%zu draws)\n", r.fit,
                static_cast<std::size_t>(spec.abc.predictive));
  os << buf;
  if (r.holdout_agents) {
    std::snprintf(buf, sizeof buf,
                  "holdout: in-sample error %.4f, out-of-sample error %.4f (the fit agents' observed curve as the "
                  "prediction: %.4f)\n",
                  r.fit, r.out_of_sample, r.naive_out_of_sample);
    os << buf;
  }
  return os.str();
}

}  // namespace groundswell::calibrate
