#pragma once
// Where the real data sets live (docs/data.md). Scenario files and the
// command line name them as "data:<set>/<file>", resolved in place against
// the data directory, never copied into the repository. A foundation header
// (module "base", beside types.hpp and random.hpp): org, model and the
// commands all resolve paths through it.
#include <string>

namespace groundswell {

/// The data directory, first of: the --data-dir flag (set_data_directory),
/// the environment variable GROUNDSWELL_DATA, and the default: the nearest
/// `shared/data/raw` in a folder above the running executable, else in a
/// folder above the current directory (a clone with `shared/` beside it finds
/// it from any build directory inside the clone), else `../shared/data/raw`.
/// No path of the source tree is compiled in. The directory need not exist;
/// readers report a missing file. Cost: a few `stat` calls for the default.
std::string data_directory();

/// Where the data directory came from: "--data-dir", "GROUNDSWELL_DATA" or "default".
std::string data_directory_origin();

/// Overrides the data directory for this process (the --data-dir flag).
/// @param directory the folder of the data sets; an empty string removes the override.
void set_data_directory(const std::string& directory);

/// The path a file key names: "data:REL" is REL inside data_directory();
/// an absolute path is kept; any other path is relative to `base_dir`.
/// @param value the path as written (a scenario key or a command-line argument); empty stays empty.
/// @param base_dir the scenario file's folder, or "." on the command line.
std::string resolve_input_path(const std::string& value, const std::string& base_dir);

/// A hint for a file that is not found.
/// @param path the resolved path that was not found.
/// @return if `path` lies in the data directory, which directory that is and how to change it; else "".
std::string data_directory_hint(const std::string& path);

}  // namespace groundswell
