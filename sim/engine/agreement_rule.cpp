// Binary agreement with committed agents (MODEL.md 6): Xie, Sreenivasan,
// Korniss, Zhang, Lim and Szymanski (2011), "Social consensus through the
// influence of committed minorities", Phys. Rev. E 84:011130,
// doi:10.1103/PhysRevE.84.011130. Opinions A (the change), B (the old way)
// and AB (both) are stored as the states A, N and C; the seeds are committed
// to A. One step is N interactions in sequence (asynchronous update), so the
// step's phases are: remember the states, interact N times, list the entries
// into A with who made each (for attribution, MODEL.md 7).
#include <algorithm>

#include "engine/detail/rules.hpp"

namespace groundswell::engine::detail {
namespace {

constexpr State kA = State::A, kB = State::N, kAB = State::C;

/// Uniform in 0..n-1 from 32 random bits (multiply-shift; bias below n / 2^32).
std::uint32_t below(std::uint32_t bits, std::uint64_t n) {
  return static_cast<std::uint32_t>((static_cast<std::uint64_t>(bits) * n) >> 32);
}

/// Walker's alias table (Vose 1991, IEEE TSE 17:972, doi:10.1109/32.92917)
/// of one speaker's listeners, weight-proportional, into `slots`.
/// `scaled`, `small` and `large` are scratch of at least `weights.size()`.
void build_alias(const float* weights, std::uint32_t d, AliasSlot* slots, std::vector<double>& scaled,
                 std::vector<std::uint32_t>& small, std::vector<std::uint32_t>& large) {
  double total = 0;
  for (std::uint32_t k = 0; k < d; ++k) total += weights[k];
  std::size_t n_small = 0, n_large = 0;
  for (std::uint32_t k = 0; k < d; ++k) {
    scaled[k] = static_cast<double>(weights[k]) * d / total;
    if (scaled[k] < 1.0)
      small[n_small++] = k;
    else
      large[n_large++] = k;
  }
  while (n_small > 0 && n_large > 0) {
    const std::uint32_t s = small[--n_small], l = large[--n_large];
    slots[s] = {static_cast<float>(scaled[s]), l};
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1.0)
      small[n_small++] = l;
    else
      large[n_large++] = l;
  }
  // What is left is 1 up to rounding: always kept.
  while (n_large > 0) {
    const std::uint32_t l = large[--n_large];
    slots[l] = {1.0f, l};
  }
  while (n_small > 0) {
    const std::uint32_t s = small[--n_small];
    slots[s] = {1.0f, s};
  }
}

/// Agent i collapses to `opinion` (committed agents never change); an entry
/// into A is credited to `by`, the other party of the interaction.
void collapse(RunState& s, Workspace& w, AgentId i, State opinion, AgentId by) {
  State& st = s.current.state[i];
  if (st == opinion || s.committed[i]) return;
  if (opinion == kA) w.moved_into_a_by[i] = by;
  st = opinion;
}

}  // namespace

void agreement_start(const TrialContext& ctx, RunState& s, Workspace& w) {
  const AgentId n = ctx.setup.organization.size();
  const auto& out = *ctx.listeners;
  // The seeds are committed to A; everyone else starts as the setup has it,
  // B (state N) from prepare_trial, whose classic rules draw no resisters.
  for (AgentId i = 0; i < n; ++i) {
    s.committed[i] = ctx.setup.is_champion[i];
    if (s.committed[i]) s.current.state[i] = kA;
  }
  s.pressure.assign(n, 0.0f);
  // Alias tables only for speakers whose listeners' weights differ; the
  // others (every speaker of complete, erdos_renyi, watts_strogatz) pick uniformly.
  w.alias_offset.assign(static_cast<std::size_t>(n) + 1, 0);
  std::uint32_t widest = 0;
  for (AgentId j = 0; j < n; ++j) {
    const EdgeIndex first = out.offsets[j], last = out.offsets[j + 1];
    const bool equal = std::all_of(out.weights.begin() + static_cast<std::ptrdiff_t>(first),
                                   out.weights.begin() + static_cast<std::ptrdiff_t>(last),
                                   [&](float x) { return x == out.weights[first]; });
    const EdgeIndex own = equal ? 0 : last - first;
    w.alias_offset[j + 1] = w.alias_offset[j] + own;
    widest = std::max(widest, static_cast<std::uint32_t>(own));
  }
  w.alias.resize(w.alias_offset[n]);
  std::vector<double> scaled(widest);
  std::vector<std::uint32_t> small(widest), large(widest);
  for (AgentId j = 0; j < n; ++j)
    if (w.alias_offset[j + 1] > w.alias_offset[j])
      build_alias(out.weights.data() + out.offsets[j], static_cast<std::uint32_t>(out.offsets[j + 1] - out.offsets[j]),
                  w.alias.data() + w.alias_offset[j], scaled, small, large);
  w.step_start.assign(n, kB);
  w.moved_into_a_by.assign(n, 0);
  for (auto* list : {&w.adopters, &w.converters, &s.newly_adopted, &s.converted_by}) {
    list->clear();
    list->reserve(n);  // the step only swaps and refills them: no allocation
  }
}

/// Xie et al. (2011), Phys. Rev. E 84:011130, doi:10.1103/PhysRevE.84.011130:
/// N interactions in sequence. In interaction k of step t (draws
/// rng.bits(t, k)): a speaker uniform among all agents; a listener among the
/// agents who listen to it, weight-proportional (a speaker nobody listens to:
/// nothing happens); the speaker voices its opinion (from AB, A or B with
/// probability 1/2); a listener holding the voiced opinion collapses with the
/// speaker to it, else it adds it. Committed agents never change.
/// Cost O(N) per step, no allocation.
void agreement_step(const TrialContext& ctx, RunState& s, Workspace& w) {
  const Step t = s.time + 1;
  const auto& out = *ctx.listeners;
  const AgentId n = ctx.setup.organization.size();
  std::copy(s.current.state.begin(), s.current.state.end(), w.step_start.begin());
  for (AgentId k = 0; k < n; ++k) {
    const auto r = ctx.rng.bits(static_cast<std::uint32_t>(t), k);
    const AgentId speaker = below(r[0], n);
    const EdgeIndex first = out.offsets[speaker], degree = out.offsets[speaker + 1] - first;
    if (degree == 0) continue;  // nobody listens: the interaction does nothing
    std::uint32_t slot = below(r[1], degree);
    const EdgeIndex table = w.alias_offset[speaker];
    if (w.alias_offset[speaker + 1] > table) {
      const AliasSlot& a = w.alias[table + slot];
      if (to_unit(r[2]) >= static_cast<double>(a.keep)) slot = a.alias;
    }
    const AgentId listener = out.sources[first + slot];
    const State said = s.current.state[speaker];
    const State voiced = said != kAB ? said : r[3] < 0x80000000u ? kA : kB;
    const State heard = s.current.state[listener];
    if (heard == voiced || heard == kAB) {  // the listener holds it: both keep only it
      collapse(s, w, listener, voiced, speaker);
      collapse(s, w, speaker, voiced, listener);
    } else if (!s.committed[listener]) {  // the listener adds it: A or B -> AB
      s.current.state[listener] = kAB;
    }
  }
  // Attribution compares states at step boundaries: an agent in A now and not
  // at the start of the step entered A, credited to whoever last moved it there.
  w.adopters.clear();
  w.converters.clear();
  for (AgentId i = 0; i < n; ++i)
    if (s.current.state[i] == kA && w.step_start[i] != kA) {
      w.adopters.push_back(i);
      w.converters.push_back(w.moved_into_a_by[i]);
    }
  s.newly_adopted.swap(w.adopters);
  s.converted_by.swap(w.converters);
  s.time = t;
}

}  // namespace groundswell::engine::detail
