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
// stream (seed, kPropose, g, a) and its simulations from the experiment seed
// (seed, kSimulate, g, a); attempts are simulated in parallel in batches of a
// fixed size and accepted in attempt order, so the thread count never changes
// a result.
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>
#include <unordered_map>

#include "engine/detail/parallel_for.hpp"
#include "groundswell/calibrate/calibration.hpp"
#include "groundswell/data_dir.hpp"
#include "groundswell/engine/trial.hpp"
#include "groundswell/org/generate.hpp"
#include "groundswell/random.hpp"

namespace groundswell::calibrate {
namespace {

// Stream purposes of calibration; random.hpp uses 1..6 and sweeps 101..102.
constexpr std::uint64_t kPropose = 201;
constexpr std::uint64_t kSimulate = 202;
constexpr std::uint64_t kPredictive = 203;
constexpr std::uint64_t kPredictiveSimulate = 204;

constexpr double kInf = std::numeric_limits<double>::infinity();

/// What is compared: the organization, and each agent's observed adoption step and role.
struct Problem {
  org::Organization organization;
  Step steps = 0;
  std::int32_t never = 0;                      ///< steps + 1
  std::vector<std::int32_t> observed;          ///< per agent: 1..T, never, or -1 (missing)
  std::vector<std::uint8_t> role;              ///< 0 out of the distance, 1 fit, 2 held out
  std::vector<double> observed_curve;          ///< fit agents, steps 0..T
  std::vector<double> observed_holdout_curve;  ///< held-out agents
  std::vector<std::uint32_t> fit_in_department;
  std::vector<double> observed_department_curves;  ///< [department x (T + 1)], fit agents
  std::uint32_t fit = 0, holdout = 0, missing = 0, never_count = 0;
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

Problem prepare_problem(const CalibrationSpec& spec) {
  const model::ExperimentSpec& x = spec.experiment;
  Problem p;
  p.steps = x.steps;
  p.never = x.steps + 1;
  p.organization = org::generate_organization(x.scenarios.front().organization, engine::organization_key(x.seed, 0));
  const org::Organization& o = p.organization;
  const AgentId n = o.size();
  p.observed.assign(n, -1);
  p.role.assign(n, 0);
  const std::string& source = x.source_path;

  if (!spec.observed.curve.empty()) {
    p.role.assign(n, 1);
    p.fit = n;
    p.observed_curve.assign(1, 0.0);
    p.observed_curve.insert(p.observed_curve.end(), spec.observed.curve.begin(), spec.observed.curve.end());
  } else {
    const std::string& path = spec.observed.file;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      const std::string hint = data_directory_hint(path);
      throw InputError(
          source + ": observed.file " + path + " cannot be read (not found or not readable)" +
          (hint.empty() ? std::string("; check the path (relative to the calibration file)") : "; " + hint));
    }
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
        const auto find = [&](const std::string& name, const char* key) {
          const auto it = std::find(header.begin(), header.end(), name);
          if (it == header.end()) {
            std::string list;
            for (const auto& h : header) list += (list.empty() ? "" : ", ") + h;
            throw InputError(where + "no column \"" + name + "\" (observed." + key + " in " + source +
                             "); the header has: " + list);
          }
          return static_cast<std::size_t>(it - header.begin());
        };
        id_col = find(spec.observed.id_column, "id");
        time_col = find(spec.observed.time_column, "time");
        continue;
      }
      if (cells.size() <= std::max(id_col, time_col))
        throw InputError(where + "the row has " + std::to_string(cells.size()) + " values but the header has " +
                         std::to_string(header.size()) + " columns");
      const auto agent = index.find(cells[id_col]);
      if (agent == index.end())
        throw InputError(where + "id \"" + cells[id_col] +
                         "\" is not a node of the organization; check observed.id in " + source +
                         " and the network's node ids");
      const AgentId i = agent->second;
      if (seen[i]) throw InputError(where + "id \"" + cells[id_col] + "\" appears twice; give one row per agent");
      seen[i] = 1;
      const std::string& value = cells[time_col];
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
      } else if (v >= 1 && v <= x.steps) {
        p.observed[i] = static_cast<std::int32_t>(v);
        p.role[i] = 1;
      } else {
        throw InputError(where + "adoption time " + value + " is not a step 1.." + std::to_string(x.steps) +
                         " (experiment.steps in " + source +
                         ") nor a code of observed.never or observed.missing; "
                         "add it to one of them or raise experiment.steps");
      }
    }
    if (header.empty())
      throw InputError(path + ": observed.file is empty; it needs a header line and one row per agent");
    for (AgentId i = 0; i < n; ++i)
      if (!seen[i]) ++p.missing;
    // Hold out departments.
    for (const std::string& name : spec.holdout) {
      DepartmentId d = -1;
      for (DepartmentId k = 0; k < o.department_count; ++k)
        if (department_name(o, k) == name) d = k;
      if (d < 0) {
        std::string list;
        for (DepartmentId k = 0; k < o.department_count; ++k)
          list += (list.empty() ? "" : ", ") + department_name(o, k);
        throw InputError(source + ": holdout department \"" + name +
                         "\" is not a department of the organization; "
                         "its departments are: " +
                         list);
      }
      for (AgentId i = 0; i < n; ++i)
        if (o.department[i] == d && p.role[i] == 1) p.role[i] = 2;
    }
    for (AgentId i = 0; i < n; ++i) {
      p.fit += p.role[i] == 1;
      p.holdout += p.role[i] == 2;
    }
    if (p.fit == 0) throw InputError(source + ": no observed agent is left to fit (all missing or held out)");
    if (!spec.holdout.empty() && p.holdout == 0)
      throw InputError(source + ": the holdout departments have no observed agents; hold out other departments");
    p.observed_curve = curve_of(p.observed, p.role, 1, x.steps);
    if (p.holdout) p.observed_holdout_curve = curve_of(p.observed, p.role, 2, x.steps);
  }
  const auto D = static_cast<std::size_t>(std::max<DepartmentId>(o.department_count, 1));
  const auto row = static_cast<std::size_t>(x.steps) + 1;
  p.fit_in_department.assign(D, 0);
  p.observed_department_curves.assign(D * row, 0.0);
  for (AgentId i = 0; i < n; ++i) {
    if (p.role[i] != 1) continue;
    const auto d = static_cast<std::size_t>(o.department[i]);
    ++p.fit_in_department[d];
    if (p.observed[i] >= 0 && p.observed[i] <= x.steps)
      for (Step t = p.observed[i]; t <= x.steps; ++t)
        p.observed_department_curves[d * row + static_cast<std::size_t>(t)] += 1;
  }
  for (std::size_t d = 0; d < D; ++d)
    for (std::size_t t = 0; t < row; ++t)
      if (p.fit_in_department[d]) p.observed_department_curves[d * row + t] /= p.fit_in_department[d];
  return p;
}

/// One engine trial: each agent's first step in A or C (0 for seeds, T + 1 if never).
void simulate_trial(const model::ScenarioSpec& spec, std::uint64_t seed, TrialIndex k, const Problem& p,
                    std::int32_t* time) {
  const engine::TrialSetup setup = engine::prepare_trial(spec, seed, k, p.organization);
  engine::TrialSimulation sim(spec, setup, engine::dynamics_key(seed, spec.name, k));
  const AgentId n = p.organization.size();
  const auto adopted = [](State s) { return s == State::A || s == State::C; };
  for (AgentId i = 0; i < n; ++i) time[i] = adopted(setup.agents.state[i]) ? 0 : p.never;
  for (Step t = 1; t <= p.steps; ++t) {
    sim.step();
    const auto& state = sim.state().current.state;
    for (AgentId i = 0; i < n; ++i)
      if (time[i] == p.never && adopted(state[i])) time[i] = t;
  }
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

struct Runner {
  const CalibrationSpec& spec;
  const Problem& problem;
  const Space& space;
  const std::atomic<bool>* stop;
  std::uint64_t seed;

  bool stopped() const { return stop && stop->load(); }

  /// Simulates the parameter vector u (uniform scale) with the experiment seed `sim_seed`.
  double evaluate(const double* u, std::uint64_t sim_seed, std::vector<std::int32_t>& times) const {
    model::ScenarioSpec s = spec.experiment.scenarios.front();
    for (std::size_t j = 0; j < space.size(); ++j) set_parameter(s, space.params[j]->key, space.value(j, u[j]));
    const std::size_t n = problem.organization.size();
    times.resize(spec.abc.trials * n);
    for (std::uint32_t k = 0; k < spec.abc.trials; ++k) simulate_trial(s, sim_seed, k, problem, times.data() + k * n);
    return distance(problem, spec.abc.distance, times, spec.abc.trials);
  }

  void prior_draw(std::uint64_t g, std::uint64_t a, double* u) const {
    PhiloxEngine rng(stream_key(seed, kPropose, g, a));
    for (std::size_t j = 0; j < space.size(); ++j) u[j] = space.lo[j] + (space.hi[j] - space.lo[j]) * rng.uniform();
  }
};

std::vector<double> to_values(const Space& space, const std::vector<double>& u) {
  std::vector<double> v(u.size());
  const std::size_t d = space.size();
  for (std::size_t i = 0; i < u.size(); ++i) v[i] = space.value(i % d, u[i]);
  return v;
}

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

CalibrationResult run_calibration(const CalibrationSpec& spec, const CalibrationOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const unsigned threads = options.threads ? options.threads : static_cast<unsigned>(tbb::info::default_concurrency());
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  const Problem problem = prepare_problem(spec);
  const Space space(spec.parameters);
  const std::size_t d = space.size(), N = spec.abc.particles;
  const std::uint64_t seed = spec.experiment.seed;
  const Runner run{spec, problem, space, options.stop, seed};
  const auto say = [&](const std::string& s) {
    if (options.progress) options.progress(s);
  };

  CalibrationResult r;
  r.steps = problem.steps;
  r.fit_agents = problem.fit;
  r.holdout_agents = problem.holdout;
  r.missing_agents = problem.missing;
  r.never_agents = problem.never_count;
  for (DepartmentId k = 0; k < problem.organization.department_count; ++k)
    r.departments.push_back(department_name(problem.organization, k));
  r.observed_curve = problem.observed_curve;
  r.observed_holdout_curve = problem.observed_holdout_curve;

  std::vector<double> u_current;  // uniform-scale samples of the last generation [N x d]
  std::vector<std::vector<std::int32_t>> scratch;

  if (spec.abc.method == Method::Rejection) {
    const std::size_t M = spec.abc.draws;
    std::vector<double> u(M * d), dist(M);
    constexpr std::size_t kBatch = 256;
    for (std::size_t first = 0; first < M; first += kBatch) {
      if (run.stopped()) {
        r.interrupted = true;
        return r;
      }
      const std::size_t count = std::min(kBatch, M - first);
      engine::detail::parallel_for(std::size_t{0}, count, [&](std::size_t k) {
        const std::size_t a = first + k;
        run.prior_draw(0, a, &u[a * d]);
        std::vector<std::int32_t> times;
        dist[a] = run.evaluate(&u[a * d], stream_key(seed, kSimulate, 0, a), times);
      });
      say("  " + std::to_string(first + count) + "/" + std::to_string(M) + " prior draws");
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
    g.samples = to_values(space, uk);
    u_current = uk;
    r.draw_samples = to_values(space, u);
    r.draw_distances = dist;
    r.generations.push_back(std::move(g));
    std::ostringstream os;
    os << "  rejection: kept " << keep << " of " << M << " draws, epsilon " << eps;
    say(os.str());
  } else {
    // Generation 0: N prior draws.
    {
      Generation g;
      std::vector<double> u(N * d);
      g.distances.assign(N, 0);
      engine::detail::parallel_for(std::size_t{0}, N, [&](std::size_t a) {
        run.prior_draw(0, a, &u[a * d]);
        std::vector<std::int32_t> times;
        g.distances[a] = run.evaluate(&u[a * d], stream_key(seed, kSimulate, 0, a), times);
      });
      if (run.stopped()) {
        r.interrupted = true;
        return r;
      }
      g.epsilon = kInf;
      g.attempts = N;
      g.weights.assign(N, 1.0 / static_cast<double>(N));
      g.samples = to_values(space, u);
      u_current = u;
      r.draw_samples = g.samples;
      r.draw_distances = g.distances;
      r.generations.push_back(std::move(g));
      std::vector<double> sorted = r.generations.back().distances;
      std::sort(sorted.begin(), sorted.end());
      std::ostringstream os;
      os << "  generation 0: " << N << " prior draws, median distance " << sorted[N / 2];
      say(os.str());
    }
    const std::uint64_t cap =
        static_cast<std::uint64_t>(std::ceil(static_cast<double>(N) / std::max(spec.abc.min_acceptance, 1e-4)));
    for (std::uint32_t gen = 1; gen < spec.abc.generations; ++gen) {
      const Generation& prev = r.generations.back();
      std::vector<double> sorted = prev.distances;
      std::sort(sorted.begin(), sorted.end());
      const double h = (static_cast<double>(N) - 1) * spec.abc.quantile;
      const auto lo = static_cast<std::size_t>(std::floor(h));
      const double eps = sorted[lo] + (h - static_cast<double>(lo)) * (sorted[std::min(lo + 1, N - 1)] - sorted[lo]);
      // Kernel: per parameter, variance twice the weighted variance of the previous generation.
      std::vector<double> sd(d);
      for (std::size_t j = 0; j < d; ++j) {
        double mean = 0, var = 0;
        for (std::size_t i = 0; i < N; ++i) mean += prev.weights[i] * u_current[i * d + j];
        for (std::size_t i = 0; i < N; ++i)
          var += prev.weights[i] * (u_current[i * d + j] - mean) * (u_current[i * d + j] - mean);
        sd[j] = std::sqrt(std::max(2.0 * var, 1e-12 * (space.hi[j] - space.lo[j]) * (space.hi[j] - space.lo[j])));
      }
      std::vector<double> cumulative(N);
      std::partial_sum(prev.weights.begin(), prev.weights.end(), cumulative.begin());

      std::vector<double> accepted_u, accepted_d;
      std::uint64_t attempts = 0;
      const std::size_t batch = N;  // fixed: independent of the thread count
      std::vector<double> u(batch * d), dist(batch);
      std::vector<std::uint8_t> valid(batch);
      bool gave_up = false;
      while (accepted_d.size() < N) {
        if (run.stopped()) {
          r.interrupted = true;
          return r;
        }
        if (attempts >= cap) {
          gave_up = true;
          break;
        }
        const std::uint64_t first = attempts;
        engine::detail::parallel_for(std::size_t{0}, batch, [&](std::size_t k) {
          const std::uint64_t a = first + k;
          PhiloxEngine rng(stream_key(seed, kPropose, gen, a));
          const std::size_t parent = pick(cumulative, rng.uniform());
          double* uk = &u[k * d];
          for (std::size_t j = 0; j < d; ++j) uk[j] = u_current[parent * d + j] + sd[j] * normal(rng);
          valid[k] = space.inside(uk);
          dist[k] = kInf;
          if (!valid[k]) return;
          std::vector<std::int32_t> times;
          dist[k] = run.evaluate(uk, stream_key(seed, kSimulate, gen, a), times);
        });
        for (std::size_t k = 0; k < batch && accepted_d.size() < N; ++k) {
          ++attempts;
          if (valid[k] && dist[k] <= eps) {
            accepted_u.insert(accepted_u.end(), u.begin() + static_cast<std::ptrdiff_t>(k * d),
                              u.begin() + static_cast<std::ptrdiff_t>((k + 1) * d));
            accepted_d.push_back(dist[k]);
          }
        }
      }
      if (gave_up) {
        std::ostringstream os;
        os << "  generation " << gen << ": fewer than " << N << " accepted in " << attempts
           << " attempts (acceptance below abc.min_acceptance); stopping with generation " << gen - 1;
        say(os.str());
        break;
      }
      // Importance weights: prior (uniform on the box) / sum_j w_j K(u | u_j).
      Generation g;
      g.epsilon = eps;
      g.attempts = attempts;
      g.distances = accepted_d;
      g.weights.assign(N, 0.0);
      engine::detail::parallel_for(std::size_t{0}, N, [&](std::size_t i) {
        double denominator = 0;
        for (std::size_t k = 0; k < N; ++k) {
          double log_k = 0;
          for (std::size_t j = 0; j < d; ++j) {
            const double z = (accepted_u[i * d + j] - u_current[k * d + j]) / sd[j];
            log_k += -0.5 * z * z;
          }
          denominator += prev.weights[k] * std::exp(log_k);
        }
        g.weights[i] = denominator > 0 ? 1.0 / denominator : 0.0;
      });
      const double total = std::accumulate(g.weights.begin(), g.weights.end(), 0.0);
      for (double& w : g.weights) w = total > 0 ? w / total : 1.0 / static_cast<double>(N);
      g.samples = to_values(space, accepted_u);
      u_current = accepted_u;
      r.generations.push_back(std::move(g));
      const double rate = static_cast<double>(N) / static_cast<double>(attempts);
      std::ostringstream os;
      os << "  generation " << gen << ": epsilon " << eps << ", " << attempts << " attempts (acceptance " << rate
         << ")";
      say(os.str());
      if (rate < spec.abc.min_acceptance) {
        say("  acceptance below abc.min_acceptance: stopping");
        break;
      }
    }
  }

  // Posterior summaries.
  const Generation& post = r.generations.back();
  const std::size_t kept = post.weights.size();
  for (std::size_t j = 0; j < d; ++j) {
    std::vector<double> column(kept);
    for (std::size_t i = 0; i < kept; ++i) column[i] = post.samples[i * d + j];
    r.median.push_back(weighted_quantile(column, post.weights, 0.5));
    r.lower.push_back(weighted_quantile(column, post.weights, 0.05));
    r.upper.push_back(weighted_quantile(column, post.weights, 0.95));
  }

  // Posterior predictive: `predictive` draws by weight, one trial each.
  const std::size_t P = spec.abc.predictive, row = static_cast<std::size_t>(problem.steps) + 1;
  std::vector<double> cumulative(kept);
  std::partial_sum(post.weights.begin(), post.weights.end(), cumulative.begin());
  r.predictive_samples.assign(P * d, 0.0);
  r.predictive_curves.assign(P * row, 0.0f);
  if (problem.holdout) r.predictive_holdout_curves.assign(P * row, 0.0f);
  if (run.stopped()) {
    r.interrupted = true;
    return r;
  }
  engine::detail::parallel_for(std::size_t{0}, P, [&](std::size_t k) {
    PhiloxEngine rng(stream_key(seed, kPredictive, k));
    const std::size_t i = pick(cumulative, rng.uniform());
    model::ScenarioSpec s = spec.experiment.scenarios.front();
    for (std::size_t j = 0; j < d; ++j) {
      r.predictive_samples[k * d + j] = post.samples[i * d + j];
      set_parameter(s, space.params[j]->key, post.samples[i * d + j]);
    }
    std::vector<std::int32_t> times(problem.organization.size());
    simulate_trial(s, stream_key(seed, kPredictiveSimulate, k), 0, problem, times.data());
    const auto fit = curve_of(times, problem.role, 1, problem.steps);
    for (std::size_t t = 0; t < row; ++t) r.predictive_curves[k * row + t] = static_cast<float>(fit[t]);
    if (problem.holdout) {
      const auto out = curve_of(times, problem.role, 2, problem.steps);
      for (std::size_t t = 0; t < row; ++t) r.predictive_holdout_curves[k * row + t] = static_cast<float>(out[t]);
    }
  });
  const auto mean_curve = [&](const std::vector<float>& curves) {
    std::vector<double> m(row, 0.0);
    for (std::size_t k = 0; k < P; ++k)
      for (std::size_t t = 0; t < row; ++t) m[t] += curves[k * row + t];
    for (double& v : m) v /= static_cast<double>(P);
    return m;
  };
  if (run.stopped()) {  // a signal during the predictive draws: nothing is written either
    r.interrupted = true;
    return r;
  }
  r.fit = rmse(mean_curve(r.predictive_curves), r.observed_curve, 1);
  r.out_of_sample = problem.holdout ? rmse(mean_curve(r.predictive_holdout_curves), r.observed_holdout_curve, 1) : NAN;
  r.naive_out_of_sample = problem.holdout ? rmse(r.observed_curve, r.observed_holdout_curve, 1) : NAN;
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
  os << x.name << ": rule " << model::to_string(x.scenarios.front().rule) << ", "
     << (spec.abc.method == Method::Smc ? "ABC-SMC" : "rejection ABC") << ", " << post.weights.size() << " particles";
  if (spec.abc.method == Method::Smc) os << ", " << r.generations.size() << " generations";
  os << ", " << spec.abc.trials << " trials per particle (seed " << x.seed << ")\n";
  os << "observed: " << r.fit_agents << " agents fitted";
  if (r.holdout_agents) os << ", " << r.holdout_agents << " held out";
  os << ", " << r.missing_agents << " missing (excluded), " << r.never_agents << " never adopted; " << x.steps
     << " steps\n";
  std::uint64_t attempts = 0;
  for (const auto& g : r.generations) attempts += g.attempts;
  os << "final tolerance " << post.epsilon << "; " << attempts << " parameter vectors simulated";
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
    std::snprintf(interval, sizeof interval, "[%.4g, %.4g]", r.lower[j], r.upper[j]);
    std::snprintf(prior, sizeof prior, "%s [%.4g, %.4g]", p.prior == Prior::Uniform ? "U" : "logU", p.lower, p.upper);
    std::snprintf(buf, sizeof buf, "%-24s %12.4g %26s %22s\n", p.key.c_str(), r.median[j], interval, prior);
    os << buf;
  }
  std::snprintf(buf, sizeof buf,
                "fit: RMSE of the posterior predictive mean curve to the observed curve = %.4f (%zu draws)\n", r.fit,
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
