// HDF5 results file, C API. Layout: docs/output.md.
#include "groundswell/io/results_writer.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "groundswell/experiment/memory.hpp"
#include "io/hdf5.hpp"
#include "safe_write.hpp"

namespace groundswell::io {
namespace {

constexpr const char* kFormat = "groundswell-results";
constexpr int kFormatVersion = 2;                // 2: model v2 (censored times as NaN, attribution)
constexpr std::uint64_t kMaxTrials = 100000000;  // the most `run --trials` takes: a larger count is damage

using hdf5::Handle;

// Chunks of about 16384 values (64 KiB of floats): large enough to compress
// well, small enough that the one chunk being filled is all a dataset holds in
// memory, whatever the number of trials.
constexpr hdf5::Layout kLayout{16384, false, true};

template <typename T>
void number_attribute(hid_t obj, const char* name, hid_t type, T value) {
  hdf5::write_number_attribute(obj, name, type, &value);
}

/// The dimension scales: name -> units and description.
const std::map<std::string, std::pair<std::string, std::string>> kScales = {
    {"trial", {"1", "trial index (trial k of every scenario shares its organization)"}},
    {"week", {"week", "step (week); step 0 is the initial state"}},
    {"department", {"1", "department id, as in department_name"}},
    {"agent", {"1", "agent id"}},
};

/// A chunked, compressed dataset of fixed shape, filled by rows along dimension 0.
Handle dataset(hid_t parent, const std::string& name, hid_t type, const std::vector<hsize_t>& dims) {
  return hdf5::create_dataset(parent, name, type, dims, kLayout);
}

/// One trial of one scenario, as the writer reads it.
struct TrialView {
  const engine::TrialCurves& curves;
  const engine::TrialMetrics& metrics;
  const engine::TrialAttribution& attribution;
};

/// What a dataset holds per trial: one value, one per step, one per step
/// and department, or one per agent.
enum class Shape { Trial, Step, StepDepartment, Agent };

/// One dataset of a scenario (docs/output.md): its path under the
/// scenario's group, its element, its shape, its `units` and `description`
/// attributes and the values of one trial.
struct Series {
  std::string path;
  hdf5::Element element;  // F32 or I32 (int8 in the file for agent roles, see kInt8)
  Shape shape;
  std::function<void(const TrialView&, std::vector<float>&)> floats;
  std::function<void(const TrialView&, std::vector<std::int32_t>&)> integers;
  bool int8 = false;
  std::string units;
  std::string description;
};

template <typename T>
void append(std::vector<T>& out, const std::vector<T>& v) {
  out.insert(out.end(), v.begin(), v.end());
}

/// A time to 50%: NaN when not reached by T (censored, docs/output.md).
float censored(const std::optional<std::int32_t>& t) {
  return t ? static_cast<float>(*t) : std::numeric_limits<float>::quiet_NaN();
}

/// The names of the dimensions of a dataset of shape `shape` (docs/output.md).
std::vector<std::string> dimension_names(Shape shape) {
  switch (shape) {
    case Shape::Trial:
      return {"trial"};
    case Shape::Step:
      return {"trial", "week"};
    case Shape::StepDepartment:
      return {"trial", "week", "department"};
    case Shape::Agent:
      return {"trial", "agent"};
  }
  return {};
}

/// Every dataset of a scenario, in the order of docs/output.md, with its
/// units ("1" for a share or a code, as in CF) and description.
std::vector<Series> scenario_series(const model::RecordSpec& record) {
  using E = hdf5::Element;
  using Curve = std::function<const std::vector<float>&(const TrialView&)>;
  std::vector<Series> v;
  auto step = [&](std::string path, const char* units, const char* what, Curve get) {
    v.push_back({std::move(path), E::F32, Shape::Step,
                 [get](const TrialView& t, std::vector<float>& out) { append(out, get(t)); }, nullptr, false, units,
                 what});
  };
  auto metric = [&](std::string path, const char* units, const char* what, std::function<float(const TrialView&)> get) {
    v.push_back({std::move(path), E::F32, Shape::Trial,
                 [get](const TrialView& t, std::vector<float>& out) { out.push_back(get(t)); }, nullptr, false, units,
                 what});
  };
  auto count = [&](std::string path, const char* what, std::function<std::int32_t(const TrialView&)> get) {
    v.push_back({std::move(path), E::I32, Shape::Trial, nullptr,
                 [get](const TrialView& t, std::vector<std::int32_t>& out) { out.push_back(get(t)); }, false,
                 "departments", what});
  };
  auto share = [](int s) -> Curve {
    return [s](const TrialView& t) -> const std::vector<float>& { return t.curves.share[static_cast<std::size_t>(s)]; };
  };
  step("curves/A", "1", "share of agents internalized (state A)", share(2));
  step("curves/C", "1", "share of agents complying (state C; agreement: opinion AB)", share(1));
  step("curves/N", "1", "share of agents not yet adopted (state N)", share(0));
  step("curves/R", "1", "share of agents resisting (state R, sdt only)", share(3));
  step("curves/mean_autonomy", "1", "mean autonomy a over agents",
       [](const TrialView& t) -> const std::vector<float>& { return t.curves.mean_autonomy; });
  step("curves/mean_competence", "1", "mean competence c over agents",
       [](const TrialView& t) -> const std::vector<float>& { return t.curves.mean_competence; });
  step("curves/mean_relatedness", "1", "mean relatedness r over agents",
       [](const TrialView& t) -> const std::vector<float>& { return t.curves.mean_relatedness; });
  step("curves/mean_pressure", "1", "mean mandate pressure P over agents (0 at step 0)",
       [](const TrialView& t) -> const std::vector<float>& { return t.curves.mean_pressure; });
  v.push_back({"curves/active_champions", E::I32, Shape::Step, nullptr,
               [](const TrialView& t, std::vector<std::int32_t>& out) { append(out, t.curves.active_champions); },
               false, "agents", "champions still active (not burnt out) at the end of the step"});
  v.push_back({"curves/department_internalized", E::F32, Shape::StepDepartment,
               [](const TrialView& t, std::vector<float>& out) { append(out, t.curves.department_internalized); },
               nullptr, false, "1", "internalized share A within each department"});
  v.push_back({"curves/department_adopted", E::F32, Shape::StepDepartment,
               [](const TrialView& t, std::vector<float>& out) { append(out, t.curves.department_adopted); }, nullptr,
               false, "1", "adopted share A + C within each department"});
  metric("metrics/final_internalized", "1", "internalized share A at step T",
         [](const TrialView& t) { return t.metrics.final_internalized; });
  metric("metrics/final_adopted", "1", "adopted share A + C at step T",
         [](const TrialView& t) { return t.metrics.final_adopted; });
  metric("metrics/t50_internalized", "week", "first step with A >= 0.5; NaN if not reached by step T (censored)",
         [](const TrialView& t) { return censored(t.metrics.t50_internalized); });
  metric("metrics/t50", "week", "first step with A + C >= 0.5; NaN if not reached by step T (censored)",
         [](const TrialView& t) { return censored(t.metrics.t50); });
  metric("metrics/peak_compliance", "1", "max over steps of the complying share C",
         [](const TrialView& t) { return t.metrics.peak_compliance; });
  metric("metrics/peak_resistance", "1", "max over steps of the resisting share R",
         [](const TrialView& t) { return t.metrics.peak_resistance; });
  count("metrics/departments_internalized", "departments with A >= 0.5 at step T",
        [](const TrialView& t) { return t.metrics.departments_internalized; });
  count("metrics/departments_reached", "departments with A + C >= 0.5 at step T",
        [](const TrialView& t) { return t.metrics.departments_reached; });
  if (!record.attribution) return v;  // record.attribution = false: no attribution/ group
  const char* const causes[] = {
      "champions (classic rules: seeds) in A at step 0",
      "mandate issuers switched to A at mandate.start",
      "formal leaders switched to A at formalization",
      "spontaneous part of each N -> A entry",
      "peer part of each N -> A entry (caused by the people listened to)",
      "C -> A entries: compliance that became conviction",
  };
  static_assert(std::size(causes) == engine::kCauseCount);
  for (int c = 0; c < engine::kCauseCount; ++c)
    step(std::string("attribution/entries/") + engine::to_string(static_cast<engine::Cause>(c)), "agents", causes[c],
         [c](const TrialView& t) -> const std::vector<float>& {
           return t.attribution.entries[static_cast<std::size_t>(c)];
         });
  step("attribution/entries_complying", "agents", "entries into C (caused by pressure), net over the step",
       [](const TrialView& t) -> const std::vector<float>& { return t.attribution.entries_complying; });
  const char* const roles[] = {"everyone else", "formal leaders who are not champions",
                               "champions (active or burnt out)"};
  for (int r : {2, 1, 0})  // champions, formal leaders, others
    step(std::string("attribution/credit/") + engine::to_string(static_cast<engine::Role>(r)), "agents",
         (std::string("peer credit received by ") + roles[r]).c_str(),
         [r](const TrialView& t) -> const std::vector<float>& {
           return t.attribution.credit[static_cast<std::size_t>(r)];
         });
  if (record.credit) {
    v.push_back({"attribution/credit/by_agent", E::F32, Shape::Agent,
                 [](const TrialView& t, std::vector<float>& out) { append(out, t.attribution.credit_by_agent); },
                 nullptr, false, "agents", "each agent's peer credit summed over the run"});
    v.push_back({"attribution/credit/agent_role", E::I32, Shape::Agent, nullptr,
                 [](const TrialView& t, std::vector<std::int32_t>& out) {
                   out.insert(out.end(), t.attribution.agent_role.begin(), t.attribution.agent_role.end());
                 },
                 true, "1", "0 others, 1 formal leader, 2 champion"});
  }
  return v;
}

}  // namespace

struct ResultsWriter::Impl {
  const model::ExperimentSpec& experiment;
  hdf5::OutputFile file;  // declared before the datasets: closed after them
  struct ScenarioDatasets {
    std::vector<Series> series;
    std::vector<Handle> datasets;  // per series; those per department or agent made with the first batch
    DepartmentId departments = -1;
    std::vector<std::uint32_t> department_size;
    hid_t group = -1;
    Handle group_handle;
    std::map<std::string, Handle> scales;  // "curves/week" -> the dimension scale (docs/output.md)

    /// The dimension scale `name` (int32 0 .. n-1) of the group `dir` ("" for
    /// the scenario's group), made on first use: each group holding datasets
    /// has its own, so that a netCDF-4 reader opening the group sees its
    /// coordinates.
    hid_t scale(const std::string& dir, const std::string& name, hsize_t n) {
      const std::string path = dir.empty() ? name : dir + "/" + name;
      auto it = scales.find(path);
      if (it != scales.end()) return it->second.get();
      Handle ds = dataset(group, path, H5T_STD_I32LE, {n});
      std::vector<std::int32_t> values;
      for (hsize_t first = 0; first < n; first += 65536) {  // a trial axis can be long: a block at a time
        const hsize_t rows = std::min<hsize_t>(65536, n - first);
        values.resize(static_cast<std::size_t>(rows));
        for (hsize_t k = 0; k < rows; ++k) values[static_cast<std::size_t>(k)] = static_cast<std::int32_t>(first + k);
        hdf5::write_rows(ds.get(), H5T_NATIVE_INT32, first, rows, values.data());
      }
      const auto& [units, what] = kScales.at(name);
      hdf5::write_string_attribute(ds.get(), "units", units);
      hdf5::write_string_attribute(ds.get(), "description", what);
      hdf5::set_scale(ds.get(), name.c_str());
      return scales.emplace(path, std::move(ds)).first->second.get();
    }
  };
  std::vector<ScenarioDatasets> scenarios;
  std::vector<float> buffer;
  std::vector<std::int32_t> ibuffer;

  Impl(const std::string& p, const model::ExperimentSpec& x) : experiment(x), file(p) {}

  /// Attaches to every dimension of dataset `k` of `d` its scale in the
  /// dataset's group. @param sizes the length of each dimension
  static void attach_scales(ScenarioDatasets& d, std::size_t k, const std::vector<hsize_t>& sizes) {
    const Series& series = d.series[k];
    const auto slash = series.path.rfind('/');
    const std::string dir = slash == std::string::npos ? "" : series.path.substr(0, slash);
    const auto names = dimension_names(series.shape);
    for (std::size_t i = 0; i < names.size(); ++i)
      hdf5::attach_scale(d.datasets[k].get(), d.scale(dir, names[i], sizes[i]), static_cast<unsigned>(i));
  }

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

namespace {

Handle make_dataset(hid_t group, const Series& series, const std::vector<hsize_t>& dims) {
  Handle ds = dataset(group, series.path, series.int8 ? H5T_STD_I8LE : hdf5::file_type(series.element), dims);
  hdf5::write_string_attribute(ds.get(), "units", series.units);
  hdf5::write_string_attribute(ds.get(), "description", series.description);
  return ds;
}

}  // namespace

void ResultsWriter::create(const model::ExperimentSpec& x, unsigned threads) {
  const hid_t root = impl_->file.root();
  hdf5::write_provenance(root, kFormat, kFormatVersion,
                         {{"experiment", x.name}, {"scenario_file", x.source_path}, {"scenario_text", x.source_text}});
  hdf5::write_string_attribute(root, "overrides", x.overrides);
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
    d.series = scenario_series(spec.record);
    d.datasets.resize(d.series.size());
    for (std::size_t k = 0; k < d.series.size(); ++k) {
      const Series& series = d.series[k];
      if (series.shape == Shape::Trial) {
        d.datasets[k] = make_dataset(d.group, series, {x.trials});
        if (series.path.find("/t50") != std::string::npos)  // NaN = not reached by T (docs/output.md)
          number_attribute(d.datasets[k].get(), "censored_at", H5T_NATIVE_INT64, std::int64_t{x.steps});
      } else if (series.shape == Shape::Step) {
        d.datasets[k] = make_dataset(d.group, series, {x.trials, static_cast<hsize_t>(x.steps) + 1});
      }
      if (series.shape == Shape::Trial || series.shape == Shape::Step)
        impl_->attach_scales(d, k, {x.trials, static_cast<hsize_t>(x.steps) + 1});
    }
  }
}

ResultsWriter::~ResultsWriter() {
  if (!impl_->file.committed()) impl_->abandon();
}

const std::string& ResultsWriter::temporary_path() const noexcept { return impl_->file.temporary(); }

void ResultsWriter::write_batch(TrialIndex first, const experiment::TrialBatch& batch) try {
  hdf5::quiet_errors();  // HDF5's error stack is per thread, and batches come on the run's writer thread
  const auto steps = static_cast<hsize_t>(impl_->experiment.steps) + 1;
  auto& buf = impl_->buffer;
  auto& ibuf = impl_->ibuffer;
  for (std::size_t s = 0; s < batch.curves.size(); ++s) {
    auto& d = impl_->scenarios[s];
    const auto& curves = batch.curves[s];
    const auto rows = static_cast<hsize_t>(curves.size());
    if (rows == 0) continue;
    // Departments and agents are known only once an organization exists (files may differ from the spec).
    if (d.departments < 0) {
      const DepartmentId depts = curves.front().departments;
      d.departments = depts;
      number_attribute(d.group, "departments", H5T_NATIVE_INT, static_cast<int>(depts));
      const auto& sizes = curves.front().department_size;
      const auto width = static_cast<hsize_t>(std::max(depts, 1));
      Handle size_ds = dataset(d.group, "department_size", H5T_STD_I32LE, {width});
      std::vector<std::int32_t> size_values(sizes.begin(), sizes.end());
      size_values.resize(static_cast<std::size_t>(width), 0);
      hdf5::write_rows(size_ds.get(), H5T_NATIVE_INT32, 0, size_values.size(), size_values.data());
      hdf5::write_string_attribute(size_ds.get(), "units", "agents");
      hdf5::write_string_attribute(size_ds.get(), "description", "agents per department (the same in every trial)");
      const hid_t department = d.scale("", "department", width);
      hdf5::attach_scale(size_ds.get(), department, 0);
      size_ds.close("close dataset department_size");
      // The organization's names (files), else the ids; "0" for the one column of an organization without any.
      std::vector<std::string> names = curves.front().department_names;
      names.resize(static_cast<std::size_t>(width));
      for (std::size_t k = 0; k < names.size(); ++k)
        if (names[k].empty()) names[k] = std::to_string(k);
      Handle name_ds = hdf5::string_dataset(d.group, "department_name", names);
      hdf5::write_string_attribute(name_ds.get(), "units", "1");
      hdf5::write_string_attribute(name_ds.get(), "description", "name of each department (its id when it has none)");
      hdf5::attach_scale(name_ds.get(), department, 0);
      name_ds.close("close dataset department_name");
      d.department_size = sizes;
      std::uint64_t agents = 0;
      for (auto n : sizes) agents += n;
      for (std::size_t k = 0; k < d.series.size(); ++k) {
        const Series& series = d.series[k];
        if (series.shape == Shape::StepDepartment) {
          d.datasets[k] = make_dataset(d.group, series, {impl_->experiment.trials, steps, width});
          Impl::attach_scales(d, k, {impl_->experiment.trials, steps, width});
        } else if (series.shape == Shape::Agent) {
          d.datasets[k] = make_dataset(d.group, series, {impl_->experiment.trials, agents});
          Impl::attach_scales(d, k, {impl_->experiment.trials, agents});
        }
      }
    }
    for (const auto& tc : curves)
      if (tc.departments != d.departments || tc.department_size != d.department_size)
        throw std::runtime_error("trials of scenario " + std::to_string(s) + " differ in their departments");
    for (std::size_t k = 0; k < d.series.size(); ++k) {
      const Series& series = d.series[k];
      if (series.shape == Shape::StepDepartment && d.departments == 0) continue;
      buf.clear();
      ibuf.clear();
      for (std::size_t i = 0; i < curves.size(); ++i) {
        const TrialView trial{curves[i], batch.metrics[s][i], batch.attribution[s][i]};
        if (series.floats)
          series.floats(trial, buf);
        else
          series.integers(trial, ibuf);
      }
      hdf5::write_rows(d.datasets[k].get(), series.floats ? H5T_NATIVE_FLOAT : H5T_NATIVE_INT32, first, rows,
                       series.floats ? static_cast<const void*>(buf.data()) : static_cast<const void*>(ibuf.data()));
    }
  }
} catch (const std::runtime_error& e) {
  throw impl_->failure(e.what());
}

std::vector<DatasetValues> scenario_datasets(const std::vector<engine::TrialCurves>& curves,
                                             const std::vector<engine::TrialMetrics>& metrics,
                                             const std::vector<engine::TrialAttribution>& attribution,
                                             const model::RecordSpec& record) {
  if (metrics.size() != curves.size() || attribution.size() != curves.size())
    throw std::invalid_argument("scenario_datasets: curves, metrics and attribution differ in their number of trials");
  std::vector<DatasetValues> out;
  const std::size_t trials = curves.size();
  const std::size_t steps = trials ? static_cast<std::size_t>(curves.front().steps) + 1 : 0;
  const auto departments = trials ? static_cast<std::size_t>(std::max(curves.front().departments, 0)) : 0;
  const std::size_t agents = trials ? attribution.front().credit_by_agent.size() : 0;
  for (const Series& series : scenario_series(record)) {
    if (series.shape == Shape::StepDepartment && departments == 0) continue;  // as write_batch
    DatasetValues d;
    d.path = series.path;
    d.dimensions = dimension_names(series.shape);
    switch (series.shape) {
      case Shape::Trial:
        d.shape = {trials};
        break;
      case Shape::Step:
        d.shape = {trials, steps};
        break;
      case Shape::StepDepartment:
        d.shape = {trials, steps, departments};
        break;
      case Shape::Agent:
        d.shape = {trials, agents};
        break;
    }
    d.int8 = series.int8;
    d.units = series.units;
    d.description = series.description;
    for (std::size_t i = 0; i < trials; ++i) {
      const TrialView trial{curves[i], metrics[i], attribution[i]};
      if (series.floats)
        series.floats(trial, d.floats);
      else
        series.integers(trial, d.integers);
    }
    out.push_back(std::move(d));
  }
  return out;
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

/// A one-dimensional numeric dataset of exactly `length` values, converted to
/// `mem_type`. A missing dataset, another shape, a length other than the
/// file's trial count or a non-numeric type is a damaged file.
/// @throws std::runtime_error naming the dataset and what is wrong
template <typename T>
std::vector<T> read_vector(hid_t parent, const std::string& name, hid_t mem_type, std::uint64_t length) {
  if (H5Lexists(parent, name.c_str(), H5P_DEFAULT) <= 0)
    throw std::runtime_error("dataset metrics/" + name + " is missing");
  Handle ds(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), H5Dclose, "open dataset " + name);
  Handle type(H5Dget_type(ds.get()), H5Tclose, "get the type of " + name);
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_INTEGER && cls != H5T_FLOAT) throw std::runtime_error("dataset metrics/" + name + " is not numeric");
  const std::vector<hsize_t> dims = hdf5::dataset_dims(ds.get());
  if (dims.size() != 1 || dims[0] != length)
    throw std::runtime_error(
        "dataset metrics/" + name + " has " +
        (dims.size() == 1 ? std::to_string(dims[0]) + " values" : std::to_string(dims.size()) + " dimensions") +
        ", expected one per trial (" + std::to_string(length) + ")");
  std::vector<T> v(static_cast<std::size_t>(length));
  if (!v.empty()) hdf5::read_rows(ds.get(), mem_type, 0, length, v.data());
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
    int version = 1;
    hdf5::read_number_attribute(root, "format_version", H5T_NATIVE_INT, &version);
    r.format_version = version;
    r.version = hdf5::read_string_attribute(root, "groundswell_version");
    r.git_commit = hdf5::read_string_attribute(root, "git_commit");
    r.created = hdf5::read_string_attribute(root, "created");
    r.overrides = hdf5::read_string_attribute(root, "overrides");
    for (const char* name : {"seed", "trials", "steps", "scenarios"})
      if (H5Aexists(root, name) <= 0)
        throw std::runtime_error(std::string("the root attribute ") + name + " is missing");
    r.seed = read_number_attribute<std::uint64_t>(root, "seed", H5T_NATIVE_UINT64);
    r.trials = read_number_attribute<std::uint64_t>(root, "trials", H5T_NATIVE_UINT64);
    r.steps = read_number_attribute<std::int64_t>(root, "steps", H5T_NATIVE_INT64);
    if (r.trials < 1 || r.trials > kMaxTrials || r.steps < 0)
      throw std::runtime_error("the root attributes trials = " + std::to_string(r.trials) +
                               " and steps = " + std::to_string(r.steps) + " are out of range");
    std::stringstream names(hdf5::read_string_attribute(root, "scenarios"));
    for (std::string name; std::getline(names, name, ',');) r.scenarios.push_back(name);
    if (r.scenarios.empty()) throw std::runtime_error("the root attribute scenarios lists no scenario");
    // Every trial's metrics of every scenario, and one dataset read at a time.
    experiment::require_memory(
        static_cast<double>(r.trials) *
            (static_cast<double>(r.scenarios.size()) * sizeof(engine::TrialMetrics) + 8 * sizeof(float)),
        path, "reading this results file", "summarize it with python3 -m analysis on a larger machine");
    for (const auto& name : r.scenarios) {
      const std::string group = "scenarios/" + name + "/metrics";
      if (H5Lexists(root, "scenarios", H5P_DEFAULT) <= 0 ||
          H5Lexists(root, ("scenarios/" + name).c_str(), H5P_DEFAULT) <= 0 ||
          H5Lexists(root, group.c_str(), H5P_DEFAULT) <= 0)
        throw std::runtime_error("group " + group + " is missing");
      Handle g(H5Gopen2(root, group.c_str(), H5P_DEFAULT), H5Gclose, "open metrics of scenario " + name);
      if (r.rule.empty()) {
        Handle sg(H5Gopen2(root, ("scenarios/" + name).c_str(), H5P_DEFAULT), H5Gclose, "open scenario");
        r.rule = hdf5::read_string_attribute(sg.get(), "rule");
      }
      const auto fa = read_vector<float>(g.get(), "final_adopted", H5T_NATIVE_FLOAT, r.trials);
      const auto fi = read_vector<float>(g.get(), "final_internalized", H5T_NATIVE_FLOAT, r.trials);
      const auto pc = read_vector<float>(g.get(), "peak_compliance", H5T_NATIVE_FLOAT, r.trials);
      const auto pr = read_vector<float>(g.get(), "peak_resistance", H5T_NATIVE_FLOAT, r.trials);
      const auto dr = read_vector<std::int32_t>(g.get(), "departments_reached", H5T_NATIVE_INT32, r.trials);
      // Format 1 stored t50 as int32, -1 for never, and had no t50_internalized
      // nor departments_internalized; read as floats, -1 and NaN are "not reached".
      const auto t50 = read_vector<float>(g.get(), "t50", H5T_NATIVE_FLOAT, r.trials);
      const bool v2 = version >= 2;
      const auto t50i =
          v2 ? read_vector<float>(g.get(), "t50_internalized", H5T_NATIVE_FLOAT, r.trials) : std::vector<float>{};
      const auto di = v2 ? read_vector<std::int32_t>(g.get(), "departments_internalized", H5T_NATIVE_INT32, r.trials)
                         : std::vector<std::int32_t>{};
      auto reached = [](float t) {
        return std::isnan(t) || t < 0 ? std::nullopt : std::optional<std::int32_t>(static_cast<std::int32_t>(t));
      };
      std::vector<engine::TrialMetrics> m(fa.size());
      for (std::size_t k = 0; k < fa.size(); ++k) {
        m[k].final_adopted = fa[k];
        m[k].final_internalized = fi[k];
        m[k].t50 = reached(t50[k]);
        if (v2) m[k].t50_internalized = reached(t50i[k]);
        m[k].peak_compliance = pc[k];
        m[k].peak_resistance = pr[k];
        m[k].departments_reached = dr[k];
        if (v2) m[k].departments_internalized = di[k];
      }
      r.metrics.push_back(std::move(m));
    }
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const InputError*>(&e)) throw;
    throw InputError(path + ": damaged or incomplete results file (" + e.what() + ")");
  }
  return r;
}

}  // namespace groundswell::io
