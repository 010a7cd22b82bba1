// HDF5 results file, C API. Layout: docs/output.md.
#include "groundswell/io/results_writer.hpp"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "io/hdf5.hpp"
#include "safe_write.hpp"

namespace groundswell::io {
namespace {

constexpr const char* kFormat = "groundswell-results";
constexpr int kFormatVersion = 1;

using hdf5::check;
using hdf5::Handle;

// Chunks of about 16384 values (64 KiB of floats): large enough to compress
// well, small enough that the one chunk being filled is all a dataset holds in
// memory, whatever the number of trials.
constexpr hdf5::Layout kLayout{16384, false, true};

template <typename T>
void number_attribute(hid_t obj, const char* name, hid_t type, T value) {
  hdf5::write_number_attribute(obj, name, type, &value);
}

/// A chunked, compressed dataset of fixed shape, filled by rows along dimension 0.
Handle dataset(hid_t parent, const std::string& name, hid_t type, const std::vector<hsize_t>& dims) {
  return hdf5::create_dataset(parent, name, type, dims, kLayout);
}

const char* const kCurveNames[] = {
    "N", "C", "A", "R", "mean_autonomy", "mean_competence", "mean_relatedness", "mean_pressure"};
constexpr int kCurveCount = 8;
const char* const kMetricNames[] = {"final_adopted",   "final_internalized", "t50",
                                    "peak_compliance", "peak_resistance",    "departments_reached"};

}  // namespace

struct ResultsWriter::Impl {
  const model::ExperimentSpec& experiment;
  hdf5::OutputFile file;  // declared before the datasets: closed after them
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
  std::vector<float> buffer;
  std::vector<std::int32_t> ibuffer;

  Impl(const std::string& p, const model::ExperimentSpec& x) : experiment(x), file(p) {}

  /// The error to report when writing fails: names the output, the cause
  /// and, for a full disk, what to do. Nothing is left under either name.
  std::runtime_error failure(const std::string& what) const { return write_error("results file", file.path(), what); }

  /// Closes and removes the temporary file without publishing it.
  void abandon() noexcept {
    scenarios.clear();
    file.abandon();
  }
};

ResultsWriter::ResultsWriter(const std::string& path, const model::ExperimentSpec& x, unsigned threads) {
  try {
    impl_ = std::make_unique<Impl>(path, x);
  } catch (const std::runtime_error& e) {  // the temporary cannot be created
    throw write_error("results file", path, e.what());
  }
  try {
    create(x, threads);
  } catch (const std::runtime_error& e) {
    impl_->abandon();
    throw impl_->failure(e.what());
  }
}

void ResultsWriter::create(const model::ExperimentSpec& x, unsigned threads) {
  const hid_t root = impl_->file.root();
  hdf5::write_provenance(root, kFormat, kFormatVersion,
                         {{"experiment", x.name}, {"scenario_file", x.source_path}, {"scenario_text", x.source_text}});
  number_attribute(root, "seed", H5T_NATIVE_UINT64, x.seed);
  number_attribute(root, "trials", H5T_NATIVE_UINT64, std::uint64_t{x.trials});
  number_attribute(root, "steps", H5T_NATIVE_INT64, std::int64_t{x.steps});
  number_attribute(root, "threads", H5T_NATIVE_UINT, threads);
  std::string names;
  for (const auto& s : x.scenarios) names += (names.empty() ? "" : ",") + s.name;
  hdf5::write_string_attribute(root, "scenarios", names);

  Handle top = hdf5::create_group(root, "scenarios");
  impl_->scenarios.resize(x.scenarios.size());
  for (std::size_t s = 0; s < x.scenarios.size(); ++s) {
    const auto& spec = x.scenarios[s];
    auto& d = impl_->scenarios[s];
    d.group_handle = hdf5::create_group(top.get(), spec.name);
    d.group = d.group_handle.get();
    hdf5::write_string_attribute(d.group, "rule", model::to_string(spec.rule));
    hdf5::write_string_attribute(d.group, "description", spec.description);
    number_attribute(d.group, "index", H5T_NATIVE_INT, static_cast<int>(s));
    std::ostringstream params;
    for (const auto& [k, v] : spec.parameters) params << k << " = " << v << "\n";
    hdf5::write_string_attribute(d.group, "parameters", params.str());
    Handle curves = hdf5::create_group(d.group, "curves");
    const std::vector<hsize_t> dims{x.trials, static_cast<hsize_t>(x.steps) + 1};
    for (int c = 0; c < kCurveCount; ++c) d.curves[c] = dataset(curves.get(), kCurveNames[c], H5T_IEEE_F32LE, dims);
    Handle metrics = hdf5::create_group(d.group, "metrics");
    for (int m = 0; m < 6; ++m) {
      const bool integer = m == 2 || m == 5;
      d.metrics[m] = dataset(metrics.get(), kMetricNames[m], integer ? H5T_STD_I32LE : H5T_IEEE_F32LE, {x.trials});
    }
  }
}

ResultsWriter::~ResultsWriter() {
  if (!impl_->file.committed()) impl_->abandon();
}

const std::string& ResultsWriter::temporary_path() const noexcept { return impl_->file.temporary(); }

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
      hdf5::write_rows(d.curves[c].get(), H5T_NATIVE_FLOAT, first, rows, buf.data());
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
      hdf5::write_rows(size_ds.get(), H5T_NATIVE_INT32, 0, size_values.size(), size_values.data());
      size_ds.close("close dataset department_size");
      d.department_size = sizes;
    }
    buf.clear();
    for (const auto& tc : curves[s]) {
      if (tc.departments != d.departments || tc.department_size != d.department_size)
        throw std::runtime_error("trials of scenario " + std::to_string(s) + " differ in their departments");
      buf.insert(buf.end(), tc.department_adopted.begin(), tc.department_adopted.end());
    }
    if (d.departments > 0) hdf5::write_rows(d.department_adopted.get(), H5T_NATIVE_FLOAT, first, rows, buf.data());
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
      hdf5::write_rows(d.metrics[m].get(), integer ? H5T_NATIVE_INT32 : H5T_NATIVE_FLOAT, first, rows,
                       integer ? static_cast<const void*>(ibuf.data()) : static_cast<const void*>(buf.data()));
    }
  }
} catch (const std::runtime_error& e) {
  throw impl_->failure(e.what());
}

void ResultsWriter::finish() try {
  // A file is renamed into place only when all of it is on the disk. On
  // failure the temporary is removed.
  impl_->file.commit([&] { impl_->scenarios.clear(); });  // datasets and groups: their data went out with the flush
} catch (const std::runtime_error& e) {
  throw impl_->failure(e.what());
}

namespace {

template <typename T>
T read_number_attribute(hid_t obj, const char* name, hid_t mem_type) {
  T value{};
  hdf5::read_number_attribute(obj, name, mem_type, &value);
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
  hdf5::quiet_errors();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(path + ": file not found");
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw InputError(path + ": not an HDF5 file (expected the output of 'groundswell run')");
  ResultsSummary r;
  try {
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open " + path);
    const hid_t root = file.get();
    if (hdf5::read_string_attribute(root, "format") != kFormat)
      throw InputError(path +
                       ": an HDF5 file, but not a Groundswell results file (no format = \"groundswell-results\")");
    r.experiment = hdf5::read_string_attribute(root, "experiment");
    r.version = hdf5::read_string_attribute(root, "groundswell_version");
    r.git_commit = hdf5::read_string_attribute(root, "git_commit");
    r.created = hdf5::read_string_attribute(root, "created");
    r.seed = read_number_attribute<std::uint64_t>(root, "seed", H5T_NATIVE_UINT64);
    r.trials = read_number_attribute<std::uint64_t>(root, "trials", H5T_NATIVE_UINT64);
    r.steps = read_number_attribute<std::int64_t>(root, "steps", H5T_NATIVE_INT64);
    std::stringstream names(hdf5::read_string_attribute(root, "scenarios"));
    for (std::string name; std::getline(names, name, ',');) r.scenarios.push_back(name);
    for (const auto& name : r.scenarios) {
      Handle g(H5Gopen2(root, ("scenarios/" + name + "/metrics").c_str(), H5P_DEFAULT), H5Gclose,
               "open metrics of scenario " + name);
      if (r.rule.empty()) {
        Handle sg(H5Gopen2(root, ("scenarios/" + name).c_str(), H5P_DEFAULT), H5Gclose, "open scenario");
        r.rule = hdf5::read_string_attribute(sg.get(), "rule");
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
