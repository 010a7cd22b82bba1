#pragma once
// Internal: the parts directory OUT.h5.parts/ (docs/sweeps.md). Each
// finished point is committed to its own small file, point-<index>.part,
// written under a temporary name, flushed to disk and renamed, so a point is
// either wholly there or not at all whatever kills the process. A part
// carries the sweep's fingerprint, the engine build and a checksum, and is
// verified whenever it is read.
#include <cstdint>
#include <string>
#include <vector>

#include "groundswell/sweep/plan.hpp"
#include "groundswell/sweep/point.hpp"

namespace groundswell::sweep::detail {

/// Encodes a point as part bytes (native byte order, with a trailing checksum).
std::vector<char> encode_part(const Plan& plan, const PointResult& point);

/// Why a part cannot be used.
struct PartError : std::runtime_error {
  enum Kind { Damaged, OtherSweep, OtherBuild } kind;
  PartError(Kind k, const std::string& message) : std::runtime_error(message), kind(k) {}
};

/// Decodes and verifies part bytes against the plan (checksum, fingerprint,
/// build, index, shapes). Throws PartError.
PointResult decode_part(const Plan& plan, const std::vector<char>& bytes, std::uint64_t expected_index);

/// The parts directory of one output file.
class PartStore {
 public:
  PartStore(const std::string& output, const Plan& plan);
  ~PartStore();
  PartStore(const PartStore&) = delete;
  PartStore& operator=(const PartStore&) = delete;

  const std::string& directory() const noexcept { return dir_; }
  bool exists() const;
  /// Creates the directory and takes its lock (flock on `lock`, released at
  /// exit or kill). Throws InputError if another process holds it.
  void open();

  struct Scan {
    std::vector<std::uint64_t> done;   ///< verified points, ascending
    std::vector<std::string> damaged;  ///< parts that failed verification, moved aside to *.damaged
    std::size_t stale = 0;             ///< temporary files of killed runs, removed
  };
  /// Verifies every part. Damaged parts are moved aside and reported in the
  /// result; a part of another sweep or build throws InputError.
  Scan scan();

  /// Commits a point durably through write_bytes_safely: temporary file,
  /// fsync, rename, fsync of the directory. Throws std::runtime_error naming
  /// the part and the cause; the part is then absent.
  void commit(std::uint64_t index, const std::vector<char>& bytes);
  /// Reads and verifies a committed part. Throws InputError naming the file if it is damaged.
  PointResult read(std::uint64_t index) const;
  /// Removes every part and the directory (foreign files are left, with the directory).
  void remove();

  std::string part_path(std::uint64_t index) const;

 private:
  std::string dir_;
  Plan plan_;
  int lock_fd_ = -1;
};

}  // namespace groundswell::sweep::detail
