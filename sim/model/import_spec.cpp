// Which file keys of [organization] fit together (docs/data.md).
#include "groundswell/model/import_spec.hpp"

#include "groundswell/model/scenario.hpp"

namespace groundswell::model {
namespace {

bool has_empty_item(const std::string& list) {
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = list.find(',', start);
    const std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item.find_first_not_of(" \t") == std::string::npos) return true;
    if (comma == std::string::npos) return false;
    start = comma + 1;
  }
}

/// "level1", "level2", ...: an ancestor in the hierarchy rather than an attribute.
bool is_level(const std::string& department) {
  if (department.size() < 6 || department.compare(0, 5, "level") != 0) return false;
  return department.find_first_not_of("0123456789", 5) == std::string::npos && department[5] != '0';
}

}  // namespace

std::string check_file_keys(const OrganizationSpec& spec, bool command_line) {
  const ImportSpec& m = spec.import;
  const auto key = [&](const char* name) {
    if (!command_line) return std::string("'organization.") + name + "'";
    std::string flag = std::string("--") + name;
    for (char& c : flag)
      if (c == '_') c = '-';
    return flag;
  };
  const std::string format = std::string("\"") + to_string(m.format) + "\"";
  const bool mapping = !m.listen.empty() || m.direction != TieDirection::Unset || !m.formal.empty() ||
                       m.formal_direction != TieDirection::Unset || !m.department.empty() || !m.leaders.empty();

  if (spec.generator != Generator::File) {
    if (m.format != NetworkFormat::Csv || !m.network.empty() || !m.layers.empty() || mapping)
      return "the keys format, network, layers, listen, direction, formal, formal_direction, department and leaders "
             "apply to generator = \"file\" only; set 'organization.generator' = \"file\" or remove them";
    return {};
  }
  const auto needs = [&](const std::string& value, const char* name, const char* what) -> std::string {
    if (value.empty()) return "format = " + format + " needs " + key(name) + " (" + what + ")";
    return {};
  };
  const auto forbids = [&](const std::string& value, const char* name, const char* use) -> std::string {
    if (!value.empty()) return key(name) + " does not apply to format = " + format + "; " + use;
    return {};
  };
  std::string fault;
  switch (m.format) {
    case NetworkFormat::Csv:
      if (spec.nodes_file.empty() || spec.edges_file.empty())
        return "organization.generator = \"file\" needs both " + key("nodes") + " and " + key("edges") +
               " (CSV tables, MODEL.md 2.3), or " + key("format") + " for another file format (docs/data.md)";
      if (!m.network.empty() || !m.layers.empty())
        return key(m.network.empty() ? "layers" : "network") +
               " does not apply to the CSV tables; for a Pajek, UCINET or GraphML file set " + key("format");
      if (mapping)
        return "the mapping keys (listen, direction, formal, formal_direction, department, leaders) do not apply to "
               "format = \"csv\": the tables already say who listens to whom and who manages whom (MODEL.md 2.3)";
      return {};
    case NetworkFormat::Pajek:
    case NetworkFormat::Ucinet:
    case NetworkFormat::Graphml:
      if (!(fault = needs(m.network, "network", "the network file")).empty()) return fault;
      if (!(fault = forbids(spec.nodes_file, "nodes", "the one file holds the nodes; give it as network")).empty())
        return fault;
      if (!(fault = forbids(spec.edges_file, "edges", "the one file holds the ties; give it as network")).empty())
        return fault;
      if (!(fault = forbids(m.layers, "layers", "layers files belong to format = \"multiplex\"")).empty()) return fault;
      break;
    case NetworkFormat::Snap:
      if (!(fault = needs(spec.edges_file, "edges", "the edge list")).empty()) return fault;
      if (!(fault = forbids(m.network, "network", "give the edge list as edges and the label file as nodes")).empty())
        return fault;
      if (!(fault = forbids(m.layers, "layers", "layers files belong to format = \"multiplex\"")).empty()) return fault;
      break;
    case NetworkFormat::Multiplex:
      if (!(fault = needs(spec.edges_file, "edges", "the multiplex edge list, \"layer node node weight\"")).empty())
        return fault;
      if (!(fault = forbids(m.network, "network",
                            "give the edge list as edges, the layers file as layers and the nodes file as nodes"))
               .empty())
        return fault;
      break;
  }
  if (!m.listen.empty() && has_empty_item(m.listen))
    return key("listen") + " = \"" + m.listen + "\" has an empty item; list relation names separated by commas";
  if (!m.department.empty() && has_empty_item(m.department))
    return key("department") + " = \"" + m.department +
           "\" has an empty item; list attribute names separated by commas";
  if (!m.formal.empty() && m.formal.find(',') != std::string::npos)
    return key("formal") + " = \"" + m.formal + "\" names several relations; the hierarchy comes from one";
  if (!m.formal.empty() && !m.leaders.empty())
    return "give " + key("formal") + " (a reports-to relation) or " + key("leaders") + " (an attribute), not both";
  if (m.formal.empty() && m.formal_direction != TieDirection::Unset)
    return key("formal_direction") + " is given without " + key("formal");
  if (m.formal_direction == TieDirection::Both)
    return key("formal_direction") + " = \"both\" cannot be: a reports-to relation points one way (forward or reverse)";
  if (!m.leaders.empty()) {
    const std::size_t eq = m.leaders.find('=');
    if (eq == std::string::npos || eq == 0)
      return key("leaders") + " = \"" + m.leaders + "\" must have the form attribute=value, e.g. status=1";
    if (is_level(m.department))
      return key("department") + " = \"" + m.department + "\" (an ancestor in the hierarchy) needs " + key("formal") +
             "; with leaders, name a department attribute";
  }
  if (is_level(m.department) && m.formal.empty())
    return key("department") + " = \"" + m.department + "\" (an ancestor in the hierarchy) needs " + key("formal") +
           " (a reports-to relation)";
  return {};
}

const char* to_string(NetworkFormat format) {
  switch (format) {
    case NetworkFormat::Csv:
      return "csv";
    case NetworkFormat::Pajek:
      return "pajek";
    case NetworkFormat::Ucinet:
      return "ucinet";
    case NetworkFormat::Graphml:
      return "graphml";
    case NetworkFormat::Snap:
      return "snap";
    case NetworkFormat::Multiplex:
      return "multiplex";
  }
  return "?";
}

const char* to_string(TieDirection direction) {
  switch (direction) {
    case TieDirection::Unset:
      return "unset";
    case TieDirection::Forward:
      return "forward";
    case TieDirection::Reverse:
      return "reverse";
    case TieDirection::Both:
      return "both";
  }
  return "?";
}

}  // namespace groundswell::model
