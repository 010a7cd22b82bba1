#pragma once
// Internal: the time stamp every output file carries ("created").
#include <chrono>
#include <ctime>
#include <string>

namespace groundswell::io::detail {

/// Now in UTC, ISO 8601: "2026-11-30T09:51:08Z".
inline std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace groundswell::io::detail
