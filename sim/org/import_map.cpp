// From a network file as read (RawNetwork) to an Organization: the mapping
// of docs/data.md. Relations become listens-to ties in the stated direction;
// the formal relation (or the leaders attribute) gives managers and levels;
// an attribute or the level-1 ancestor gives departments.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <unordered_map>

#include "groundswell/org/hierarchy.hpp"
#include "groundswell/org/import.hpp"
#include "groundswell/org/tables.hpp"
#include "org/detail/import_text.hpp"

namespace groundswell::org {
namespace {

using detail::in_quotes;
using model::TieDirection;

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string format_weight(double w) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", w);
  return buffer;
}

std::string relation_list(const RawNetwork& raw) {
  std::string out;
  for (std::size_t r = 0; r < raw.relations.size(); ++r) {
    const RawRelation& rel = raw.relations[r];
    out += (r ? ", " : "") + in_quotes(rel.name);
    if (rel.number != rel.name) out += " (" + rel.number + ")";
  }
  return out.empty() ? "none" : out;
}

/// The relation named `name`: its label, its number, or its label in any case.
std::size_t find_relation(const RawNetwork& raw, const std::string& name, const std::string& option) {
  for (std::size_t r = 0; r < raw.relations.size(); ++r)
    if (raw.relations[r].name == name) return r;
  for (std::size_t r = 0; r < raw.relations.size(); ++r)
    if (raw.relations[r].number == name) return r;
  std::size_t found = raw.relations.size(), matches = 0;
  for (std::size_t r = 0; r < raw.relations.size(); ++r)
    if (detail::lower(raw.relations[r].name) == detail::lower(name)) {
      found = r;
      ++matches;
    }
  if (matches == 1) return found;
  throw InputError(raw.path + ": " + option + " " + in_quotes(name) + " is not a relation of this " + raw.format +
                   " file; its relations are " + relation_list(raw));
}

std::size_t find_attribute(const RawNetwork& raw, const std::string& name, const std::string& option) {
  for (std::size_t a = 0; a < raw.attribute_names.size(); ++a)
    if (raw.attribute_names[a] == name) return a;
  throw InputError(raw.path + ": " + option + " " + in_quotes(name) + " is not a node attribute of this " + raw.format +
                   " file; its attributes are " +
                   (raw.attribute_names.empty() ? std::string("none") : detail::quoted_list(raw.attribute_names)));
}

const char* direction_words(TieDirection d, bool formal) {
  switch (d) {
    case TieDirection::Forward:
      return formal ? "forward: an arc i -> j means i reports to j" : "forward: an arc i -> j means i listens to j";
    case TieDirection::Reverse:
      return formal ? "reverse: an arc i -> j means j reports to i (i is above j)"
                    : "reverse: an arc i -> j means j listens to i";
    case TieDirection::Both:
      return "both: i and j listen to each other";
    case TieDirection::Unset:
      return "not given";
  }
  return "";
}

std::uint64_t pair_key(AgentId listener, AgentId source) { return (std::uint64_t{listener} << 32) | source; }

/// The listens-to ties of the `listen` relations.
struct ListenTies {
  std::vector<Tie> ties;
  std::unordered_map<std::uint64_t, std::size_t> index;  // (listener, source) -> ties[]
};

ListenTies listen_ties(const RawNetwork& raw, const std::vector<std::size_t>& relations, TieDirection direction,
                       ImportReport& report) {
  ListenTies out;
  for (std::size_t r : relations) {
    const RawRelation& rel = raw.relations[r];
    std::unordered_map<std::uint64_t, std::size_t> local;  // within this relation: the largest weight
    std::vector<Tie> mine;
    const auto add = [&](AgentId listener, AgentId source, float weight) {
      const auto [it, is_new] = local.emplace(pair_key(listener, source), mine.size());
      if (is_new)
        mine.push_back(Tie{listener, source, weight, false});
      else {
        ++report.merged;
        mine[it->second].weight = std::max(mine[it->second].weight, weight);
      }
    };
    for (const RawArc& a : rel.arcs) {
      if (!std::isfinite(a.weight) || !(a.weight > 0.0))
        throw InputError(raw.path + ":" + std::to_string(a.line) + ": the arc " + in_quotes(raw.ids[a.from]) + " -> " +
                         in_quotes(raw.ids[a.to]) + " of relation " + in_quotes(rel.name) + " has weight " +
                         format_weight(a.weight) +
                         "; a listens-to tie needs a weight > 0 (map only relations of positive ties)");
      if (a.weight > std::numeric_limits<float>::max())
        throw InputError(raw.path + ":" + std::to_string(a.line) + ": weight " + format_weight(a.weight) +
                         " is too large; use a number below 3e38");
      if (a.from == a.to) {
        ++report.self_loops;
        continue;
      }
      const auto w = static_cast<float>(a.weight);
      if (!a.directed || direction == TieDirection::Both) {
        add(a.from, a.to, w);
        add(a.to, a.from, w);
      } else if (direction == TieDirection::Forward) {
        add(a.from, a.to, w);
      } else {
        add(a.to, a.from, w);
      }
    }
    for (const Tie& t : mine) {  // across relations, weights add
      const auto [it, is_new] = out.index.emplace(pair_key(t.listener, t.source), out.ties.size());
      if (is_new)
        out.ties.push_back(t);
      else {
        ++report.merged;
        out.ties[it->second].weight += t.weight;
      }
    }
  }
  return out;
}

/// Managers from a formal relation; see map_network for the rule.
std::vector<std::int32_t> managers_from_relation(const RawNetwork& raw, const RawRelation& rel, TieDirection direction,
                                                 ImportReport& report) {
  const std::size_t n = raw.size();
  std::vector<std::vector<AgentId>> above(n);
  std::vector<std::vector<std::size_t>> line_of(n);
  std::size_t loops = 0;
  for (const RawArc& a : rel.arcs) {
    if (!a.directed)
      throw InputError(raw.path + ":" + std::to_string(a.line) + ": relation " + in_quotes(rel.name) +
                       " is the formal hierarchy but this tie is undirected; a reports-to relation must be directed");
    if (a.from == a.to) {
      ++loops;
      continue;
    }
    const AgentId person = direction == TieDirection::Reverse ? a.to : a.from;
    const AgentId superior = direction == TieDirection::Reverse ? a.from : a.to;
    if (std::find(above[person].begin(), above[person].end(), superior) != above[person].end()) continue;
    above[person].push_back(superior);
    line_of[person].push_back(a.line);
  }
  std::vector<std::int32_t> manager(n, kNoManager);
  for (std::size_t i = 0; i < n; ++i) {
    if (above[i].empty()) continue;
    if (above[i].size() == 1) {
      manager[i] = static_cast<std::int32_t>(above[i][0]);
      continue;
    }
    // Several superiors: the immediate one is the one the others are all above
    // (in a transitively closed relation, the one with the most superiors).
    std::size_t best = 0;
    for (std::size_t k = 1; k < above[i].size(); ++k)
      if (above[above[i][k]].size() > above[above[i][best]].size()) best = k;
    const AgentId s = above[i][best];
    for (std::size_t k = 0; k < above[i].size(); ++k) {
      if (k == best) continue;
      const AgentId t = above[i][k];
      if (std::find(above[s].begin(), above[s].end(), t) == above[s].end())
        throw InputError(raw.path + ":" + std::to_string(line_of[i][k]) + ": in relation " + in_quotes(rel.name) +
                         ", " + in_quotes(raw.ids[i]) + " has the superiors " + in_quotes(raw.ids[s]) + " and " +
                         in_quotes(raw.ids[t]) + " but " + in_quotes(raw.ids[t]) + " is not above " +
                         in_quotes(raw.ids[s]) +
                         "; the formal relation must give each person one manager, or be the "
                         "transitive closure of such a tree (check formal_direction)");
    }
    manager[i] = static_cast<std::int32_t>(s);
    ++report.closure_people;
  }
  // No cycles: every chain must reach a top (the same check as the CSV tables).
  check_manager_cycles(
      manager, raw.ids,
      [&](std::int32_t member) {
        const auto& lines = line_of[static_cast<std::size_t>(member)];
        return raw.path + ":" + std::to_string(lines.empty() ? 0 : lines[0]);
      },
      "the formal relation " + in_quotes(rel.name) + " gives it: check formal_direction, or fix the file");
  if (loops > 0)
    report.lines.push_back("ignored " + plural(loops, "self-loop", "self-loops") + " in the formal relation");
  return manager;
}

/// Department labels: the named attribute(s) joined with "/".
std::vector<std::string> departments_from_attributes(const RawNetwork& raw, const std::vector<std::string>& names,
                                                     const std::string& option) {
  std::vector<std::size_t> columns;
  for (const auto& name : names) columns.push_back(find_attribute(raw, name, option));
  std::vector<std::string> label(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    for (std::size_t k = 0; k < columns.size(); ++k) {
      const std::string& value = raw.attributes[i][columns[k]];
      if (value.empty())
        throw InputError(raw.path + ": node " + in_quotes(raw.ids[i]) + " has no value for the department attribute " +
                         in_quotes(names[k]) + "; give every node one, or choose another department");
      label[i] += (k ? "/" : "") + value;
    }
  }
  return label;
}

/// The id of the level-K ancestor; someone above level K takes the
/// department of their first direct report (lowest index), or their own id
/// if they have no reports.
std::vector<std::string> departments_from_level(const RawNetwork& raw, const std::vector<std::int32_t>& manager,
                                                const std::vector<std::int32_t>& level, std::int32_t k) {
  const std::size_t n = raw.size();
  std::vector<std::string> label(n);
  std::vector<std::int64_t> first_report(n, -1);
  std::int32_t depth = 0;
  for (std::size_t i = 0; i < n; ++i) {
    depth = std::max(depth, level[i] + 1);
    if (manager[i] != kNoManager && first_report[static_cast<std::size_t>(manager[i])] < 0)
      first_report[static_cast<std::size_t>(manager[i])] = static_cast<std::int64_t>(i);
    if (level[i] < k) continue;
    std::size_t j = i;
    while (level[j] > k) j = static_cast<std::size_t>(manager[j]);
    label[i] = raw.ids[j];
  }
  for (std::int32_t l = std::min(k, depth) - 1; l >= 0; --l)
    for (std::size_t i = 0; i < n; ++i)
      if (level[i] == l)
        label[i] = first_report[i] >= 0 ? label[static_cast<std::size_t>(first_report[i])] : raw.ids[i];
  return label;
}

/// K of "levelK" (K >= 1), or 0 if `department` is not of that form.
std::int32_t level_department(const std::string& department) {
  if (department.size() < 6 || department.compare(0, 5, "level") != 0) return 0;
  std::int64_t k = 0;
  if (!detail::parse_integer(department.substr(5), k) || k < 1 || k > 1'000'000 || department[5] == '+') return 0;
  return static_cast<std::int32_t>(k);
}

// The phases of map_network, in the order it calls them.

/// The relations people listen along: `listen`, or the only relation.
std::vector<std::size_t> listen_relations(const RawNetwork& raw, const model::ImportSpec& spec) {
  std::vector<std::size_t> listen;
  if (spec.listen.empty()) {
    if (raw.relations.size() != 1 || !spec.formal.empty())
      throw InputError(raw.path + ": say which relation people listen along: listen (--listen) = one or more of " +
                       relation_list(raw) + " (comma-separated)");
    listen.push_back(0);
    return listen;
  }
  for (const auto& name : detail::split_list(spec.listen)) {
    const std::size_t r = find_relation(raw, name, "listen =");
    if (std::find(listen.begin(), listen.end(), r) != listen.end())
      throw InputError(raw.path + ": listen names relation " + in_quotes(raw.relations[r].name) + " twice");
    listen.push_back(r);
  }
  return listen;
}

/// The listens-to ties of the `listen` relations in the stated direction,
/// with their lines of the report.
ListenTies map_listen_ties(const RawNetwork& raw, const model::ImportSpec& spec, ImportReport& report) {
  const std::vector<std::size_t> listen = listen_relations(raw, spec);
  bool any_directed = false;
  for (std::size_t r : listen)
    for (const RawArc& a : raw.relations[r].arcs) any_directed = any_directed || a.directed;
  if (any_directed && spec.direction == TieDirection::Unset)
    throw InputError(
        raw.path + ": say who listens to whom along " + in_quotes(raw.relations[listen[0]].name) +
        ": direction (--direction) = \"forward\" (an arc i -> j means i listens to j), \"reverse\" (j listens to i) "
        "or \"both\"; check the question the data answer (docs/data.md)");
  ListenTies ties = listen_ties(raw, listen, spec.direction, report);
  report.listen_ties = ties.ties.size();
  std::string names;
  for (std::size_t r : listen) names += (names.empty() ? "" : ", ") + in_quotes(raw.relations[r].name);
  report.lines.push_back("listens-to ties: " + names + ", " +
                         (any_directed ? direction_words(spec.direction, false) : "undirected (both ways)") + ": " +
                         plural(ties.ties.size(), "tie", "ties"));
  if (report.self_loops > 0)
    report.lines.push_back("dropped " + plural(report.self_loops, "self-loop", "self-loops") +
                           " (nobody listens to themselves)");
  if (report.merged > 0)
    report.lines.push_back(
        "merged " + plural(report.merged, "arc", "arcs") +
        " onto a tie already made (same pair: within a relation the largest weight, across relations the sum)");
  return ties;
}

/// What `department` asks for: the level-K ancestor (level > 0) or the
/// named attributes (names), or nothing (both empty).
struct DepartmentRule {
  std::int32_t level = 0;
  std::vector<std::string> names;
};

DepartmentRule department_rule(const RawNetwork& raw, const model::ImportSpec& spec) {
  DepartmentRule rule;
  rule.level = level_department(spec.department);
  if (!spec.department.empty() && rule.level == 0) rule.names = detail::split_list(spec.department);
  if (rule.level > 0)
    for (const auto& name : raw.attribute_names)
      if (name == spec.department)
        throw InputError(raw.path + ": department = " + in_quotes(spec.department) +
                         " is ambiguous: it names the level-" + std::to_string(rule.level) +
                         " ancestor and a node attribute; rename the attribute in the file");
  return rule;
}

/// Managers from the formal relation `formal`.
std::vector<std::int32_t> hierarchy_from_relation(const RawNetwork& raw, const model::ImportSpec& spec,
                                                  ImportReport& report) {
  const std::size_t f = find_relation(raw, spec.formal, "formal =");
  if (spec.formal_direction == TieDirection::Both)
    throw InputError(
        "formal_direction = \"both\" cannot be: a reports-to relation points one way (forward or reverse)");
  const TieDirection d = spec.formal_direction == TieDirection::Unset ? TieDirection::Forward : spec.formal_direction;
  std::vector<std::int32_t> manager = managers_from_relation(raw, raw.relations[f], d, report);
  std::string line = "hierarchy: " + in_quotes(raw.relations[f].name) + ", " + direction_words(d, true);
  if (report.closure_people > 0)
    line += "; transitively closed: for " + plural(report.closure_people, "person", "people") +
            " with several superiors the manager is the immediate superior (the one all the others are above)";
  report.lines.push_back(line);
  return manager;
}

/// The people whose attribute of `leaders = "attribute=value"` has the value.
std::vector<AgentId> find_leaders(const RawNetwork& raw, const std::string& leaders_option) {
  const std::size_t eq = leaders_option.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError("leaders = " + in_quotes(leaders_option) + " must have the form attribute=value, e.g. status=1");
  const std::string attribute = leaders_option.substr(0, eq), value = leaders_option.substr(eq + 1);
  const std::size_t a = find_attribute(raw, attribute, "leaders =");
  std::vector<AgentId> leaders;
  std::vector<std::string> seen;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw.attributes[i][a] == value) leaders.push_back(static_cast<AgentId>(i));
    if (seen.size() < 12 && std::find(seen.begin(), seen.end(), raw.attributes[i][a]) == seen.end())
      seen.push_back(raw.attributes[i][a]);
  }
  if (leaders.empty())
    throw InputError(raw.path + ": leaders = " + in_quotes(leaders_option) + " matches nobody; the values of " +
                     in_quotes(attribute) + " include " + detail::quoted_list(seen));
  if (leaders.size() == raw.size())
    throw InputError(raw.path + ": leaders = " + in_quotes(leaders_option) +
                     " matches everybody; nobody would have a manager");
  return leaders;
}

/// An assumed hierarchy from `leaders`: the leaders are tops; everyone else
/// reports to a leader of their group (department_label; empty: one group):
/// the one they listen to most, else the most listened-to in the group, else
/// the most listened-to overall.
std::vector<std::int32_t> hierarchy_from_leaders(const RawNetwork& raw, const model::ImportSpec& spec,
                                                 const ListenTies& ties,
                                                 const std::vector<std::string>& department_label,
                                                 ImportReport& report) {
  const std::size_t n = raw.size();
  const std::vector<AgentId> leaders = find_leaders(raw, spec.leaders);
  std::vector<std::int32_t> manager(n, kNoManager);
  std::vector<std::uint8_t> is_leader(n, 0);
  for (AgentId l : leaders) is_leader[l] = 1;
  const std::vector<std::string>& group = department_label;  // empty: one group
  const auto same_group = [&](std::size_t i, std::size_t j) { return group.empty() || group[i] == group[j]; };
  // How much each leader is listened to by members of their group, and by all.
  std::vector<double> in_group(n, 0.0), in_all(n, 0.0);
  for (const Tie& t : ties.ties) {
    in_all[t.source] += t.weight;
    if (same_group(t.listener, t.source)) in_group[t.source] += t.weight;
  }
  std::vector<std::vector<std::size_t>> ties_of(n);  // [listener] indices into ties.ties
  for (std::size_t e = 0; e < ties.ties.size(); ++e) ties_of[ties.ties[e].listener].push_back(e);
  std::vector<double> listens(n, 0.0);
  std::size_t by_ties = 0, by_standing = 0, outside = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (is_leader[i]) continue;
    for (std::size_t e : ties_of[i]) listens[ties.ties[e].source] += ties.ties[e].weight;
    std::int64_t best = -1;
    const auto better = [&](AgentId l, std::int64_t current, bool by_listening, bool group_standing) {
      if (current < 0) return true;
      const auto c = static_cast<std::size_t>(current);
      if (by_listening && listens[l] != listens[c]) return listens[l] > listens[c];
      const double sl = group_standing ? in_group[l] : in_all[l], sc = group_standing ? in_group[c] : in_all[c];
      return sl > sc;  // ties: the lower id, which comes first
    };
    for (AgentId l : leaders)
      if (same_group(i, l) && listens[l] > 0 && better(l, best, true, true)) best = l;
    if (best >= 0)
      ++by_ties;
    else {
      for (AgentId l : leaders)
        if (same_group(i, l) && better(l, best, false, true)) best = l;
      if (best >= 0) ++by_standing;
    }
    if (best < 0) {
      for (AgentId l : leaders)
        if (better(l, best, false, false)) best = l;
      ++outside;
    }
    manager[i] = static_cast<std::int32_t>(best);
    for (std::size_t e : ties_of[i]) listens[ties.ties[e].source] = 0.0;
  }
  report.lines.push_back("hierarchy (assumed, from leaders = " + in_quotes(spec.leaders) +
                         "): " + plural(leaders.size(), "leader", "leaders") + " at level 0; each of the other " +
                         std::to_string(n - leaders.size()) + " reports to a leader" +
                         (group.empty() ? std::string() : " of their department") + ": " + std::to_string(by_ties) +
                         " to the one they listen to most, " + std::to_string(by_standing) +
                         " (who listen to none) to the most listened-to" +
                         (outside ? ", " + std::to_string(outside) +
                                        " (no leader in their department) to the most listened-to leader overall"
                                  : std::string()));
  return manager;
}

/// The department label of each person, by the rule: the level-K ancestor
/// (also the default with a formal relation), the attributes (already read
/// into `department_label`), or one department.
void assign_departments(const RawNetwork& raw, const model::ImportSpec& spec, const DepartmentRule& rule,
                        bool hierarchy, const std::vector<std::int32_t>& manager,
                        const std::vector<std::int32_t>& level, std::vector<std::string>& department_label,
                        ImportReport& report) {
  if (rule.level > 0 || (spec.department.empty() && hierarchy && spec.leaders.empty())) {
    if (!hierarchy || !spec.leaders.empty())
      throw InputError("department = " + in_quotes(spec.department) +
                       " (an ancestor in the hierarchy) needs a formal relation; name a department attribute instead");
    const std::int32_t k = std::max(rule.level, 1);
    department_label = departments_from_level(raw, manager, level, k);
    report.lines.push_back("departments: the level-" + std::to_string(k) +
                           " ancestor (named by its id; people above level " + std::to_string(k) +
                           " join the department of their first report)");
  } else if (!rule.names.empty()) {
    report.lines.push_back("departments: attribute " + detail::quoted_list(rule.names) +
                           (rule.names.size() > 1 ? " (values joined with /)" : ""));
  } else {
    department_label.assign(raw.size(), "all");
    report.lines.push_back("departments: one (no department attribute given)");
  }
}

/// Numbers the departments in order of first appearance.
void number_departments(Organization& org, const std::vector<std::string>& department_label) {
  std::unordered_map<std::string, DepartmentId> department_of;
  for (const std::string& label : department_label) {
    const auto [it, is_new] = department_of.emplace(label, static_cast<DepartmentId>(org.department_names.size()));
    if (is_new) org.department_names.push_back(label);
    org.department.push_back(it->second);
  }
  org.department_count = static_cast<DepartmentId>(org.department_names.size());
}

/// The file's attributes; names the tables use themselves get a suffix.
void copy_attributes(const RawNetwork& raw, Organization& org, ImportReport& report) {
  for (const auto& name : raw.attribute_names) {
    std::string kept = name;
    if (kept == "id" || kept == "department" || kept == "manager" || kept == "level") {
      kept += "_file";
      report.lines.push_back("attribute " + in_quotes(name) + " is kept as " + in_quotes(kept) +
                             " (the tables use the name themselves)");
    }
    org.attribute_names.push_back(kept);
  }
  org.attributes = raw.attributes;
}

/// The listens-to ties plus the formal ones: each agent listens to its
/// manager with formal_weight, unless it already does informally.
std::vector<Tie> with_formal_ties(ListenTies ties, const std::vector<std::int32_t>& manager, float formal_weight,
                                  ImportReport& report) {
  std::vector<Tie> all = std::move(ties.ties);
  for (std::size_t i = 0; i < manager.size(); ++i) {
    if (manager[i] == kNoManager) continue;
    const auto m = static_cast<AgentId>(manager[i]);
    if (ties.index.count(pair_key(static_cast<AgentId>(i), m))) {
      ++report.formal_already_informal;
      continue;
    }
    all.push_back(Tie{static_cast<AgentId>(i), m, formal_weight, true});
    ++report.formal_ties;
  }
  return all;
}

}  // namespace

Organization map_network(const RawNetwork& raw, const model::ImportSpec& spec, float formal_weight,
                         ImportReport* report_out) {
  ImportReport local_report;
  ImportReport& report = report_out ? *report_out : local_report;
  const std::size_t n = raw.size();
  if (n == 0) throw InputError(raw.path + ": the " + raw.format + " file has no nodes");
  if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
    throw InputError(raw.path + ": more than 2^31 - 1 nodes");
  for (const auto& line : describe_raw(raw)) report.lines.push_back(line);

  ListenTies ties = map_listen_ties(raw, spec, report);

  // Departments by attribute, needed first when leaders are chosen by department.
  const DepartmentRule rule = department_rule(raw, spec);
  std::vector<std::string> department_label;
  if (!rule.names.empty()) department_label = departments_from_attributes(raw, rule.names, "department =");

  // The hierarchy, and the levels it gives.
  if (!spec.formal.empty() && !spec.leaders.empty())
    throw InputError(raw.path + ": give formal (a reports-to relation) or leaders (an attribute), not both");
  const bool hierarchy = !spec.formal.empty() || !spec.leaders.empty();
  const std::vector<std::int32_t> manager = !spec.formal.empty() ? hierarchy_from_relation(raw, spec, report)
                                            : !spec.leaders.empty()
                                                ? hierarchy_from_leaders(raw, spec, ties, department_label, report)
                                                : std::vector<std::int32_t>(n, kNoManager);
  const std::vector<std::int32_t> level = hierarchy ? levels_from_managers(manager) : std::vector<std::int32_t>(n, 0);
  if (hierarchy) {
    report.tops = static_cast<std::size_t>(std::count(manager.begin(), manager.end(), kNoManager));
    const std::int32_t depth = *std::max_element(level.begin(), level.end()) + 1;
    report.lines.push_back("levels from the manager tree: " + plural(report.tops, "top", "tops") +
                           " at level 0, depth " + std::to_string(depth));
  }

  assign_departments(raw, spec, rule, hierarchy, manager, level, department_label, report);
  Organization org;
  org.manager = manager;
  org.level = level;
  org.ids = raw.ids;
  number_departments(org, department_label);
  report.lines.back() += ": " + plural(org.department_names.size(), "department", "departments");
  mark_formal_leaders(org);
  copy_attributes(raw, org, report);

  org.network =
      build_network(static_cast<AgentId>(n), with_formal_ties(std::move(ties), manager, formal_weight, report));
  if (hierarchy)
    report.lines.push_back("formal ties (i listens to manager(i), weight " + format_weight(formal_weight) +
                           "): " + std::to_string(report.formal_ties) + " added, " +
                           std::to_string(report.formal_already_informal) + " already listened to informally");
  if (hierarchy && level[0] != 0)
    report.lines.push_back("note: agent 0 (" + raw.ids[0] +
                           ") is not a top; mandate.issuers = \"top\" means agent 0, "
                           "so mandate from the top of this hierarchy with issuers = \"leaders\", levels = 0");
  return org;
}

std::vector<std::string> describe_raw(const RawNetwork& raw) {
  std::vector<std::string> lines;
  lines.push_back("read " + raw.format + " " + raw.path + ": " + plural(raw.size(), "node", "nodes"));
  for (const RawRelation& r : raw.relations) {
    std::size_t undirected = 0, loops = 0;
    for (const RawArc& a : r.arcs) {
      undirected += a.directed ? 0 : 1;
      loops += a.from == a.to ? 1 : 0;
    }
    std::string line = "  relation " + in_quotes(r.name) + (r.number != r.name ? " (" + r.number + ")" : "") + ": " +
                       plural(r.arcs.size() - undirected, "arc", "arcs");
    if (undirected) line += ", " + plural(undirected, "undirected edge", "undirected edges");
    if (loops) line += " (" + plural(loops, "self-loop", "self-loops") + ")";
    lines.push_back(line);
  }
  if (!raw.attribute_names.empty()) lines.push_back("  node attributes: " + detail::quoted_list(raw.attribute_names));
  for (const auto& note : raw.notes) lines.push_back("  " + note);
  return lines;
}

RawNetwork read_network(const model::OrganizationSpec& spec) {
  const model::ImportSpec& m = spec.import;
  switch (m.format) {
    case model::NetworkFormat::Pajek:
      return read_pajek(m.network);
    case model::NetworkFormat::Ucinet:
      return read_ucinet(m.network);
    case model::NetworkFormat::Graphml:
      return read_graphml(m.network);
    case model::NetworkFormat::Snap:
      return read_snap(spec.edges_file, spec.nodes_file);
    case model::NetworkFormat::Multiplex:
      return read_multiplex(spec.edges_file, m.layers, spec.nodes_file);
    case model::NetworkFormat::Csv:
      break;
  }
  throw std::invalid_argument("read_network: the CSV tables are read by read_organization_tables");
}

Organization import_organization(const model::OrganizationSpec& spec, ImportReport* report) {
  if (spec.import.format == model::NetworkFormat::Csv) {
    detail::check_readable(spec.nodes_file, "node table");
    detail::check_readable(spec.edges_file, "edge table");
    Organization org = read_organization_tables(spec.nodes_file, spec.edges_file);
    if (report) {
      report->lines.push_back("read the CSV tables " + spec.nodes_file + " and " + spec.edges_file + ": " +
                              plural(org.size(), "agent", "agents") + ", " +
                              plural(org.network.edge_count(), "tie", "ties"));
      for (EdgeIndex e = 0; e < org.network.edge_count(); ++e)
        (org.network.formal[e] ? report->formal_ties : report->listen_ties) += 1;
    }
    return org;
  }
  return map_network(read_network(spec), spec.import, static_cast<float>(spec.formal_weight), report);
}

model::NetworkFormat detect_format(const std::string& path) {
  detail::check_readable(path, "network file");
  const std::string name = detail::lower(path);
  const auto ends = [&](const char* ext) {
    const std::string e(ext);
    return name.size() >= e.size() && name.compare(name.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".csv")) return model::NetworkFormat::Csv;
  if (ends(".graphml") || ends(".xml")) return model::NetworkFormat::Graphml;
  if (ends(".paj") || ends(".net")) return model::NetworkFormat::Pajek;
  if (ends(".edges")) return model::NetworkFormat::Multiplex;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  for (int count = 0; count < 1000 && std::getline(in, line); ++count) {
    while (!line.empty() && (line.back() == '\r')) line.pop_back();
    if (count == 0 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    std::string fault;
    const auto words = detail::split_words(line, false, false, fault);
    if (words.empty()) continue;
    const std::string first = detail::lower(words[0].text);
    if (first[0] == '<') return model::NetworkFormat::Graphml;
    if (first[0] == '*') return model::NetworkFormat::Pajek;
    if (first == "dl" || first.compare(0, 3, "dl,") == 0) return model::NetworkFormat::Ucinet;
    if (first[0] == '#' || first[0] == '%') continue;
    std::int64_t layer = 0;
    if (words.size() == 4 && detail::parse_integer(words[0].text, layer)) return model::NetworkFormat::Multiplex;
    if (words.size() == 2 || words.size() == 3) return model::NetworkFormat::Snap;
    break;
  }
  throw InputError(path +
                   ": cannot tell the format of this file; give it with --format "
                   "(pajek, ucinet, graphml, snap, multiplex or csv)");
}

}  // namespace groundswell::org
