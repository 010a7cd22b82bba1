// The table of scenario keys (include/groundswell/model/parameters.hpp). Each
// entry is written once here; the parser, sweeps, calibration, overrides and
// the documentation all read it.
#include "groundswell/model/parameters.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <type_traits>

namespace groundswell::model {
namespace {

template <typename T>
using Field = T& (*)(ScenarioSpec&);

std::string integer_text(double v) { return std::to_string(static_cast<std::int64_t>(v)); }

/// Reads a number from an Integer or Real value (rounding a double for Integer keys).
double as_number(const ParameterValue& v) {
  if (const auto* d = std::get_if<double>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
  throw InputError("internal: a number was expected");
}

struct Range {
  double lo, hi;
  bool lo_open = false, hi_open = false;
};

ParameterInfo real(std::string key, Field<double> field, Range r, std::string unit, std::string meaning) {
  ParameterInfo p;
  p.key = std::move(key);
  p.type = ParameterType::Real;
  p.min = r.lo;
  p.max = r.hi;
  p.min_open = r.lo_open;
  p.max_open = r.hi_open;
  p.unit = std::move(unit);
  p.meaning = std::move(meaning);
  p.set = [field](ScenarioSpec& s, const ParameterValue& v) {
    // The only words check_value() lets through are "inf" and "sustained".
    field(s) = std::holds_alternative<std::string>(v) ? kInfinity : as_number(v);
  };
  p.get = [field](const ScenarioSpec& s) { return ParameterValue(field(const_cast<ScenarioSpec&>(s))); };
  return p;
}

template <typename Int>
ParameterInfo integer(std::string key, Field<Int> field, double lo, double hi, std::string unit, std::string meaning) {
  ParameterInfo p;
  p.key = std::move(key);
  p.type = ParameterType::Integer;
  p.min = lo;
  p.max = hi;
  p.unit = std::move(unit);
  p.meaning = std::move(meaning);
  p.set = [field](ScenarioSpec& s, const ParameterValue& v) {
    // Half away from zero, as calibration has always rounded a drawn count;
    // an unsigned key does not go below 0.
    double x = std::round(as_number(v));
    if (std::is_unsigned_v<Int>) x = std::max(0.0, x);
    field(s) = static_cast<Int>(x);
  };
  p.get = [field](const ScenarioSpec& s) {
    return ParameterValue(static_cast<std::int64_t>(field(const_cast<ScenarioSpec&>(s))));
  };
  return p;
}

ParameterInfo boolean(std::string key, Field<bool> field, std::string meaning) {
  ParameterInfo p;
  p.key = std::move(key);
  p.type = ParameterType::Boolean;
  p.meaning = std::move(meaning);
  p.set = [field](ScenarioSpec& s, const ParameterValue& v) { field(s) = std::get<bool>(v); };
  p.get = [field](const ScenarioSpec& s) { return ParameterValue(field(const_cast<ScenarioSpec&>(s))); };
  return p;
}

ParameterInfo text(std::string key, Field<std::string> field, std::string meaning) {
  ParameterInfo p;
  p.key = std::move(key);
  p.type = ParameterType::Text;
  p.meaning = std::move(meaning);
  p.set = [field](ScenarioSpec& s, const ParameterValue& v) { field(s) = std::get<std::string>(v); };
  p.get = [field](const ScenarioSpec& s) { return ParameterValue(field(const_cast<ScenarioSpec&>(s))); };
  return p;
}

/// A word for an enum: choices[k] is the enum value k + first.
template <typename Enum>
ParameterInfo choice(std::string key, Field<Enum> field, std::vector<std::string> words, std::string meaning,
                     int first = 0) {
  ParameterInfo p;
  p.key = std::move(key);
  p.type = ParameterType::Choice;
  p.choices = words;
  p.meaning = std::move(meaning);
  p.set = [field, words, first](ScenarioSpec& s, const ParameterValue& v) {
    const auto& word = std::get<std::string>(v);
    const auto at = std::find(words.begin(), words.end(), word);
    if (at == words.end()) throw InputError("internal: '" + word + "' is not a choice");
    field(s) = static_cast<Enum>(static_cast<int>(at - words.begin()) + first);
  };
  p.get = [field, words, first](const ScenarioSpec& s) {
    const int k = static_cast<int>(field(const_cast<ScenarioSpec&>(s))) - first;
    return ParameterValue(k >= 0 && k < static_cast<int>(words.size()) ? words[static_cast<std::size_t>(k)]
                                                                       : std::string("unset"));
  };
  return p;
}

ParameterInfo rate(std::string key, Field<double> field, double hi, std::string meaning) {
  ParameterInfo p = real(std::move(key), field, {0, hi}, hi > 1 ? "per step" : "", std::move(meaning));
  p.calibratable = true;
  return p;
}

constexpr double kOpen = 1e6;  // the upper end of "> 0" ranges

/// The rule and [organization] (MODEL.md 2).
void add_organization_keys(std::vector<ParameterInfo>& t) {
  const std::vector<std::string> directions = {"forward", "reverse", "both"};
  t.push_back(choice<Rule>(
      "rule", [](ScenarioSpec& s) -> Rule& { return s.rule; }, {"sdt", "bass", "threshold", "cascade", "agreement"},
      "the rule set (MODEL.md 5, 6)"));

  // [organization] (MODEL.md 2)
  t.push_back(choice<Generator>(
      "organization.generator", [](ScenarioSpec& s) -> Generator& { return s.organization.generator; },
      {"hierarchy", "complete", "erdos_renyi", "watts_strogatz", "file"}, "how the organization is made (MODEL.md 2)"));
  t.push_back(integer<std::uint32_t>(
      "organization.size", [](ScenarioSpec& s) -> std::uint32_t& { return s.organization.size; }, 1, 200'000'000,
      "agents", "agents N (`complete`: at most 20000)"));
  t.push_back(integer<std::uint32_t>(
      "organization.span", [](ScenarioSpec& s) -> std::uint32_t& { return s.organization.span; }, 1, 1'000'000,
      "agents", "direct reports per manager (`hierarchy`, MODEL.md 2.1)"));
  t.push_back(integer<std::uint32_t>(
      "organization.advisors", [](ScenarioSpec& s) -> std::uint32_t& { return s.organization.advisors; }, 0, 10'000,
      "agents", "advisor candidates drawn per agent (`hierarchy`)"));
  t.push_back(real(
      "organization.cross_department", [](ScenarioSpec& s) -> double& { return s.organization.cross_department; },
      {0, 1}, "probability", "probability an advisor candidate comes from another department"));
  t.push_back(real(
      "organization.prestige_sigma", [](ScenarioSpec& s) -> double& { return s.organization.prestige_sigma; }, {0, 10},
      "", "spread of log prestige"));
  t.push_back(real(
      "organization.prestige_rank_corr", [](ScenarioSpec& s) -> double& { return s.organization.prestige_rank_corr; },
      {-1, 1}, "", "correlation of prestige with rank (`rho`)"));
  t.push_back(real(
      "organization.trust_a", [](ScenarioSpec& s) -> double& { return s.organization.trust_a; }, {0, kOpen, true}, "",
      "Beta parameter a of trust weights (also connectors)"));
  t.push_back(real(
      "organization.trust_b", [](ScenarioSpec& s) -> double& { return s.organization.trust_b; }, {0, kOpen, true}, "",
      "Beta parameter b of trust weights (also connectors)"));
  t.push_back(real(
      "organization.formal_weight", [](ScenarioSpec& s) -> double& { return s.organization.formal_weight; },
      {0, kOpen, true}, "", "weight of the tie to the manager"));
  t.push_back(real(
      "organization.mean_degree", [](ScenarioSpec& s) -> double& { return s.organization.mean_degree; }, {0, kOpen},
      "ties", "`erdos_renyi`: mean degree z (at most N - 1)"));
  t.push_back(integer<std::uint32_t>(
      "organization.neighbours", [](ScenarioSpec& s) -> std::uint32_t& { return s.organization.neighbours; }, 0,
      1'000'000, "agents", "`watts_strogatz`: ring neighbours k (even, below N)"));
  t.push_back(real(
      "organization.rewire", [](ScenarioSpec& s) -> double& { return s.organization.rewire; }, {0, 1}, "probability",
      "`watts_strogatz`: rewiring probability"));
  t.push_back(integer<std::uint32_t>(
      "organization.departments", [](ScenarioSpec& s) -> std::uint32_t& { return s.organization.departments; }, 1,
      1'000'000, "departments", "`complete`/`erdos_renyi`/`watts_strogatz`: contiguous departments (at most N)"));
  t.push_back(text(
      "organization.nodes", [](ScenarioSpec& s) -> std::string& { return s.organization.nodes_file; },
      "`file`: the node table (CSV, relative to the scenario file, or `data:SET/FILE`) or another format's node file"));
  t.push_back(text(
      "organization.edges", [](ScenarioSpec& s) -> std::string& { return s.organization.edges_file; },
      "`file`: the edge table (CSV) or another format's tie file"));
  t.push_back(choice<NetworkFormat>(
      "organization.format", [](ScenarioSpec& s) -> NetworkFormat& { return s.organization.import.format; },
      {"csv", "pajek", "ucinet", "graphml", "snap", "multiplex"}, "`file`: the format of the files (docs/data.md)"));
  t.push_back(text(
      "organization.network", [](ScenarioSpec& s) -> std::string& { return s.organization.import.network; },
      "`file`: the one file of Pajek, UCINET and GraphML"));
  t.push_back(text(
      "organization.layers", [](ScenarioSpec& s) -> std::string& { return s.organization.import.layers; },
      "`file`: the layers file of a multiplex network"));
  t.push_back(text(
      "organization.listen", [](ScenarioSpec& s) -> std::string& { return s.organization.import.listen; },
      "`file`: the relation(s) people listen along, comma-separated"));
  t.push_back(choice<TieDirection>(
      "organization.direction", [](ScenarioSpec& s) -> TieDirection& { return s.organization.import.direction; },
      directions, "`file`: which way an arc of `listen` points", 1));
  t.push_back(text(
      "organization.formal", [](ScenarioSpec& s) -> std::string& { return s.organization.import.formal; },
      "`file`: the relation that gives the hierarchy"));
  t.push_back(choice<TieDirection>(
      "organization.formal_direction",
      [](ScenarioSpec& s) -> TieDirection& { return s.organization.import.formal_direction; }, directions,
      "`file`: which way an arc of `formal` points (forward when not given)", 1));
  t.push_back(text(
      "organization.department", [](ScenarioSpec& s) -> std::string& { return s.organization.import.department; },
      "`file`: what makes a department: attribute(s) or `levelK` (`level1` with `formal`)"));
  t.push_back(text(
      "organization.leaders", [](ScenarioSpec& s) -> std::string& { return s.organization.import.leaders; },
      "`file`: `attribute=value`, who leads when there is no reports-to relation"));
}

/// [agents] (MODEL.md 3).
void add_agent_keys(std::vector<ParameterInfo>& t) {
  ParameterInfo resisters = real(
      "agents.initial_resisters", [](ScenarioSpec& s) -> double& { return s.agents.initial_resisters; }, {0, 1},
      "probability", "probability each agent starts in `R` (sdt only)");
  resisters.calibratable = true;
  t.push_back(resisters);
  t.push_back(real(
      "agents.autonomy_a", [](ScenarioSpec& s) -> double& { return s.agents.autonomy_a; }, {0, kOpen, true}, "",
      "Beta parameter a of initial autonomy"));
  t.push_back(real(
      "agents.autonomy_b", [](ScenarioSpec& s) -> double& { return s.agents.autonomy_b; }, {0, kOpen, true}, "",
      "Beta parameter b of initial autonomy"));
  t.push_back(real(
      "agents.competence_a", [](ScenarioSpec& s) -> double& { return s.agents.competence_a; }, {0, kOpen, true}, "",
      "Beta parameter a of initial competence"));
  t.push_back(real(
      "agents.competence_b", [](ScenarioSpec& s) -> double& { return s.agents.competence_b; }, {0, kOpen, true}, "",
      "Beta parameter b of initial competence"));
  t.push_back(real(
      "agents.relatedness_a", [](ScenarioSpec& s) -> double& { return s.agents.relatedness_a; }, {0, kOpen, true}, "",
      "Beta parameter a of initial relatedness"));
  t.push_back(real(
      "agents.relatedness_b", [](ScenarioSpec& s) -> double& { return s.agents.relatedness_b; }, {0, kOpen, true}, "",
      "Beta parameter b of initial relatedness"));
  ParameterInfo theta_mean = real(
      "agents.threshold_mean", [](ScenarioSpec& s) -> double& { return s.agents.threshold_mean; }, {0, 1}, "share",
      "mean of the Normal threshold theta, clipped to [0, 1]");
  theta_mean.calibratable = true;
  t.push_back(theta_mean);
  ParameterInfo theta_sd = real(
      "agents.threshold_sd", [](ScenarioSpec& s) -> double& { return s.agents.threshold_sd; }, {0, 10}, "share",
      "standard deviation of theta; 0 = one threshold for all");
  theta_sd.calibratable = true;
  t.push_back(theta_sd);
}

/// [sdt] (MODEL.md 5 and 8), [bass] and [cascade] (MODEL.md 6).
void add_rule_keys(std::vector<ParameterInfo>& t) {
  const auto sdt = [&](const char* key, Field<double> field, double hi, const char* meaning) {
    t.push_back(rate(std::string("sdt.") + key, field, hi, meaning));
  };
  sdt(
      "gamma_c", [](ScenarioSpec& s) -> double& { return s.sdt.gamma_c; }, 1, "exposure value of a complier, v(C)");
  sdt(
      "gamma_r", [](ScenarioSpec& s) -> double& { return s.sdt.gamma_r; }, 1,
      "exposure value of a resister is -gamma_r");
  sdt(
      "tau", [](ScenarioSpec& s) -> double& { return s.sdt.tau; }, 10, "softness of the threshold; 0 = a step");
  t.back().unit = "";
  sdt(
      "w_a", [](ScenarioSpec& s) -> double& { return s.sdt.w_a; }, 1, "motivation weight of autonomy");
  sdt(
      "w_c", [](ScenarioSpec& s) -> double& { return s.sdt.w_c; }, 1, "motivation weight of competence");
  sdt(
      "w_r", [](ScenarioSpec& s) -> double& { return s.sdt.w_r; }, 1,
      "motivation weight of relatedness; w_a + w_c + w_r <= 1");
  sdt(
      "beta0", [](ScenarioSpec& s) -> double& { return s.sdt.beta0; }, 100, "spontaneous adoption rate");
  sdt(
      "beta_s", [](ScenarioSpec& s) -> double& { return s.sdt.beta_s; }, 100, "adoption rate from social pull");
  sdt(
      "beta_p", [](ScenarioSpec& s) -> double& { return s.sdt.beta_p; }, 100, "compliance rate under pressure");
  sdt(
      "rho_p", [](ScenarioSpec& s) -> double& { return s.sdt.rho_p; }, 100,
      "reactance to pressure (scaled by 1 - autonomy)");
  sdt(
      "rho_s", [](ScenarioSpec& s) -> double& { return s.sdt.rho_s; }, 100, "resistance from negative social push");
  sdt(
      "kappa_i", [](ScenarioSpec& s) -> double& { return s.sdt.kappa_i; }, 100, "internalization rate C -> A");
  sdt(
      "lambda_l", [](ScenarioSpec& s) -> double& { return s.sdt.lambda_l; }, 100,
      "lapse rate C -> N when pressure fades");
  sdt(
      "lambda_a", [](ScenarioSpec& s) -> double& { return s.sdt.lambda_a; }, 100, "abandonment rate A -> N");
  sdt(
      "lambda_r", [](ScenarioSpec& s) -> double& { return s.sdt.lambda_r; }, 100, "softening rate R -> N");
  sdt(
      "eta_a", [](ScenarioSpec& s) -> double& { return s.sdt.eta_a; }, 1, "autonomy: learning rate");
  sdt(
      "zeta_a", [](ScenarioSpec& s) -> double& { return s.sdt.zeta_a; }, 1, "autonomy: erosion by pressure");
  sdt(
      "eta_c", [](ScenarioSpec& s) -> double& { return s.sdt.eta_c; }, 1, "competence: learning rate");
  sdt(
      "practice", [](ScenarioSpec& s) -> double& { return s.sdt.practice; }, 1,
      "competence: learning by doing (agents in A or C)");
  sdt(
      "resources", [](ScenarioSpec& s) -> double& { return s.sdt.resources; }, 1,
      "competence: learning from resources after formalization");
  sdt(
      "zeta_c", [](ScenarioSpec& s) -> double& { return s.sdt.zeta_c; }, 1, "competence: erosion by pressure");
  sdt(
      "eta_r", [](ScenarioSpec& s) -> double& { return s.sdt.eta_r; }, 1, "relatedness: learning rate");
  sdt(
      "zeta_r", [](ScenarioSpec& s) -> double& { return s.sdt.zeta_r; }, 1, "relatedness: erosion by blame");
  sdt(
      "lambda_b", [](ScenarioSpec& s) -> double& { return s.sdt.lambda_b; }, 100,
      "champion burnout rate, times 1 - q_i (MODEL.md 3, 5.8); 0 = champions never burn out (v1)");

  // [bass], [cascade] (MODEL.md 6)
  t.push_back(rate(
      "bass.p", [](ScenarioSpec& s) -> double& { return s.bass.p; }, 100,
      "innovation coefficient (Sultan, Farley and Lehmann 1990 average)"));
  t.push_back(rate(
      "bass.q", [](ScenarioSpec& s) -> double& { return s.bass.q; }, 100, "imitation coefficient"));
  t.push_back(choice<BassOutside>(
      "bass.outside", [](ScenarioSpec& s) -> BassOutside& { return s.bass.outside; },
      {"constant", "linear", "piecewise"},
      "outside influence p(t) over steps t = 1..T: `constant` p; `linear` p + (p_end - p)(t - 1)/(T - 1); "
      "`piecewise` p, then p_2 from step period_2, p_3 from step period_3 (docs/model.md)"));
  t.push_back(rate(
      "bass.p_end", [](ScenarioSpec& s) -> double& { return s.bass.p_end; }, 100,
      "`outside = \"linear\"`: p(T) at the last step T = experiment.steps"));
  t.push_back(rate(
      "bass.p_2", [](ScenarioSpec& s) -> double& { return s.bass.p_2; }, 100,
      "`outside = \"piecewise\"`: p(t) from step period_2 on"));
  t.push_back(rate(
      "bass.p_3", [](ScenarioSpec& s) -> double& { return s.bass.p_3; }, 100,
      "`outside = \"piecewise\"`: p(t) from step period_3 on"));
  t.push_back(integer<Step>(
      "bass.period_2", [](ScenarioSpec& s) -> Step& { return s.bass.period_2; }, 0, 1'000'000, "steps",
      "`outside = \"piecewise\"`: first step of the second period (>= 2); 0 = a single period"));
  t.push_back(integer<Step>(
      "bass.period_3", [](ScenarioSpec& s) -> Step& { return s.bass.period_3; }, 0, 1'000'000, "steps",
      "`outside = \"piecewise\"`: first step of the third period (> period_2); 0 = no third period"));
  ParameterInfo potential = real(
      "bass.market_potential", [](ScenarioSpec& s) -> double& { return s.bass.market_potential; }, {0, 1, true},
      "share",
      "m: at the start of each trial every agent is in the market potential with probability m, drawn anew per "
      "trial; agents outside it never adopt (champions adopt as seeds regardless)");
  potential.calibratable = true;
  t.push_back(potential);
  t.push_back(rate(
      "cascade.p", [](ScenarioSpec& s) -> double& { return s.cascade.p; }, 1, "success probability is `w_ij * p`"));
  t.back().unit = "probability";

  // [exposure] (docs/model.md, "Exposure")
  t.push_back(choice<ExposureDefinition>(
      "exposure.definition", [](ScenarioSpec& s) -> ExposureDefinition& { return s.exposure.definition; },
      {"cohesion", "structural_equivalence"},
      "what x_i of bass and threshold weighs: `cohesion` the listens-to ties; `structural_equivalence` SE_ij of "
      "Burt (1987) on the geodesics (at most 5000 agents)"));
  t.push_back(real(
      "exposure.power", [](ScenarioSpec& s) -> double& { return s.exposure.power; }, {0, 100, true}, "",
      "`structural_equivalence`: v of SE_ij = (dmax_i - d_ij)^v / sum_k (dmax_i - d_ik)^v"));
}

/// The strategies: [mandate], [champions], [connectors], [formalization] (MODEL.md 4).
void add_strategy_keys(std::vector<ParameterInfo>& t) {
  t.push_back(choice<Issuers>(
      "mandate.issuers", [](ScenarioSpec& s) -> Issuers& { return s.mandate.issuers; }, {"none", "top", "leaders"},
      "who mandates (`top` = agent 0; `leaders` = formal leaders)"));
  t.push_back(integer<std::int32_t>(
      "mandate.levels", [](ScenarioSpec& s) -> std::int32_t& { return s.mandate.levels; }, 0, 1000, "levels",
      "`leaders`: formal leaders at level <= levels (below the hierarchy's depth)"));
  t.push_back(integer<Step>(
      "mandate.start", [](ScenarioSpec& s) -> Step& { return s.mandate.start; }, 1, 1'000'000, "steps",
      "step of issue"));
  t.push_back(real(
      "mandate.intensity", [](ScenarioSpec& s) -> double& { return s.mandate.intensity; }, {0, 100}, "",
      "mu at the start"));
  ParameterInfo half_life = real(
      "mandate.half_life", [](ScenarioSpec& s) -> double& { return s.mandate.half_life; }, {0, kInfinity, true, false},
      "steps", "steps for attention to halve; `inf` (or `\"sustained\"`) = sustained");
  half_life.infinity = true;
  t.push_back(half_life);
  t.push_back(boolean(
      "mandate.issuers_adopt", [](ScenarioSpec& s) -> bool& { return s.mandate.issuers_adopt; },
      "issuers switch to A and are committed from `start` (MODEL.md 4); false = they only push pressure"));
  ParameterInfo count = integer<std::uint32_t>(
      "champions.count", [](ScenarioSpec& s) -> std::uint32_t& { return s.champions.count; }, 0, 200'000'000, "agents",
      "change agents (seeds for classic rules), at most N");
  count.calibratable = true;
  t.push_back(count);
  t.push_back(choice<Selection>(
      "champions.selection", [](ScenarioSpec& s) -> Selection& { return s.champions.selection; },
      {"random", "formal", "central", "bridging", "distributed"}, "how change agents are chosen (MODEL.md 4)"));
  t.push_back(boolean(
      "champions.coalition", [](ScenarioSpec& s) -> bool& { return s.champions.coalition; },
      "champions listen to each other"));
  t.push_back(integer<std::uint32_t>(
      "connectors.bridges", [](ScenarioSpec& s) -> std::uint32_t& { return s.bridges; }, 0, 1'000'000'000, "ties",
      "cross-department ties added, each both ways"));

  ParameterInfo at;
  at.key = "formalization.at";
  at.type = ParameterType::Real;
  at.min = 0;
  at.max = 1;
  at.min_open = true;
  at.unset_word = "never";
  at.unit = "share";
  at.meaning = "adopted share that triggers formalization; `\"never\"` = no formalization";
  at.set = [](ScenarioSpec& s, const ParameterValue& v) {
    if (std::holds_alternative<std::string>(v))
      s.formalize_at.reset();
    else
      s.formalize_at = as_number(v);
  };
  at.get = [](const ScenarioSpec& s) {
    return s.formalize_at ? ParameterValue(*s.formalize_at) : ParameterValue(std::string("never"));
  };
  t.push_back(at);
  t.push_back(boolean(
      "formalization.leaders_adopt", [](ScenarioSpec& s) -> bool& { return s.formalization.leaders_adopt; },
      "formal leaders not in R switch to A when it fires (MODEL.md 4); false = resources only"));
  t.push_back(real(
      "formalization.pressure", [](ScenarioSpec& s) -> double& { return s.formalization.pressure; }, {0, 100}, "",
      "from the step after, `P_i = max(P_i, pressure)` for agents not in A (MODEL.md 4)"));
}

/// What a run keeps beyond the curves, metrics and attribution by role (docs/output.md).
void add_record_keys(std::vector<ParameterInfo>& t) {
  t.push_back(boolean(
      "record.attribution", [](ScenarioSpec& s) -> bool& { return s.record.attribution; },
      "record where the entries into A came from, `attribution/` (MODEL.md 7); false: not computed, not stored"));
  t.push_back(boolean(
      "record.credit", [](ScenarioSpec& s) -> bool& { return s.record.credit; },
      "also store each agent's peer credit over the run, `attribution/credit/by_agent` [trials, agents] (MODEL.md 7)"));
}

std::vector<ParameterInfo> make_table() {
  std::vector<ParameterInfo> t;
  add_organization_keys(t);
  add_agent_keys(t);
  add_rule_keys(t);
  add_strategy_keys(t);
  add_record_keys(t);
  return t;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

const char* value_type_name(const ParameterValue& v) {
  if (std::holds_alternative<double>(v)) return "a number";
  if (std::holds_alternative<std::int64_t>(v)) return "an integer";
  if (std::holds_alternative<bool>(v)) return "a boolean";
  return "a string";
}

std::string quoted_choices(const ParameterInfo& p) {
  std::string allowed;
  for (const auto& c : p.choices) allowed += (allowed.empty() ? "" : ", ") + ('"' + c + '"');
  return allowed;
}

/// Depth of a complete span-ary tree of `size` agents (levels 0 .. depth-1).
std::int64_t hierarchy_depth(std::uint32_t size, std::uint32_t span) {
  if (span == 1) return size;  // a chain
  std::int64_t depth = 0, covered = 0, width = 1;
  while (covered < size) {
    covered += width;
    width *= span;
    ++depth;
  }
  return depth;
}

/// The keys of a time-varying outside influence that go together (docs/model.md, "bass").
std::string check_bass(const BassParams& b) {
  // A key of another form of p(t) would be silently ignored: refuse it.
  if (b.outside != BassOutside::Linear && b.p_end != 0)
    return "bass.p_end = " + format_number(b.p_end) +
           " is used only with bass.outside = \"linear\": set outside = \"linear\" or remove p_end";
  if (b.outside != BassOutside::Piecewise && (b.p_2 != 0 || b.p_3 != 0 || b.period_2 != 0 || b.period_3 != 0))
    return "bass.p_2, p_3, period_2 and period_3 are used only with bass.outside = \"piecewise\": set outside = "
           "\"piecewise\" or remove them";
  if (b.period_2 == 0 && b.period_3 != 0)
    return "bass.period_3 = " + std::to_string(b.period_3) +
           " needs bass.period_2: set bass.period_2 (the first step of the second period) below it";
  if (b.period_2 == 1)
    return "bass.period_2 = 1 would leave no first period: use a step >= 2 (bass.p holds before it), or "
           "outside = \"constant\" with p = p_2";
  if (b.period_3 != 0 && b.period_3 <= b.period_2)
    return "bass.period_3 = " + std::to_string(b.period_3) +
           " must come after bass.period_2 = " + std::to_string(b.period_2) +
           ": use a larger step, or 0 for no third period";
  if (b.outside == BassOutside::Piecewise && b.period_3 == 0 && b.p_3 != 0)
    return "bass.p_3 = " + format_number(b.p_3) + " needs bass.period_3 (the first step of the third period)";
  if (b.outside == BassOutside::Piecewise && b.period_2 == 0)
    return "bass.outside = \"piecewise\" needs bass.period_2 (the first step of the second period, >= 2)";
  return {};
}

}  // namespace

std::string format_number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

std::string ParameterInfo::section() const {
  const auto dot = key.find('.');
  return dot == std::string::npos ? std::string() : key.substr(0, dot);
}

std::string ParameterInfo::name() const {
  const auto dot = key.find('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

const std::vector<ParameterInfo>& parameter_table() {
  static const std::vector<ParameterInfo> table = make_table();
  return table;
}

const ParameterInfo* find_parameter(std::string_view key) {
  for (const auto& p : parameter_table())
    if (p.key == key) return &p;
  return nullptr;
}

std::string closest_key(std::string_view key, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_d = std::string::npos;
  for (const auto& k : known) {
    const std::size_t d = edit_distance(key, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best_d <= std::max<std::size_t>(2, key.size() / 3) ? best : std::string{};
}

std::string closest_parameter(std::string_view key) {
  static const std::vector<std::string> keys = [] {
    std::vector<std::string> v;
    for (const auto& p : parameter_table()) v.push_back(p.key);
    return v;
  }();
  return closest_key(key, keys);
}

std::string expected_value(const ParameterInfo& p) {
  switch (p.type) {
    case ParameterType::Real:
      return "must be a number";
    case ParameterType::Integer:
      return "must be an integer";
    case ParameterType::Boolean:
      return "must be true or false";
    case ParameterType::Text:
      return "must be a string";
    case ParameterType::Choice:
      return "must be one of " + quoted_choices(p);
  }
  return {};
}

std::string format_value(const ParameterValue& value) {
  if (const auto* d = std::get_if<double>(&value)) return format_number(*d);
  if (const auto* i = std::get_if<std::int64_t>(&value)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
  return std::get<std::string>(value);
}

std::string check_value(const ParameterInfo& p, const ParameterValue& v) {
  const std::string got = std::string(", got ") + value_type_name(v);
  switch (p.type) {
    case ParameterType::Real: {
      if (const auto* word = std::get_if<std::string>(&v)) {
        if (p.infinity && (*word == "inf" || *word == "sustained")) return {};
        if (!p.unset_word.empty() && *word == p.unset_word) return {};
      }
      if (!std::holds_alternative<double>(v) && !std::holds_alternative<std::int64_t>(v))
        return expected_value(p) + got;
      const double x = as_number(v);
      if (std::isnan(x)) return "must be a number, got nan";
      const bool below = p.min_open ? !(x > p.min) : !(x >= p.min);
      const bool above = p.max_open ? !(x < p.max) : !(x <= p.max);
      if ((below || above) && !(p.infinity && std::isinf(x) && x > 0))
        return "= " + format_number(x) + " is out of range: allowed " + (p.min_open ? "(" : "[") +
               format_number(p.min) + ", " + format_number(p.max) + (p.max_open ? ")" : "]");
      return {};
    }
    case ParameterType::Integer: {
      const auto* i = std::get_if<std::int64_t>(&v);
      if (!i) return expected_value(p) + got;
      if (static_cast<double>(*i) < p.min || static_cast<double>(*i) > p.max)
        return "= " + std::to_string(*i) + " is out of range: allowed [" + integer_text(p.min) + ", " +
               integer_text(p.max) + "]";
      return {};
    }
    case ParameterType::Boolean:
      return std::holds_alternative<bool>(v) ? std::string() : expected_value(p) + got;
    case ParameterType::Text:
      return std::holds_alternative<std::string>(v) ? std::string() : expected_value(p) + got;
    case ParameterType::Choice: {
      const auto* word = std::get_if<std::string>(&v);
      if (!word) return expected_value(p) + got;
      if (std::find(p.choices.begin(), p.choices.end(), *word) == p.choices.end())
        return "= \"" + *word + "\" is not allowed: use one of " + quoted_choices(p);
      return {};
    }
  }
  return {};
}

std::string check_scenario(const ScenarioSpec& s) {
  const OrganizationSpec& o = s.organization;
  if (std::string fault = check_file_keys(o); !fault.empty()) return fault;
  if (o.generator == Generator::WattsStrogatz && (o.neighbours % 2 != 0 || o.neighbours >= o.size))
    return "organization.neighbours = " + std::to_string(o.neighbours) +
           " must be even and smaller than organization.size for watts_strogatz";
  if (o.generator == Generator::ErdosRenyi && o.size > 1 && o.mean_degree > o.size - 1)
    return "organization.mean_degree = " + format_number(o.mean_degree) +
           " exceeds size - 1 = " + std::to_string(o.size - 1);
  const bool generic = o.generator != Generator::Hierarchy && o.generator != Generator::File;
  if (generic && o.departments > o.size)
    return "organization.departments = " + std::to_string(o.departments) + " exceeds organization.size";
  if (o.generator == Generator::Complete && o.size > 20000)
    return "organization.size = " + std::to_string(o.size) +
           " is too large for generator \"complete\" (N^2 ties); use at most 20000";
  const SdtParams& p = s.sdt;
  if (p.w_a + p.w_c + p.w_r > 1.0 + 1e-9)
    return "sdt.w_a + sdt.w_c + sdt.w_r = " + format_number(p.w_a + p.w_c + p.w_r) +
           " exceeds 1: motivation must stay in [0,1]";
  if (s.champions.count > o.size && o.generator != Generator::File)
    return "champions.count = " + std::to_string(s.champions.count) +
           " exceeds organization.size = " + std::to_string(o.size);
  if (s.rule != Rule::Sdt && (s.mandate.issuers != Issuers::None || s.formalize_at))
    return std::string("mandate and formalization apply to rule \"sdt\" only; rule is \"") + to_string(s.rule) + "\"";
  if (s.mandate.issuers == Issuers::Leaders && generic)
    return std::string("mandate.issuers = \"leaders\" needs managers, but organization.generator = \"") +
           to_string(o.generator) + "\" makes none; use generator \"hierarchy\" or \"file\", or issuers = \"top\"";
  if (s.bridges > 0 && generic && o.departments < 2)
    return "connectors.bridges = " + std::to_string(s.bridges) +
           " needs at least two departments; set organization.departments >= 2";
  if (std::string fault = check_bass(s.bass); !fault.empty()) return fault;
  if (s.exposure.definition == ExposureDefinition::StructuralEquivalence) {
    if (s.rule != Rule::Bass && s.rule != Rule::Threshold)
      return std::string(
                 "exposure.definition = \"structural_equivalence\" applies to rules \"bass\" and "
                 "\"threshold\" only; rule is \"") +
             to_string(s.rule) + "\": remove exposure.definition or use one of those rules";
    if (o.generator != Generator::File && o.size > kMaxStructuralEquivalenceAgents)
      return "exposure.definition = \"structural_equivalence\" needs the geodesics of every pair of agents (N^2 "
             "memory, N^3 time per trial), so it allows at most " +
             std::to_string(kMaxStructuralEquivalenceAgents) +
             " agents; organization.size = " + std::to_string(o.size) +
             ": reduce organization.size or use exposure.definition = \"cohesion\"";
  }
  if (s.record.credit && !s.record.attribution)
    return "record.credit = true needs record.attribution = true (credit is part of the attribution)";
  if (s.mandate.issuers == Issuers::Leaders && o.generator == Generator::Hierarchy) {
    const std::int64_t depth = hierarchy_depth(o.size, o.span);
    if (s.mandate.levels >= depth)
      return "mandate.levels = " + std::to_string(s.mandate.levels) + " is beyond the hierarchy's depth (levels 0.." +
             std::to_string(depth - 1) + ")";
  }
  return {};
}

void apply_overrides(ScenarioSpec& scenario, const std::vector<Override>& overrides) {
  ScenarioSpec changed = scenario;
  for (const Override& o : overrides) {
    const ParameterInfo* p = find_parameter(o.key);
    if (!p) {
      const std::string hint = closest_parameter(o.key);
      throw InputError(
          "unknown key '" + o.key + "'" +
          (hint.empty() ? "; `groundswell parameters` lists every key" : "; did you mean '" + hint + "'?"));
    }
    if (const std::string fault = check_value(*p, o.value); !fault.empty())
      throw InputError("key '" + o.key + "' " + fault);
    p->set(changed, o.value);
    const bool unset = !p->unset_word.empty() && std::holds_alternative<std::string>(o.value);
    auto& record = changed.parameters;
    const auto at = std::find_if(record.begin(), record.end(), [&](const auto& kv) { return kv.first == o.key; });
    if (unset) {
      if (at != record.end()) record.erase(at);
    } else if (at != record.end()) {
      at->second = format_value(p->get(changed));
    } else {
      record.emplace_back(o.key, format_value(p->get(changed)));
    }
  }
  if (const std::string fault = check_scenario(changed); !fault.empty()) throw InputError(fault);
  scenario = std::move(changed);
}

void set_number(ScenarioSpec& scenario, const std::string& key, double value) {
  const ParameterInfo* p = find_parameter(key);
  if (!p || (p->type != ParameterType::Real && p->type != ParameterType::Integer))
    throw InputError("'" + key + "' is not a numeric scenario key");
  p->set(scenario, value);
}

ParameterDomain parameter_domain(const ParameterInfo& p) {
  std::string type, allowed;
  switch (p.type) {
    case ParameterType::Real:
      type = "real";
      allowed = std::string(p.min_open ? "(" : "[") + format_number(p.min) + ", " + format_number(p.max) +
                (p.max_open ? ")" : "]");
      if (p.infinity) allowed += ", `inf`";
      if (!p.unset_word.empty()) allowed += ", `\"" + p.unset_word + "\"`";
      break;
    case ParameterType::Integer:
      type = "integer";
      allowed = integer_text(p.min) + " .. " + integer_text(p.max);
      break;
    case ParameterType::Boolean:
      type = "boolean";
      allowed = "`true`, `false`";
      break;
    case ParameterType::Text:
      type = "text";
      break;
    case ParameterType::Choice:
      type = "word";
      for (const auto& c : p.choices) allowed += (allowed.empty() ? "" : ", ") + ("`" + c + "`");
      break;
  }
  return {type, allowed};
}

std::string parameter_markdown() {
  const ScenarioSpec defaults;
  std::ostringstream md;
  std::string section = "-";
  for (const auto& p : parameter_table()) {
    if (p.section() != section) {
      section = p.section();
      md << (section.empty() ? "" : "\n") << "#### " << (section.empty() ? "top level" : "`[" + section + "]`")
         << "\n\n| key | type | default | allowed | unit | meaning |\n|---|---|---|---|---|---|\n";
    }
    const auto [type, allowed] = parameter_domain(p);
    std::string value = format_value(p.get(defaults));
    if (p.type == ParameterType::Choice || (p.type == ParameterType::Real && !p.unset_word.empty() &&
                                            std::holds_alternative<std::string>(p.get(defaults))))
      value = value == "unset" ? "" : "`\"" + value + "\"`";
    md << "| `" << p.key << "` | " << type << " | " << value << " | " << allowed << " | " << p.unit << " | "
       << p.meaning << " |\n";
  }
  return md.str();
}

}  // namespace groundswell::model
