#pragma once
// Where the real data sets live (docs/data.md). Scenario files and the
// command line name them as "data:<set>/<file>", resolved in place against
// the data directory, never copied into the repository.
#include <string>

namespace groundswell::io {

/// The data directory, first of: the --data-dir flag (set_data_directory),
/// the environment variable GROUNDSWELL_DATA, and the default
/// `<repository>/../shared/data/raw` (the repository this binary was built
/// from). The directory need not exist; readers report a missing file.
std::string data_directory();

/// Where the data directory came from: "--data-dir", "GROUNDSWELL_DATA" or "default".
std::string data_directory_origin();

/// Overrides the data directory for this process (the --data-dir flag).
/// An empty string removes the override.
void set_data_directory(const std::string& directory);

/// The path a file key names: "data:REL" is REL inside data_directory();
/// an absolute path is kept; any other path is relative to `base_dir` (the
/// scenario file's folder, or "." on the command line). Empty stays empty.
std::string resolve_input_path(const std::string& value, const std::string& base_dir);

/// A hint for a file that is not found: if `path` lies in the data
/// directory, says which directory that is and how to change it; else "".
std::string data_directory_hint(const std::string& path);

}  // namespace groundswell::io
