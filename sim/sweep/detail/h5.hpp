#pragma once
// Internal: small RAII helpers over the HDF5 C API for the sweep file.
#include <hdf5.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "groundswell/sweep/sweep_file.hpp"

namespace groundswell::sweep::detail {

/// Owns one HDF5 identifier and closes it with the right function.
class H5Handle {
 public:
  H5Handle() = default;
  H5Handle(hid_t id, herr_t (*close)(hid_t), const std::string& what) : id_(id), close_(close) {
    if (id < 0) throw std::runtime_error("HDF5: cannot " + what);
  }
  H5Handle(H5Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  H5Handle& operator=(H5Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      close_ = o.close_;
      o.id_ = -1;
    }
    return *this;
  }
  H5Handle(const H5Handle&) = delete;
  H5Handle& operator=(const H5Handle&) = delete;
  ~H5Handle() { reset(); }
  void reset() {
    if (id_ >= 0 && close_) close_(id_);
    id_ = -1;
  }
  hid_t get() const { return id_; }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

inline void h5check(herr_t status, const std::string& what) {
  if (status < 0) throw std::runtime_error("HDF5: cannot " + what);
}

using Element = ElementType;
hid_t file_type(Element e);
hid_t memory_type(Element e);
std::size_t element_size(Element e);

H5Handle open_group(hid_t parent, const std::string& path);
H5Handle make_group(hid_t parent, const std::string& name);

void write_string_attribute(hid_t obj, const char* name, const std::string& value);
void write_number_attribute(hid_t obj, const char* name, hid_t type, const void* value);
std::string read_string_attribute(hid_t obj, const char* name);  ///< "" if absent or not a string
/// Reads a numeric attribute converted to `type`; false if absent.
bool read_number_attribute(hid_t obj, const char* name, hid_t type, void* out);

/// A chunked dataset of fixed shape (shuffle, deflate 4, Fletcher-32 checksums),
/// chunked along dimension 0 in blocks of about 64 Ki elements.
H5Handle make_dataset(hid_t parent, const std::string& name, Element e, const std::vector<hsize_t>& dims);
/// A one-dimensional dataset of UTF-8 strings.
void write_string_dataset(hid_t parent, const std::string& name, const std::vector<std::string>& values);

std::vector<hsize_t> dataset_dims(hid_t dataset);
/// Writes or reads `rows` rows from row `first` (each row = every element past dimension 0).
void write_rows(hid_t dataset, Element e, hsize_t first, hsize_t rows, const void* data);
void read_rows(hid_t dataset, Element e, hsize_t first, hsize_t rows, void* data);

}  // namespace groundswell::sweep::detail
