// Choosing change agents (include/groundswell/recommend/recommend.hpp).
// Every set of change agents is scored on the same trials (the same
// organizations, traits and dynamics streams: MODEL.md 7), so differences
// between sets are paired; the chosen set is then scored again on fresh
// trials, which selection has not seen.
#include "groundswell/recommend/recommend.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <numeric>
#include <set>

#include "groundswell/engine/recorder.hpp"
#include "groundswell/experiment/memory.hpp"
#include "groundswell/experiment/parallel.hpp"
#include "groundswell/experiment/summary.hpp"
#include "groundswell/org/generate.hpp"

namespace groundswell::recommend {

const char* to_string(Objective o) {
  switch (o) {
    case Objective::Internalized:
      return "internalized";
    case Objective::Adopted:
      return "adopted";
    case Objective::T50:
      return "t50";
    case Objective::Area:
      return "area";
  }
  return "?";
}

Objective objective_from_string(const std::string& w) {
  for (Objective o : {Objective::Internalized, Objective::Adopted, Objective::T50, Objective::Area})
    if (w == to_string(o)) return o;
  throw InputError("--objective " + w + ": use internalized (share in A at the horizon), adopted (A + C), t50 " +
                   "(weeks to 50% internalized, smaller is better) or area (mean internalized share over the run)");
}

Estimate estimate(const std::vector<double>& v) {
  Estimate e;
  e.n = v.size();
  if (v.empty()) return e;
  const double n = static_cast<double>(v.size());
  e.mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double ss = 0;
  for (double x : v) ss += (x - e.mean) * (x - e.mean);
  const double se = v.size() > 1 ? std::sqrt(ss / (n - 1) / n) : 0.0;
  e.low = e.mean - 1.96 * se;
  e.high = e.mean + 1.96 * se;
  return e;
}

namespace {

using Scores = std::vector<double>;  // one score per trial, larger is better

const model::Selection kRules[] = {model::Selection::Random, model::Selection::Formal, model::Selection::Central,
                                   model::Selection::Bridging, model::Selection::Distributed};

Scores minus(const Scores& a, const Scores& b) {
  Scores d(a.size());
  for (std::size_t k = 0; k < a.size(); ++k) d[k] = a[k] - b[k];
  return d;
}

/// What a trial is run with: given change agents, or the scenario's rule with
/// a count, and possibly without someone.
struct Choice {
  const std::vector<AgentId>* champions = nullptr;
  std::optional<model::Selection> rule;
  std::uint32_t count = 0;
  std::optional<AgentId> without;
};
Choice given(const std::vector<AgentId>* champions) {
  Choice c;
  c.champions = champions;
  return c;
}
Choice by_rule(model::Selection rule, std::uint32_t count) {
  Choice c;
  c.rule = rule;
  c.count = count;
  return c;
}
Choice departure(AgentId who) {
  Choice c;
  c.without = who;
  return c;
}

/// The trials of one scenario, ready to be run with any choice. The trials'
/// organizations are built once (they depend on (seed, trial) alone).
class Evaluator {
 public:
  Evaluator(const model::ExperimentSpec& x, const model::ScenarioSpec& spec, const Options& o, Step horizon)
      : x_(x),
        spec_(spec),
        objective_(o.objective),
        horizon_(horizon),
        target_(o.target),
        threads_(o.threads),
        stop_(o.stop) {
    steps_ = std::max(horizon_, target_ ? target_->week : Step{0});
  }

  /// The organization of trial k (cached).
  const org::Organization& organization(TrialIndex k) {
    auto& slot = cache_[k];
    if (!slot) {
      const bool fixed = spec_.organization.generator == model::Generator::File ||
                         spec_.organization.generator == model::Generator::Complete;
      if (fixed && !cache_.empty() && cache_.begin()->second)
        slot = cache_.begin()->second;
      else
        slot = std::make_shared<const org::Organization>(
            org::generate_organization(spec_.organization, engine::organization_key(x_.seed, k)));
    }
    return *slot;
  }

  /// Builds the organizations of trials [first, first + count) (before running in parallel).
  void prepare(TrialIndex first, TrialIndex count) {
    for (TrialIndex k = first; k < first + count; ++k) organization(k);
  }

  /// Scores of trials [first, first + count) and, with a target, the internalized share at its week.
  Scores run(TrialIndex first, TrialIndex count, const Choice& choice, Scores* at_target = nullptr) {
    prepare(first, count);
    Scores score(count, 0.0), target(count, 0.0);
    model::ScenarioSpec spec = spec_;
    if (choice.rule) {
      spec.champions.selection = *choice.rule;
      spec.champions.count = choice.count;
    }
    std::vector<const org::Organization*> orgs(count);
    for (TrialIndex i = 0; i < count; ++i) orgs[i] = cache_.at(first + i).get();
    experiment::for_each_index(count, threads_, [&](std::size_t i) {
      const TrialIndex k = first + static_cast<TrialIndex>(i);
      engine::TrialVariant variant;
      variant.champions = choice.champions;
      variant.without = choice.without;
      const engine::TrialSetup setup = engine::prepare_trial(spec, x_.seed, k, *orgs[i], variant);
      engine::TrialCurves curves;
      engine::run_trial(spec, setup, engine::dynamics_key(x_.seed, spec.name, k), steps_, curves, stop_);
      score[i] = objective_score(curves);
      if (target_) target[i] = curves.share[static_cast<int>(State::A)][static_cast<std::size_t>(target_->week)];
    });
    if (at_target) *at_target = std::move(target);
    return score;
  }

  /// Peer credit per agent over the run, summed over trials [first, first + count), and how often each was a champion.
  void credit(TrialIndex first, TrialIndex count, std::vector<double>& total, std::vector<double>& champion_share,
              std::vector<std::vector<double>>& per_trial) {
    prepare(first, count);
    std::vector<engine::TrialAttribution> out(count);
    std::vector<std::vector<std::uint8_t>> champions(count);
    model::ScenarioSpec spec = spec_;
    spec.record.credit = true;
    experiment::for_each_index(count, threads_, [&](std::size_t i) {
      const TrialIndex k = first + static_cast<TrialIndex>(i);
      const engine::TrialSetup setup = engine::prepare_trial(spec, x_.seed, k, *cache_.at(k));
      engine::TrialCurves curves;
      engine::run_trial(spec, setup, engine::dynamics_key(x_.seed, spec.name, k), steps_, curves, stop_, &out[i]);
      champions[i] = setup.is_champion;
    });
    const std::size_t n = out.empty() ? 0 : out[0].credit_by_agent.size();
    total.assign(n, 0.0);
    champion_share.assign(n, 0.0);
    per_trial.assign(n, std::vector<double>(count, 0.0));
    for (TrialIndex i = 0; i < count; ++i)
      for (std::size_t a = 0; a < n; ++a) {
        total[a] += out[i].credit_by_agent[a];
        per_trial[a][i] = out[i].credit_by_agent[a];
        champion_share[a] += champions[i][a] / static_cast<double>(count);
      }
  }

  /// The objective in its own unit from a score (t50: weeks).
  static double natural(Objective o, double score) { return o == Objective::T50 ? -score : score; }

 private:
  double objective_score(const engine::TrialCurves& c) const {
    const auto& A = c.share[static_cast<int>(State::A)];
    const auto& C = c.share[static_cast<int>(State::C)];
    const auto h = static_cast<std::size_t>(horizon_);
    switch (objective_) {
      case Objective::Internalized:
        return A[h];
      case Objective::Adopted:
        return A[h] + C[h];
      case Objective::T50: {  // restricted to the horizon: not reached counts as h (MODEL.md 7: censored)
        std::size_t t = 0;
        while (t < h && A[t] < 0.5f) ++t;
        return -static_cast<double>(t);
      }
      case Objective::Area: {
        double sum = 0;
        for (std::size_t t = 1; t <= h; ++t) sum += A[t];
        return h ? sum / static_cast<double>(h) : A[0];
      }
    }
    return 0;
  }

  const model::ExperimentSpec& x_;
  const model::ScenarioSpec& spec_;
  Objective objective_;
  Step horizon_, steps_ = 0;
  std::optional<Target> target_;
  unsigned threads_;
  const std::atomic<bool>* stop_;
  std::map<TrialIndex, std::shared_ptr<const org::Organization>> cache_;
};

const model::ScenarioSpec& find_scenario(const model::ExperimentSpec& x, const std::string& name) {
  if (name.empty()) {
    for (const auto& s : x.scenarios)
      if (s.champions.count > 0) return s;
    throw InputError("no scenario of " + x.source_path +
                     " has champions; name one with --scenario (its strategy is kept, its change agents chosen)");
  }
  std::string names;
  for (const auto& s : x.scenarios) {
    if (s.name == name) return s;
    names += (names.empty() ? "" : ", ") + s.name;
  }
  throw InputError("--scenario " + name + ": no such scenario in " + x.source_path + "; it has: " + names);
}

/// "1 person", "2 people".
std::string count_of(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

/// The person's id as the user gives it: the id in the data, or the number.
std::string label_of(const org::Organization& o, AgentId i) { return o.ids.empty() ? std::to_string(i) : o.ids[i]; }

/// Who the person is, from trial 0's organization; listeners as a mean over the choosing trials.
Person describe(const org::Organization& o, AgentId i, const std::vector<double>& listeners) {
  Person p;
  p.agent = i;
  p.label = label_of(o, i);
  const auto d = static_cast<std::size_t>(o.department[i]);
  p.department = d < o.department_names.size() ? o.department_names[d] : std::to_string(d);
  p.level = o.level[i];
  p.formal_leader = o.is_formal_leader[i] != 0;
  p.listeners = listeners[i];
  return p;
}

std::vector<AgentId> checked_ids(const std::vector<AgentId>& ids, AgentId n, const char* option) {
  for (AgentId i : ids)
    if (i >= n)
      throw InputError(std::string(option) + ": agent " + std::to_string(i) + " is not in the organization (ids 0.." +
                       std::to_string(n - 1) + ")");
  return ids;
}

struct Progress {
  const Options& options;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); }
  void say(const std::string& line) const {
    if (options.progress) options.progress(line);
  }
  /// ", about T left in this part": the time a part has taken since
  /// `part_start` (an elapsed() reading), spread over `done` of `all` units
  /// of it; empty before the first unit or after the last.
  std::string left(double part_start, std::size_t done, std::size_t all) const {
    if (done == 0 || done >= all) return {};
    const double per_unit = (elapsed() - part_start) / static_cast<double>(done);
    return ", about " + experiment::duration_text(per_unit * static_cast<double>(all - done)) + " left in this part";
  }
};

}  // namespace

double memory_estimate(const model::ExperimentSpec& x, const Options& o) {
  const model::ScenarioSpec& spec = find_scenario(x, o.scenario);
  const auto trials = static_cast<double>(o.trials ? o.trials : x.trials);
  const double fresh = o.test_trials ? o.test_trials : trials;
  const auto g = spec.organization.generator;
  const bool fixed = g == model::Generator::File || g == model::Generator::Complete;
  const double agents = experiment::organization_agents(spec.organization);
  double candidates = o.candidates.empty() ? agents : static_cast<double>(o.candidates.size());
  if (o.shortlist > 0) candidates = std::min<double>(candidates, o.shortlist);
  const double cached = (fixed ? 1 : trials + fresh) * experiment::organization_memory(spec.organization);
  const double running =
      std::min<double>(std::max(1u, o.threads), std::max(trials, fresh)) * experiment::trial_memory(spec);
  const double scores = candidates * trials * 8 * 2;                    // the heap's entries and their copies
  const double credit = o.key_people > 0 ? agents * fresh * 8 * 2 : 0;  // per person and fresh trial
  model::ExperimentSpec one = x;
  one.scenarios = {spec};
  one.trials = static_cast<TrialIndex>(std::max(trials, fresh));
  return experiment::run_memory(one, 1) + cached + running + scores + credit + agents * 32;
}

Result recommend(const model::ExperimentSpec& x, const Options& o) {
  const model::ScenarioSpec& spec = find_scenario(x, o.scenario);
  experiment::require_memory(memory_estimate(x, o), x.source_path, "this recommendation",
                             "reduce --trials, --test-trials, the candidates (--candidates top:N), --key-people, "
                             "organization.size or --threads");
  Result r;
  r.scenario = spec.name;
  r.objective = o.objective;
  r.horizon = o.horizon ? o.horizon : x.steps;
  r.trials = o.trials ? o.trials : x.trials;
  r.test_trials = o.test_trials ? o.test_trials : r.trials;
  r.seed = x.seed;
  r.lazy = o.lazy;
  if (r.horizon < 1 || r.horizon > x.steps)
    throw InputError("--horizon " + std::to_string(r.horizon) + ": use a week in 1.." + std::to_string(x.steps));
  if (o.target && (o.target->week < 0 || o.target->week > x.steps))
    throw InputError("--target ...@" + std::to_string(o.target->week) + ": the week must be in 0.." +
                     std::to_string(x.steps));
  if (o.constraints.formal_only && o.constraints.informal_only)
    throw InputError("--formal-only and --informal-only exclude each other; give one");
  Progress progress{o};
  const auto generator = spec.organization.generator;
  if (generator != model::Generator::File && generator != model::Generator::Complete)
    progress.say(
        "note: the organization is generated anew for every trial, so the ids chosen are positions in "
        "the org chart (and in the generator's id order) whose informal ties differ from trial to trial; a "
        "rule that reads each trial's network (e.g. central) can beat any fixed set. For a real "
        "organization, use generator = \"file\" (docs/recommend.md).");
  Evaluator eval(x, spec, o, r.horizon);
  const org::Organization& first = eval.organization(0);
  const AgentId n = first.size();

  // Who listens to whom, averaged over the choosing trials (generated organizations differ by trial).
  std::vector<double> weighted(n, 0.0), listeners(n, 0.0);
  eval.prepare(0, r.trials);
  for (TrialIndex k = 0; k < r.trials; ++k) {
    const org::Organization& org = eval.organization(k);
    const std::vector<double> w = org::listened_to(org, false);
    for (AgentId i = 0; i < n; ++i) weighted[i] += w[i] / r.trials;
    for (EdgeIndex e = 0; e < org.network.edge_count(); ++e) listeners[org.network.sources[e]] += 1.0 / r.trials;
  }

  // Candidates: a list or everyone, the shortlist by weighted in-degree, then the constraints.
  const auto& c = o.constraints;
  std::vector<AgentId> pool =
      o.candidates.empty() ? std::vector<AgentId>(n) : checked_ids(o.candidates, n, "--candidates");
  if (o.candidates.empty()) std::iota(pool.begin(), pool.end(), AgentId{0});
  if (o.shortlist > 0 && o.shortlist < pool.size()) {
    std::stable_sort(pool.begin(), pool.end(), [&](AgentId a, AgentId b) { return weighted[a] > weighted[b]; });
    pool.resize(o.shortlist);
  }
  const std::set<AgentId> excluded(c.exclude.begin(), c.exclude.end());
  checked_ids(c.exclude, n, "--exclude");
  const std::vector<AgentId> required = checked_ids(c.require, n, "--require");
  std::vector<std::uint32_t> per_department(static_cast<std::size_t>(std::max(first.department_count, 1)), 0);
  for (AgentId i : required) {
    const std::string who = "--require " + label_of(first, i);
    if (excluded.count(i)) throw InputError(who + ": is also --exclude'd; give them in one of the two");
    if (c.formal_only && !first.is_formal_leader[i])
      throw InputError(who +
                       ": is not a formal leader, and --formal-only allows only formal leaders; drop one of the two");
    if (c.informal_only && first.is_formal_leader[i])
      throw InputError(who +
                       ": is a formal leader, and --informal-only allows only people who are not; drop one of the "
                       "two");
    const auto d = static_cast<std::size_t>(first.department[i]);
    if (c.max_per_department > 0 && ++per_department[d] > c.max_per_department)
      throw InputError(who + ": would be required change agent number " + std::to_string(per_department[d]) +
                       " in department " +
                       (d < first.department_names.size() ? first.department_names[d] : std::to_string(d)) +
                       ", beyond --max-per-department " + std::to_string(c.max_per_department) +
                       "; require fewer people there or raise the limit");
  }
  std::fill(per_department.begin(), per_department.end(), 0u);  // counted again as they are accepted
  std::vector<AgentId> candidates;
  for (AgentId i : pool) {
    if (excluded.count(i) || std::find(required.begin(), required.end(), i) != required.end()) continue;
    if (c.formal_only && !first.is_formal_leader[i]) continue;
    if (c.informal_only && first.is_formal_leader[i]) continue;
    candidates.push_back(i);
  }
  std::sort(candidates.begin(), candidates.end());
  r.candidates = candidates.size();
  // Greedy runs on for the curve's nested sets, as far as there are people to choose.
  const auto available = static_cast<std::uint32_t>(required.size() + candidates.size());
  const std::uint32_t goal = std::max(o.count, o.curve ? std::min(o.curve->to, available) : 0u);
  if (o.count == 0) throw InputError("--count 0: choose at least one change agent");
  if (required.size() > o.count)
    throw InputError("--require lists " + count_of(required.size(), "person", "people") + ", more than --count " +
                     std::to_string(o.count));
  if (o.count > available)
    throw InputError("asked for " + count_of(o.count, "change agent", "change agents") + " but only " +
                     count_of(available, "person", "people") +
                     " may be chosen (candidates after the shortlist and constraints, plus --require)");
  auto department_full = [&](AgentId i) {
    return c.max_per_department > 0 &&
           per_department[static_cast<std::size_t>(first.department[i])] >= c.max_per_department;
  };

  // Greedy with lazy evaluation (CELF): a candidate's gain can only shrink as
  // the set grows (exactly so for submodular objectives), so the best stale
  // gain is re-evaluated first and taken if it stays on top.
  std::vector<AgentId> chosen;
  Scores current = eval.run(0, r.trials, given(&chosen));
  ++r.evaluations;
  double picks_start = -1;  // elapsed() at the first pick
  auto accept = [&](AgentId i, const Scores& with, bool is_required) {
    Pick p;
    p.person = describe(first, i, listeners);
    p.required = is_required;
    p.gain = estimate(minus(with, current));
    p.value = estimate(with);
    chosen.push_back(i);
    ++per_department[static_cast<std::size_t>(first.department[i])];
    current = with;
    r.picks.push_back(p);
    char line[256];
    std::snprintf(line, sizeof line, "pick %zu/%u: agent %s (gain %+.4f), %llu evaluations, %.0f s", r.picks.size(),
                  goal, p.person.label.c_str(), p.gain.mean, static_cast<unsigned long long>(r.evaluations),
                  progress.elapsed());
    // after the first pick the rounds are alike (lazy ones cheaper): the picks so far say how long the rest take
    if (picks_start < 0) picks_start = progress.elapsed();
    const std::size_t later = r.picks.size() - 1;
    progress.say(line + progress.left(picks_start, later, goal - 1));
  };
  auto stopped = [&] { return o.stop && o.stop->load(); };
  for (AgentId i : required) {
    std::vector<AgentId> with = chosen;
    with.push_back(i);
    const Scores s = eval.run(0, r.trials, given(&with));
    ++r.evaluations;
    accept(i, s, true);
  }
  struct Entry {
    double gain;
    AgentId agent;
    std::size_t round;  // the set size it was evaluated against
    Scores scores;
  };
  auto better = [](const Entry& a, const Entry& b) {  // heap order: largest gain, then lowest id
    return a.gain < b.gain || (a.gain == b.gain && a.agent > b.agent);
  };
  auto evaluate = [&](AgentId i) {
    std::vector<AgentId> with = chosen;
    with.push_back(i);
    Entry e{0, i, chosen.size(), eval.run(0, r.trials, given(&with))};
    ++r.evaluations;
    e.gain = estimate(minus(e.scores, current)).mean;
    return e;
  };
  // The first round scores every candidate: most of the cost, so it reports its progress.
  auto first_round_progress = [&](std::size_t done, std::size_t all) {
    if (all < 10 || done % (all / 10) != 0 || done == 0) return;
    const double spent = progress.elapsed();
    char line[160];
    std::snprintf(line, sizeof line, "first round: %zu/%zu candidates scored, %.0f s, about %.0f s left in this round",
                  done, all, spent, spent / static_cast<double>(done) * static_cast<double>(all - done));
    progress.say(line);
  };
  if (o.lazy) {
    std::vector<Entry> heap;
    for (AgentId i : candidates) {
      if (stopped()) break;
      heap.push_back(evaluate(i));
      first_round_progress(heap.size(), candidates.size());
    }
    std::make_heap(heap.begin(), heap.end(), better);
    while (chosen.size() < goal && !heap.empty() && !stopped()) {
      std::pop_heap(heap.begin(), heap.end(), better);
      Entry top = std::move(heap.back());
      heap.pop_back();
      if (department_full(top.agent)) continue;  // the set only grows: it stays full
      if (top.round == chosen.size()) {
        accept(top.agent, top.scores, false);
        continue;
      }
      heap.push_back(evaluate(top.agent));
      if (heap.back().gain > top.gain) ++r.gains_grew;  // the lazy bound failed: not submodular here
      std::push_heap(heap.begin(), heap.end(), better);
    }
  } else {
    std::vector<AgentId> left = candidates;
    while (chosen.size() < goal && !stopped()) {
      std::optional<Entry> best;
      std::size_t scored = 0;
      for (AgentId i : left) {
        if (department_full(i) || stopped()) continue;
        Entry e = evaluate(i);
        if (chosen.size() == required.size()) first_round_progress(++scored, left.size());
        if (!best || better(*best, e)) best = std::move(e);
      }
      if (!best) break;
      left.erase(std::find(left.begin(), left.end(), best->agent));
      accept(best->agent, best->scores, false);
    }
  }
  if (stopped()) {
    r.interrupted = true;
    r.seconds = progress.elapsed();
    return r;
  }
  // Only --count itself must fit; the curve's greedy row stops where the constraints do (NaN beyond).
  if (chosen.size() < o.count)
    throw InputError("only " + count_of(chosen.size(), "change agent fits", "change agents fit") +
                     " the constraints (--max-per-department " + std::to_string(c.max_per_department) +
                     "); asked for --count " + std::to_string(o.count));

  // Fresh trials: the recommended set against the five rules, paired.
  const TrialIndex fresh = r.trials;
  std::vector<AgentId> recommended(chosen.begin(), chosen.begin() + o.count);
  progress.say("checking the recommended set on " + std::to_string(r.test_trials) + " fresh trials");
  const Scores mine = eval.run(fresh, r.test_trials, given(&recommended));
  r.recommended = estimate(mine);
  for (model::Selection rule : kRules) {
    if (stopped()) break;
    const Scores theirs = eval.run(fresh, r.test_trials, by_rule(rule, o.count));
    r.rules.push_back({model::to_string(rule), estimate(theirs), estimate(minus(mine, theirs))});
  }

  // How many: the objective against the count, per rule and for the nested greedy sets.
  if (o.curve && !stopped()) {
    std::vector<std::uint32_t> counts;
    for (std::uint32_t k = o.curve->from; k <= o.curve->to; k += std::max(1u, o.curve->step)) counts.push_back(k);
    std::vector<std::string> rows{"greedy"};
    for (model::Selection rule : kRules) rows.emplace_back(model::to_string(rule));
    const double curve_start = progress.elapsed();
    for (std::size_t row = 0; row < rows.size() && !stopped(); ++row) {
      CurveRow cr;
      cr.rule = rows[row];
      cr.counts = counts;
      for (std::uint32_t k : counts) {
        if (row == 0 &&
            k > chosen.size()) {  // beyond what the candidates and constraints allow: no greedy set of that size
          cr.value.emplace_back();
          if (o.target) cr.at_target.emplace_back();
          continue;
        }
        Scores at_target;
        std::vector<AgentId> prefix(chosen.begin(), chosen.begin() + std::min<std::size_t>(k, chosen.size()));
        const Choice choice = row == 0 ? given(&prefix) : by_rule(kRules[row - 1], k);
        const Scores s = eval.run(fresh, r.test_trials, choice, &at_target);
        Estimate v = estimate(s);
        if (o.objective == Objective::T50) v = {-v.mean, -v.high, -v.low, v.n};
        cr.value.push_back(v);
        if (o.target) {
          cr.at_target.push_back(estimate(at_target));
          if (!cr.reaches && cr.at_target.back().mean >= o.target->level) cr.reaches = k;
        }
      }
      progress.say("curve: " + cr.rule + " done (" + std::to_string(row + 1) + " of " + std::to_string(rows.size()) +
                   " rows), " + std::to_string(static_cast<long>(progress.elapsed())) + " s" +
                   progress.left(curve_start, row + 1, rows.size()));
      r.curve.push_back(std::move(cr));
    }
  }
  r.picks.resize(std::min<std::size_t>(r.picks.size(), o.count));  // beyond: the curve's nested sets only

  // Who the organization cannot lose: departures among the most listened-to,
  // ranked on the choosing trials, measured on the fresh ones.
  if (o.key_people > 0 && !stopped()) {
    std::vector<AgentId> order(n);
    std::iota(order.begin(), order.end(), AgentId{0});
    std::stable_sort(order.begin(), order.end(), [&](AgentId a, AgentId b) { return weighted[a] > weighted[b]; });
    order.resize(std::min<std::size_t>(n, std::max<std::size_t>(20, 4 * std::size_t{o.key_people})));
    progress.say("key people: " + std::to_string(order.size()) + " departures among the most listened-to");
    const double key_start = progress.elapsed();
    const Scores whole = eval.run(0, r.trials, Choice{});
    std::vector<std::pair<double, AgentId>> loss;
    for (AgentId i : order) {
      if (stopped()) break;
      loss.emplace_back(estimate(minus(whole, eval.run(0, r.trials, departure(i)))).mean, i);
      if (loss.size() % std::max<std::size_t>(1, order.size() / 4) == 0 && loss.size() < order.size())
        progress.say("key people: " + std::to_string(loss.size()) + " of " + std::to_string(order.size()) +
                     " departures, " + std::to_string(static_cast<long>(progress.elapsed())) + " s" +
                     progress.left(key_start, loss.size(), order.size()));
    }
    std::stable_sort(loss.begin(), loss.end(), [](const auto& a, const auto& b) {
      return a.first > b.first || (a.first == b.first && a.second < b.second);
    });
    loss.resize(std::min<std::size_t>(loss.size(), o.key_people));
    const Scores whole_fresh = eval.run(fresh, r.test_trials, Choice{});
    for (const auto& [_, i] : loss) {
      r.key_people.push_back(
          {describe(first, i, listeners), estimate(minus(whole_fresh, eval.run(fresh, r.test_trials, departure(i))))});
    }
    // And who the peers credit with their adoptions (MODEL.md 7), on the fresh trials.
    std::vector<double> total, share;
    std::vector<std::vector<double>> per_trial;
    eval.credit(fresh, r.test_trials, total, share, per_trial);
    std::vector<AgentId> by_credit(total.size());
    std::iota(by_credit.begin(), by_credit.end(), AgentId{0});
    std::stable_sort(by_credit.begin(), by_credit.end(), [&](AgentId a, AgentId b) { return total[a] > total[b]; });
    for (std::size_t k = 0; k < std::min<std::size_t>(o.key_people, by_credit.size()); ++k) {
      const AgentId i = by_credit[k];
      r.credited.push_back({describe(first, i, listeners), share[i], estimate(per_trial[i])});
    }
  }
  r.interrupted = stopped();
  r.seconds = progress.elapsed();
  return r;
}

std::vector<double> score_set(const model::ExperimentSpec& x, const Options& o, const std::vector<AgentId>& champions,
                              TrialIndex first, TrialIndex count) {
  const model::ScenarioSpec& spec = find_scenario(x, o.scenario);
  Evaluator eval(x, spec, o, o.horizon ? o.horizon : x.steps);
  return eval.run(first, count, given(&champions));
}

}  // namespace groundswell::recommend
