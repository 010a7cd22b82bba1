// Small HDF5 helpers for the sweep file (C API).
#include "sweep/detail/h5.hpp"

#include <algorithm>

namespace groundswell::sweep::detail {

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

H5Handle open_group(hid_t parent, const std::string& path) {
  return H5Handle(H5Gopen2(parent, path.c_str(), H5P_DEFAULT), H5Gclose, "open group " + path);
}

H5Handle make_group(hid_t parent, const std::string& name) {
  H5Handle plist(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "create property list");
  h5check(H5Pset_create_intermediate_group(plist.get(), 1), "set intermediate groups");
  return H5Handle(H5Gcreate2(parent, name.c_str(), plist.get(), H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                  "create group " + name);
}

namespace {
H5Handle utf8_string_type() {
  H5Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "copy string type");
  h5check(H5Tset_size(type.get(), H5T_VARIABLE), "set string size");
  h5check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "set UTF-8");
  return type;
}
}  // namespace

void write_string_attribute(hid_t obj, const char* name, const std::string& value) {
  const H5Handle type = utf8_string_type();
  H5Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create scalar space");
  H5Handle attr(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                std::string("create attribute ") + name);
  const char* data = value.c_str();
  h5check(H5Awrite(attr.get(), type.get(), &data), std::string("write attribute ") + name);
}

void write_number_attribute(hid_t obj, const char* name, hid_t type, const void* value) {
  H5Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create scalar space");
  H5Handle attr(H5Acreate2(obj, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
                std::string("create attribute ") + name);
  h5check(H5Awrite(attr.get(), type, value), std::string("write attribute ") + name);
}

std::string read_string_attribute(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return {};
  H5Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, std::string("open attribute ") + name);
  H5Handle type(H5Aget_type(attr.get()), H5Tclose, "get type");
  if (H5Tget_class(type.get()) != H5T_STRING) return {};
  const H5Handle mem = utf8_string_type();
  char* data = nullptr;
  h5check(H5Aread(attr.get(), mem.get(), &data), std::string("read attribute ") + name);
  std::string out = data ? data : "";
  H5free_memory(data);
  return out;
}

bool read_number_attribute(hid_t obj, const char* name, hid_t type, void* out) {
  if (H5Aexists(obj, name) <= 0) return false;
  H5Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, std::string("open attribute ") + name);
  h5check(H5Aread(attr.get(), type, out), std::string("read attribute ") + name);
  return true;
}

H5Handle make_dataset(hid_t parent, const std::string& name, Element e, const std::vector<hsize_t>& dims) {
  H5Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose, "create space");
  H5Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create property list");
  H5Handle link(H5Pcreate(H5P_LINK_CREATE), H5Pclose, "create property list");
  h5check(H5Pset_create_intermediate_group(link.get(), 1), "set intermediate groups");
  hsize_t row = 1;
  for (std::size_t k = 1; k < dims.size(); ++k) row *= dims[k];
  if (dims[0] > 0 && row > 0) {
    std::vector<hsize_t> chunk = dims;
    chunk[0] = std::clamp<hsize_t>(65536 / row, 1, dims[0]);
    h5check(H5Pset_chunk(plist.get(), static_cast<int>(chunk.size()), chunk.data()), "set chunk");
    h5check(H5Pset_fletcher32(plist.get()), "set checksums");
    h5check(H5Pset_shuffle(plist.get()), "set shuffle");
    h5check(H5Pset_deflate(plist.get(), 4), "set deflate");
  }
  return H5Handle(H5Dcreate2(parent, name.c_str(), file_type(e), space.get(), link.get(), plist.get(), H5P_DEFAULT),
                  H5Dclose, "create dataset " + name);
}

void write_string_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& values) {
  const H5Handle type = utf8_string_type();
  const hsize_t n = values.size();
  H5Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose, "create space");
  H5Handle ds(H5Dcreate2(parent, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
              H5Dclose, "create dataset " + name);
  std::vector<const char*> data;
  for (const auto& v : values) data.push_back(v.c_str());
  if (n) h5check(H5Dwrite(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "write " + name);
}

std::vector<hsize_t> dataset_dims(hid_t dataset) {
  H5Handle space(H5Dget_space(dataset), H5Sclose, "get space");
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) throw std::runtime_error("HDF5: cannot read a dataset's shape");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

namespace {
void transfer(hid_t dataset, Element e, hsize_t first, hsize_t rows, void* data, bool write) {
  if (rows == 0) return;
  std::vector<hsize_t> dims = dataset_dims(dataset);
  std::vector<hsize_t> start(dims.size(), 0), count = dims;
  start[0] = first;
  count[0] = rows;
  H5Handle file_space(H5Dget_space(dataset), H5Sclose, "get space");
  h5check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
          "select rows");
  H5Handle mem_space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose, "mem space");
  if (write)
    h5check(H5Dwrite(dataset, memory_type(e), mem_space.get(), file_space.get(), H5P_DEFAULT, data), "write rows");
  else
    h5check(H5Dread(dataset, memory_type(e), mem_space.get(), file_space.get(), H5P_DEFAULT, data),
            "read rows (checksum mismatch or truncated file?)");
}
}  // namespace

void write_rows(hid_t dataset, Element e, hsize_t first, hsize_t rows, const void* data) {
  transfer(dataset, e, first, rows, const_cast<void*>(data), true);
}

void read_rows(hid_t dataset, Element e, hsize_t first, hsize_t rows, void* data) {
  transfer(dataset, e, first, rows, data, false);
}

}  // namespace groundswell::sweep::detail
