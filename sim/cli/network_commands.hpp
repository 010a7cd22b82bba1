#pragma once
// `groundswell network import` and `network describe` (docs/data.md): real
// organizations from Pajek, UCINET DL, GraphML, SNAP, multiplex edge lists
// and CSV tables, mapped to the model's ties by a few options.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace groundswell::org {
struct Organization;
}  // namespace groundswell::org

namespace groundswell::cli {

/// The file and the mapping options shared by import and describe; the
/// flags match the [organization] keys of a scenario file.
struct NetworkSourceArgs {
  std::string file;  ///< network file (pajek, ucinet, graphml) or edge file (snap, multiplex, csv)
  std::string format, nodes, layers, listen, direction, formal, formal_direction, department, leaders;
  double formal_weight = 0.5;
};

struct NetworkImportArgs {
  NetworkSourceArgs source;
  std::string directory;
  bool force = false;
};

struct NetworkDescribeArgs {
  NetworkSourceArgs source;
  std::string scenario;  ///< with a scenario file (.toml): the scenario (default: the first)
  unsigned trial = 0;    ///< with a scenario file: the trial
  std::size_t top = 5;   ///< length of the leader lists
};

/// Adds `import` and `describe` under `network`; returns them.
CLI::App* add_network_import(CLI::App& network, NetworkImportArgs& args);
CLI::App* add_network_describe(CLI::App& network, NetworkDescribeArgs& args);

/// Adds --data-dir to a command: the folder of the real data sets, where
/// "data:<set>/<file>" paths are looked up (overrides GROUNDSWELL_DATA).
void add_data_dir_option(CLI::App& command);

int network_import_command(const NetworkImportArgs& args);
int network_describe_command(const NetworkDescribeArgs& args);

/// Writes DIRECTORY/nodes.csv and DIRECTORY/edges.csv (org::write_organization_tables)
/// unless `stop` is set before or while they are written (a SIGINT): then
/// nothing is left, a directory made for them included, "stopped by SIGINT;
/// no output written" is printed, and false returned (exit with stopped_exit_status()).
bool write_tables_or_stop(const org::Organization& organization, const std::vector<std::uint8_t>& champion,
                          const std::string& directory, const std::atomic<bool>* stop);

}  // namespace groundswell::cli
