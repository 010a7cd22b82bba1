// Memory estimates (include/groundswell/experiment/memory.hpp). Calibrated on
// peak RSS measured with /usr/bin/time -v (Release build, 3 steps, 2026-11,
// Debian 12, GCC 12): the hierarchy generator at N = 1e6 (advisors 8, ~9 ties
// per agent) peaked at 311 MB with 1 thread and 581 MB with 2; advisors 0:
// 144 MB; advisors 24: 701 MB; N = 2e6: 607 MB; N = 10: 16 MB. Hence ~104
// bytes per agent and 21-24 per tie per concurrent trial (the organization,
// its tie list while built, the trial's copy with champions and bridges, the
// agent arrays). watts_strogatz (k 8, N 1e6): 327 MB, 26 bytes per tie; rule
// bass at N 1e6: 498 MB, ~21 more bytes per tie for the transposed network.
// A batch of 64 trials of 100000 steps (N 50, 7 departments) held 602 MB of
// curves. A file organization of 1e6 agents and 8.8e6 ties (19 MB + 290 MB of
// CSV) peaked at 825 MB while read. The constants are rounded up so the
// estimates stay above these.
#include "groundswell/experiment/memory.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

#include "groundswell/engine/recorder.hpp"
#include "groundswell/types.hpp"

namespace groundswell::experiment {
namespace {

namespace fs = std::filesystem;

constexpr double kBaseBytes = 20e6;         // program, libraries, thread stacks
constexpr double kBytesPerAgent = 112;      // per concurrent trial
constexpr double kBytesPerTie = 26;         // per concurrent trial
constexpr double kClassicBytesPerTie = 22;  // bass, threshold, cascade, agreement: transposed network
constexpr double kAliasBytesPerTie = 8;     // agreement: listener alias tables (at most one slot per tie)
constexpr double kCachedBytesPerTie = 10;   // complete and file: one shared organization
constexpr double kStructuralEquivalenceBytesPerPair = 30;  // geodesics (2), profiles (8), distances (8), rows
constexpr double kFileBytesPerCsvByte = 3;                 // reading the CSV tables: ids, maps, tie list
// Reading a Pajek, UCINET, GraphML or edge-list file: labels, their line
// numbers, the id map, then the organization. `network describe` of a Pajek
// file of 3e6 isolated vertices peaked at 559 MB (186 bytes per vertex).
constexpr double kImportBytesPerAgent = 250;

/// The vertex count a Pajek (`*Vertices N`) or UCINET DL (`N = N`) file
/// declares in its first 64 kB; 0 if none is found (then the file size is used).
double declared_vertices(const std::string& path, model::NetworkFormat format) {
  std::ifstream in(path, std::ios::binary);
  std::string head(std::size_t{1} << 16, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
  const std::string key = format == model::NetworkFormat::Pajek ? "*vertices" : "n";
  for (std::size_t at = head.find(key); at != std::string::npos; at = head.find(key, at + 1)) {
    if (at > 0 && std::isalnum(static_cast<unsigned char>(head[at - 1]))) continue;  // "nm", "*vertices" only
    std::size_t k = at + key.size();
    if (format == model::NetworkFormat::Ucinet) {
      while (k < head.size() && (head[k] == ' ' || head[k] == '\t')) ++k;
      if (k >= head.size() || head[k] != '=') continue;
      ++k;
    }
    while (k < head.size() && std::isspace(static_cast<unsigned char>(head[k]))) ++k;
    double n = 0;
    bool digits = false;
    for (; k < head.size() && std::isdigit(static_cast<unsigned char>(head[k])); ++k, digits = true)
      n = n * 10 + (head[k] - '0');
    if (digits) return n;
  }
  return 0;
}

/// Agents, ties and departments of one organization of `o` (file tables: from their sizes).
struct Size {
  double agents = 0, ties = 0, departments = 1, csv_bytes = 0;
  bool imported = false;  ///< read from a Pajek, UCINET, GraphML or edge-list file
};
Size size_of(const model::OrganizationSpec& o) {
  Size z;
  z.agents = o.size;
  z.ties = z.agents * (o.advisors + 1.0);
  z.departments = std::max(1.0, std::min<double>(o.span, z.agents - 1));
  switch (o.generator) {
    case model::Generator::Hierarchy:
      break;
    case model::Generator::Complete:
      z.ties = z.agents * (z.agents - 1);
      z.departments = o.departments;
      break;
    case model::Generator::ErdosRenyi:
      z.ties = z.agents * o.mean_degree * 1.1;
      z.departments = o.departments;
      break;
    case model::Generator::WattsStrogatz:
      z.ties = z.agents * o.neighbours;
      z.departments = o.departments;
      break;
    case model::Generator::File: {
      std::error_code ec;
      if (o.import.format != model::NetworkFormat::Csv) {  // one network file (and a layers file)
        // Pajek, UCINET, GraphML: one network file; SNAP and multiplex: the edge list (and a layers file).
        double bytes = 0;
        for (const std::string* file : {&o.import.network, &o.edges_file, &o.import.layers}) {
          if (file->empty()) continue;
          const auto size = fs::file_size(*file, ec);
          if (ec) return {};  // a missing file is reported when it is read
          bytes += static_cast<double>(size);
        }
        const bool declares =
            o.import.format == model::NetworkFormat::Pajek || o.import.format == model::NetworkFormat::Ucinet;
        const double declared = declares ? declared_vertices(o.import.network, o.import.format) : 0;
        z.agents = std::max(declared, bytes / 16);
        z.ties = bytes / 4;  // "1 2\n"; a matrix cell "1 " is less, but most cells are 0
        z.departments = 1;
        z.csv_bytes = bytes;
        z.imported = true;
        break;
      }
      const auto nodes = static_cast<double>(fs::file_size(o.nodes_file, ec));
      const auto edges = ec ? 0.0 : static_cast<double>(fs::file_size(o.edges_file, ec));
      if (ec) return {};      // a missing table is reported when it is read
      z.agents = nodes / 16;  // rows are rarely shorter than "id,dept,boss,1" and "a,b,0.5,formal"
      z.ties = edges / 24;
      z.departments = 1;
      z.csv_bytes = nodes + edges;
      break;
    }
  }
  return z;
}

std::string megabytes(double bytes) { return std::to_string(static_cast<long long>(bytes / 1e6)); }

}  // namespace

double available_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  double kb = 0;
  while (in >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024.0;
  return 0;
}

void require_memory(double need, const std::string& who, const std::string& what, const std::string& fix) {
  const double have = available_memory();
  if (have > 0 && need > have)
    throw InputError(who + ": " + what + " needs about " + megabytes(need) + " MB of memory but only " +
                     megabytes(have) + " MB are available; " + fix);
}

double organization_agents(const model::OrganizationSpec& o) { return size_of(o).agents; }

double organization_memory(const model::OrganizationSpec& o) {
  constexpr double kHeldBytesPerAgent = 48;  // department, manager, level, flags, offsets
  const Size z = size_of(o);
  return z.agents * kHeldBytesPerAgent + z.ties * kCachedBytesPerTie;
}

double trial_memory(const model::ScenarioSpec& s) {
  const Size z = size_of(s.organization);
  const double tie_bytes = kBytesPerTie + (s.rule == model::Rule::Sdt ? 0 : kClassicBytesPerTie) +
                           (s.rule == model::Rule::Agreement ? kAliasBytesPerTie : 0);
  if (s.exposure.definition == model::ExposureDefinition::StructuralEquivalence) {
    // Up to N(N - 1) weighted ties replace the listens-to ones, and while
    // they are built the geodesics, profiles and distances take ~30 N^2 bytes.
    const double pairs = z.agents * z.agents;
    return z.agents * kBytesPerAgent + (z.ties + pairs) * tie_bytes + kStructuralEquivalenceBytesPerPair * pairs;
  }
  return z.agents * kBytesPerAgent + z.ties * tie_bytes;
}

double import_memory(const model::OrganizationSpec& o) {
  const Size z = size_of(o);
  return std::max({kFileBytesPerCsvByte * z.csv_bytes, organization_memory(o),
                   z.imported ? kImportBytesPerAgent * z.agents + kCachedBytesPerTie * z.ties : 0.0});
}

double shared_organization_memory(const model::ScenarioSpec& s) {
  const auto g = s.organization.generator;
  if (g != model::Generator::Complete && g != model::Generator::File) return 0;
  return import_memory(s.organization);
}

double metrics_memory(const model::ExperimentSpec& x) {
  return static_cast<double>(x.trials) * static_cast<double>(x.scenarios.size()) * sizeof(engine::TrialMetrics);
}

double run_memory(const model::ExperimentSpec& x, unsigned threads) {
  threads = std::max(1u, threads);
  const double concurrent = std::min<double>(threads, x.trials);
  const double batch = std::min<double>(x.trials, std::max(64u, 16 * threads));
  const double steps = static_cast<double>(x.steps) + 1;
  double trial_bytes = 0, once_bytes = 0, curve_bytes = 0, buffer_bytes = 0;
  for (const auto& s : x.scenarios) {
    // The scenarios of a trial run one after the other: the largest counts.
    trial_bytes = std::max(trial_bytes, trial_memory(s));
    once_bytes = std::max(once_bytes, shared_organization_memory(s));
    // Curves of two batches (one being written while the next runs): 9 per
    // trial and two per department, float32, and the attribution (10 series,
    // and 5 bytes an agent with record.credit), plus the writer's buffer for
    // the largest of them.
    const Size z = size_of(s.organization);
    const double departments = z.departments;
    curve_bytes += 2 * batch * steps * (9 + 2 * departments) * 4;
    if (s.record.attribution) curve_bytes += 2 * batch * (steps * 10 * 4 + (s.record.credit ? 5 * z.agents : 0));
    buffer_bytes = std::max(buffer_bytes, batch * steps * departments * 4);
  }
  return kBaseBytes + once_bytes + concurrent * trial_bytes + 1.1 * (curve_bytes + buffer_bytes) + metrics_memory(x);
}

}  // namespace groundswell::experiment
