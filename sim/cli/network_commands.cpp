#include "cli/network_commands.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <vector>

#include "cli/commands.hpp"
#include "cli/outputs.hpp"
#include "cli/stop_signal.hpp"
#include "groundswell/data_dir.hpp"
#include "groundswell/engine/trial.hpp"
#include "groundswell/experiment/memory.hpp"
#include "groundswell/model/scenario.hpp"
#include "groundswell/org/describe.hpp"
#include "groundswell/org/generate.hpp"
#include "groundswell/org/import.hpp"
#include "groundswell/org/tables.hpp"
#include "safe_write.hpp"

namespace groundswell::cli {
namespace {

namespace fs = std::filesystem;

void add_source_options(CLI::App& cmd, NetworkSourceArgs& a) {
  cmd.add_option("file", a.file,
                 "Network file (Pajek .paj/.net, UCINET DL, GraphML) or edge file (SNAP, multiplex .edges, CSV edge "
                 "table); data:<set>/<file> is looked up in the data directory")
      ->required();
  cmd.add_option("--format", a.format, "File format (default: from the file's name and content)")
      ->check(CLI::IsMember({"pajek", "ucinet", "graphml", "snap", "multiplex", "csv"}));
  cmd.add_option("--nodes", a.nodes, "Node file: SNAP label file, multiplex nodes file, or CSV node table");
  cmd.add_option("--layers", a.layers, "Multiplex layers file (layerID layerLabel)");
  cmd.add_option("--listen", a.listen, "Relation(s) people listen along, comma-separated (names or numbers)");
  cmd.add_option("--direction", a.direction,
                 "forward: an arc i -> j means i listens to j; reverse: j listens to i; both")
      ->check(CLI::IsMember({"forward", "reverse", "both"}));
  cmd.add_option("--formal", a.formal, "Relation giving the hierarchy (reports-to, or a transitively closed 'above')");
  cmd.add_option("--formal-direction", a.formal_direction,
                 "forward (default): an arc i -> j means i reports to j; reverse: i is above j")
      ->check(CLI::IsMember({"forward", "reverse"}));
  cmd.add_option("--department", a.department,
                 "Department attribute(s), comma-separated, or levelK (the level-K ancestor; level1 is the default "
                 "with --formal)");
  cmd.add_option("--leaders", a.leaders,
                 "attribute=value: these people lead the others (when the file has no reports-to relation)");
  cmd.add_option("--formal-weight", a.formal_weight, "Weight of the tie to the manager (default 0.5)")
      ->check(CLI::PositiveNumber);
  add_data_dir_option(cmd);
}

model::TieDirection direction_of(const std::string& word) {
  if (word == "forward") return model::TieDirection::Forward;
  if (word == "reverse") return model::TieDirection::Reverse;
  if (word == "both") return model::TieDirection::Both;
  return model::TieDirection::Unset;
}

/// The organization spec the flags describe (generator = "file").
model::OrganizationSpec source_spec(const NetworkSourceArgs& a) {
  model::OrganizationSpec spec;
  spec.generator = model::Generator::File;
  spec.formal_weight = a.formal_weight;
  const std::string file = resolve_input_path(a.file, ".");
  model::ImportSpec& m = spec.import;
  if (a.format.empty())
    m.format = org::detect_format(file);
  else if (a.format == "pajek")
    m.format = model::NetworkFormat::Pajek;
  else if (a.format == "ucinet")
    m.format = model::NetworkFormat::Ucinet;
  else if (a.format == "graphml")
    m.format = model::NetworkFormat::Graphml;
  else if (a.format == "snap")
    m.format = model::NetworkFormat::Snap;
  else if (a.format == "multiplex")
    m.format = model::NetworkFormat::Multiplex;
  else
    m.format = model::NetworkFormat::Csv;
  const bool one_file = m.format == model::NetworkFormat::Pajek || m.format == model::NetworkFormat::Ucinet ||
                        m.format == model::NetworkFormat::Graphml;
  (one_file ? m.network : spec.edges_file) = file;
  spec.nodes_file = resolve_input_path(a.nodes, ".");
  m.layers = resolve_input_path(a.layers, ".");
  m.listen = a.listen;
  m.direction = direction_of(a.direction);
  m.formal = a.formal;
  m.formal_direction = direction_of(a.formal_direction);
  m.department = a.department;
  m.leaders = a.leaders;
  const std::string fault = model::check_file_keys(spec, true);
  if (!fault.empty()) {
    if (m.format == model::NetworkFormat::Csv && (spec.nodes_file.empty() || spec.edges_file.empty()))
      throw InputError(file + ": the CSV tables need the edge table as the file and the node table as --nodes");
    throw InputError(file + ": " + fault);
  }
  return spec;
}

bool is_scenario_file(const std::string& path) { return fs::path(path).extension() == ".toml"; }

}  // namespace

void add_data_dir_option(CLI::App& command) {
  command.add_option_function<std::string>(
      "--data-dir", [](const std::string& directory) { set_data_directory(directory); },
      "Folder of the real data sets, where data:<set>/<file> paths are found (default: GROUNDSWELL_DATA, else "
      "the nearest shared/data/raw above the executable or the current directory; docs/data.md)");
}

CLI::App* add_network_import(CLI::App& network, NetworkImportArgs& args) {
  CLI::App* cmd = network.add_subcommand(
      "import",
      "Read a real network (Pajek, UCINET DL, GraphML, SNAP, multiplex, CSV) and write the node and edge "
      "CSV tables of MODEL.md 2.3 (docs/data.md)");
  add_source_options(*cmd, args.source);
  cmd->add_option("-o,--output", args.directory, "Directory for nodes.csv and edges.csv")->required();
  cmd->add_flag("--force", args.force, "Overwrite existing nodes.csv and edges.csv");
  return cmd;
}

CLI::App* add_network_describe(CLI::App& network, NetworkDescribeArgs& args) {
  CLI::App* cmd = network.add_subcommand(
      "describe",
      "Print what an organization is: agents, ties per type, departments, hierarchy, degrees, "
      "reciprocity, silos, informal versus formal leaders. FILE is a network file (with the import "
      "options) or a scenario file (.toml)");
  add_source_options(*cmd, args.source);
  cmd->add_option("--scenario", args.scenario, "With a scenario file: the scenario (default: the first)");
  cmd->add_option("--trial", args.trial, "With a scenario file: the trial (0-based)")
      ->check(CLI::Validator(
          [](std::string& text) {  // CLI11 would read "-3" as 2^32 - 3
            return text.rfind('-', 0) == 0 ? "must be a whole number >= 0, got " + text : std::string();
          },
          "UINT"));
  cmd->add_option("--top", args.top, "How many informal and formal leaders to list (default 5)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1000}));
  return cmd;
}

bool write_tables_or_stop(const org::Organization& organization, const std::vector<std::uint8_t>& champion,
                          const std::string& directory, const std::atomic<bool>* stop) {
  try {
    if (!stop || !stop->load()) {
      org::write_organization_tables(organization, champion, directory, stop);
      return true;
    }
  } catch (const WriteStopped&) {  // nothing written, a directory made for the tables removed
  }
  std::fprintf(stderr, "groundswell: stopped by %s; no output written\n", stop_signal_name());
  return false;
}

int network_import_command(const NetworkImportArgs& args) {
  const model::OrganizationSpec spec = source_spec(args.source);
  std::vector<Input> inputs;
  add_organization_inputs(spec, inputs);
  check_table_outputs(args.directory, args.force, inputs);
  experiment::require_memory(experiment::import_memory(spec), args.source.file, "importing this network",
                             "use a smaller network (a Pajek or UCINET file is sized by the vertex count it declares)");
  const std::atomic<bool>* stop = catch_stop_signals();
  org::ImportReport report;
  const org::Organization organization = org::import_organization(spec, &report);
  if (!write_tables_or_stop(organization, {}, args.directory, stop)) return stopped_exit_status();
  for (const auto& line : report.lines) std::printf("%s\n", line.c_str());
  std::printf("wrote %s/nodes.csv (%u agents, %d departments) and %s/edges.csv (%llu ties: %zu informal, %zu formal)\n",
              args.directory.c_str(), organization.size(), organization.department_count, args.directory.c_str(),
              static_cast<unsigned long long>(organization.network.edge_count()), report.listen_ties,
              report.formal_ties);
  return kOk;
}

int network_describe_command(const NetworkDescribeArgs& args) {
  org::Organization organization;
  if (is_scenario_file(args.source.file)) {
    const model::ExperimentSpec x = model::load_experiment(resolve_input_path(args.source.file, "."));
    std::size_t index = 0;
    if (!args.scenario.empty()) {
      index = x.scenarios.size();
      for (std::size_t s = 0; s < x.scenarios.size(); ++s)
        if (x.scenarios[s].name == args.scenario) index = s;
      if (index == x.scenarios.size())
        throw InputError("--scenario " + args.scenario + ": no such scenario in " + args.source.file);
    }
    if (args.trial >= x.trials)
      throw InputError("--trial " + std::to_string(args.trial) + " is beyond the experiment's " +
                       std::to_string(x.trials) + " trials");
    const model::OrganizationSpec& spec = x.scenarios[index].organization;
    experiment::require_memory(experiment::run_memory(x, 1), args.source.file, "this organization",
                               "reduce organization.size or the ties per agent");
    std::printf("scenario %s of %s, trial %u (organization before champions, coalition and connectors)\n",
                x.scenarios[index].name.c_str(), args.source.file.c_str(), args.trial);
    organization = org::generate_organization(spec, engine::organization_key(x.seed, args.trial));
  } else {
    const model::OrganizationSpec spec = source_spec(args.source);
    experiment::require_memory(
        experiment::import_memory(spec), args.source.file, "reading this network",
        "use a smaller network (a Pajek or UCINET file is sized by the vertex count it declares)");
    org::ImportReport report;
    if (spec.import.format == model::NetworkFormat::Csv) {
      organization = org::import_organization(spec, &report);
    } else {
      // Without the mapping it needs, list what the file holds rather than fail.
      const org::RawNetwork raw = org::read_network(spec);
      const bool which = spec.import.listen.empty() && (raw.relations.size() != 1 || !spec.import.formal.empty());
      bool directed = false;
      if (spec.import.listen.empty() && raw.relations.size() == 1)
        for (const auto& arc : raw.relations[0].arcs) directed = directed || arc.directed;
      if (which || (directed && spec.import.direction == model::TieDirection::Unset)) {
        for (const auto& line : org::describe_raw(raw)) std::printf("%s\n", line.c_str());
        std::printf(
            "give %s to describe it as an organization (docs/data.md)\n",
            which ? "--listen and --direction (and --formal, --department)" : "--direction (who listens to whom)");
        return kOk;
      }
      organization = org::map_network(raw, spec.import, static_cast<float>(spec.formal_weight), &report);
    }
    for (const auto& line : report.lines) std::printf("%s\n", line.c_str());
    std::printf("\n");
  }
  const org::Description d = org::describe_organization(organization, args.top);
  std::printf("%s", org::format_description(organization, d).c_str());
  return kOk;
}

}  // namespace groundswell::cli
