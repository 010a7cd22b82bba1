// Calibration by approximate Bayesian computation (docs/calibration.md):
// recovery of known parameters from data the engine simulated, rejection ABC
// against an exact posterior, determinism over thread counts, and bad input.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "groundswell/calibrate/calibration.hpp"
#include "groundswell/engine/trial.hpp"
#include "groundswell/org/generate.hpp"
#include "groundswell/org/hierarchy.hpp"

using namespace groundswell;
namespace fs = std::filesystem;

namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "groundswell-calibrate-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name, const std::string& content) const {
    std::ofstream out(path_ / name);
    out << content;
    return (path_ / name).string();
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }
  const fs::path& dir() const { return path_; }

 private:
  fs::path path_;
};

calibrate::CalibrationSpec parse(const std::string& text, const TempDir& dir) {
  return calibrate::parse_calibration(text, "cal.toml", dir.dir().string());
}

/// Simulates one trial of `scenario` (seed, trial 0) and writes each agent's
/// adoption step ("never" code 99) as an observed table "id time".
std::string simulate_observed(const model::ExperimentSpec& x, const TempDir& dir) {
  const auto& s = x.scenarios.front();
  const org::Organization o = org::generate_organization(s.organization, engine::organization_key(x.seed, 0));
  const engine::TrialSetup setup = engine::prepare_trial(s, x.seed, 0, o);
  engine::TrialSimulation sim(s, setup, engine::dynamics_key(x.seed, s.name, 0));
  std::vector<int> time(o.size(), 99);
  for (Step t = 1; t <= x.steps; ++t) {
    sim.step();
    for (AgentId i = 0; i < o.size(); ++i)
      if (time[i] == 99 && sim.state().current.state[i] == State::A) time[i] = t;
  }
  std::ostringstream os;
  os << "id time\n";
  for (AgentId i = 0; i < o.size(); ++i) os << i << ' ' << time[i] << '\n';
  return dir.file("observed.txt", os.str());
}

const char* kTruth = R"(
rule = "bass"
[experiment]
seed = 1
trials = 1
steps = 20
[organization]
generator = "erdos_renyi"
size = 300
mean_degree = 6
[bass]
p = 0.02
q = 0.6
)";

std::string recovery_file(std::uint64_t seed, std::uint32_t particles, std::uint32_t generations) {
  std::ostringstream os;
  os << R"(
rule = "bass"
[experiment]
seed = )"
     << seed << R"(
steps = 20
[organization]
generator = "erdos_renyi"
size = 300
mean_degree = 6
[observed]
file = "observed.txt"
id = "id"
time = "time"
never = [99]
[[parameter]]
key = "bass.p"
prior = "log_uniform"
min = 0.001
max = 0.3
[[parameter]]
key = "bass.q"
prior = "uniform"
min = 0
max = 2
[abc]
particles = )"
     << particles << R"(
generations = )"
     << generations << R"(
trials = 1
predictive = 20
)";
  return os.str();
}

calibrate::CalibrationOptions threads(unsigned n) {
  calibrate::CalibrationOptions o;
  o.threads = n;
  return o;
}

/// The posterior of bass p given k = 20 of n = 50 adopters in one step
/// (pi = 1 - exp(-p)), by the midpoint rule on 20000 cells of the prior's
/// own scale: p in [lo, hi] (flat prior) or log p (log-uniform prior).
struct ExactPosterior {
  double mean, sd, mean_likelihood;  // mean_likelihood: pi^20 (1 - pi)^30 averaged over the prior
};
ExactPosterior exact_binomial_posterior(double lo, double hi, bool log_scale) {
  constexpr int kCells = 20000;
  const double a = log_scale ? std::log(lo) : lo, b = log_scale ? std::log(hi) : hi;
  double z = 0, first = 0, second = 0;
  for (int c = 0; c < kCells; ++c) {
    const double x = a + (c + 0.5) * (b - a) / kCells, p = log_scale ? std::exp(x) : x, pi = 1 - std::exp(-p);
    const double w = std::exp(20 * std::log(pi) + 30 * std::log1p(-pi));
    z += w;
    first += w * p;
    second += w * p * p;
  }
  const double mean = first / z;
  return {mean, std::sqrt(second / z - mean * mean), z / kCells};
}

}  // namespace

TEST_CASE("calibrate recovers bass p and q from data the engine simulated", "[stat][calibrate]") {
  // Truth: p = 0.02, q = 0.6 on an Erdos-Renyi organization of 300 (seed 1;
  // the calibration fits on its own seed's draw of the same generator, so
  // the network is of the same kind, not the same). ABC-SMC must put its posterior
  // median within 4 posterior standard deviations of the truth (the standard
  // deviation taken from the 90% interval as its width / 3.29; on the log
  // scale for p, whose prior is log-uniform) and shrink each interval to less
  // than half of the prior's range. Asking for the truth inside the 90%
  // interval would fail for about 1 run in 10 by design; the coverage over
  // ten records is the hidden test below.
  TempDir dir;
  const model::ExperimentSpec truth = model::parse_experiment(kTruth, "truth.toml", ".");
  simulate_observed(truth, dir);
  const auto spec = parse(recovery_file(7, 150, 7), dir);
  const auto r = calibrate::run_calibration(spec, threads(2));
  INFO("p median " << r.median[0] << " [" << r.lower[0] << ", " << r.upper[0] << "]");
  INFO("q median " << r.median[1] << " [" << r.lower[1] << ", " << r.upper[1] << "]");
  const double sd_log_p = std::log(r.upper[0] / r.lower[0]) / 3.29;
  const double sd_q = (r.upper[1] - r.lower[1]) / 3.29;
  CHECK(std::abs(std::log(r.median[0] / 0.02)) < 4 * sd_log_p);
  CHECK(std::abs(r.median[1] - 0.6) < 4 * sd_q);
  CHECK(std::log(r.upper[0] / r.lower[0]) < 0.5 * std::log(0.3 / 0.001));
  CHECK(r.upper[1] - r.lower[1] < 0.5 * 2.0);
  CHECK(r.fit < 0.05);
  CHECK(r.generations.size() == 7);
  CHECK(r.generations.back().epsilon < r.generations[1].epsilon);
}

TEST_CASE("calibrate: the truth is inside the 90% interval in most repetitions", "[.slow][calibrate_slow]") {
  // 100 observed records (seeds 1..100), each calibrated afresh; at least 80
  // inside is asked per parameter. Binomial: P(pass) = 0.9992 if the 90%
  // intervals cover 90%, and 0.016 if they cover only 70%, so an interval
  // that covers 70% fails (issue 21). ABC intervals with a tolerance above 0
  // are wider than the posterior's, so over-coverage is expected and passes.
  constexpr int kRecords = 100;
  int inside_p = 0, inside_q = 0;
  for (std::uint64_t seed = 1; seed <= kRecords; ++seed) {
    TempDir dir;
    std::string text = kTruth;
    text.replace(text.find("seed = 1"), 8, "seed = " + std::to_string(seed));
    simulate_observed(model::parse_experiment(text, "truth.toml", "."), dir);
    const auto r = calibrate::run_calibration(parse(recovery_file(seed, 150, 7), dir), threads(0));
    inside_p += r.lower[0] <= 0.02 && 0.02 <= r.upper[0];
    inside_q += r.lower[1] <= 0.6 && 0.6 <= r.upper[1];
  }
  WARN("truth inside the 90% interval: p " << inside_p << " of " << kRecords << ", q " << inside_q << " of "
                                           << kRecords);
  CHECK(inside_p >= 80);
  CHECK(inside_q >= 80);
}

TEST_CASE("rejection ABC with exact matching gives the exact posterior of bass p", "[stat][calibrate]") {
  // With q = 0 each of n = 50 agents adopts in step 1 with probability
  // pi = 1 - exp(-p), independently; observed: k = 20 of 50. With a uniform
  // prior on p in [0, 1] the posterior density is proportional to
  // pi^k (1 - pi)^(n - k), and rejection ABC that keeps only exact matches
  // (epsilon ~ 0, one step) samples exactly that posterior. Its mean is
  // checked against the numerical integral within 4 standard errors.
  TempDir dir;
  const std::string text = R"(
rule = "bass"
[experiment]
seed = 3
steps = 1
[organization]
generator = "complete"
size = 50
[bass]
q = 0
[observed]
curve = [0.4]
[[parameter]]
key = "bass.p"
min = 0
max = 1
[abc]
method = "rejection"
draws = 30000
epsilon = 1e-9
trials = 1
predictive = 10
)";
  const auto r = calibrate::run_calibration(parse(text, dir), threads(2));
  const auto& post = r.generations.back();
  const std::size_t m = post.samples.size();
  REQUIRE(m > 500);
  double mean = 0, sq = 0;
  for (double v : post.samples) mean += v;
  mean /= static_cast<double>(m);
  for (double v : post.samples) sq += (v - mean) * (v - mean);
  const double sd = std::sqrt(sq / static_cast<double>(m - 1));
  const ExactPosterior exact = exact_binomial_posterior(0, 1, false);
  const double exact_mean = exact.mean, exact_sd = exact.sd;
  INFO("ABC mean " << mean << " sd " << sd << " (" << m << " accepted); exact mean " << exact_mean << " sd "
                   << exact_sd);
  CHECK(std::abs(mean - exact_mean) < 4 * exact_sd / std::sqrt(static_cast<double>(m)));
  CHECK(sd == Approx(exact_sd).epsilon(0.15));
  // The acceptance rate is the prior predictive probability of k = 20: the
  // integral of C(50, 20) pi^20 (1 - pi)^30 over the prior.
  const double log_choose = std::lgamma(51) - std::lgamma(21) - std::lgamma(31);
  const double evidence = std::exp(log_choose) * exact.mean_likelihood;
  const double rate = static_cast<double>(m) / 30000.0;
  CHECK(std::abs(rate - evidence) < 4 * std::sqrt(evidence * (1 - evidence) / 30000.0));
}

TEST_CASE("ABC-SMC with a log-uniform prior gives the exact posterior of bass p", "[stat][calibrate]") {
  // The binomial record of the test above (k = 20 of n = 50 adopt in one
  // step with probability pi = 1 - exp(-p)), now by ABC-SMC with a
  // log-uniform prior on p in [0.01, 1]: the posterior density of p is
  // proportional to pi^k (1 - pi)^(n - k) / p. The distances are discrete, so
  // the adaptive tolerance reaches 0 and the last generation, reweighted by
  // prior / kernel mixture on the log scale, should sample the exact
  // posterior: its weighted mean must be within 4 standard errors (exact sd /
  // sqrt(effective sample size)) of the numerical integral. This checks the
  // importance weights and the log-scale handling of the prior together.
  TempDir dir;
  const std::string text = R"(
rule = "bass"
[experiment]
seed = 5
steps = 1
[organization]
generator = "complete"
size = 50
[bass]
q = 0
[observed]
curve = [0.4]
[[parameter]]
key = "bass.p"
prior = "log_uniform"
min = 0.01
max = 1
[abc]
method = "smc"
particles = 2000
generations = 8
quantile = 0.3
min_acceptance = 0.0001
trials = 1
predictive = 10
)";
  const auto r = calibrate::run_calibration(parse(text, dir), threads(2));
  const auto& post = r.generations.back();
  REQUIRE(post.epsilon == 0.0);  // exact matches only
  double mean = 0, sq = 0;
  for (std::size_t i = 0; i < post.weights.size(); ++i) mean += post.weights[i] * post.samples[i];
  for (std::size_t i = 0; i < post.weights.size(); ++i)
    sq += post.weights[i] * (post.samples[i] - mean) * (post.samples[i] - mean);
  const double ess = calibrate::effective_sample_size(post.weights);
  const ExactPosterior exact = exact_binomial_posterior(0.01, 1, true);  // the prior is flat in log p
  const double exact_mean = exact.mean, exact_sd = exact.sd;
  INFO("SMC weighted mean " << mean << " sd " << std::sqrt(sq) << " (effective sample size " << ess << "); exact mean "
                            << exact_mean << " sd " << exact_sd);
  REQUIRE(ess > 300);
  CHECK(std::abs(mean - exact_mean) < 4 * exact_sd / std::sqrt(ess));
  CHECK(std::sqrt(sq) == Approx(exact_sd).epsilon(0.15));
}

TEST_CASE("calibration is bit-identical for 1 and 2 threads", "[seed][calibrate]") {
  TempDir dir;
  std::string text = kTruth;
  simulate_observed(model::parse_experiment(text, "truth.toml", "."), dir);
  const auto spec = parse(recovery_file(11, 40, 3), dir);
  const auto a = calibrate::run_calibration(spec, threads(1));
  const auto b = calibrate::run_calibration(spec, threads(2));
  REQUIRE(a.generations.size() == b.generations.size());
  for (std::size_t g = 0; g < a.generations.size(); ++g) {
    CHECK(a.generations[g].samples == b.generations[g].samples);
    CHECK(a.generations[g].weights == b.generations[g].weights);
    CHECK(a.generations[g].distances == b.generations[g].distances);
    CHECK(a.generations[g].attempts == b.generations[g].attempts);
  }
  CHECK(a.predictive_curves == b.predictive_curves);
  CHECK(a.median == b.median);
  // A different seed gives a different posterior.
  const auto c = calibrate::run_calibration(parse(recovery_file(12, 40, 3), dir), threads(2));
  CHECK(c.generations.back().samples != a.generations.back().samples);
}

TEST_CASE("weighted quantiles", "[unit][calibrate]") {
  CHECK(calibrate::weighted_quantile({1, 2, 3}, {1, 1, 1}, 0.5) == Approx(2));
  CHECK(calibrate::weighted_quantile({3, 1, 2}, {1, 1, 1}, 0.5) == Approx(2));
  CHECK(calibrate::weighted_quantile({1, 2}, {3, 1}, 0.5) == Approx(1.25));
  CHECK(calibrate::weighted_quantile({1, 2}, {1, 1}, 0.01) == Approx(1));
}

namespace {

const char* kGood = R"(rule = "bass"
[experiment]
seed = 1
steps = 5
[organization]
generator = "erdos_renyi"
size = 20
mean_degree = 3
departments = 2
[observed]
file = "obs.txt"
id = "id"
time = "month"
never = [18]
missing = [98, 99]
[[parameter]]
key = "bass.q"
min = 0
max = 1
[abc]
particles = 10
generations = 2
)";

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string error_of(const std::string& text, const TempDir& dir, bool run = false) {
  try {
    const auto spec = parse(text, dir);
    if (run) (void)calibrate::run_calibration(spec, threads(1));
  } catch (const InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("bad calibration files name the file, line, key and fix", "[unit][calibrate]") {
  TempDir dir;
  std::ostringstream obs;
  obs << "id month\n";
  for (int i = 0; i < 20; ++i) obs << i << ' ' << (i % 3 == 0 ? 18 : i % 5 == 0 ? 98 : 1 + i % 5) << '\n';
  dir.file("obs.txt", obs.str());
  REQUIRE(error_of(kGood, dir, true) == "no error");

  SECTION("unknown key") {
    const auto e = error_of(replace(kGood, "particles = 10", "partcles = 10"), dir);
    CHECK_THAT(e, Catch::Contains("cal.toml:21:") && Catch::Contains("unknown key 'abc.partcles'") &&
                      Catch::Contains("particles"));
  }
  SECTION("bad prior: min >= max") {
    const auto e = error_of(replace(kGood, "max = 1\n", "max = 0\n"), dir);
    CHECK_THAT(e, Catch::Contains("cal.toml:19:") && Catch::Contains("must be greater than min"));
  }
  SECTION("bad prior: log_uniform from 0") {
    const auto e = error_of(replace(kGood, "min = 0\n", "prior = \"log_uniform\"\nmin = 0\n"), dir);
    CHECK_THAT(e, Catch::Contains("log_uniform prior needs min > 0"));
  }
  SECTION("bad prior: unknown distribution") {
    const auto e = error_of(replace(kGood, "min = 0\n", "prior = \"normal\"\nmin = 0\n"), dir);
    CHECK_THAT(e, Catch::Contains("parameter.prior = \"normal\"") && Catch::Contains("\"log_uniform\""));
  }
  SECTION("a prior bound the scenario parser refuses") {
    const auto e = error_of(replace(kGood, "max = 1\n", "max = 500\n"), dir);
    CHECK_THAT(e, Catch::Contains("cal.toml:19:") && Catch::Contains("prior bound 500 is not a valid value") &&
                      Catch::Contains("bass.q"));
  }
  SECTION("a prior box whose corner breaks a joint constraint (sdt.w_a + sdt.w_c + sdt.w_r <= 1)") {
    // Each bound alone is valid with the file's other weights; w_a = w_c = 0.6 together is not.
    std::string text = replace(kGood, "rule = \"bass\"", "rule = \"sdt\"");
    text = replace(text, "[observed]", "[sdt]\nw_r = 0.0\n[observed]");
    text = replace(text, "key = \"bass.q\"\nmin = 0\nmax = 1\n",
                   "key = \"sdt.w_a\"\nmin = 0\nmax = 0.6\n[[parameter]]\nkey = \"sdt.w_c\"\nmin = 0\nmax = 0.6\n");
    const auto e = error_of(text, dir);
    CHECK_THAT(e, Catch::Contains("the prior box holds values the scenario refuses") &&
                      Catch::Contains("sdt.w_a = 0.6, sdt.w_c = 0.6") &&
                      Catch::Contains("sdt.w_a + sdt.w_c + sdt.w_r = 1.2 exceeds 1"));
    // Narrowed so that every corner is valid, the same file loads.
    CHECK(error_of(replace(text, "max = 0.6\n[[parameter]]", "max = 0.4\n[[parameter]]"), dir) == "no error");
  }
  SECTION("a key that cannot be free") {
    const auto e = error_of(replace(kGood, "key = \"bass.q\"", "key = \"organization.size\""), dir);
    CHECK_THAT(e, Catch::Contains("cannot be a free parameter") && Catch::Contains("bass.p"));
  }
  SECTION("a parameter of another rule") {
    const auto e = error_of(replace(kGood, "key = \"bass.q\"", "key = \"sdt.beta0\""), dir);
    CHECK_THAT(e, Catch::Contains("no effect under rule \"bass\""));
  }
  SECTION("missing column") {
    const auto e = error_of(replace(kGood, "time = \"month\"", "time = \"adopted\""), dir, true);
    CHECK_THAT(e,
               Catch::Contains("obs.txt:1:") && Catch::Contains("no column \"adopted\"") && Catch::Contains("month"));
  }
  SECTION("an adoption time that is neither a step nor a code") {
    const auto e = error_of(replace(kGood, "never = [18]", "never = [17]"), dir, true);
    CHECK_THAT(e, Catch::Contains("obs.txt:") && Catch::Contains("adoption time 18 is not a step 1..5"));
  }
  SECTION("unknown holdout department") {
    const auto e = error_of(std::string(kGood) + "[holdout]\ndepartments = [\"Springfield\"]\n", dir, true);
    CHECK_THAT(e, Catch::Contains("holdout department \"Springfield\"") && Catch::Contains("0, 1"));
  }
  SECTION("experiment.trials") {
    const auto e = error_of(replace(kGood, "steps = 5", "steps = 5\ntrials = 3"), dir);
    CHECK_THAT(e, Catch::Contains("cal.toml:5:") && Catch::Contains("abc.trials"));
  }
  SECTION("rejection keys under smc") {
    const auto e = error_of(replace(kGood, "generations = 2", "epsilon = 0.1"), dir);
    CHECK_THAT(e, Catch::Contains("'abc.epsilon' applies to method = \"rejection\" only"));
  }
  SECTION("missing [observed]") {
    std::string text = kGood;
    text.erase(text.find("[observed]"), text.find("[[parameter]]") - text.find("[observed]"));
    CHECK_THAT(error_of(text, dir), Catch::Contains("missing section [observed]"));
  }
  SECTION("observed.unrecorded: an unknown treatment names the file, key and the values allowed") {
    const auto e = error_of(replace(kGood, "missing = [98, 99]", "missing = [98, 99]\nunrecorded = \"delete\""), dir);
    CHECK_THAT(e, Catch::Contains("cal.toml:16:") && Catch::Contains("observed.unrecorded") &&
                      Catch::Contains("\"simulate\"") && Catch::Contains("\"drop\"") &&
                      Catch::Contains("not \"delete\""));
  }
  SECTION("observed.unrecorded = drop needs per-agent data") {
    std::string text =
        replace(kGood, "file = \"obs.txt\"\nid = \"id\"\ntime = \"month\"\nnever = [18]\nmissing = [98, 99]",
                "curve = [0.1, 0.2, 0.3, 0.4, 0.5]\nunrecorded = \"drop\"");
    CHECK_THAT(error_of(text, dir), Catch::Contains("needs per-agent data"));
  }
  SECTION("a scenario key error is reported by the scenario parser") {
    const auto e = error_of(replace(kGood, "size = 20", "sise = 20"), dir);
    CHECK_THAT(e, Catch::Contains("cal.toml:7:") && Catch::Contains("organization.size"));
  }
}

TEST_CASE("groundswell calibrate: bad input exits 2 with one line and writes nothing", "[unit][cli][calibrate]") {
  TempDir dir;
  dir.file("obs.txt", "id month\n0 1\n1 18\n");
  const std::string cal = dir.file("cal.toml", replace(kGood, "particles = 10", "partcles = 10"));
  const std::string out = dir.path("out.h5"), err = dir.path("err.txt");
  const std::string cmd = std::string(GROUNDSWELL_BINARY) + " calibrate " + cal + " -o " + out + " -q 2>" + err;
  const int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 2);
  std::ifstream in(err);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_THAT(all, Catch::StartsWith("groundswell: error: ") && Catch::Contains("unknown key 'abc.partcles'"));
  CHECK(std::count(all.begin(), all.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(out));
  for (const auto& entry : fs::directory_iterator(dir.dir()))
    CHECK(entry.path().filename().string().find(".tmp") == std::string::npos);
}

TEST_CASE("groundswell calibrate writes a calibration file", "[unit][cli][calibrate]") {
  TempDir dir;
  std::ostringstream obs;
  obs << "id month\n";
  for (int i = 0; i < 20; ++i) obs << i << ' ' << (i % 3 == 0 ? 18 : i % 5 == 0 ? 98 : 1 + i % 5) << '\n';
  dir.file("obs.txt", obs.str());
  const std::string cal = dir.file("cal.toml", std::string(kGood) + "[holdout]\ndepartments = [1]\n");
  const std::string out = dir.path("out.h5");
  const std::string cmd = std::string(GROUNDSWELL_BINARY) + " calibrate " + cal + " -o " + out + " --threads 2 > " +
                          dir.path("stdout.txt") + " 2>&1";
  const int status = std::system(cmd.c_str());
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(fs::exists(out));
  std::ifstream in(dir.path("stdout.txt"));
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_THAT(all,
             Catch::Contains("bass.q") && Catch::Contains("90% interval") && Catch::Contains("out-of-sample error"));
}

namespace {

/// kGood on 22 agents, with rows for agents 0..19 only: 7 never (i % 3 == 0),
/// 2 with the missing code 98 (5 and 10), 2 without a row (20 and 21).
struct UnrecordedCase {
  TempDir dir;
  std::string text;
  UnrecordedCase() {
    std::ostringstream obs;
    obs << "id month\n";
    for (int i = 0; i < 20; ++i) obs << i << ' ' << (i % 3 == 0 ? 18 : i % 5 == 0 ? 98 : 1 + i % 5) << '\n';
    dir.file("obs.txt", obs.str());
    text = replace(kGood, "size = 20", "size = 22");
  }
  calibrate::CalibrationSpec spec(const std::string& unrecorded) const {
    return parse(replace(text, "missing = [98, 99]", "missing = [98, 99]\nunrecorded = \"" + unrecorded + "\""), dir);
  }
};

}  // namespace

TEST_CASE("observed.unrecorded: simulate keeps the unrecorded agents, drop removes them first", "[unit][calibrate]") {
  const UnrecordedCase c;
  const calibrate::ObservedRecord kept = calibrate::observed_record(c.spec("simulate"));
  REQUIRE(kept.organization.size() == 22);
  CHECK(kept.fit == 18);
  CHECK(kept.missing == 4);
  CHECK(kept.never_count == 7);
  CHECK(kept.dropped == 0);
  CHECK(kept.never == 6);
  CHECK(kept.observed[5] == -1);
  CHECK(kept.observed[21] == -1);
  CHECK(kept.role[5] == 0);
  CHECK(kept.observed[0] == 6);
  CHECK(kept.observed[1] == 2);
  // The default is "simulate".
  CHECK(calibrate::observed_record(parse(c.text, c.dir)).observed == kept.observed);

  const calibrate::CalibrationSpec drop_spec = c.spec("drop");
  CHECK(drop_spec.observed.unrecorded == calibrate::Unrecorded::Drop);
  const calibrate::ObservedRecord dropped = calibrate::observed_record(drop_spec);
  REQUIRE(dropped.organization.size() == 18);
  CHECK(dropped.dropped == 4);
  CHECK(dropped.missing == 4);
  CHECK(dropped.fit == 18);
  CHECK(dropped.never_count == 7);
  std::vector<std::string> ids;
  std::vector<std::uint8_t> keep(22, 0);
  std::vector<std::int32_t> times;
  for (AgentId i = 0; i < 22; ++i)
    if (kept.observed[i] >= 0) {
      ids.push_back(std::to_string(i));
      keep[i] = 1;
      times.push_back(kept.observed[i]);
    }
  CHECK(dropped.organization.ids == ids);  // the generated organization's numbers, as ids
  CHECK(dropped.observed == times);
  CHECK(dropped.role == std::vector<std::uint8_t>(18, 1));
  // The organization is the whole one without them: their ties in both directions are gone.
  const org::Organization expected = org::without_agents(kept.organization, keep);
  CHECK(dropped.organization.network.offsets == expected.network.offsets);
  CHECK(dropped.organization.network.sources == expected.network.sources);
  CHECK(dropped.organization.manager == expected.manager);
  CHECK(dropped.organization.department_count == kept.organization.department_count);
  CHECK(calibrate::calibration_memory(drop_spec, 1) > calibrate::calibration_memory(c.spec("simulate"), 1));
}

TEST_CASE("calibrate with observed.unrecorded = drop fits the rest and says how many were dropped",
          "[unit][calibrate]") {
  const UnrecordedCase c;
  const calibrate::CalibrationSpec spec = c.spec("drop");
  const calibrate::CalibrationResult r = calibrate::run_calibration(spec, threads(1));
  REQUIRE_FALSE(r.interrupted);
  CHECK(r.fit_agents == 18);
  CHECK(r.dropped_agents == 4);
  CHECK(r.missing_agents == 4);
  CHECK(r.generations.size() == 2);
  const std::string text = calibrate::format_calibration(spec, r);
  CHECK_THAT(text, Catch::Contains("4 missing and dropped from the organization"));
  // Bit-identical for 1 and 2 threads, as under "simulate".
  const calibrate::CalibrationResult two = calibrate::run_calibration(spec, threads(2));
  CHECK(two.generations.back().samples == r.generations.back().samples);
  CHECK(two.predictive_curves == r.predictive_curves);

  const calibrate::CalibrationSpec simulate = c.spec("simulate");
  const calibrate::CalibrationResult s = calibrate::run_calibration(simulate, threads(1));
  CHECK(s.dropped_agents == 0);
  CHECK_THAT(calibrate::format_calibration(simulate, s), Catch::Contains("4 missing (excluded)"));
}

TEST_CASE("simulate_adoption_times: trial k keyed by (seed, k), any thread count", "[seed][calibrate]") {
  const UnrecordedCase c;
  const calibrate::CalibrationSpec spec = c.spec("simulate");
  const model::ScenarioSpec& s = spec.experiment.scenarios.front();
  const calibrate::ObservedRecord record = calibrate::observed_record(spec);
  const auto one = calibrate::simulate_adoption_times(s, &record.organization, 5, 7, 6, 1);
  const auto two = calibrate::simulate_adoption_times(s, &record.organization, 5, 7, 6, 2);
  REQUIRE(one.size() == std::size_t{132});  // 6 trials x 22 agents
  CHECK(one == two);
  const auto first = calibrate::simulate_adoption_times(s, &record.organization, 5, 7, 2, 2);
  CHECK(std::vector<std::int32_t>(one.begin(), one.begin() + 44) == first);  // trials 0 and 1
  CHECK(calibrate::simulate_adoption_times(s, &record.organization, 5, 8, 6, 1) != one);
  for (std::int32_t t : one) CHECK((t >= 0 && t <= 6));
  // Trial 0 of trial k's own organization (seed 1: the calibration's) is the record's organization.
  const auto own = calibrate::simulate_adoption_times(s, nullptr, 5, spec.experiment.seed, 1, 1);
  CHECK(own == calibrate::simulate_adoption_times(s, &record.organization, 5, spec.experiment.seed, 1, 1));
}
