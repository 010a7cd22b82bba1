#pragma once
// Internal: the library's one layer over the HDF5 C API, used by the results,
// sweep and calibration files. Every failure throws std::runtime_error
// "HDF5: cannot WHAT (CAUSE)", CAUSE being the system's message when HDF5
// recorded one ("No space left on device"). Output files are written through
// safe_write.hpp (OutputFile). Not a public header: HDF5 types stay out of
// include/groundswell/.
#include <hdf5.h>

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "safe_write.hpp"

namespace groundswell::io::hdf5 {

/// Turns off HDF5's own printing of its error stack (for the calling thread):
/// errors become our exceptions. Called by every entry point that uses HDF5.
void quiet_errors();

/// What HDF5 recorded as the cause of the failure that just happened: the
/// operating system's message when there is one, else the innermost HDF5
/// message; "" if the error stack is empty. Clears the stack.
std::string error_cause();

/// Throws std::runtime_error "HDF5: cannot WHAT (CAUSE)".
/// @param what the operation, e.g. "write rows"
[[noreturn]] void fail(const std::string& what);

/// @param status the result of an HDF5 call
/// @param what the operation, for the message
/// @throws std::runtime_error (see fail) if status < 0
inline void check(herr_t status, const std::string& what) {
  if (status < 0) fail(what);
}

/// Owns one HDF5 identifier and closes it with the right function.
class Handle {
 public:
  Handle() = default;
  /// @param id the identifier an HDF5 call returned
  /// @param closer the function that closes it (H5Fclose, H5Dclose, ...)
  /// @param what the operation that made it, for the message
  /// @throws std::runtime_error (see fail) if id < 0
  Handle(hid_t id, herr_t (*closer)(hid_t), const std::string& what) : id_(id), close_(closer) {
    if (id < 0) fail(what);
  }
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, -1)), close_(o.close_) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = std::exchange(o.id_, -1);
      close_ = o.close_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  /// Closes without checking (clean-up after an error).
  void reset() noexcept {
    if (id_ >= 0 && close_) close_(id_);
    id_ = -1;
  }
  /// Closes and checks. Closing a file or a dataset writes what HDF5 still
  /// caches of it, and that can fail (a full disk): a writer closes what it
  /// wrote with close(), never by the destructor alone.
  /// @throws std::runtime_error (see fail) naming `what`
  void close(const std::string& what) {
    if (id_ >= 0 && close_) check(close_(std::exchange(id_, -1)), what);
  }
  hid_t get() const noexcept { return id_; }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

/// The element types of our datasets: little-endian in the file, native in memory.
enum class Element { F32, F64, I32, U64 };
hid_t file_type(Element e);
hid_t memory_type(Element e);
std::size_t element_size(Element e);

/// Writes the attributes every output file starts with: `format`,
/// `format_version`, `groundswell_version`, `git_commit`, then the string
/// attributes `sources` (what the file was made from), then `created` (now,
/// UTC, ISO 8601: "2026-11-30T09:51:08Z").
/// @param root the file
/// @param format e.g. "groundswell-results"
/// @param format_version the layout version
/// @param sources name and value of string attributes written before `created`
/// @throws std::runtime_error (see fail)
void write_provenance(hid_t root, const char* format, int format_version,
                      const std::vector<std::pair<const char*, std::string>>& sources = {});

/// Opens a group by path. @throws std::runtime_error (see fail)
Handle open_group(hid_t parent, const std::string& path);
/// Creates a group, and any missing groups on its path. @throws std::runtime_error (see fail)
Handle create_group(hid_t parent, const std::string& path);

/// A scalar UTF-8 string attribute. @throws std::runtime_error (see fail)
void write_string_attribute(hid_t obj, const char* name, const std::string& value);
/// A scalar numeric attribute of `type` (native, in memory and in the file).
/// @param value points to one value of `type`
/// @throws std::runtime_error (see fail)
void write_number_attribute(hid_t obj, const char* name, hid_t type, const void* value);
/// The value of a string attribute; "" if absent or not a string. @throws std::runtime_error (see fail)
std::string read_string_attribute(hid_t obj, const char* name);
/// Reads a numeric attribute converted to `type` into `out`.
/// @return false if the attribute is absent
/// @throws std::runtime_error (see fail)
bool read_number_attribute(hid_t obj, const char* name, hid_t type, void* out);

/// How a dataset is stored. Chunks hold about `chunk_elements` values, whole
/// rows along dimension 0, compressed (shuffle, deflate 4).
struct Layout {
  std::size_t chunk_elements = 65536;
  bool checksums = true;  ///< Fletcher-32 on every chunk: a damaged chunk fails to read
  /// Rows are written in order: a cache of one chunk, evicted as soon as it is
  /// fully written, is all the dataset holds in memory.
  bool one_chunk_cache = false;
};

/// A dataset of fixed shape `dims` (file type `type`), chunked by `layout`;
/// contiguous when it holds no values. Missing groups on `path` are created.
/// @throws std::runtime_error (see fail)
Handle create_dataset(hid_t parent, const std::string& path, hid_t type, const std::vector<hsize_t>& dims,
                      const Layout& layout);
/// A one-dimensional dataset of UTF-8 strings. @throws std::runtime_error (see fail)
void write_string_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& values);
/// The same, left open (to attach a dimension scale to it). @throws std::runtime_error (see fail)
Handle string_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& values);

/// Makes `dataset` (one-dimensional) the dimension scale `name`: netCDF-4
/// readers (h5netcdf, xarray) take it as the coordinate of the dimension
/// `name`. @throws std::runtime_error (see fail)
void set_scale(hid_t dataset, const char* name);
/// Attaches the dimension scale `scale` to dimension `dim` of `dataset`.
/// @throws std::runtime_error (see fail)
void attach_scale(hid_t dataset, hid_t scale, unsigned dim);

/// @throws std::runtime_error (see fail)
std::vector<hsize_t> dataset_dims(hid_t dataset);
/// Writes `rows` rows from row `first` (a row is every element past dimension 0).
/// @param memory_type the type of `data`
/// @throws std::runtime_error (see fail)
void write_rows(hid_t dataset, hid_t memory_type, hsize_t first, hsize_t rows, const void* data);
/// Reads `rows` rows from row `first` into `data`, checksums verified.
/// @throws std::runtime_error (see fail)
void read_rows(hid_t dataset, hid_t memory_type, hsize_t first, hsize_t rows, void* data);

/// An HDF5 file written safely (safe_write.hpp): created under its
/// temporary name, published by commit(). Destroyed uncommitted, it is closed
/// and removed. The owner closes every group, dataset and attribute of the
/// file before commit() or destruction.
class OutputFile {
 public:
  /// Creates the temporary file (truncating a stale one).
  /// @param path the final name
  /// @throws std::runtime_error (see fail) naming the temporary
  explicit OutputFile(const std::string& path);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  hid_t root() const noexcept { return file_.get(); }
  bool committed() const noexcept { return pending_.committed(); }
  const std::string& path() const noexcept { return pending_.path(); }
  const std::string& temporary() const noexcept { return pending_.temporary(); }

  /// Flushes the file, the data of its open datasets included; calls
  /// `close_objects`, where the owner closes its datasets and groups (after
  /// the flush, so that their write errors are seen); closes the file; then
  /// publishes it: fsync, rename, fsync of the directory. Every step is
  /// checked: a close that cannot flush is an error.
  /// @throws std::logic_error if an object of the file is still open at the close
  /// @throws std::runtime_error naming the cause; the temporary is then removed
  void commit(const std::function<void()>& close_objects = {});
  /// Closes and removes the temporary without publishing it. The file is
  /// truncated first, so that when the cause was a full disk the flush HDF5
  /// makes on closing has room (a close that fails anyway is harmless: see
  /// hdf5.cpp). Idempotent.
  void abandon() noexcept;

 private:
  PendingFile pending_;
  Handle file_;
};

/// Writes the HDF5 file `path` by one call of `write(root)`, then commits it.
/// @param description what the file is, for the message (see write_error)
/// @param write fills the file; it closes every object it opens
/// @throws std::runtime_error from write_error for a std::runtime_error of
///   `write` or of the commit; any other exception of `write` unchanged.
///   Either way nothing is left under `path` nor under the temporary name.
void write_file(const std::string& path, const std::string& description, const std::function<void(hid_t root)>& write);

}  // namespace groundswell::io::hdf5
