// The sweep results file (HDF5, C API). Layout: docs/sweeps.md.
#include "groundswell/sweep/sweep_file.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "groundswell/version.hpp"
#include "io/hdf5.hpp"

namespace groundswell::sweep {
namespace {

namespace h5 = io::hdf5;
using Element = ElementType;
using h5::Handle;

// About 64 Ki elements per chunk, with Fletcher-32 checksums.
constexpr h5::Layout kLayout{};

h5::Element element(Element e) {
  switch (e) {
    case Element::F32:
      return h5::Element::F32;
    case Element::F64:
      return h5::Element::F64;
    case Element::I32:
      return h5::Element::I32;
    case Element::U64:
      break;
  }
  return h5::Element::U64;
}
hid_t file_type(Element e) { return h5::file_type(element(e)); }
hid_t memory_type(Element e) { return h5::memory_type(element(e)); }

void put_rows(hid_t dataset, Element e, hsize_t first, hsize_t rows, const void* data) {
  h5::write_rows(dataset, memory_type(e), first, rows, data);
}
void get_rows(hid_t dataset, Element e, hsize_t first, hsize_t rows, void* data) {
  h5::read_rows(dataset, memory_type(e), first, rows, data);
}

constexpr const char* kFormat = "groundswell-sweep";
constexpr int kFormatVersion = 2;  // 2: model v2 (t50 as float with NaN = not reached, t50_internalized)

struct MetricColumn {
  const char* name;
  Element element;
  bool censored;  ///< a time to 50%: NaN where not reached by T; stats over the trials that reached it
};
constexpr MetricColumn kMetrics[] = {
    {"final_internalized", Element::F32, false},       {"final_adopted", Element::F32, false},
    {"t50_internalized", Element::F32, true},          {"t50", Element::F32, true},
    {"peak_compliance", Element::F32, false},          {"peak_resistance", Element::F32, false},
    {"departments_internalized", Element::I32, false}, {"departments_reached", Element::I32, false}};

double metric_value(const engine::TrialMetrics& m, std::size_t k) {
  auto time = [](const std::optional<std::int32_t>& t) { return t ? static_cast<double>(*t) : NAN; };
  switch (k) {
    case 0:
      return m.final_internalized;
    case 1:
      return m.final_adopted;
    case 2:
      return time(m.t50_internalized);
    case 3:
      return time(m.t50);
    case 4:
      return m.peak_compliance;
    case 5:
      return m.peak_resistance;
    case 6:
      return m.departments_internalized;
    default:
      return m.departments_reached;
  }
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

/// Mean, sample standard deviation and quantiles of values (NaN where undefined).
struct Stats {
  double mean = NAN, sd = NAN;
  std::vector<double> quantiles = std::vector<double>(kQuantileCount, NAN);
};
Stats describe(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  if (v.size() > 1) {
    double ss = 0;
    for (double x : v) ss += (x - s.mean) * (x - s.mean);
    s.sd = std::sqrt(ss / static_cast<double>(v.size() - 1));
  }
  std::sort(v.begin(), v.end());
  for (std::size_t q = 0; q < kQuantileCount; ++q) s.quantiles[q] = quantile_sorted(v, kQuantiles[q]);
  return s;
}

}  // namespace

std::string engine_build() { return std::string("groundswell ") + kVersion + " (" + kGitCommit + ")"; }

struct SweepFileWriter::Impl {
  explicit Impl(const std::string& path) : file(path) {}
  h5::OutputFile file;  // declared before the datasets: closed after them
  std::vector<std::uint64_t> points;
  std::vector<Column> columns;
  std::vector<Handle> datasets;
  std::map<std::string, std::size_t> by_path;
  std::vector<bool> filled;
  std::size_t scenarios = 0, parameters = 0, trials = 0, row = 0;
  bool curves = false, saltelli = false;
  std::vector<std::string> scenario_names;

  /// Writes the attributes and creates every dataset of the file.
  void create(const Plan& plan, std::vector<std::uint64_t> chosen, const RunInfo& run);

  void add(hid_t root, const std::string& p, Element e, std::vector<hsize_t> row_dims) {
    std::vector<hsize_t> dims{static_cast<hsize_t>(points.size())};
    std::uint64_t n = 1;
    for (hsize_t k : row_dims) {
      dims.push_back(k);
      n *= k;
    }
    by_path[p] = columns.size();
    columns.push_back({p, e, n, dims.size()});
    datasets.push_back(h5::create_dataset(root, p, file_type(e), dims, kLayout));
  }

  template <typename T>
  void put(std::uint64_t r, const std::string& p, const std::vector<T>& v) {
    const std::size_t c = by_path.at(p);
    if (v.size() != columns[c].row_elements || sizeof(T) != h5::element_size(element(columns[c].type)))
      throw std::logic_error("sweep file: row of " + p + " has the wrong size");
    put_rows(datasets[c].get(), columns[c].type, r, 1, v.data());
  }
};

SweepFileWriter::SweepFileWriter(const std::string& path, const Plan& plan, std::vector<std::uint64_t> points,
                                 const RunInfo& run) {
  try {
    impl_ = std::make_unique<Impl>(path);
    impl_->create(plan, std::move(points), run);
  } catch (const std::runtime_error& e) {
    impl_.reset();  // closes and removes the temporary
    throw write_error("sweep file", path, e.what());
  }
}

void SweepFileWriter::Impl::create(const Plan& plan, std::vector<std::uint64_t> chosen, const RunInfo& run) {
  Impl& m = *this;
  m.points = std::move(chosen);
  m.filled.assign(m.points.size(), false);
  const hid_t root = m.file.root();
  const model::ExperimentSpec& x = plan.base();
  const SweepSpec& spec = plan.spec();
  m.scenario_names = spec.scenarios;
  m.scenarios = spec.scenarios.size();
  m.parameters = plan.parameters().size();
  m.trials = spec.trials;
  m.row = static_cast<std::size_t>(x.steps) + 1;
  m.curves = spec.curves;
  m.saltelli = spec.design.design == Design::Saltelli;

  std::vector<std::string> names;
  for (const auto& p : plan.parameters()) names.push_back(p.name);
  const int complete = m.points.size() == plan.points() ? 1 : 0, with_curves = spec.curves;
  const std::uint64_t samples = spec.design.samples, total = plan.points(), held = m.points.size(),
                      trial_count = spec.trials;
  const std::int64_t steps = x.steps;
  h5::write_provenance(root, kFormat, kFormatVersion);
  h5::write_string_attribute(root, "experiment", x.name);
  h5::write_string_attribute(root, "scenario_file", x.source_path);
  h5::write_string_attribute(root, "scenario_text", x.source_text);
  h5::write_string_attribute(root, "overrides", x.overrides);
  h5::write_string_attribute(root, "fingerprint", plan.fingerprint());
  h5::write_string_attribute(root, "design", to_string(spec.design.design));
  h5::write_number_attribute(root, "samples", H5T_NATIVE_UINT64, &samples);
  h5::write_number_attribute(root, "points_total", H5T_NATIVE_UINT64, &total);
  h5::write_number_attribute(root, "points", H5T_NATIVE_UINT64, &held);
  h5::write_number_attribute(root, "complete", H5T_NATIVE_INT, &complete);
  h5::write_string_attribute(root, "shard", run.shard);
  h5::write_number_attribute(root, "seed", H5T_NATIVE_UINT64, &x.seed);
  h5::write_number_attribute(root, "trials", H5T_NATIVE_UINT64, &trial_count);
  h5::write_number_attribute(root, "steps", H5T_NATIVE_INT64, &steps);
  h5::write_string_attribute(root, "scenarios", join(spec.scenarios));
  h5::write_string_attribute(root, "parameters", join(names));
  h5::write_number_attribute(root, "curves", H5T_NATIVE_INT, &with_curves);
  h5::write_number_attribute(root, "threads", H5T_NATIVE_UINT, &run.threads);
  h5::write_number_attribute(root, "ranks", H5T_NATIVE_UINT, &run.ranks);

  {
    Handle q = h5::create_dataset(root, "quantiles", file_type(Element::F64), {kQuantileCount}, kLayout);
    put_rows(q.get(), Element::F64, 0, kQuantileCount, kQuantiles);
    q.close("close dataset quantiles");
  }
  for (std::size_t j = 0; j < plan.parameters().size(); ++j) {
    const Parameter& p = plan.parameters()[j];
    Handle g = h5::create_group(root, "parameters/" + p.name);
    const int column = static_cast<int>(j);
    h5::write_number_attribute(g.get(), "column", H5T_NATIVE_INT, &column);
    h5::write_string_attribute(g.get(), "kind", to_string(p.kind));
    h5::write_number_attribute(g.get(), "min", H5T_NATIVE_DOUBLE, &p.min);
    h5::write_number_attribute(g.get(), "max", H5T_NATIVE_DOUBLE, &p.max);
    if (p.kind == Kind::Levels) {
      const int numeric = p.numeric_levels;
      h5::write_number_attribute(g.get(), "numeric", H5T_NATIVE_INT, &numeric);
      h5::write_string_dataset(g.get(), "labels", p.labels);
      Handle lv = h5::create_dataset(g.get(), "levels", file_type(Element::F64), {p.levels.size()}, kLayout);
      put_rows(lv.get(), Element::F64, 0, p.levels.size(), p.levels.data());
      lv.close("close dataset levels");
    }
  }

  m.add(root, "points/index", Element::U64, {});
  m.add(root, "points/seed", Element::U64, {});
  m.add(root, "points/values", Element::F64, {m.parameters});
  if (m.saltelli) {
    m.add(root, "points/saltelli_row", Element::U64, {});
    m.add(root, "points/saltelli_matrix", Element::I32, {});
  }
  const hsize_t Q = kQuantileCount, K = m.trials, T1 = m.row;
  for (std::size_t s = 0; s < m.scenarios; ++s) {
    const std::string& name = spec.scenarios[s];
    const auto it =
        std::find_if(x.scenarios.begin(), x.scenarios.end(), [&](const auto& sc) { return sc.name == name; });
    const std::string g = "scenarios/" + name + "/";
    {
      Handle group = h5::create_group(root, "scenarios/" + name);
      const int index = static_cast<int>(s);
      h5::write_string_attribute(group.get(), "rule", model::to_string(it->rule));
      h5::write_string_attribute(group.get(), "description", it->description);
      h5::write_number_attribute(group.get(), "index", H5T_NATIVE_INT, &index);
      std::ostringstream params;
      for (const auto& [k, v] : it->parameters) params << k << " = " << v << "\n";
      h5::write_string_attribute(group.get(), "parameters", params.str());
    }
    for (const auto& metric : kMetrics) {
      const std::string base = g + "metrics/" + metric.name + "/";
      m.add(root, base + "trials", metric.element, {K});
      m.add(root, base + "mean", Element::F64, {});
      m.add(root, base + "sd", Element::F64, {});
      m.add(root, base + "quantiles", Element::F64, {Q});
    }
    for (const auto& metric : kMetrics)
      if (metric.censored) m.add(root, g + "metrics/" + metric.name + "/reached", Element::F64, {});
    for (const char* c : kCurveNames) {
      const std::string base = g + "curves/" + c + "/";
      m.add(root, base + "mean", Element::F32, {T1});
      m.add(root, base + "quantiles", Element::F32, {Q, T1});
      if (m.curves) m.add(root, base + "trials", Element::F32, {K, T1});
    }
  }
  const auto expected = sweep_columns(plan);
  if (expected.size() != m.columns.size() ||
      !std::equal(expected.begin(), expected.end(), m.columns.begin(), [](const auto& a, const auto& b) {
        return a.path == b.path && a.type == b.type && a.row_elements == b.row_elements && a.rank == b.rank;
      }))
    throw std::logic_error("sweep file: sweep_columns() disagrees with the writer's layout");
}

std::vector<SweepFileWriter::Column> sweep_columns(const Plan& plan) {
  std::vector<SweepFileWriter::Column> v;
  auto add = [&](std::string path, Element e, std::uint64_t row, std::size_t rank = 1) {
    v.push_back({std::move(path), e, row, rank});
  };
  const SweepSpec& spec = plan.spec();
  const std::uint64_t Q = kQuantileCount, K = spec.trials, T1 = static_cast<std::uint64_t>(plan.base().steps) + 1;
  add("points/index", Element::U64, 1);
  add("points/seed", Element::U64, 1);
  add("points/values", Element::F64, plan.parameters().size(), 2);
  if (spec.design.design == Design::Saltelli) {
    add("points/saltelli_row", Element::U64, 1);
    add("points/saltelli_matrix", Element::I32, 1);
  }
  for (const std::string& name : spec.scenarios) {
    const std::string g = "scenarios/" + name + "/";
    for (const auto& metric : kMetrics) {
      const std::string base = g + "metrics/" + metric.name + "/";
      add(base + "trials", metric.element, K, 2);
      add(base + "mean", Element::F64, 1);
      add(base + "sd", Element::F64, 1);
      add(base + "quantiles", Element::F64, Q, 2);
    }
    for (const auto& metric : kMetrics)
      if (metric.censored) add(g + "metrics/" + metric.name + "/reached", Element::F64, 1);
    for (const char* c : kCurveNames) {
      const std::string base = g + "curves/" + c + "/";
      add(base + "mean", Element::F32, T1, 2);
      add(base + "quantiles", Element::F32, Q * T1, 3);
      if (spec.curves) add(base + "trials", Element::F32, K * T1, 3);
    }
  }
  return v;
}

SweepFileWriter::~SweepFileWriter() {
  if (impl_->file.committed()) return;
  impl_->datasets.clear();
  impl_->file.abandon();
}

const std::vector<SweepFileWriter::Column>& SweepFileWriter::columns() const { return impl_->columns; }

void SweepFileWriter::write(const PointResult& r) try {
  Impl& m = *impl_;
  const auto it = std::lower_bound(m.points.begin(), m.points.end(), r.index);
  if (it == m.points.end() || *it != r.index)
    throw std::logic_error("sweep file: point " + std::to_string(r.index) + " is not one of this file's points");
  const auto row = static_cast<std::uint64_t>(it - m.points.begin());
  if (r.scenarios.size() != m.scenarios || r.values.size() != m.parameters)
    throw std::logic_error("sweep file: point " + std::to_string(r.index) + " does not match the sweep");
  m.put(row, "points/index", std::vector<std::uint64_t>{r.index});
  m.put(row, "points/seed", std::vector<std::uint64_t>{r.seed});
  m.put(row, "points/values", r.values);
  if (m.saltelli) {
    const std::uint64_t width = m.parameters + 2;
    m.put(row, "points/saltelli_row", std::vector<std::uint64_t>{r.index / width});
    m.put(row, "points/saltelli_matrix", std::vector<std::int32_t>{static_cast<std::int32_t>(r.index % width)});
  }
  for (std::size_t s = 0; s < m.scenarios; ++s) {
    const ScenarioResult& sr = r.scenarios[s];
    const std::string g = "scenarios/" + m.scenario_names[s] + "/";
    if (sr.trials.size() != m.trials) throw std::logic_error("sweep file: wrong number of trials");
    for (std::size_t k = 0; k < std::size(kMetrics); ++k) {
      const std::string base = g + "metrics/" + kMetrics[k].name + "/";
      std::vector<double> values;
      if (kMetrics[k].element == Element::I32) {
        std::vector<std::int32_t> raw;
        for (const auto& t : sr.trials) raw.push_back(static_cast<std::int32_t>(metric_value(t, k)));
        m.put(row, base + "trials", raw);
      } else {
        std::vector<float> raw;
        for (const auto& t : sr.trials) raw.push_back(static_cast<float>(metric_value(t, k)));
        m.put(row, base + "trials", raw);
      }
      std::size_t reached = 0;
      for (const auto& t : sr.trials) {
        const double v = metric_value(t, k);
        if (std::isnan(v)) continue;  // a time to 50%: over the trials that reached it
        values.push_back(v);
        ++reached;
      }
      const Stats st = describe(values);
      m.put(row, base + "mean", std::vector<double>{st.mean});
      m.put(row, base + "sd", std::vector<double>{st.sd});
      m.put(row, base + "quantiles", st.quantiles);
      if (kMetrics[k].censored)
        m.put(row, base + "reached",
              std::vector<double>{static_cast<double>(reached) /
                                  static_cast<double>(std::max<std::size_t>(1, m.trials))});
    }
    for (std::size_t c = 0; c < kCurveCount; ++c) {
      const std::string base = g + "curves/" + kCurveNames[c] + "/";
      m.put(row, base + "mean", sr.mean[c]);
      m.put(row, base + "quantiles", sr.quantiles[c]);
      if (m.curves) m.put(row, base + "trials", sr.curves[c]);
    }
  }
  m.filled[row] = true;
} catch (const std::runtime_error& e) {
  throw write_error("sweep file", impl_->file.path(), e.what());
}

void SweepFileWriter::write_rows(std::size_t c, std::uint64_t first_row, std::uint64_t rows, const void* data) try {
  Impl& m = *impl_;
  put_rows(m.datasets.at(c).get(), m.columns[c].type, first_row, rows, data);
  if (m.columns[c].path == "points/index")
    for (std::uint64_t r = first_row; r < first_row + rows; ++r) m.filled.at(r) = true;
} catch (const std::runtime_error& e) {
  throw write_error("sweep file", impl_->file.path(), e.what());
}

void SweepFileWriter::finish() {
  Impl& m = *impl_;
  const auto missing = std::count(m.filled.begin(), m.filled.end(), false);
  if (missing) throw std::logic_error("sweep file: " + std::to_string(missing) + " points were never written");
  try {
    m.file.commit([&] { m.datasets.clear(); });
  } catch (const std::runtime_error& e) {
    throw write_error("sweep file", m.file.path(), e.what());
  }
}

namespace {

Handle open_sweep(const std::string& path) {
  h5::quiet_errors();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(path + ": file not found");
  if (H5Fis_hdf5(path.c_str()) <= 0)
    throw InputError(path + ": not an HDF5 file (expected a sweep file written by 'groundswell sweep'), or damaged");
  Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open " + path);
  const std::string format = h5::read_string_attribute(file.get(), "format");
  if (format != kFormat)
    throw InputError(path + ": an HDF5 file, but not a Groundswell sweep file (format = \"" + format +
                     "\", expected \"" + kFormat + "\")");
  int version = 0;
  h5::read_number_attribute(file.get(), "format_version", H5T_NATIVE_INT, &version);
  if (version != kFormatVersion)
    throw InputError(path + ": sweep file format version " + std::to_string(version) + ", this groundswell reads " +
                     std::to_string(kFormatVersion));
  return file;
}

[[noreturn]] void damaged(const std::string& path, const std::exception& e) {
  if (auto* input = dynamic_cast<const InputError*>(&e)) throw *input;
  throw InputError(path + ": damaged or incomplete sweep file (" + e.what() + ")");
}

}  // namespace

std::string not_a_sweep_file(const std::string& path) {
  h5::quiet_errors();
  if (H5Fis_hdf5(path.c_str()) <= 0) return "not an HDF5 file";
  try {
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open " + path);
    const std::string format = h5::read_string_attribute(file.get(), "format");
    if (!format.empty() && format != kFormat) return "an HDF5 file of format \"" + format + "\"";
  } catch (const std::exception&) {  // an HDF5 file that does not open: perhaps a damaged sweep file
  }
  return {};
}

SweepFileInfo read_sweep_info(const std::string& path) {
  SweepFileInfo info;
  try {
    Handle file = open_sweep(path);
    const hid_t root = file.get();
    info.fingerprint = h5::read_string_attribute(root, "fingerprint");
    info.build = "groundswell " + h5::read_string_attribute(root, "groundswell_version") + " (" +
                 h5::read_string_attribute(root, "git_commit") + ")";
    info.scenario_file = h5::read_string_attribute(root, "scenario_file");
    info.scenario_text = h5::read_string_attribute(root, "scenario_text");
    info.shard = h5::read_string_attribute(root, "shard");
    info.design = h5::read_string_attribute(root, "design");
    int complete = 0;
    h5::read_number_attribute(root, "points_total", H5T_NATIVE_UINT64, &info.points_total);
    h5::read_number_attribute(root, "complete", H5T_NATIVE_INT, &complete);
    info.complete = complete != 0;
    std::uint64_t held = 0;
    if (!h5::read_number_attribute(root, "points", H5T_NATIVE_UINT64, &held))
      throw std::runtime_error("missing attribute points");
    Handle ds(H5Dopen2(root, "points/index", H5P_DEFAULT), H5Dclose, "open points/index");
    const std::vector<hsize_t> dims = h5::dataset_dims(ds.get());
    if (dims.size() != 1) throw std::runtime_error("points/index is not one-dimensional");
    if (dims[0] != held)
      throw std::runtime_error("points/index holds " + std::to_string(dims[0]) + " points, the attribute points says " +
                               std::to_string(held));
    info.index.resize(dims[0]);
    get_rows(ds.get(), Element::U64, 0, dims[0], info.index.data());
    for (std::size_t k = 0; k < info.index.size(); ++k)
      if (info.index[k] >= info.points_total || (k && info.index[k] <= info.index[k - 1]))
        throw std::runtime_error("points/index is not an ascending list of points below points_total");
    if (info.fingerprint.empty() || info.scenario_text.empty())
      throw std::runtime_error("missing attribute fingerprint or scenario_text");
  } catch (const std::exception& e) {
    damaged(path, e);
  }
  return info;
}

struct SweepFileReader::Impl {
  std::string path;
  Handle file;
  hsize_t rows = 0;
  mutable std::map<std::string, Handle> open;
};

SweepFileReader::SweepFileReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  try {
    impl_->file = open_sweep(path);
    std::uint64_t held = 0;
    h5::read_number_attribute(impl_->file.get(), "points", H5T_NATIVE_UINT64, &held);
    impl_->rows = held;
  } catch (const std::exception& e) {
    damaged(path, e);
  }
}

SweepFileReader::~SweepFileReader() = default;

void SweepFileReader::read_rows(const SweepFileWriter::Column& column, std::uint64_t first, std::uint64_t rows,
                                void* data) const {
  try {
    auto it = impl_->open.find(column.path);
    if (it == impl_->open.end()) {
      Handle ds(H5Dopen2(impl_->file.get(), column.path.c_str(), H5P_DEFAULT), H5Dclose, "open dataset " + column.path);
      const std::vector<hsize_t> dims = h5::dataset_dims(ds.get());
      std::uint64_t row = 1;
      for (std::size_t k = 1; k < dims.size(); ++k) row *= dims[k];
      Handle type(H5Dget_type(ds.get()), H5Tclose, "get type");
      if (dims.size() != column.rank || dims[0] != impl_->rows || row != column.row_elements ||
          H5Tequal(type.get(), file_type(column.type)) <= 0)
        throw std::runtime_error("dataset " + column.path + " has an unexpected shape or type");
      it = impl_->open.emplace(column.path, std::move(ds)).first;
    }
    get_rows(it->second.get(), column.type, first, rows, data);
  } catch (const std::exception& e) {
    damaged(impl_->path, e);
  }
}

void verify_sweep_file(const std::string& path, const Plan& plan) {
  const SweepFileInfo info = read_sweep_info(path);
  const SweepFileReader reader(path);
  const std::uint64_t rows = info.index.size();
  std::vector<char> buffer;
  for (const auto& column : sweep_columns(plan)) {
    const std::uint64_t row_bytes = column.row_elements * h5::element_size(element(column.type));
    const std::uint64_t block =
        std::max<std::uint64_t>(1, (std::uint64_t{64} << 20) / std::max<std::uint64_t>(1, row_bytes));
    for (std::uint64_t first = 0; first < std::max<std::uint64_t>(rows, 1); first += block) {
      const std::uint64_t n = std::min(block, rows - std::min(rows, first));
      buffer.resize(n * row_bytes);
      reader.read_rows(column, first, n, buffer.data());  // n = 0 checks the shape and type only
    }
  }
}

}  // namespace groundswell::sweep
