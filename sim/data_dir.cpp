// The data directory of the real data sets (docs/data.md).
#include "groundswell/data_dir.hpp"

#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace groundswell {
namespace {

namespace fs = std::filesystem;

std::string& override_directory() {
  static std::string directory;
  return directory;
}

constexpr const char* kScheme = "data:";
constexpr const char* kShared = "shared/data/raw";  // beside the repository clone
constexpr const char* kFallback = "../shared/data/raw";

// The nearest `<ancestor>/shared/data/raw` that is a directory, searching
// `start` and each folder above it; empty if there is none.
fs::path find_shared_above(const fs::path& start) {
  std::error_code ec;
  for (fs::path dir = start; !dir.empty(); dir = dir.parent_path()) {
    const fs::path candidate = dir / kShared;
    if (fs::is_directory(candidate, ec)) return candidate.lexically_normal();
    if (dir == dir.parent_path()) break;  // the root
  }
  return {};
}

// The folder of the running executable (Linux: /proc/self/exe); empty if unknown.
fs::path executable_directory() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

std::string default_directory() {
  if (const fs::path exe = executable_directory(); !exe.empty())
    if (fs::path found = find_shared_above(exe); !found.empty()) return found.string();
  std::error_code ec;
  if (const fs::path cwd = fs::current_path(ec); !ec)
    if (fs::path found = find_shared_above(cwd); !found.empty()) return found.string();
  return fs::path(kFallback).lexically_normal().string();
}

}  // namespace

std::string data_directory() {
  if (!override_directory().empty()) return override_directory();
  if (const char* env = std::getenv("GROUNDSWELL_DATA"); env != nullptr && *env != '\0') return env;
  return default_directory();
}

std::string data_directory_origin() {
  if (!override_directory().empty()) return "--data-dir";
  if (const char* env = std::getenv("GROUNDSWELL_DATA"); env != nullptr && *env != '\0') return "GROUNDSWELL_DATA";
  return "default";
}

void set_data_directory(const std::string& directory) { override_directory() = directory; }

std::string resolve_input_path(const std::string& value, const std::string& base_dir) {
  if (value.empty()) return value;
  if (value.compare(0, 5, kScheme) == 0)
    return (fs::path(data_directory()) / value.substr(5)).lexically_normal().string();
  const fs::path path(value);
  if (path.is_absolute()) return value;
  return (fs::path(base_dir.empty() ? "." : base_dir) / path).lexically_normal().string();
}

std::string data_directory_hint(const std::string& path) {
  const std::string dir = fs::path(data_directory()).lexically_normal().string();
  if (dir.empty() || path.compare(0, dir.size(), dir) != 0) return "";
  std::string hint = "; the data directory is " + dir;
  const std::string origin = data_directory_origin();
  if (origin == "default")
    hint += " (the default: shared/data/raw in a folder above the executable or the current directory)";
  else
    hint += " (from " + origin + ")";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) hint += ", which does not exist";
  return hint + ": set GROUNDSWELL_DATA or pass --data-dir to point at the folder holding the data sets";
}

}  // namespace groundswell
