#pragma once
// Memory bounded before work starts (docs/errors.md, "Sizes that cannot
// fit"): every command estimates the peak memory of what it was asked to do,
// one estimate per thing (an organization, a run, a sweep design, a sweep
// point, a recommendation), and refuses up front, with the estimate and the
// fix, what this machine cannot hold. The estimates are upper bounds,
// calibrated on peak resident sets measured with /usr/bin/time -v.
#include <string>

#include "groundswell/model/scenario.hpp"

namespace groundswell::experiment {

/// MemAvailable of /proc/meminfo, in bytes; 0 if unknown (then nothing is refused).
double available_memory();

/// Refuses a request whose estimate exceeds the available memory.
/// @param need the estimate, in bytes
/// @param who what the message starts with (the scenario file)
/// @param what what needs it, e.g. "this run", "this sweep design"
/// @param fix what to reduce, e.g. "reduce organization.size, the ties per agent or --threads"
/// @throws InputError "WHO: WHAT needs about N MB of memory but only M MB are available; FIX"
void require_memory(double need, const std::string& who, const std::string& what, const std::string& fix);

/// The people of one organization of `o` (for file tables, an upper
/// estimate from their size).
double organization_agents(const model::OrganizationSpec& o);

/// One organization of `o` as held in memory once built (agents and the
/// tie arrays), in bytes: what a cache of organizations holds per entry.
double organization_memory(const model::OrganizationSpec& o);

/// Building one organization of `o` once: for the file generator, reading its
/// CSV tables or its network file (Pajek and UCINET DL sized by the vertex
/// count they declare, the others by their size), else organization_memory.
/// Used by `network import` and `network describe`, and for shared organizations.
double import_memory(const model::OrganizationSpec& o);

/// One trial's organization of scenario `s` and the trial's state over it
/// (agents, ties, the rule's extra structures), in bytes.
double trial_memory(const model::ScenarioSpec& s);

/// The organization of `s` built once and shared by every trial (complete
/// and file generators; 0 for the others), including reading its tables.
double shared_organization_memory(const model::ScenarioSpec& s);

/// The per-trial metrics every command keeps for its summary:
/// trials x scenarios x sizeof(engine::TrialMetrics), in bytes.
double metrics_memory(const model::ExperimentSpec& x);

/// The peak of `run_experiment(x)` with `threads` threads (and the results
/// writer): concurrent trials, shared organizations, a batch of curves, the
/// metrics kept. Used by `run`, and by sweeps and recommend for their trials.
double run_memory(const model::ExperimentSpec& x, unsigned threads);

}  // namespace groundswell::experiment
