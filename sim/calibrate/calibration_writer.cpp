// The calibration file (HDF5, C API; layout in docs/calibration.md), written
// under a temporary name, flushed to the disk and renamed into place.
#include <algorithm>
#include <cmath>

#include "groundswell/calibrate/calibration.hpp"
#include "io/hdf5.hpp"

namespace groundswell::calibrate {
namespace {

namespace h5 = io::hdf5;
using h5::Element;
using h5::Handle;

constexpr const char* kFormat = "groundswell-calibration";
constexpr int kFormatVersion = 1;

// About 64 Ki elements per chunk, with Fletcher-32 checksums (as the sweep file).
constexpr h5::Layout kLayout{};

template <typename T>
void put(hid_t parent, const std::string& name, Element e, const std::vector<hsize_t>& dims,
         const std::vector<T>& data) {
  std::vector<hsize_t> shape = dims;
  if (shape.empty() || shape[0] == 0) return;  // nothing to store
  if (sizeof(T) != h5::element_size(e)) throw std::logic_error("calibration file: " + name + " of the wrong type");
  Handle ds = h5::create_dataset(parent, name, h5::file_type(e), shape, kLayout);
  h5::write_rows(ds.get(), h5::memory_type(e), 0, shape[0], data.data());
  ds.close("close dataset " + name);  // writes the cached chunks: checked
}

void attr_double(hid_t obj, const char* name, double v) {
  h5::write_number_attribute(obj, name, H5T_NATIVE_DOUBLE, &v);
}
void attr_u64(hid_t obj, const char* name, std::uint64_t v) {
  h5::write_number_attribute(obj, name, H5T_NATIVE_UINT64, &v);
}

const char* distance_name(Distance d) {
  switch (d) {
    case Distance::Curve:
      return "curve";
    case Distance::DepartmentCurves:
      return "department_curves";
    case Distance::Agent:
      return "agent";
  }
  return "?";
}

void write_contents(hid_t root, const CalibrationSpec& spec, const CalibrationResult& r, unsigned threads) {
  using h5::write_string_attribute;
  const auto& x = spec.experiment;
  const hsize_t d = spec.parameters.size(), row = static_cast<hsize_t>(r.steps) + 1;
  h5::write_provenance(root, kFormat, kFormatVersion,
                       {{"experiment", x.name},
                        {"calibration_file", x.source_path},
                        {"calibration_text", x.source_text},
                        {"overrides", x.overrides}});
  write_string_attribute(root, "rule", model::to_string(x.scenarios.front().rule));
  write_string_attribute(root, "method", spec.abc.method == Method::Smc ? "smc" : "rejection");
  write_string_attribute(root, "distance", distance_name(spec.abc.distance));
  attr_u64(root, "seed", x.seed);
  attr_u64(root, "steps", static_cast<std::uint64_t>(r.steps));
  attr_u64(root, "particles", spec.abc.particles);
  attr_u64(root, "trials_per_particle", spec.abc.trials);
  unsigned t = threads;
  h5::write_number_attribute(root, "threads", H5T_NATIVE_UINT, &t);
  attr_double(root, "seconds", r.seconds);

  {  // the free parameters and their priors
    Handle g = h5::create_group(root, "parameters");
    std::vector<std::string> names, priors;
    std::vector<double> lower, upper;
    for (const auto& p : spec.parameters) {
      names.push_back(p.key);
      priors.push_back(p.prior == Prior::Uniform ? "uniform" : "log_uniform");
      lower.push_back(p.lower);
      upper.push_back(p.upper);
    }
    h5::write_string_dataset(g.get(), "name", names);
    h5::write_string_dataset(g.get(), "prior", priors);
    put(g.get(), "lower", Element::F64, {d}, lower);
    put(g.get(), "upper", Element::F64, {d}, upper);
  }
  {  // every generation, and the trace
    Handle g = h5::create_group(root, "generations");
    std::vector<double> eps, rate, median_distance, ess;
    std::vector<std::uint64_t> attempts;
    for (std::size_t k = 0; k < r.generations.size(); ++k) {
      const Generation& gen = r.generations[k];
      char name[32];
      std::snprintf(name, sizeof name, "%04zu", k);
      Handle gg = h5::create_group(g.get(), name);
      const hsize_t n = gen.weights.size();
      put(gg.get(), "samples", Element::F64, {n, d}, gen.samples);
      put(gg.get(), "weights", Element::F64, {n}, gen.weights);
      put(gg.get(), "distances", Element::F64, {n}, gen.distances);
      attr_double(gg.get(), "epsilon", gen.epsilon);
      attr_u64(gg.get(), "attempts", gen.attempts);
      eps.push_back(gen.epsilon);
      attempts.push_back(gen.attempts);
      rate.push_back(static_cast<double>(n) / static_cast<double>(std::max<std::uint64_t>(gen.attempts, 1)));
      std::vector<double> sorted = gen.distances;
      std::sort(sorted.begin(), sorted.end());
      median_distance.push_back(sorted.empty() ? NAN : sorted[sorted.size() / 2]);
      ess.push_back(effective_sample_size(gen.weights));
    }
    Handle tr = h5::create_group(root, "trace");
    const hsize_t G = r.generations.size();
    put(tr.get(), "epsilon", Element::F64, {G}, eps);
    put(tr.get(), "attempts", Element::U64, {G}, attempts);
    put(tr.get(), "acceptance_rate", Element::F64, {G}, rate);
    put(tr.get(), "median_distance", Element::F64, {G}, median_distance);
    put(tr.get(), "effective_sample_size", Element::F64, {G}, ess);
  }
  {  // the posterior = the last generation, and its summaries
    Handle g = h5::create_group(root, "posterior");
    const Generation& post = r.generations.back();
    const hsize_t n = post.weights.size();
    put(g.get(), "samples", Element::F64, {n, d}, post.samples);
    put(g.get(), "weights", Element::F64, {n}, post.weights);
    put(g.get(), "distances", Element::F64, {n}, post.distances);
    put(g.get(), "median", Element::F64, {d}, r.median);
    put(g.get(), "lower90", Element::F64, {d}, r.lower);
    put(g.get(), "upper90", Element::F64, {d}, r.upper);
    attr_double(g.get(), "epsilon", post.epsilon);
  }
  {  // prior draws (rejection: every draw; smc: generation 0)
    Handle g = h5::create_group(root, "draws");
    const hsize_t n = r.draw_distances.size();
    put(g.get(), "samples", Element::F64, {n, d}, r.draw_samples);
    put(g.get(), "distances", Element::F64, {n}, r.draw_distances);
  }
  {  // the observed record
    Handle g = h5::create_group(root, "observed");
    put(g.get(), "curve", Element::F64, {row}, r.observed_curve);
    if (!r.observed_holdout_curve.empty()) put(g.get(), "holdout_curve", Element::F64, {row}, r.observed_holdout_curve);
    attr_u64(g.get(), "fit_agents", r.fit_agents);
    attr_u64(g.get(), "holdout_agents", r.holdout_agents);
    attr_u64(g.get(), "missing_agents", r.missing_agents);
    attr_u64(g.get(), "never_agents", r.never_agents);
    write_string_attribute(g.get(), "unrecorded", to_string(spec.observed.unrecorded));
    attr_u64(g.get(), "dropped_agents", r.dropped_agents);
    std::string holdout;
    for (const auto& h : spec.holdout) holdout += (holdout.empty() ? "" : ",") + h;
    write_string_attribute(g.get(), "holdout_departments", holdout);
    h5::write_string_dataset(g.get(), "departments", r.departments);
  }
  {  // posterior predictive
    Handle g = h5::create_group(root, "predictive");
    const hsize_t P = r.predictive_samples.size() / std::max<hsize_t>(d, 1);
    put(g.get(), "samples", Element::F64, {P, d}, r.predictive_samples);
    put(g.get(), "curves", Element::F32, {P, row}, r.predictive_curves);
    if (!r.predictive_holdout_curves.empty())
      put(g.get(), "holdout_curves", Element::F32, {P, row}, r.predictive_holdout_curves);
    attr_double(g.get(), "fit", r.fit);
    attr_double(g.get(), "in_sample_error", r.fit);
    attr_double(g.get(), "out_of_sample_error", r.out_of_sample);
    attr_double(g.get(), "naive_out_of_sample_error", r.naive_out_of_sample);
  }
}

}  // namespace

void write_calibration(const std::string& path, const CalibrationSpec& spec, const CalibrationResult& r,
                       unsigned threads) {
  h5::write_file(path, "calibration file", [&](hid_t root) { write_contents(root, spec, r, threads); });
}

}  // namespace groundswell::calibrate
