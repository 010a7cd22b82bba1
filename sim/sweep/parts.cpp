// The parts directory: one durable, verified file per finished point.
#include "sweep/detail/parts.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "groundswell/random.hpp"
#include "groundswell/sweep/sweep_file.hpp"
#include "safe_write.hpp"

namespace groundswell::sweep::detail {
namespace {

namespace fs = std::filesystem;

constexpr char kMagic[8] = {'G', 'S', 'W', 'P', 'A', 'R', 'T', '2'};  // 2: model v2 metrics
/// A time to 50% not reached by T, in a part (parts are read only by the build that wrote them).
constexpr std::int32_t kNotReached = -1;
std::optional<std::int32_t> reached(std::int32_t t) {
  return t == kNotReached ? std::nullopt : std::optional<std::int32_t>(t);
}
constexpr std::uint32_t kByteOrder = 0x01020304u;

std::uint64_t checksum(const char* data, std::size_t n) {
  std::uint64_t h = 0x6A09E667F3BCC908ull;
  std::size_t k = 0;
  for (; k + 8 <= n; k += 8) {
    std::uint64_t w;
    std::memcpy(&w, data + k, 8);
    h = mix64(h ^ w);
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, data + k, n - k);
  return mix64(mix64(h ^ tail) ^ n);
}

class Out {
 public:
  template <typename T>
  void put(const T& v) {
    put_array(&v, 1);
  }
  template <typename T>
  void put_array(const T* v, std::size_t n) {
    const auto* p = reinterpret_cast<const char*>(v);
    bytes.insert(bytes.end(), p, p + n * sizeof(T));
  }
  std::vector<char> bytes;
};

class In {
 public:
  In(const char* p, std::size_t n) : p_(p), left_(n) {}
  template <typename T>
  T get() {
    T v;
    get_array(&v, 1);
    return v;
  }
  template <typename T>
  void get_array(T* out, std::size_t n) {
    if (n > left_ / sizeof(T)) throw PartError(PartError::Damaged, "truncated");
    std::memcpy(out, p_, n * sizeof(T));
    p_ += n * sizeof(T);
    left_ -= n * sizeof(T);
  }
  std::size_t left() const { return left_; }
  /// A string stored as a 32-bit length and its bytes.
  std::string get_string() {
    const std::uint32_t n = get<std::uint32_t>();
    if (n > left_) throw PartError(PartError::Damaged, "truncated");
    std::string s(n, '\0');
    get_array(s.data(), n);
    return s;
  }

 private:
  const char* p_;
  std::size_t left_;
};

std::string errno_text() { return std::strerror(errno); }

std::string part_name(std::uint64_t index) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "point-%08llu.part", static_cast<unsigned long long>(index));
  return buf;
}

/// The index in "point-<digits>.part", or -1.
long long parse_part_name(const std::string& name) {
  const std::string prefix = "point-", suffix = ".part";
  if (name.size() <= prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return -1;
  const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.empty() || digits.size() > 15 || digits.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoll(digits);
}

/// An upper bound on the size of a part of `plan` (names, strings and slack included).
std::uint64_t largest_part(const Plan& plan) {
  const auto& spec = plan.spec();
  const std::uint64_t trials = spec.trials, row = static_cast<std::uint64_t>(plan.base().steps) + 1;
  const std::uint64_t per_scenario =
      trials * 32 + kCurveCount * 4 * (row + row * kQuantileCount + (spec.curves ? trials * row : 0));
  return 65536 + 8 * plan.parameters().size() + spec.scenarios.size() * per_scenario;
}

/// The bytes of a part, refused unread when the file is larger than any part of the sweep.
std::vector<char> read_file(const std::string& path, const Plan& plan) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (!ec && size > largest_part(plan))
    throw PartError(PartError::Damaged, "is " + std::to_string(size) + " bytes, larger than any part of this sweep");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw PartError(PartError::Damaged, "cannot be read");
  return std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

std::vector<char> encode_part(const Plan& plan, const PointResult& r) {
  Out o;
  o.put_array(kMagic, sizeof kMagic);
  o.put(kByteOrder);
  const std::string& fp = plan.fingerprint();
  o.put(static_cast<std::uint32_t>(fp.size()));
  o.put_array(fp.data(), fp.size());
  const std::string build = engine_build();
  o.put(static_cast<std::uint32_t>(build.size()));
  o.put_array(build.data(), build.size());
  o.put(r.index);
  o.put(r.seed);
  o.put(static_cast<std::uint64_t>(r.values.size()));
  o.put_array(r.values.data(), r.values.size());
  const bool curves = plan.spec().curves;
  const std::uint64_t trials = plan.spec().trials, row = static_cast<std::uint64_t>(plan.base().steps) + 1;
  o.put(static_cast<std::uint64_t>(r.scenarios.size()));
  o.put(trials);
  o.put(row);
  o.put(static_cast<std::uint64_t>(kQuantileCount));
  o.put(static_cast<std::uint64_t>(curves));
  for (const ScenarioResult& s : r.scenarios) {
    if (s.trials.size() != trials) throw std::logic_error("encode_part: wrong number of trials");
    for (const auto& m : s.trials) {
      o.put(m.final_adopted);
      o.put(m.final_internalized);
      o.put(m.t50.value_or(kNotReached));
      o.put(m.t50_internalized.value_or(kNotReached));
      o.put(m.peak_compliance);
      o.put(m.peak_resistance);
      o.put(m.departments_reached);
      o.put(m.departments_internalized);
    }
    for (std::size_t c = 0; c < kCurveCount; ++c) {
      if (s.mean[c].size() != row || s.quantiles[c].size() != row * kQuantileCount ||
          (curves && s.curves[c].size() != trials * row))
        throw std::logic_error("encode_part: curves of the wrong length");
      o.put_array(s.mean[c].data(), row);
      o.put_array(s.quantiles[c].data(), row * kQuantileCount);
      if (curves) o.put_array(s.curves[c].data(), trials * row);
    }
  }
  o.put(checksum(o.bytes.data(), o.bytes.size()));
  return o.bytes;
}

PointResult decode_part(const Plan& plan, const std::vector<char>& bytes, std::uint64_t expected_index) {
  using E = PartError;
  char magic[sizeof kMagic];
  if (bytes.size() < sizeof kMagic + 8)
    throw E(E::Damaged, "too short to be a part (" + std::to_string(bytes.size()) + " bytes)");
  std::memcpy(magic, bytes.data(), sizeof magic);
  if (std::memcmp(magic, kMagic, sizeof magic) != 0) throw E(E::Damaged, "not a sweep part (wrong magic bytes)");
  std::uint64_t stored;
  std::memcpy(&stored, bytes.data() + bytes.size() - 8, 8);
  if (stored != checksum(bytes.data(), bytes.size() - 8))
    throw E(E::Damaged, "checksum mismatch: the file was truncated or altered");

  In in(bytes.data() + sizeof kMagic, bytes.size() - sizeof kMagic - 8);
  if (in.get<std::uint32_t>() != kByteOrder) throw E(E::Damaged, "written on a machine of another byte order");
  const std::string fp = in.get_string();
  if (fp != plan.fingerprint())
    throw E(E::OtherSweep,
            "belongs to another sweep (fingerprint " + fp + ", this sweep is " + plan.fingerprint() + ")");
  const std::string build = in.get_string();
  if (build != engine_build()) throw E(E::OtherBuild, "was computed by " + build + ", not by this " + engine_build());

  PointResult r;
  r.index = in.get<std::uint64_t>();
  r.seed = in.get<std::uint64_t>();
  if (r.index != expected_index)
    throw E(E::Damaged, "holds point " + std::to_string(r.index) + ", expected " + std::to_string(expected_index));
  const std::size_t d = plan.parameters().size();
  if (in.get<std::uint64_t>() != d) throw E(E::Damaged, "wrong number of parameters");
  r.values.resize(d);
  in.get_array(r.values.data(), d);
  if (r.index >= plan.points() || r.seed != plan.point_seed(r.index) ||
      std::memcmp(r.values.data(), plan.values().data() + r.index * d, d * sizeof(double)) != 0)
    throw E(E::Damaged, "its values or seed differ from the sweep's point " + std::to_string(r.index));
  const std::uint64_t scenarios = in.get<std::uint64_t>(), trials = in.get<std::uint64_t>(),
                      row = in.get<std::uint64_t>(), quantiles = in.get<std::uint64_t>(),
                      curves = in.get<std::uint64_t>();
  if (scenarios != plan.spec().scenarios.size() || trials != plan.spec().trials ||
      row != static_cast<std::uint64_t>(plan.base().steps) + 1 || quantiles != kQuantileCount ||
      curves != static_cast<std::uint64_t>(plan.spec().curves))
    throw E(E::Damaged, "its shape differs from the sweep's");
  r.scenarios.resize(scenarios);
  for (ScenarioResult& s : r.scenarios) {
    s.trials.resize(trials);
    for (auto& m : s.trials) {
      m.final_adopted = in.get<float>();
      m.final_internalized = in.get<float>();
      m.t50 = reached(in.get<std::int32_t>());
      m.t50_internalized = reached(in.get<std::int32_t>());
      m.peak_compliance = in.get<float>();
      m.peak_resistance = in.get<float>();
      m.departments_reached = in.get<std::int32_t>();
      m.departments_internalized = in.get<std::int32_t>();
    }
    for (std::size_t c = 0; c < kCurveCount; ++c) {
      s.mean[c].resize(row);
      in.get_array(s.mean[c].data(), row);
      s.quantiles[c].resize(row * kQuantileCount);
      in.get_array(s.quantiles[c].data(), row * kQuantileCount);
      if (curves) {
        s.curves[c].resize(trials * row);
        in.get_array(s.curves[c].data(), trials * row);
      }
    }
  }
  if (in.left() != 0) throw E(E::Damaged, "has trailing bytes");
  return r;
}

PartStore::PartStore(const std::string& output, const Plan& plan) : dir_(output + ".parts"), plan_(plan) {}

PartStore::~PartStore() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

bool PartStore::exists() const {
  std::error_code ec;
  return fs::is_directory(dir_, ec);
}

std::string PartStore::part_path(std::uint64_t index) const { return (fs::path(dir_) / part_name(index)).string(); }

void PartStore::open() {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw InputError(dir_ + ": cannot create the parts directory: " + ec.message());
  const std::string lock = (fs::path(dir_) / "lock").string();
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT, 0644);
  if (lock_fd_ < 0) throw InputError(lock + ": cannot create the lock file: " + errno_text());
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      throw InputError(dir_ + " is in use by another groundswell process (it holds " + lock +
                       "); wait for it to finish or stop it, or write to another output");
    // File systems without locks (some network mounts): carry on unlocked.
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock_fd_, 0) == 0 && ::write(lock_fd_, pid.data(), pid.size()) < 0) { /* informative only */
  }
}

PartStore::Scan PartStore::scan() {
  Scan result;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(".point-", 0) == 0 && name.find(".tmp") != std::string::npos) {  // killed mid-write
      fs::remove(entry.path(), ec);
      ++result.stale;
      continue;
    }
    const long long index = parse_part_name(name);
    if (index < 0) continue;
    try {
      decode_part(plan_, read_file(entry.path().string(), plan_), static_cast<std::uint64_t>(index));
      result.done.push_back(static_cast<std::uint64_t>(index));
    } catch (const PartError& e) {
      if (e.kind == PartError::Damaged) {
        const std::string aside = entry.path().string() + ".damaged";
        fs::rename(entry.path(), aside, ec);
        result.damaged.push_back(entry.path().string() + ": " + e.what() + " (moved to " + aside + ")");
        continue;
      }
      throw InputError(entry.path().string() + " " + e.what() +
                       (e.kind == PartError::OtherSweep
                            ? ": the scenario file changed since these parts were written. Use --force to discard "
                              "them, or write to another output"
                            : ": points of different builds are never mixed. Finish with the same build, or use "
                              "--force to start over"));
    }
  }
  if (ec) throw InputError(dir_ + ": cannot list the parts directory: " + ec.message());
  std::sort(result.done.begin(), result.done.end());
  return result;
}

void PartStore::commit(std::uint64_t index, const std::vector<char>& bytes) {
  try {
    write_bytes_safely(part_path(index), "sweep part", bytes.data(), bytes.size());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string(e.what()) + "; the points committed before are kept: run again with --resume");
  }
}

PointResult PartStore::read(std::uint64_t index) const {
  const std::string path = part_path(index);
  try {
    return decode_part(plan_, read_file(path, plan_), index);
  } catch (const PartError& e) {
    throw InputError(path + ": " + e.what() + "; run again with --resume to recompute the point");
  }
}

void PartStore::remove() {
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec)) {
    const std::string name = entry.path().filename().string();
    const bool ours =
        name == "lock" || parse_part_name(name) >= 0 ||
        (name.rfind("point-", 0) == 0 && name.size() > 8 && name.compare(name.size() - 8, 8, ".damaged") == 0) ||
        (name.rfind(".point-", 0) == 0 && name.find(".tmp") != std::string::npos);
    if (ours) fs::remove(entry.path(), ec);
  }
  fs::remove(dir_, ec);  // only if empty: foreign files keep it
}

}  // namespace groundswell::sweep::detail
