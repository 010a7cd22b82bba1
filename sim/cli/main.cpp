// groundswell: command-line entry point. Every error ends as one message on
// stderr and a non-zero status (2 for usage and input errors).
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.hpp"
#include "groundswell/types.hpp"
#include "groundswell/version.hpp"

int main(int argc, char** argv) {
  using namespace groundswell;
  CLI::App app{"Groundswell: agent-based simulation of change spreading through an organization"};
  app.set_version_flag("--version", std::string("groundswell ") + kVersion + " (" + kGitCommit + ")");
  app.require_subcommand(1);

  cli::RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Run the experiment of a scenario file and write the HDF5 results");
  run_cmd->add_option("scenario", run.scenario_file, "Scenario file (TOML)")->required();
  run_cmd->add_option("-o,--output", run.output, "Results file to write (HDF5)")->required();
  run_cmd->add_option("--trials", run.trials, "Override experiment.trials")->check(CLI::Range(1u, 100000000u));
  run_cmd->add_option("--seed", run.seed, "Override experiment.seed");
  run_cmd->add_option("--threads", run.threads, "Worker threads (default: all cores)")->check(CLI::Range(1u, 4096u));
  run_cmd->add_flag("--force", run.force, "Overwrite an existing output file");
  run_cmd->add_flag("-q,--quiet", run.quiet, "Print nothing but errors");
  run_cmd->add_flag("-v,--verbose", run.verbose, "Print the scenarios and timing");

  std::string info_file;
  auto* info_cmd = app.add_subcommand("info", "Describe a results file and print its summary table");
  info_cmd->add_option("results", info_file, "Results file (HDF5)")->required();

  cli::ExportArgs exp;
  auto* network_cmd = app.add_subcommand("network", "Organizations: export");
  network_cmd->require_subcommand(1);
  auto* export_cmd = network_cmd->add_subcommand(
      "export", "Write the organization of one trial as node and edge CSV tables (MODEL.md 2.3)");
  export_cmd->add_option("scenario_file", exp.scenario_file, "Scenario file (TOML)")->required();
  export_cmd->add_option("--trial", exp.trial, "Trial number (0-based)");
  export_cmd->add_option("--scenario", exp.scenario, "Scenario name (default: the first)");
  export_cmd->add_option("-o,--output", exp.directory, "Directory for nodes.csv and edges.csv")->required();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::cerr << "groundswell: " << e.what() << "\n(see groundswell --help)\n";
    return cli::kUsage;
  }
  try {
    if (*run_cmd) return cli::run_command(run);
    if (*info_cmd) return cli::info_command(info_file);
    if (*export_cmd) return cli::network_export_command(exp);
  } catch (const InputError& e) {
    std::cerr << "groundswell: error: " << e.what() << "\n";
    return cli::kUsage;
  } catch (const std::bad_alloc&) {
    std::cerr << "groundswell: error: out of memory; use a smaller organization or fewer threads\n";
    return cli::kFailure;
  } catch (const std::exception& e) {
    std::cerr << "groundswell: error: " << e.what() << "\n";
    return cli::kFailure;
  }
  return cli::kUsage;
}
