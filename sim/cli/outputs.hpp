#pragma once
// The one rule for the files a command writes (issue 16): run, sweep, merge,
// calibrate, recommend, network import and network export all check their
// outputs here before any work is done. An output
//  - is never one of the command's own inputs, nor a directory holding one,
//    --force or not (compared by file system identity, so a hard link, a
//    symbolic link or "./a/../s.toml" is caught as well as the same name);
//  - is never replaced without --force;
//  - is a regular file in a writable directory.
// Writing itself goes through sim/safe_write.hpp, so a failure leaves nothing
// under the output's name. Messages: docs/errors.md.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace groundswell::model {
struct ExperimentSpec;
struct OrganizationSpec;
}  // namespace groundswell::model

namespace groundswell::cli {

/// A file (or directory) a command reads, and what it is for messages
/// ("the scenario file", "the node table").
struct Input {
  std::string path, kind;
};

/// Adds the files an organization reads: node and edge tables, network and
/// layers files (the paths already resolved by the parser). Unset ones are left out.
void add_organization_inputs(const model::OrganizationSpec& organization, std::vector<Input>& inputs);

/// The files an experiment reads: `file` (as `kind`) and every scenario's
/// organization files.
std::vector<Input> experiment_inputs(const model::ExperimentSpec& experiment, const std::string& file,
                                     const std::string& kind = "the scenario file");

/// Refuses `path` if it is one of `inputs`, or a directory holding one,
/// whatever --force says. A path that does not exist is no input.
/// @param what "output" or what the path is ("parts directory"), for the message
/// @throws InputError "output F is the scenario file S this command reads; --force never replaces an input: choose
///   another name"
void check_not_input(const std::string& path, const std::vector<Input>& inputs, const std::string& what = "output");

/// Refuses an output file that cannot be written, before any work is done:
/// one of `inputs` (check_not_input), not a file name, a missing directory,
/// a directory, not a regular file, exists without `force`, a directory
/// that takes no files. Throws InputError.
void check_output(const std::string& output, bool force, const std::vector<Input>& inputs);

/// The same for the tables DIRECTORY/nodes.csv and DIRECTORY/edges.csv of
/// network import and export. A missing directory is created when the tables
/// are written (and removed again if they cannot be).
void check_table_outputs(const std::string& directory, bool force, const std::vector<Input>& inputs);

/// The progress line of a long command on a terminal, rewritten in place:
/// "  12/200 trials  3 s elapsed  ~47 s left" (the time left extrapolated from
/// the rate of this run so far); a newline once done == total.
/// @param done units finished, those done before this run included
/// @param total units in all
/// @param first units already done when this run began (a resumed sweep's kept points)
/// @param unit what a unit is, plural ("trials", "points")
/// @param start when this run began
void print_progress(std::uint64_t done, std::uint64_t total, std::uint64_t first, const char* unit,
                    std::chrono::steady_clock::time_point start);

}  // namespace groundswell::cli
