// groundswell: command-line entry point. Every error ends as one message on
// stderr and a non-zero status (2 for usage and input errors).
#include <CLI/CLI.hpp>

#include <iostream>
#include <stdexcept>

#include "cli/calibrate_commands.hpp"
#include "cli/commands.hpp"
#include "cli/network_commands.hpp"
#include "cli/recommend_command.hpp"
#include "cli/serve_command.hpp"
#include "cli/stop_signal.hpp"
#include "cli/sweep_commands.hpp"
#include "groundswell/engine/isa.hpp"
#include "groundswell/server/server.hpp"
#include "groundswell/types.hpp"
#include "groundswell/version.hpp"

namespace {

int run_groundswell(int argc, char** argv) {
  using namespace groundswell;
  CLI::App app{"Groundswell: agent-based simulation of change spreading through an organization"};
  app.set_version_flag("--version", std::string("groundswell ") + kVersion + " (" + kGitCommit + ")");
  app.require_subcommand(1);
  // The instruction set of the sdt rule's agent pass (engine/isa.hpp), for
  // benchmarks and checks: every path gives the same bits. Given before or
  // after the command (fallthrough).
  std::string isa;
  app.add_option("--isa", isa,
                 "Instruction set of the sdt rule: sse2, avx2 or avx512 (default: GROUNDSWELL_ISA, else avx2 "
                 "where the processor has it); results are the same bits on every one")
      ->check(CLI::IsMember({"sse2", "avx2", "avx512"}));
  app.fallthrough();

  // CLI11 would read "-3" into an unsigned option as 2^64 - 3.
  const CLI::Validator non_negative(
      [](std::string& text) {
        return text.rfind('-', 0) == 0 ? "must be a whole number >= 0, got " + text : std::string();
      },
      "UINT");
  cli::RunArgs run;
  auto* run_cmd = app.add_subcommand("run", "Run the experiment of a scenario file and write the HDF5 results");
  run_cmd->add_option("scenario_file", run.scenario_file, "Scenario file (TOML)")->required();
  run_cmd->add_option("--set", run.sets, "KEY=VALUE or SCENARIO.KEY=VALUE: override a scenario key (repeatable)")
      ->allow_extra_args(false);
  run_cmd->add_option("--scenario", run.scenarios, "Run only this scenario of the file (repeatable)")
      ->allow_extra_args(false);
  run_cmd->add_option("-o,--output", run.output, "Results file to write (HDF5)")->required();
  run_cmd->add_option("--trials", run.trials, "Override experiment.trials")->check(CLI::Range(1u, 100000000u));
  run_cmd->add_option("--seed", run.seed, "Override experiment.seed")->check(non_negative);
  run_cmd->add_option("--threads", run.threads, "Worker threads (default: all cores)")->check(CLI::Range(1u, 4096u));
  run_cmd->add_flag("--force", run.force, "Overwrite an existing output file");
  run_cmd->add_flag("-q,--quiet", run.quiet, "Print nothing but errors");
  run_cmd->add_flag("-v,--verbose", run.verbose, "Print the scenarios and timing");
  cli::add_data_dir_option(*run_cmd);

  std::string info_file;
  auto* info_cmd = app.add_subcommand(
      "info",
      "Describe any file groundswell writes: results (with the summary table), sweep, calibration, recommendation");
  info_cmd->add_option("file", info_file, "A results, sweep, calibration or recommendation file (HDF5)")->required();

  cli::ExportArgs exp;
  auto* network_cmd = app.add_subcommand("network", "Organizations: export, import, describe");
  network_cmd->require_subcommand(1);
  auto* export_cmd = network_cmd->add_subcommand(
      "export", "Write the organization of one trial as node and edge CSV tables (MODEL.md 2.3)");
  export_cmd->add_option("scenario_file", exp.scenario_file, "Scenario file (TOML)")->required();
  export_cmd->add_option("--trial", exp.trial, "Trial number (0-based)")->check(non_negative);
  export_cmd->add_option("--scenario", exp.scenario, "Scenario name (default: the first)");
  export_cmd->add_option("-o,--output", exp.directory, "Directory for nodes.csv and edges.csv")->required();
  export_cmd->add_flag("--force", exp.force, "Overwrite existing nodes.csv and edges.csv");
  cli::add_data_dir_option(*export_cmd);
  cli::NetworkImportArgs import_args;  // real organizations (docs/data.md)
  auto* import_cmd = cli::add_network_import(*network_cmd, import_args);
  cli::NetworkDescribeArgs describe_args;
  auto* describe_cmd = cli::add_network_describe(*network_cmd, describe_args);

  server::ServeOptions serve;
  auto* serve_cmd = app.add_subcommand(
      "serve", "Trainer mode: serve a page that animates two strategies side by side (docs/server.md)");
  serve_cmd->add_option("--port", serve.port, "Port to listen on (0 = any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  serve_cmd->add_option("--host", serve.host, "Address to listen on (loopback by default)")->capture_default_str();

  // Parameter sweeps (docs/sweeps.md).
  cli::SweepArgs sweep;
  auto* sweep_cmd = app.add_subcommand(
      "sweep", "Run the parameter sweep of a scenario file's [sweep] section into one HDF5 file (docs/sweeps.md)");
  sweep_cmd->add_option("scenario", sweep.scenario_file, "Scenario file with a [sweep] section (TOML)")->required();
  sweep_cmd->add_option("-o,--output", sweep.output,
                        "Sweep file to write (HDF5); points are committed to OUTPUT.parts/");
  sweep_cmd->add_option("--shard", sweep.shard, "Run only shard I of N (0 <= I < N): the points p with p mod N = I");
  sweep_cmd->add_flag("--resume", sweep.resume, "Continue an interrupted sweep: compute only the points not committed");
  sweep_cmd
      ->add_option("--threads", sweep.threads,
                   "Worker threads per process (default: the cores, shared by the ranks of a node)")
      ->check(CLI::Range(1u, 4096u));
  sweep_cmd->add_flag("--force", sweep.force, "Overwrite an existing output and discard its committed points");
  sweep_cmd->add_flag("--list-points", sweep.list_points, "Print the table of points as CSV and run nothing");
  sweep_cmd->add_option("--set", sweep.sets, "KEY=VALUE or SCENARIO.KEY=VALUE: override a scenario key (repeatable)")
      ->allow_extra_args(false);
  sweep_cmd->add_flag("-q,--quiet", sweep.quiet, "Print nothing but errors");
  sweep_cmd->add_flag("-v,--verbose", sweep.verbose, "Print the design before running");

  cli::MergeArgs merge;
  auto* merge_cmd =
      app.add_subcommand("merge", "Merge the shard files of one sweep into one sweep file (docs/sweeps.md)");
  merge_cmd->add_option("shards", merge.inputs, "Sweep files written with --shard")->required();
  merge_cmd->add_option("-o,--output", merge.output, "Sweep file to write (HDF5)")->required();
  merge_cmd->add_flag("--force", merge.force, "Overwrite an existing output file");
  merge_cmd->add_flag("-q,--quiet", merge.quiet, "Print nothing but errors");

  // Calibration against an observed adoption record (docs/calibration.md).
  cli::CalibrateArgs calibrate;
  auto* calibrate_cmd = app.add_subcommand(
      "calibrate", "Fit a rule's free parameters to an observed adoption record by ABC (docs/calibration.md)");
  calibrate_cmd->add_option("calibration", calibrate.calibration_file, "Calibration file (TOML)")->required();
  calibrate_cmd->add_option("--set", calibrate.sets, "KEY=VALUE: override a scenario key (repeatable)")
      ->allow_extra_args(false);
  calibrate_cmd->add_option("-o,--output", calibrate.output, "Calibration results file to write (HDF5)");
  calibrate_cmd->add_option("--threads", calibrate.threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(1u, 4096u));
  calibrate_cmd->add_flag("--force", calibrate.force, "Overwrite an existing output file");
  calibrate_cmd->add_flag("-q,--quiet", calibrate.quiet, "Print nothing but errors");
  cli::add_data_dir_option(*calibrate_cmd);

  bool parameters_markdown = false;
  cli::RecommendArgs rec;
  auto* recommend_cmd = app.add_subcommand(
      "recommend", "Choose change agents for a scenario: whom, how many, and who cannot be lost (docs/recommend.md)");
  recommend_cmd->add_option("scenario_file", rec.scenario_file, "Scenario file (TOML)")->required();
  recommend_cmd->add_option("--set", rec.sets, "KEY=VALUE or SCENARIO.KEY=VALUE: override a scenario key (repeatable)")
      ->allow_extra_args(false);
  recommend_cmd->add_option("-o,--output", rec.output, "Recommendation file to write (HDF5)");
  recommend_cmd->add_option("--scenario", rec.scenario,
                            "Scenario whose change agents to choose (default: the first with champions)");
  recommend_cmd->add_option("--count", rec.count, "Change agents to choose (K)")
      ->required()
      ->check(CLI::Range(1u, 1000000u));
  recommend_cmd->add_option("--objective", rec.objective, "internalized (default), adopted, t50 or area");
  recommend_cmd->add_option("--horizon", rec.horizon, "Week at which the objective is taken (default: the last)")
      ->check(non_negative);
  recommend_cmd->add_option("--trials", rec.trials, "Trials for choosing (default: experiment.trials)")
      ->check(CLI::Range(1u, 100000000u));
  recommend_cmd->add_option("--test-trials", rec.test_trials, "Fresh trials for checking (default: as many)")
      ->check(CLI::Range(1u, 100000000u));
  recommend_cmd->add_option("--candidates", rec.candidates, "all, top:N (most listened to) or a list of ids");
  recommend_cmd->add_option("--max-per-department", rec.max_per_department, "At most M change agents per department")
      ->check(non_negative);
  recommend_cmd->add_option("--exclude", rec.exclude, "Ids never chosen (comma-separated)");
  recommend_cmd->add_option("--require", rec.require, "Ids chosen first (comma-separated)");
  recommend_cmd->add_flag("--formal-only", rec.formal_only, "Only formal leaders");
  recommend_cmd->add_flag("--informal-only", rec.informal_only, "Only people who are not formal leaders");
  recommend_cmd->add_flag("--plain-greedy", rec.plain_greedy, "Evaluate every candidate every round (no CELF)");
  recommend_cmd->add_option("--curve", rec.curve, "FROM:TO:STEP: the objective against the count, per rule");
  recommend_cmd->add_option("--target", rec.target, "SHARE@WEEK: smallest count reaching it, per rule (with --curve)");
  recommend_cmd->add_option("--key-people", rec.key_people, "Rank M people whose departure costs most")
      ->check(non_negative);
  recommend_cmd->add_option("--seed", rec.seed, "Override experiment.seed")->check(non_negative);
  recommend_cmd->add_option("--threads", rec.threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(1u, 4096u));
  recommend_cmd->add_flag("--force", rec.force, "Overwrite an existing output file");
  recommend_cmd->add_flag("-q,--quiet", rec.quiet, "Print nothing but errors");
  cli::add_data_dir_option(*recommend_cmd);

  auto* parameters_cmd = app.add_subcommand(
      "parameters", "List every scenario key: type, default, allowed values, unit and meaning (docs/model.md)");
  parameters_cmd->add_flag("--markdown", parameters_markdown, "Print the tables of docs/model.md");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);                             // --help, --version
    std::cerr << "groundswell: " << e.what() << " (see groundswell --help)\n";  // one line
    return cli::kUsage;
  }
  // From here a Ctrl-C or SIGTERM stops any command within about a second,
  // reading its input included (sim/cli/stop_signal.cpp); serve waits for
  // the signals itself.
  try {  // before any work: a GROUNDSWELL_ISA or --isa this processor does not run
    if (!isa.empty()) engine::set_instruction_set(*engine::parse_instruction_set(isa));
    static_cast<void>(engine::instruction_set());
  } catch (const std::invalid_argument& e) {
    std::cerr << "groundswell: error: " << e.what() << "\n";
    return cli::kUsage;
  }
  if (!*serve_cmd) cli::catch_stop_signals();
  try {
    if (*run_cmd) return cli::run_command(run);
    if (*info_cmd) return cli::info_command(info_file);
    if (*export_cmd) return cli::network_export_command(exp);
    if (*import_cmd) return cli::network_import_command(import_args);
    if (*describe_cmd) return cli::network_describe_command(describe_args);
    if (*serve_cmd) return cli::serve_command(serve);
    if (*sweep_cmd) return cli::sweep_command(sweep);
    if (*merge_cmd) return cli::merge_command(merge);
    if (*calibrate_cmd) return cli::calibrate_command(calibrate);
    if (*recommend_cmd) {
      rec.seed_given = recommend_cmd->count("--seed") > 0;
      return cli::recommend_command(rec);
    }
    if (*parameters_cmd) return cli::parameters_command(parameters_markdown);
  } catch (const InputError& e) {
    std::cerr << "groundswell: error: " << e.what() << "\n";
    return cli::kUsage;
  } catch (const std::bad_alloc&) {
    std::cerr << "groundswell: error: out of memory; use a smaller organization or fewer threads\n";
    return cli::kFailure;
  } catch (const std::exception& e) {
    std::cerr << "groundswell: error: " << e.what() << "\n";
    return cli::kFailure;
  } catch (...) {
    std::cerr << "groundswell: error: unexpected failure (please report it)\n";
    return cli::kFailure;
  }
  return cli::kUsage;
}

}  // namespace

int main(int argc, char** argv) {
  // The command line is declared outside the try blocks of run_groundswell;
  // whatever escapes (e.g. out of memory there) still ends as one message.
  try {
    return run_groundswell(argc, argv);
  } catch (...) {
    std::cerr << "groundswell: error: unexpected failure (please report it)\n";
    return groundswell::cli::kFailure;
  }
}
