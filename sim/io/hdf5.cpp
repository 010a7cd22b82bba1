// The HDF5 layer (io/hdf5.hpp), C API.
#include "io/hdf5.hpp"

#include <hdf5_hl.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <stdexcept>

#include "groundswell/version.hpp"

namespace groundswell::io::hdf5 {
namespace {

// HDF5 1.10 (Debian 12) crashes at exit when a file failed to close: an
// H5Fclose that cannot flush (a full disk, an I/O error) frees the file but
// leaves its ID behind, and the library's atexit clean-up then closes it again
// (HDFFV-11052, CVE-2020-10812; fixed in HDF5 1.14.1). Every file here is
// closed explicitly, so that clean-up is not needed: it is turned off before
// the library initializes, i.e. before main(). This file is linked into every
// program that writes HDF5, since every writer goes through it.
const bool kNoHdf5Atexit = H5dont_atexit() >= 0;

/// Now in UTC, ISO 8601: "2026-11-30T09:51:08Z".
std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Handle utf8_string_type() {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "copy string type");
  check(H5Tset_size(type.get(), H5T_VARIABLE), "set string size");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "set UTF-8");
  return type;
}

/// A link creation property list that creates missing groups on a path.
Handle intermediate_groups() {
  Handle plist(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "create property list");
  check(H5Pset_create_intermediate_group(plist.get(), 1), "set intermediate groups");
  return plist;
}

void transfer(hid_t dataset, hid_t memory_type, hsize_t first, hsize_t rows, void* data, bool write) {
  if (rows == 0) return;
  Handle file_space(H5Dget_space(dataset), H5Sclose, "get space");
  const int rank = H5Sget_simple_extent_ndims(file_space.get());
  if (rank < 1) fail("select rows of a dataset without rows");
  std::vector<hsize_t> start(static_cast<std::size_t>(rank), 0), count(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(file_space.get(), count.data(), nullptr), "get dimensions");
  start[0] = first;
  count[0] = rows;
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        "select rows");
  Handle mem_space(H5Screate_simple(rank, count.data(), nullptr), H5Sclose, "create memory space");
  if (write)
    check(H5Dwrite(dataset, memory_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data), "write rows");
  else
    check(H5Dread(dataset, memory_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data),
          "read rows (checksum mismatch or truncated file?)");
}

}  // namespace

void quiet_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

std::string error_cause() {
  struct Cause {
    std::string system, innermost;
  } cause;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* e, void* data) -> herr_t {
        auto& c = *static_cast<Cause*>(data);
        const std::string desc = e->desc ? e->desc : "";
        const std::string marker = "error message = '";
        const auto at = desc.find(marker);
        if (at != std::string::npos) {
          const auto from = at + marker.size();
          c.system = desc.substr(from, desc.find('\'', from) - from);
        }
        char minor[256] = "";
        if (H5Eget_msg(e->min_num, nullptr, minor, sizeof minor) > 0) c.innermost = minor;
        if (!desc.empty() && desc.size() < 200 && at == std::string::npos) c.innermost = desc;
        return 0;
      },
      &cause);
  H5Eclear2(H5E_DEFAULT);
  return !cause.system.empty() ? cause.system : cause.innermost;
}

void fail(const std::string& what) {
  const std::string cause = error_cause();
  throw std::runtime_error("HDF5: cannot " + what + (cause.empty() ? "" : " (" + cause + ")"));
}

hid_t file_type(Element e) {
  switch (e) {
    case Element::F32:
      return H5T_IEEE_F32LE;
    case Element::F64:
      return H5T_IEEE_F64LE;
    case Element::I32:
      return H5T_STD_I32LE;
    case Element::U64:
      return H5T_STD_U64LE;
  }
  return -1;
}

hid_t memory_type(Element e) {
  switch (e) {
    case Element::F32:
      return H5T_NATIVE_FLOAT;
    case Element::F64:
      return H5T_NATIVE_DOUBLE;
    case Element::I32:
      return H5T_NATIVE_INT32;
    case Element::U64:
      return H5T_NATIVE_UINT64;
  }
  return -1;
}

std::size_t element_size(Element e) { return e == Element::F32 || e == Element::I32 ? 4 : 8; }

void write_provenance(hid_t root, const char* format, int format_version,
                      const std::vector<std::pair<const char*, std::string>>& sources) {
  write_string_attribute(root, "format", format);
  write_number_attribute(root, "format_version", H5T_NATIVE_INT, &format_version);
  write_string_attribute(root, "groundswell_version", kVersion);
  write_string_attribute(root, "git_commit", kGitCommit);
  for (const auto& [name, value] : sources) write_string_attribute(root, name, value);
  write_string_attribute(root, "created", utc_now());
}

Handle open_group(hid_t parent, const std::string& path) {
  return Handle(H5Gopen2(parent, path.c_str(), H5P_DEFAULT), H5Gclose, "open group " + path);
}

Handle create_group(hid_t parent, const std::string& path) {
  const Handle links = intermediate_groups();
  return Handle(H5Gcreate2(parent, path.c_str(), links.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                "create group " + path);
}

void write_string_attribute(hid_t obj, const char* name, const std::string& value) {
  const Handle type = utf8_string_type();
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create scalar space");
  Handle attr(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              std::string("create attribute ") + name);
  const char* data = value.c_str();
  check(H5Awrite(attr.get(), type.get(), &data), std::string("write attribute ") + name);
  attr.close(std::string("close attribute ") + name);
}

void write_number_attribute(hid_t obj, const char* name, hid_t type, const void* value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create scalar space");
  Handle attr(H5Acreate2(obj, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              std::string("create attribute ") + name);
  check(H5Awrite(attr.get(), type, value), std::string("write attribute ") + name);
  attr.close(std::string("close attribute ") + name);
}

std::string read_string_attribute(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return {};
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, std::string("open attribute ") + name);
  Handle type(H5Aget_type(attr.get()), H5Tclose, "get type");
  if (H5Tget_class(type.get()) != H5T_STRING) return {};
  if (H5Tis_variable_str(type.get()) <= 0) {  // a fixed-length string, as other tools write them
    std::string fixed(H5Tget_size(type.get()), '\0');
    check(H5Aread(attr.get(), type.get(), fixed.data()), std::string("read attribute ") + name);
    return fixed.substr(0, fixed.find('\0'));
  }
  const Handle memory = utf8_string_type();
  char* data = nullptr;
  check(H5Aread(attr.get(), memory.get(), &data), std::string("read attribute ") + name);
  std::string out = data ? data : "";
  H5free_memory(data);
  return out;
}

bool read_number_attribute(hid_t obj, const char* name, hid_t type, void* out) {
  if (H5Aexists(obj, name) <= 0) return false;
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, std::string("open attribute ") + name);
  check(H5Aread(attr.get(), type, out), std::string("read attribute ") + name);
  return true;
}

Handle create_dataset(hid_t parent, const std::string& path, hid_t type, const std::vector<hsize_t>& dims,
                      const Layout& layout) {
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose, "create space");
  Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create property list");
  Handle access(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose, "create access property list");
  hsize_t row = 1;
  for (std::size_t k = 1; k < dims.size(); ++k) row *= dims[k];
  if (!dims.empty() && dims[0] > 0 && row > 0) {
    std::vector<hsize_t> chunk = dims;
    chunk[0] = std::clamp<hsize_t>(layout.chunk_elements / row, 1, dims[0]);
    check(H5Pset_chunk(plist.get(), static_cast<int>(chunk.size()), chunk.data()), "set chunk");
    if (layout.checksums) check(H5Pset_fletcher32(plist.get()), "set checksums");
    check(H5Pset_shuffle(plist.get()), "set shuffle");
    check(H5Pset_deflate(plist.get(), 4), "set deflate");
    if (layout.one_chunk_cache) {
      // w0 = 1 evicts a chunk as soon as it is fully written.
      const hsize_t chunk_bytes = chunk[0] * row * H5Tget_size(type);
      check(H5Pset_chunk_cache(access.get(), 101, chunk_bytes, 1.0), "set chunk cache");
    }
  }
  const Handle links = intermediate_groups();
  return Handle(H5Dcreate2(parent, path.c_str(), type, space.get(), links.get(), plist.get(), access.get()), H5Dclose,
                "create dataset " + path);
}

void write_string_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& values) {
  string_dataset(parent, name, values).close("close dataset " + name);
}

Handle string_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& values) {
  const Handle type = utf8_string_type();
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, "create space");
  Handle ds(H5Dcreate2(parent, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Dclose,
            "create dataset " + name);
  std::vector<const char*> data;
  for (const auto& v : values) data.push_back(v.c_str());
  if (n) check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "write " + name);
  return ds;
}

void set_scale(hid_t dataset, const char* name) {
  check(H5DSset_scale(dataset, name), std::string("make ") + name + " a dimension scale");
}

void attach_scale(hid_t dataset, hid_t scale, unsigned dim) {
  check(H5DSattach_scale(dataset, scale, dim), "attach a dimension scale");
}

std::vector<hsize_t> dataset_dims(hid_t dataset) {
  Handle space(H5Dget_space(dataset), H5Sclose, "get space");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail("read a dataset's shape");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), "read a dataset's shape");
  return dims;
}

void write_rows(hid_t dataset, hid_t memory_type, hsize_t first, hsize_t rows, const void* data) {
  transfer(dataset, memory_type, first, rows, const_cast<void*>(data), true);
}

void read_rows(hid_t dataset, hid_t memory_type, hsize_t first, hsize_t rows, void* data) {
  transfer(dataset, memory_type, first, rows, data, false);
}

OutputFile::OutputFile(const std::string& path) : pending_(path) {
  quiet_errors();
  file_ = Handle(H5Fcreate(temporary().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                 "create " + temporary());
}

OutputFile::~OutputFile() {
  if (!pending_.committed()) abandon();
}

void OutputFile::commit(const std::function<void()>& close_objects) {
  try {
    check(H5Fflush(file_.get(), H5F_SCOPE_GLOBAL), "flush " + temporary());
    if (close_objects) close_objects();
    // With objects still open, H5Fclose would return at once and leave the
    // file open: its last writes could follow the rename.
    if (H5Fget_obj_count(file_.get(), H5F_OBJ_ALL) != 1)
      throw std::logic_error("HDF5: " + temporary() + " has objects open at its commit");
    file_.close("close " + temporary());
  } catch (...) {
    abandon();
    throw;
  }
  pending_.commit();
}

void OutputFile::abandon() noexcept {
  if (file_.get() >= 0 && ::truncate(temporary().c_str(), 0) != 0) {
    // nothing to do: the file is removed below in any case
  }
  file_.reset();
  pending_.discard();
}

void write_file(const std::string& path, const std::string& description,
                const std::function<void(hid_t root)>& write) try {
  OutputFile file(path);
  write(file.root());
  file.commit();
} catch (const std::runtime_error& e) {
  throw write_error(description, path, e.what());
}

}  // namespace groundswell::io::hdf5
