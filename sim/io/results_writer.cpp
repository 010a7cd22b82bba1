// HDF5 results file, C API. Layout: docs/output.md.
#include "groundswell/io/results_writer.hpp"

#include <fcntl.h>
#include <hdf5.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <sstream>
#include <system_error>

#include "groundswell/version.hpp"
#include "io/detail/utc_now.hpp"

namespace groundswell::io {
namespace {

constexpr const char* kFormat = "groundswell-results";
constexpr int kFormatVersion = 1;

// HDF5 1.10 (Debian 12) crashes at exit when a file failed to close: an
// H5Fclose that cannot flush (a full disk, an I/O error) frees the file but
// leaves its ID behind, and the library's atexit clean-up then closes it again
// (HDFFV-11052, CVE-2020-10812; fixed in HDF5 1.14.1). Every file here is
// closed explicitly, so that clean-up is not needed: it is turned off before
// the library initializes, i.e. before main().
const bool kNoHdf5Atexit = H5dont_atexit() >= 0;

/// What HDF5 recorded as the cause of the failure that just happened: the
/// operating system's message when there is one ("No space left on device"),
/// else the innermost HDF5 message. Empty if the error stack is empty.
std::string hdf5_cause() {
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

/// Owns one HDF5 identifier and closes it with the right function.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t), const std::string& what) : id_(id), close_(close) {
    if (id < 0) {
      const std::string cause = hdf5_cause();
      throw std::runtime_error("HDF5: cannot " + what + (cause.empty() ? "" : " (" + cause + ")"));
    }
  }
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    reset();
    id_ = o.id_;
    close_ = o.close_;
    o.id_ = -1;
    return *this;
  }
  ~Handle() { reset(); }
  void reset() {
    if (id_ >= 0 && close_) close_(id_);
    id_ = -1;
  }
  hid_t get() const { return id_; }
  /// Gives up ownership: the caller closes the identifier.
  hid_t release() {
    const hid_t id = id_;
    id_ = -1;
    return id;
  }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

void check(herr_t status, const std::string& what) {
  if (status < 0) {
    const std::string cause = hdf5_cause();
    throw std::runtime_error("HDF5: cannot " + what + (cause.empty() ? "" : " (" + cause + ")"));
  }
}

/// Writes a file's data to the disk (fsync), so that the rename that follows
/// never publishes a file whose blocks a crash could lose.
void sync_to_disk(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::fsync(fd) != 0) {
    const int error = errno;
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot write " + path + " to the disk: " + std::strerror(error));
  }
  ::close(fd);
}

Handle group(hid_t parent, const std::string& name) {
  return Handle(H5Gcreate2(parent, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), H5Gclose,
                "create group " + name);
}

void string_attribute(hid_t obj, const char* name, const std::string& value) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose, "copy string type");
  check(H5Tset_size(type.get(), H5T_VARIABLE), "set string size");
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), "set UTF-8");
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create scalar space");
  Handle attr(H5Acreate2(obj, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              std::string("create attribute ") + name);
  const char* data = value.c_str();
  check(H5Awrite(attr.get(), type.get(), &data), std::string("write attribute ") + name);
}

template <typename T>
void number_attribute(hid_t obj, const char* name, hid_t type, T value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose, "create scalar space");
  Handle attr(H5Acreate2(obj, name, type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
              std::string("create attribute ") + name);
  check(H5Awrite(attr.get(), type, &value), std::string("write attribute ") + name);
}

/// A chunked, compressed dataset of fixed shape, filled by hyperslabs along dimension 0.
Handle dataset(hid_t parent, const std::string& name, hid_t type, const std::vector<hsize_t>& dims) {
  Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), H5Sclose, "create space");
  Handle plist(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, "create property list");
  std::vector<hsize_t> chunk = dims;
  hsize_t row = 1;
  for (std::size_t d = 1; d < dims.size(); ++d) row *= dims[d];
  // Chunks of about 16384 values (64 KiB of floats): large enough to
  // compress well, small enough that the one chunk being filled is all a
  // dataset holds in memory, whatever the number of trials.
  constexpr hsize_t kChunkValues = 16384;
  chunk[0] = std::max<hsize_t>(1, std::min<hsize_t>(dims[0], kChunkValues / std::max<hsize_t>(row, 1)));
  check(H5Pset_chunk(plist.get(), static_cast<int>(chunk.size()), chunk.data()), "set chunk");
  check(H5Pset_shuffle(plist.get()), "set shuffle");
  check(H5Pset_deflate(plist.get(), 4), "set deflate");
  // Rows are written in order, so a cache of one chunk suffices; w0 = 1
  // evicts a chunk as soon as it is fully written.
  Handle access(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose, "create access property list");
  hsize_t chunk_values = 1;
  for (hsize_t c : chunk) chunk_values *= c;
  check(H5Pset_chunk_cache(access.get(), 101, chunk_values * H5Tget_size(type), 1.0), "set chunk cache");
  return Handle(H5Dcreate2(parent, name.c_str(), type, space.get(), H5P_DEFAULT, plist.get(), access.get()), H5Dclose,
                "create dataset " + name);
}

void write_rows(hid_t ds, hid_t mem_type, hsize_t first, hsize_t rows, const std::vector<hsize_t>& row_dims,
                const void* data) {
  std::vector<hsize_t> start(row_dims.size() + 1, 0), count(row_dims.size() + 1);
  start[0] = first;
  count[0] = rows;
  for (std::size_t d = 0; d < row_dims.size(); ++d) count[d + 1] = row_dims[d];
  Handle file_space(H5Dget_space(ds), H5Sclose, "get space");
  check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        "select rows");
  Handle mem_space(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), H5Sclose, "mem space");
  check(H5Dwrite(ds, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, data), "write rows");
}

using detail::utc_now;

const char* const kCurveNames[] = {
    "N", "C", "A", "R", "mean_autonomy", "mean_competence", "mean_relatedness", "mean_pressure"};
constexpr int kCurveCount = 8;
const char* const kMetricNames[] = {"final_adopted",   "final_internalized", "t50",
                                    "peak_compliance", "peak_resistance",    "departments_reached"};

}  // namespace

struct ResultsWriter::Impl {
  std::string path, temporary;
  const model::ExperimentSpec& experiment;
  Handle file;
  struct ScenarioDatasets {
    Handle curves[kCurveCount];
    Handle department_adopted;
    Handle metrics[6];
    DepartmentId departments = -1;
    std::vector<std::uint32_t> department_size;
    hid_t group = -1;
    Handle group_handle;
  };
  std::vector<ScenarioDatasets> scenarios;
  bool finished = false;
  std::vector<float> buffer;
  std::vector<std::int32_t> ibuffer;

  Impl(const std::string& p, const model::ExperimentSpec& x) : path(p), experiment(x) {}

  /// The error to report when writing fails: names the output, the cause
  /// and, for a full disk, what to do. Nothing is left under either name.
  std::runtime_error failure(const std::string& what) const {
    std::string hint;
    if (what.find("No space left") != std::string::npos || what.find("quota") != std::string::npos)
      hint = "; the disk is full: free some space or write the results elsewhere";
    return std::runtime_error("cannot write the results file " + path + ": " + what + hint + "; nothing was written");
  }

  /// Closes and removes the temporary file without publishing it. The file
  /// is truncated first, so that when the cause was a full disk the flush
  /// HDF5 makes on closing has room (a failed close is harmless, see
  /// kNoHdf5Atexit); the path is removed whatever happens.
  void abandon() noexcept {
    if (file.get() >= 0 && ::truncate(temporary.c_str(), 0) != 0) {
      // nothing to do: the file is removed below in any case
    }
    scenarios.clear();
    file.reset();
    std::error_code ec;
    std::filesystem::remove(temporary, ec);
  }
};

ResultsWriter::ResultsWriter(const std::string& path, const model::ExperimentSpec& x, unsigned threads)
    : impl_(std::make_unique<Impl>(path, x)) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors are reported by our exceptions
  namespace fs = std::filesystem;
  const fs::path out(path);
  impl_->temporary =
      (out.parent_path() / ("." + out.filename().string() + ".tmp" + std::to_string(::getpid()))).string();
  try {
    create(x, threads);
  } catch (const std::runtime_error& e) {
    impl_->abandon();
    throw impl_->failure(e.what());
  }
}

void ResultsWriter::create(const model::ExperimentSpec& x, unsigned threads) {
  impl_->file = Handle(H5Fcreate(impl_->temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                       "create " + impl_->temporary);
  const hid_t root = impl_->file.get();
  string_attribute(root, "format", kFormat);
  number_attribute(root, "format_version", H5T_NATIVE_INT, kFormatVersion);
  string_attribute(root, "groundswell_version", kVersion);
  string_attribute(root, "git_commit", kGitCommit);
  string_attribute(root, "experiment", x.name);
  string_attribute(root, "scenario_file", x.source_path);
  string_attribute(root, "scenario_text", x.source_text);
  string_attribute(root, "created", utc_now());
  number_attribute(root, "seed", H5T_NATIVE_UINT64, x.seed);
  number_attribute(root, "trials", H5T_NATIVE_UINT64, std::uint64_t{x.trials});
  number_attribute(root, "steps", H5T_NATIVE_INT64, std::int64_t{x.steps});
  number_attribute(root, "threads", H5T_NATIVE_UINT, threads);
  std::string names;
  for (const auto& s : x.scenarios) names += (names.empty() ? "" : ",") + s.name;
  string_attribute(root, "scenarios", names);

  Handle top = group(root, "scenarios");
  impl_->scenarios.resize(x.scenarios.size());
  for (std::size_t s = 0; s < x.scenarios.size(); ++s) {
    const auto& spec = x.scenarios[s];
    auto& d = impl_->scenarios[s];
    d.group_handle = group(top.get(), spec.name);
    d.group = d.group_handle.get();
    string_attribute(d.group, "rule", model::to_string(spec.rule));
    string_attribute(d.group, "description", spec.description);
    number_attribute(d.group, "index", H5T_NATIVE_INT, static_cast<int>(s));
    std::ostringstream params;
    for (const auto& [k, v] : spec.parameters) params << k << " = " << v << "\n";
    string_attribute(d.group, "parameters", params.str());
    Handle curves = group(d.group, "curves");
    const std::vector<hsize_t> dims{x.trials, static_cast<hsize_t>(x.steps) + 1};
    for (int c = 0; c < kCurveCount; ++c) d.curves[c] = dataset(curves.get(), kCurveNames[c], H5T_IEEE_F32LE, dims);
    Handle metrics = group(d.group, "metrics");
    for (int m = 0; m < 6; ++m) {
      const bool integer = m == 2 || m == 5;
      d.metrics[m] = dataset(metrics.get(), kMetricNames[m], integer ? H5T_STD_I32LE : H5T_IEEE_F32LE, {x.trials});
    }
  }
}

ResultsWriter::~ResultsWriter() {
  if (!impl_->finished) impl_->abandon();
}

const std::string& ResultsWriter::temporary_path() const noexcept { return impl_->temporary; }

void ResultsWriter::write_batch(TrialIndex first, const std::vector<std::vector<engine::TrialCurves>>& curves,
                                const std::vector<std::vector<engine::TrialMetrics>>& metrics) try {
  const auto steps = static_cast<hsize_t>(impl_->experiment.steps) + 1;
  auto& buf = impl_->buffer;
  auto& ibuf = impl_->ibuffer;
  for (std::size_t s = 0; s < curves.size(); ++s) {
    auto& d = impl_->scenarios[s];
    const auto rows = static_cast<hsize_t>(curves[s].size());
    if (rows == 0) continue;
    for (int c = 0; c < kCurveCount; ++c) {
      buf.clear();
      for (const auto& tc : curves[s]) {
        const std::vector<float>& v = c < 4    ? tc.share[static_cast<std::size_t>(c)]
                                      : c == 4 ? tc.mean_autonomy
                                      : c == 5 ? tc.mean_competence
                                      : c == 6 ? tc.mean_relatedness
                                               : tc.mean_pressure;
        buf.insert(buf.end(), v.begin(), v.end());
      }
      write_rows(d.curves[c].get(), H5T_NATIVE_FLOAT, first, rows, {steps}, buf.data());
    }
    // Departments are known only once an organization exists (files may differ from the spec).
    const DepartmentId depts = curves[s].front().departments;
    if (d.departments < 0) {
      d.departments = depts;
      Handle g(H5Gopen2(d.group, "curves", H5P_DEFAULT), H5Gclose, "open curves");
      d.department_adopted = dataset(g.get(), "department_adopted", H5T_IEEE_F32LE,
                                     {impl_->experiment.trials, steps, static_cast<hsize_t>(std::max(depts, 1))});
      number_attribute(d.group, "departments", H5T_NATIVE_INT, static_cast<int>(depts));
      const auto& sizes = curves[s].front().department_size;
      Handle size_ds = dataset(d.group, "department_size", H5T_STD_I32LE, {static_cast<hsize_t>(std::max(depts, 1))});
      std::vector<std::int32_t> size_values(sizes.begin(), sizes.end());
      size_values.resize(static_cast<std::size_t>(std::max(depts, 1)), 0);
      write_rows(size_ds.get(), H5T_NATIVE_INT32, 0, size_values.size(), {}, size_values.data());
      d.department_size = sizes;
    }
    buf.clear();
    for (const auto& tc : curves[s]) {
      if (tc.departments != d.departments || tc.department_size != d.department_size)
        throw std::runtime_error("trials of scenario " + std::to_string(s) + " differ in their departments");
      buf.insert(buf.end(), tc.department_adopted.begin(), tc.department_adopted.end());
    }
    if (d.departments > 0)
      write_rows(d.department_adopted.get(), H5T_NATIVE_FLOAT, first, rows,
                 {steps, static_cast<hsize_t>(d.departments)}, buf.data());
    for (int m = 0; m < 6; ++m) {
      const bool integer = m == 2 || m == 5;
      buf.clear();
      ibuf.clear();
      for (const auto& tm : metrics[s]) {
        switch (m) {
          case 0:
            buf.push_back(tm.final_adopted);
            break;
          case 1:
            buf.push_back(tm.final_internalized);
            break;
          case 2:
            ibuf.push_back(tm.t50);
            break;
          case 3:
            buf.push_back(tm.peak_compliance);
            break;
          case 4:
            buf.push_back(tm.peak_resistance);
            break;
          default:
            ibuf.push_back(tm.departments_reached);
            break;
        }
      }
      write_rows(d.metrics[m].get(), integer ? H5T_NATIVE_INT32 : H5T_NATIVE_FLOAT, first, rows, {},
                 integer ? static_cast<const void*>(ibuf.data()) : static_cast<const void*>(buf.data()));
    }
  }
} catch (const std::runtime_error& e) {
  throw impl_->failure(e.what());
}

void ResultsWriter::finish() try {
  // Every step is checked: a file is renamed into place only when all of it
  // is on the disk. On failure the destructor removes the temporary.
  check(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL), "flush " + impl_->temporary);
  impl_->scenarios.clear();  // datasets and groups: their data went out with the flush
  check(H5Fclose(impl_->file.release()), "close " + impl_->temporary);
  sync_to_disk(impl_->temporary);
  std::error_code ec;
  std::filesystem::rename(impl_->temporary, impl_->path, ec);
  if (ec) throw std::runtime_error("cannot rename " + impl_->temporary + " to " + impl_->path + ": " + ec.message());
  impl_->finished = true;
} catch (const std::runtime_error& e) {
  throw impl_->failure(e.what());
}

namespace {

std::string read_string_attribute(hid_t obj, const char* name) {
  if (H5Aexists(obj, name) <= 0) return {};
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, std::string("open attribute ") + name);
  Handle type(H5Aget_type(attr.get()), H5Tclose, "get type");
  if (H5Tget_class(type.get()) != H5T_STRING) return {};
  Handle mem(H5Tcopy(H5T_C_S1), H5Tclose, "copy type");
  check(H5Tset_size(mem.get(), H5T_VARIABLE), "set size");
  check(H5Tset_cset(mem.get(), H5T_CSET_UTF8), "set cset");
  char* data = nullptr;
  check(H5Aread(attr.get(), mem.get(), &data), std::string("read attribute ") + name);
  std::string out = data ? data : "";
  H5free_memory(data);
  return out;
}

template <typename T>
T read_number_attribute(hid_t obj, const char* name, hid_t mem_type) {
  T value{};
  if (H5Aexists(obj, name) <= 0) return value;
  Handle attr(H5Aopen(obj, name, H5P_DEFAULT), H5Aclose, std::string("open attribute ") + name);
  check(H5Aread(attr.get(), mem_type, &value), std::string("read attribute ") + name);
  return value;
}

template <typename T>
std::vector<T> read_vector(hid_t parent, const std::string& name, hid_t mem_type) {
  Handle ds(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "open dataset " + name);
  Handle space(H5Dget_space(ds.get()), H5Sclose, "get space");
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  std::vector<T> v(static_cast<std::size_t>(std::max<hssize_t>(n, 0)));
  if (!v.empty()) check(H5Dread(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), "read " + name);
  return v;
}

}  // namespace

ResultsSummary read_results_summary(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(path + ": file not found");
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw InputError(path + ": not an HDF5 file (expected the output of 'groundswell run')");
  ResultsSummary r;
  try {
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open " + path);
    const hid_t root = file.get();
    if (read_string_attribute(root, "format") != kFormat)
      throw InputError(path +
                       ": an HDF5 file, but not a Groundswell results file (no format = \"groundswell-results\")");
    r.experiment = read_string_attribute(root, "experiment");
    r.version = read_string_attribute(root, "groundswell_version");
    r.git_commit = read_string_attribute(root, "git_commit");
    r.created = read_string_attribute(root, "created");
    r.seed = read_number_attribute<std::uint64_t>(root, "seed", H5T_NATIVE_UINT64);
    r.trials = read_number_attribute<std::uint64_t>(root, "trials", H5T_NATIVE_UINT64);
    r.steps = read_number_attribute<std::int64_t>(root, "steps", H5T_NATIVE_INT64);
    std::stringstream names(read_string_attribute(root, "scenarios"));
    for (std::string name; std::getline(names, name, ',');) r.scenarios.push_back(name);
    for (const auto& name : r.scenarios) {
      Handle g(H5Gopen2(root, ("scenarios/" + name + "/metrics").c_str(), H5P_DEFAULT), H5Gclose,
               "open metrics of scenario " + name);
      if (r.rule.empty()) {
        Handle sg(H5Gopen2(root, ("scenarios/" + name).c_str(), H5P_DEFAULT), H5Gclose, "open scenario");
        r.rule = read_string_attribute(sg.get(), "rule");
      }
      const auto fa = read_vector<float>(g.get(), "final_adopted", H5T_NATIVE_FLOAT);
      const auto fi = read_vector<float>(g.get(), "final_internalized", H5T_NATIVE_FLOAT);
      const auto t50 = read_vector<std::int32_t>(g.get(), "t50", H5T_NATIVE_INT32);
      const auto pc = read_vector<float>(g.get(), "peak_compliance", H5T_NATIVE_FLOAT);
      const auto pr = read_vector<float>(g.get(), "peak_resistance", H5T_NATIVE_FLOAT);
      const auto dr = read_vector<std::int32_t>(g.get(), "departments_reached", H5T_NATIVE_INT32);
      std::vector<engine::TrialMetrics> m(fa.size());
      for (std::size_t k = 0; k < fa.size(); ++k) m[k] = {fa[k], fi[k], t50[k], pc[k], pr[k], dr[k]};
      r.metrics.push_back(std::move(m));
    }
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const InputError*>(&e)) throw;
    throw InputError(path + ": damaged or incomplete results file (" + e.what() + ")");
  }
  return r;
}

}  // namespace groundswell::io
