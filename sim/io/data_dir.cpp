// The data directory of the real data sets (docs/data.md).
#include "groundswell/io/data_dir.hpp"

#include <cstdlib>
#include <filesystem>

#ifndef GROUNDSWELL_DEFAULT_DATA_DIR
#define GROUNDSWELL_DEFAULT_DATA_DIR "../shared/data/raw"
#endif

namespace groundswell::io {
namespace {

namespace fs = std::filesystem;

std::string& override_directory() {
  static std::string directory;
  return directory;
}

constexpr const char* kScheme = "data:";

}  // namespace

std::string data_directory() {
  if (!override_directory().empty()) return override_directory();
  if (const char* env = std::getenv("GROUNDSWELL_DATA"); env != nullptr && *env != '\0') return env;
  return fs::path(GROUNDSWELL_DEFAULT_DATA_DIR).lexically_normal().string();
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
    hint += " (the default, beside the repository)";
  else
    hint += " (from " + origin + ")";
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) hint += ", which does not exist";
  return hint + ": set GROUNDSWELL_DATA or pass --data-dir to point at the folder holding the data sets";
}

}  // namespace groundswell::io
