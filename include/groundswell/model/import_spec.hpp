#pragma once
// How a real network file becomes an organization (MODEL.md 2.3): which file
// format, which relation people listen along and in which direction, which
// relation is the formal hierarchy, and where departments come from. Part of
// OrganizationSpec for generator = "file"; the same fields are the options of
// `groundswell network import` and `network describe` (docs/data.md).
#include <string>

namespace groundswell::model {

/// File formats of `generator = "file"`. Csv is the node and edge tables of
/// MODEL.md 2.3 (the format `network export` writes); the others are read by
/// the importers in sim/org/import_*.cpp and mapped by org::map_network.
enum class NetworkFormat { Csv, Pajek, Ucinet, Graphml, Snap, Multiplex };

/// Which way an arc of a relation points, in the model's terms.
/// Forward: an arc i -> j means i listens to j (for the formal relation: i
/// reports to j). Reverse: it means j listens to (reports to) i. Both: each
/// listens to the other. Unset: not given (an error when a directed relation
/// is mapped to listens-to ties; the direction must be stated).
enum class TieDirection { Unset, Forward, Reverse, Both };

/// The mapping options. Lists are comma-separated ("advice,discussion").
struct ImportSpec {
  NetworkFormat format = NetworkFormat::Csv;
  std::string network;  ///< pajek, ucinet, graphml: the one file (path resolved by the parser)
  std::string layers;   ///< multiplex: the layers file (optional)
  std::string listen;   ///< relations whose ties become listens-to ties (names or numbers)
  TieDirection direction = TieDirection::Unset;
  std::string formal;  ///< relation that gives the hierarchy (reports-to, or a transitively closed "above")
  TieDirection formal_direction = TieDirection::Unset;  ///< Unset means forward
  std::string department;  ///< attribute name(s) (joined), "level1", "level2"... (an ancestor), or empty (default)
  std::string leaders;     ///< "attribute=value": these people lead the others (no reports-to relation)

  bool operator==(const ImportSpec& o) const {
    return format == o.format && network == o.network && layers == o.layers && listen == o.listen &&
           direction == o.direction && formal == o.formal && formal_direction == o.formal_direction &&
           department == o.department && leaders == o.leaders;
  }
  bool operator!=(const ImportSpec& o) const { return !(*this == o); }
};

struct OrganizationSpec;

/// Checks that the file keys of an [organization] fit together: the files a
/// format needs are given, keys of other formats are not, mapping keys are
/// well formed, and no file key is set for a generator other than "file".
/// Returns an empty string if they do, else the fault and its fix (the parser
/// adds the file and line). Does not open any file.
/// With `command_line`, keys are named as flags (--listen) rather than as
/// TOML keys (organization.listen).
std::string check_file_keys(const OrganizationSpec& spec, bool command_line = false);

const char* to_string(NetworkFormat format);
const char* to_string(TieDirection direction);

}  // namespace groundswell::model
