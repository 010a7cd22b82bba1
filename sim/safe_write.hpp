#pragma once
// Internal: the one way the library writes a file. The data go to a hidden
// temporary beside the output (".NAME.tmp<pid>", so the rename below stays in
// one file system), reach the disk (fsync), are renamed into place, and the
// directory is synced so the rename survives a power cut. On any error the
// temporary is removed and nothing appears under the final name; a reader
// therefore finds the file whole or not at all. A kill -9 can leave only the
// hidden temporary (docs/errors.md).
//
// Module "base" (POSIX and the standard library only), so that every module
// can use it, org's tables and io's HDF5 files alike, without a cycle.
#include <atomic>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

namespace groundswell {

/// The temporary name a file is written under: ".NAME.tmp<pid>" in the
/// directory of `path`. Never the name of an output, and distinct per process.
/// @param path the final name
std::string temporary_name(const std::string& path);

/// The error every writer reports: "cannot write the DESCRIPTION PATH: CAUSE;
/// nothing was written", with a hint added when CAUSE says the disk is full.
/// @param description what the file is ("results file", "table", ...)
/// @param path the final name
/// @param cause the errno or HDF5 message
std::runtime_error write_error(const std::string& description, const std::string& path, const std::string& cause);

/// A file being written under its temporary name, for writers that fill it in
/// several calls (the results and sweep files). Nothing is created here: the
/// writer creates and fills temporary(), closes it, and calls commit(). If the
/// PendingFile is destroyed uncommitted, the temporary is removed.
class PendingFile {
 public:
  /// @param path the final name; its directory must exist when the writer creates the temporary
  explicit PendingFile(std::string path);
  ~PendingFile();
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;

  const std::string& path() const noexcept { return path_; }
  const std::string& temporary() const noexcept { return temporary_; }
  bool committed() const noexcept { return committed_; }

  /// Publishes the closed temporary: fsync of the file, rename to path(),
  /// fsync of the directory.
  /// @throws std::runtime_error naming the file and the errno cause; the
  ///   temporary is then removed and path() is left as it was (or, if only
  ///   the last directory sync failed, removed)
  void commit();
  /// Removes the temporary, if there is one. Idempotent.
  void discard() noexcept;

 private:
  std::string path_, temporary_;
  bool committed_ = false;
};

/// Removes the temporary of every PendingFile alive (and of every
/// write_texts_safely under way, with its copies of replaced files), removes
/// the directories a PendingDirectories made that are still empty, and stops
/// further commits: for a process about to end at once (the stop watchdog of
/// sim/cli/stop_signal.cpp), so that it leaves nothing behind.
/// Not async-signal-safe: called from a thread, never from a handler.
void abandon_pending_files() noexcept;

/// The missing directories made for an output, removed again (each only if
/// still empty, deepest first) when the writing fails, is stopped, or is
/// abandoned (abandon_pending_files); kept once keep() is called.
class PendingDirectories {
 public:
  /// Creates `directory` and its missing parents ("" and existing ones: nothing).
  /// @throws std::runtime_error "cannot create the directory D: CAUSE"
  explicit PendingDirectories(const std::string& directory);
  ~PendingDirectories();
  PendingDirectories(const PendingDirectories&) = delete;
  PendingDirectories& operator=(const PendingDirectories&) = delete;
  /// The writing succeeded: the directories stay.
  void keep() noexcept;

 private:
  std::vector<std::string> made_;  // deepest first
};

/// Thrown by a writer given a stop flag that was set before its files were
/// published: nothing was written under the output names.
class WriteStopped : public std::runtime_error {
 public:
  WriteStopped() : std::runtime_error("stopped before the output was written; nothing was written") {}
};

/// Writes a text file through its temporary. The stream uses the classic
/// locale (no digit grouping) and reports write errors with their errno cause.
/// @param path the final name
/// @param description what the file is, for the error message (see write_error)
/// @param write writes the text to the stream it is given
/// @throws std::runtime_error from write_error for a std::runtime_error of
///   `write` or any I/O error; any other exception of `write` unchanged.
///   Either way the temporary is removed and nothing is left under `path`.
void write_text_safely(const std::string& path, const std::string& description,
                       const std::function<void(std::ostream&)>& write);

/// One of the text files that write_texts_safely writes together.
struct TextFile {
  std::string path;         ///< the final name
  std::string description;  ///< what the file is, for the error message (see write_error)
  std::function<void(std::ostream&)> write;
};

/// Writes several text files as one (a pair of tables that only make sense
/// together): every file is written in full to its temporary and synced
/// before any is renamed; then they are renamed in order and their
/// directories synced. If anything fails, the renames already done are
/// undone (a file that was there before is put back, a new one removed), so
/// either every file is new or each name is as it was. (On a file system
/// without hard links a replaced file cannot be kept: its name is then left
/// empty, never holding a new file whose partners are old.)
/// The temporaries and copies are registered as a PendingFile's are, so a
/// stop watchdog's abandon_pending_files removes them; the renames are done
/// under the same lock, so they are all done or none.
/// @param stop when given and set (a SIGINT), the writing ends at the next
///   64 kB written or before the first rename, leaving nothing: WriteStopped
/// @throws std::runtime_error from write_error, naming the file that failed;
///   WriteStopped; any other exception of a `write` unchanged, with the same cleanup
void write_texts_safely(const std::vector<TextFile>& files, const std::atomic<bool>* stop = nullptr);

/// Writes `size` bytes as the file `path` through its temporary.
/// @param path the final name
/// @param description what the file is, for the error message (see write_error)
/// @throws std::runtime_error from write_error on any I/O error
void write_bytes_safely(const std::string& path, const std::string& description, const void* data, std::size_t size);

}  // namespace groundswell
