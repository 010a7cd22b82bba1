#pragma once
// The validated, immutable description of an experiment (STYLE.md 2): what
// the model is. Loaded from a TOML scenario file by load_experiment().
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "groundswell/model/import_spec.hpp"
#include "groundswell/types.hpp"

namespace groundswell::model {

inline constexpr double kInfinity = std::numeric_limits<double>::infinity();

enum class Generator { Hierarchy, Complete, ErdosRenyi, WattsStrogatz, File };

/// How the organization of a trial is made (MODEL.md 2).
struct OrganizationSpec {
  Generator generator = Generator::Hierarchy;
  std::uint32_t size = 1000;
  // hierarchy (MODEL.md 2.1)
  std::uint32_t span = 7;
  std::uint32_t advisors = 8;
  double cross_department = 0.05;
  double prestige_sigma = 1.0;
  double prestige_rank_corr = 0.3;
  double trust_a = 2.0, trust_b = 2.0;
  double formal_weight = 0.5;
  // erdos_renyi: mean degree z; watts_strogatz: ring neighbours k (even), rewiring beta
  double mean_degree = 4.0;
  std::uint32_t neighbours = 4;
  double rewire = 0.1;
  // complete, erdos_renyi, watts_strogatz: agents split into this many contiguous departments
  std::uint32_t departments = 1;
  // file (MODEL.md 2.3): node and edge CSV tables, paths resolved against the scenario file
  std::string nodes_file, edges_file;
  // file: the format and how its relations map to ties (docs/data.md); csv by default
  ImportSpec import;

  bool operator==(const OrganizationSpec& o) const;
};

/// Initial agent traits (MODEL.md 3).
struct AgentSpec {
  double initial_resisters = 0.05;
  double autonomy_a = 5, autonomy_b = 5;
  double competence_a = 4, competence_b = 6;
  double relatedness_a = 6, relatedness_b = 4;
  double threshold_mean = 0.40, threshold_sd = 0.15;
};

/// The rule sets of MODEL.md 5 (`sdt`) and 6 (the classic rules).
enum class Rule { Sdt, Bass, Threshold, Cascade, Agreement };

/// Parameters of the sdt rule (MODEL.md 5 and 8).
struct SdtParams {
  double gamma_c = 0.3, gamma_r = 0.5, tau = 0.03;
  double w_a = 1.0 / 3, w_c = 1.0 / 3, w_r = 1.0 / 3;
  double beta0 = 0.0005, beta_s = 0.2, beta_p = 0.5;
  double rho_p = 0.15, rho_s = 0.1;
  double kappa_i = 0.05, lambda_l = 0.2, lambda_a = 0.02, lambda_r = 0.05;
  double eta_a = 0.1, zeta_a = 0.5;
  double eta_c = 0.1, practice = 0.2, resources = 0.5, zeta_c = 0.2;
  double eta_r = 0.05, zeta_r = 0.3;
  double lambda_b = 0.04;  ///< champion burnout rate, times 1 - q_i (MODEL.md 5.8); 0 = v1
};

/// How the outside influence p(t) of bass changes over the steps (docs/model.md, "bass").
enum class BassOutside { Constant, Linear, Piecewise };

/// Bass (1969) diffusion: hazard p(t) + q x (MODEL.md 6). Defaults: Bass's
/// average innovation and imitation coefficients (Sultan, Farley and Lehmann
/// 1990), a constant p and a market potential of everyone.
struct BassParams {
  double p = 0.03, q = 0.38;
  BassOutside outside = BassOutside::Constant;
  double p_end = 0;             ///< linear: p(T) at the last step T
  double p_2 = 0, p_3 = 0;      ///< piecewise: p from step period_2, from step period_3
  Step period_2 = 0;            ///< piecewise: first step of the second period; 0 = none
  Step period_3 = 0;            ///< piecewise: first step of the third period; 0 = none
  double market_potential = 1;  ///< m: each agent may ever adopt with probability m, per trial
};

/// What the exposure x_i of the classic rules bass and threshold weighs
/// (docs/model.md, "Exposure"): the listens-to ties (cohesion) or structural
/// equivalence (Burt 1987).
enum class ExposureDefinition { Cohesion, StructuralEquivalence };

/// The largest organization whose structural equivalence a trial computes:
/// its geodesics, distances and weights take O(N^2) memory and O(N^3) time
/// (at 5000 agents about 1.5 GB and over a minute per trial on one core;
/// measured 5 s at 2000).
inline constexpr std::uint32_t kMaxStructuralEquivalenceAgents = 5000;

/// The exposure of bass and threshold.
struct ExposureSpec {
  ExposureDefinition definition = ExposureDefinition::Cohesion;
  double power = 1;  ///< v of SE_ij = (dmax_i - d_ij)^v / sum_k (dmax_i - d_ik)^v
};

/// Independent cascade (Kempe, Kleinberg and Tardos 2003): success probability w_ij * p.
struct CascadeParams {
  double p = 1.0;
};

enum class Issuers { None, Top, Leaders };

/// Mandate from formal leaders (MODEL.md 4).
struct MandateSpec {
  Issuers issuers = Issuers::None;
  std::int32_t levels = 1;  ///< with Issuers::Leaders: leaders at level <= levels
  Step start = 1;
  double intensity = 1.0;
  double half_life = 13.0;    ///< in steps; kInfinity = sustained attention
  bool issuers_adopt = true;  ///< issuers switch to A and are committed from start; false = pressure only
};

/// What formalization does once it fires (MODEL.md 4); when it fires is ScenarioSpec::formalize_at.
struct FormalizationSpec {
  bool leaders_adopt = true;  ///< formal leaders not in R switch to A; false = resources only
  double pressure = 0;        ///< P_i >= pressure for agents not in A, from the step after
};

enum class Selection { Random, Formal, Central, Bridging, Distributed };

/// Change agents (MODEL.md 4), also the seeds of the classic rules (MODEL.md 6;
/// `agreement`: the agents committed to A).
struct ChampionSpec {
  std::uint32_t count = 0;
  Selection selection = Selection::Random;
  bool coalition = false;
};

/// What a run keeps beyond the curves, metrics and attribution by role.
struct RecordSpec {
  bool attribution = true;  ///< entries into A by cause and peer credit by role (MODEL.md 7)
  bool credit = false;      ///< each agent's peer credit over the run (MODEL.md 7); needs attribution
};

/// One named scenario: organization + rule + parameters + strategy.
struct ScenarioSpec {
  std::string name;
  std::string description;
  Rule rule = Rule::Sdt;
  OrganizationSpec organization;
  AgentSpec agents;
  SdtParams sdt;
  BassParams bass;
  CascadeParams cascade;
  ExposureSpec exposure;
  MandateSpec mandate;
  ChampionSpec champions;
  std::uint32_t bridges = 0;                                    ///< connectors across silos
  std::optional<double> formalize_at;                           ///< adopted share that triggers formalization
  FormalizationSpec formalization;                              ///< what formalization does
  RecordSpec record;                                            ///< what the run keeps
  std::vector<std::pair<std::string, std::string>> parameters;  ///< every key = value, for provenance
};

/// An experiment: several scenarios, each run for `trials` trials of `steps` steps.
struct ExperimentSpec {
  std::string name;
  std::string source_path;
  std::string source_text;
  std::uint64_t seed = 1;
  TrialIndex trials = 100;
  Step steps = 104;
  std::vector<ScenarioSpec> scenarios;
  /// The command line's `--set KEY=VALUE` texts, one a line (results: root attribute `overrides`).
  std::string overrides;
};

/// Reads and validates a scenario file. Throws InputError naming the file,
/// line, key and the allowed values for any syntax error, unknown key (with
/// the closest valid key), wrong type, out-of-range value or contradiction.
ExperimentSpec load_experiment(const std::string& path);

/// The same from text; `source_name` is used in messages and `base_dir` to
/// resolve relative network file paths.
ExperimentSpec parse_experiment(const std::string& text, const std::string& source_name, const std::string& base_dir);

const char* to_string(Rule rule);
const char* to_string(Generator generator);
const char* to_string(Selection selection);
const char* to_string(Issuers issuers);

}  // namespace groundswell::model
