// The calibration file (HDF5, C API; layout in docs/calibration.md), written
// under a temporary name, flushed to the disk and renamed into place.
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>

#include "groundswell/calibrate/calibration.hpp"
#include "groundswell/version.hpp"
#include "io/detail/utc_now.hpp"
#include "sweep/detail/h5.hpp"

namespace groundswell::calibrate {
namespace {

using sweep::detail::Element;
using sweep::detail::h5check;
using sweep::detail::H5Handle;

constexpr const char* kFormat = "groundswell-calibration";
constexpr int kFormatVersion = 1;

using io::detail::utc_now;

template <typename T>
void put(hid_t parent, const std::string& name, Element e, const std::vector<hsize_t>& dims,
         const std::vector<T>& data) {
  std::vector<hsize_t> shape = dims;
  if (shape.empty() || shape[0] == 0) return;  // nothing to store
  H5Handle ds = sweep::detail::make_dataset(parent, name, e, shape);
  sweep::detail::write_rows(ds.get(), e, 0, shape[0], data.data());
}

void attr_double(hid_t obj, const char* name, double v) {
  sweep::detail::write_number_attribute(obj, name, H5T_NATIVE_DOUBLE, &v);
}
void attr_u64(hid_t obj, const char* name, std::uint64_t v) {
  sweep::detail::write_number_attribute(obj, name, H5T_NATIVE_UINT64, &v);
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
  using sweep::detail::write_string_attribute;
  const auto& x = spec.experiment;
  const hsize_t d = spec.parameters.size(), row = static_cast<hsize_t>(r.steps) + 1;
  write_string_attribute(root, "format", kFormat);
  int version = kFormatVersion;
  sweep::detail::write_number_attribute(root, "format_version", H5T_NATIVE_INT, &version);
  write_string_attribute(root, "groundswell_version", kVersion);
  write_string_attribute(root, "git_commit", kGitCommit);
  write_string_attribute(root, "experiment", x.name);
  write_string_attribute(root, "calibration_file", x.source_path);
  write_string_attribute(root, "calibration_text", x.source_text);
  write_string_attribute(root, "created", utc_now());
  write_string_attribute(root, "rule", model::to_string(x.scenarios.front().rule));
  write_string_attribute(root, "method", spec.abc.method == Method::Smc ? "smc" : "rejection");
  write_string_attribute(root, "distance", distance_name(spec.abc.distance));
  attr_u64(root, "seed", x.seed);
  attr_u64(root, "steps", static_cast<std::uint64_t>(r.steps));
  attr_u64(root, "particles", spec.abc.particles);
  attr_u64(root, "trials_per_particle", spec.abc.trials);
  unsigned t = threads;
  sweep::detail::write_number_attribute(root, "threads", H5T_NATIVE_UINT, &t);
  attr_double(root, "seconds", r.seconds);

  {  // the free parameters and their priors
    H5Handle g = sweep::detail::make_group(root, "parameters");
    std::vector<std::string> names, priors;
    std::vector<double> lower, upper;
    for (const auto& p : spec.parameters) {
      names.push_back(p.key);
      priors.push_back(p.prior == Prior::Uniform ? "uniform" : "log_uniform");
      lower.push_back(p.lower);
      upper.push_back(p.upper);
    }
    sweep::detail::write_string_dataset(g.get(), "name", names);
    sweep::detail::write_string_dataset(g.get(), "prior", priors);
    put(g.get(), "lower", Element::F64, {d}, lower);
    put(g.get(), "upper", Element::F64, {d}, upper);
  }
  {  // every generation, and the trace
    H5Handle g = sweep::detail::make_group(root, "generations");
    std::vector<double> eps, rate, median_distance, ess;
    std::vector<std::uint64_t> attempts;
    for (std::size_t k = 0; k < r.generations.size(); ++k) {
      const Generation& gen = r.generations[k];
      char name[32];
      std::snprintf(name, sizeof name, "%04zu", k);
      H5Handle gg = sweep::detail::make_group(g.get(), name);
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
    H5Handle tr = sweep::detail::make_group(root, "trace");
    const hsize_t G = r.generations.size();
    put(tr.get(), "epsilon", Element::F64, {G}, eps);
    put(tr.get(), "attempts", Element::U64, {G}, attempts);
    put(tr.get(), "acceptance_rate", Element::F64, {G}, rate);
    put(tr.get(), "median_distance", Element::F64, {G}, median_distance);
    put(tr.get(), "effective_sample_size", Element::F64, {G}, ess);
  }
  {  // the posterior = the last generation, and its summaries
    H5Handle g = sweep::detail::make_group(root, "posterior");
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
    H5Handle g = sweep::detail::make_group(root, "draws");
    const hsize_t n = r.draw_distances.size();
    put(g.get(), "samples", Element::F64, {n, d}, r.draw_samples);
    put(g.get(), "distances", Element::F64, {n}, r.draw_distances);
  }
  {  // the observed record
    H5Handle g = sweep::detail::make_group(root, "observed");
    put(g.get(), "curve", Element::F64, {row}, r.observed_curve);
    if (!r.observed_holdout_curve.empty()) put(g.get(), "holdout_curve", Element::F64, {row}, r.observed_holdout_curve);
    attr_u64(g.get(), "fit_agents", r.fit_agents);
    attr_u64(g.get(), "holdout_agents", r.holdout_agents);
    attr_u64(g.get(), "missing_agents", r.missing_agents);
    attr_u64(g.get(), "never_agents", r.never_agents);
    std::string holdout;
    for (const auto& h : spec.holdout) holdout += (holdout.empty() ? "" : ",") + h;
    write_string_attribute(g.get(), "holdout_departments", holdout);
    sweep::detail::write_string_dataset(g.get(), "departments", r.departments);
  }
  {  // posterior predictive
    H5Handle g = sweep::detail::make_group(root, "predictive");
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
  namespace fs = std::filesystem;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  const fs::path out(path);
  const std::string temporary =
      (out.parent_path() / ("." + out.filename().string() + ".tmp" + std::to_string(::getpid()))).string();
  try {
    {
      H5Handle file(H5Fcreate(temporary.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose,
                    "create " + temporary);
      write_contents(file.get(), spec, r, threads);
      h5check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush " + temporary);
    }
    const int fd = ::open(temporary.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::fsync(fd) != 0) {
      if (fd >= 0) ::close(fd);
      throw std::runtime_error("cannot write " + temporary + " to the disk");
    }
    ::close(fd);
    std::error_code ec;
    fs::rename(temporary, path, ec);
    if (ec) throw std::runtime_error("cannot rename " + temporary + " to " + path + ": " + ec.message());
  } catch (const std::runtime_error& e) {
    std::error_code ec;
    fs::remove(temporary, ec);
    throw std::runtime_error("cannot write the calibration file " + path + ": " + e.what() + "; nothing was written");
  } catch (...) {  // e.g. out of memory: still no half-written file
    std::error_code ec;
    fs::remove(temporary, ec);
    throw;
  }
}

}  // namespace groundswell::calibrate
