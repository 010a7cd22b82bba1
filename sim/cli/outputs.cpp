// The one rule for the files a command writes (outputs.hpp).
#include "cli/outputs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "groundswell/experiment/summary.hpp"
#include "groundswell/model/scenario.hpp"
#include "groundswell/types.hpp"

namespace groundswell::cli {
namespace {

namespace fs = std::filesystem;

/// The input that `path` is, or that lies below the directory `path`; null if none.
const Input* input_at(const fs::path& path, const std::vector<Input>& inputs) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return nullptr;
  for (const Input& in : inputs) {
    if (in.path.empty()) continue;
    // The input's real location (links resolved), then each directory above it.
    fs::path p = fs::canonical(in.path, ec);
    if (ec) continue;  // a missing input is reported when it is read
    for (;;) {
      if (fs::equivalent(p, path, ec)) return &in;
      if (p == p.root_path() || p.parent_path() == p) break;
      p = p.parent_path();
    }
  }
  return nullptr;
}

}  // namespace

void add_organization_inputs(const model::OrganizationSpec& o, std::vector<Input>& inputs) {
  if (!o.nodes_file.empty()) inputs.push_back({o.nodes_file, "the node table"});
  if (!o.edges_file.empty()) inputs.push_back({o.edges_file, "the edge table"});
  if (!o.import.network.empty()) inputs.push_back({o.import.network, "the network file"});
  if (!o.import.layers.empty()) inputs.push_back({o.import.layers, "the layers file"});
}

std::vector<Input> experiment_inputs(const model::ExperimentSpec& x, const std::string& file, const std::string& kind) {
  std::vector<Input> inputs{{file, kind}};
  for (const auto& s : x.scenarios) add_organization_inputs(s.organization, inputs);
  return inputs;
}

void check_not_input(const std::string& path, const std::vector<Input>& inputs, const std::string& what) {
  const Input* in = input_at(path, inputs);
  if (!in) return;
  std::error_code ec;
  const bool same = fs::equivalent(in->path, path, ec);
  throw InputError(what + " " + path + (same ? " is " : " is a directory holding ") + in->kind + " " + in->path +
                   " this command reads; --force never replaces an input: choose another name");
}

void check_output(const std::string& output, bool force, const std::vector<Input>& inputs) {
  const fs::path out(output);
  const fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
  std::error_code ec;
  if (output.empty() || out.filename().empty() || out.filename() == "." || out.filename() == "..")
    throw InputError("output '" + output + "' is not a file name; give one such as results.h5");
  check_not_input(output, inputs);
  if (!fs::is_directory(dir, ec))
    throw InputError("output " + output + ": directory " + dir.string() + " does not exist; create it first");
  if (fs::is_directory(out, ec))
    throw InputError("output " + output + " is a directory; give a file name such as results.h5");
  const bool exists = fs::exists(fs::symlink_status(out, ec));
  if (exists && !fs::is_regular_file(fs::symlink_status(out, ec)))
    throw InputError("output " + output + " exists and is not a regular file; choose another name");
  if (exists && !force)
    throw InputError("output " + output + " exists; pass --force to overwrite it or choose another name");
  // access() is not enough (root passes it, read-only file systems do not):
  // create and remove the temporary file the results will be written to.
  const fs::path probe = dir / ("." + out.filename().string() + ".tmp" + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno != EEXIST)
    throw InputError("output " + output + ": cannot create files in directory " + dir.string() + " (" +
                     std::strerror(errno) + "); choose a writable directory");
  if (fd >= 0) {
    ::close(fd);
    ::unlink(probe.c_str());
  }
}

void check_table_outputs(const std::string& directory, bool force, const std::vector<Input>& inputs) {
  const fs::path dir(directory.empty() ? "." : directory);
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    throw InputError("output " + directory + " is not a directory; give the directory for nodes.csv and edges.csv");
  // The directory itself may hold inputs (import a.paj -o .): only the two tables must not be one.
  if (!fs::is_directory(dir, ec)) return;  // created when the tables are written; it holds nothing yet
  for (const char* table : {"nodes.csv", "edges.csv"}) check_output((dir / table).string(), force, inputs);
}

void print_progress(std::uint64_t done, std::uint64_t total, std::uint64_t first, const char* unit,
                    std::chrono::steady_clock::time_point start) {
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double left = done > first ? secs * static_cast<double>(total - done) / static_cast<double>(done - first) : -1;
  // "\033[K" clears what a longer previous line left to the right.
  std::fprintf(stderr, "\r  %llu/%llu %s  %s elapsed  ~%s left\033[K", static_cast<unsigned long long>(done),
               static_cast<unsigned long long>(total), unit, experiment::duration_text(secs).c_str(),
               experiment::duration_text(left).c_str());
  if (done == total) std::fprintf(stderr, "\n");
}

}  // namespace groundswell::cli
