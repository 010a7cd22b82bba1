// The HDF5 layer (sim/io/hdf5.hpp) reports every failure with the operation
// and its cause, detects a close that cannot flush, and leaves no file behind
// a failed write.
#include "io/hdf5.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace {

namespace fs = std::filesystem;
namespace h5 = groundswell::io::hdf5;
using Catch::Matchers::Contains;

/// While it lives, LeakSanitizer does not count what is allocated. HDF5 1.10
/// cannot free a file's metadata cache when H5Fclose fails to write it (it
/// keeps what it could not save); the test below makes that close fail on
/// purpose, so those bytes are the library's, not a leak of ours.
struct LeaksOfHdf5Expected {
#if defined(__SANITIZE_ADDRESS__)
  LeaksOfHdf5Expected() { __lsan_disable(); }
  ~LeaksOfHdf5Expected() { __lsan_enable(); }
#else
  LeaksOfHdf5Expected() {}
#endif
  LeaksOfHdf5Expected(const LeaksOfHdf5Expected&) = delete;
  LeaksOfHdf5Expected& operator=(const LeaksOfHdf5Expected&) = delete;
};

/// A fresh directory, removed with everything in it.
class Scratch {
 public:
  Scratch() : path_(fs::temp_directory_path() / ("gs-hdf5-errors-" + std::to_string(::getpid()) + "-" + next())) {
    fs::create_directories(path_);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  bool empty() const { return fs::directory_iterator(path_) == fs::directory_iterator(); }

 private:
  static std::string next() {
    static int n = 0;
    return std::to_string(n++);
  }
  fs::path path_;
};

/// Files of this process may not grow past `bytes` while it lives: a write
/// beyond fails with EFBIG ("File too large"), as on a full disk but without
/// needing one. SIGXFSZ, which would kill the process, is ignored meanwhile.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*handler_)(int) = SIG_DFL;
};

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

}  // namespace

TEST_CASE("an HDF5 failure names the operation and HDF5's cause, and clears the error stack", "[unit][io]") {
  const Scratch dir;
  h5::quiet_errors();
  h5::Handle file(H5Fcreate(dir.file("a.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose, "create");
  const std::string message = message_of([&] { h5::open_group(file.get(), "no_such_group"); });
  CHECK_THAT(message, Contains("HDF5: cannot open group no_such_group (") && Contains("exist"));
  CHECK(H5Eget_num(H5E_DEFAULT) == 0);
  CHECK(h5::read_string_attribute(file.get(), "absent").empty());
  double value = 0;
  CHECK_FALSE(h5::read_number_attribute(file.get(), "absent", H5T_NATIVE_DOUBLE, &value));
}

TEST_CASE("an output file in a missing directory is an error with the system's cause", "[unit][io]") {
  const Scratch dir;
  const std::string path = dir.file("missing/out.h5");
  const std::string message = message_of([&] { h5::write_file(path, "calibration file", [](hid_t) {}); });
  CHECK_THAT(message, Contains("cannot write the calibration file " + path + ": HDF5: cannot create ") &&
                          Contains("No such file or directory") && Contains("nothing was written"));
}

TEST_CASE("an output file is published whole, with its provenance, and no temporary", "[unit][io]") {
  const Scratch dir;
  const std::string path = dir.file("out.h5");
  h5::write_file(path, "calibration file", [&](hid_t root) {
    CHECK_FALSE(fs::exists(path));
    h5::write_provenance(root, "groundswell-test", 7, {{"experiment", "e"}});
    const std::vector<double> values{1.5, 2.5, 3.5};
    h5::Handle ds = h5::create_dataset(root, "g/values", H5T_IEEE_F64LE, {3}, h5::Layout{});
    h5::write_rows(ds.get(), H5T_NATIVE_DOUBLE, 0, 3, values.data());
    ds.close("close dataset values");
  });
  CHECK_FALSE(fs::exists(groundswell::temporary_name(path)));
  h5::Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose, "open");
  CHECK(h5::read_string_attribute(file.get(), "format") == "groundswell-test");
  int version = 0;
  CHECK(h5::read_number_attribute(file.get(), "format_version", H5T_NATIVE_INT, &version));
  CHECK(version == 7);
  CHECK(h5::read_string_attribute(file.get(), "experiment") == "e");
  CHECK_FALSE(h5::read_string_attribute(file.get(), "groundswell_version").empty());
  CHECK(std::regex_match(h5::read_string_attribute(file.get(), "created"),
                         std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
  h5::Handle ds(H5Dopen2(file.get(), "g/values", H5P_DEFAULT), H5Dclose, "open dataset");
  std::vector<double> back(3);
  h5::read_rows(ds.get(), H5T_NATIVE_DOUBLE, 0, 3, back.data());
  CHECK(back == std::vector<double>{1.5, 2.5, 3.5});
}

TEST_CASE("a failed HDF5 write leaves neither the output nor the temporary", "[unit][io]") {
  const Scratch dir;
  const std::string path = dir.file("out.h5");
  SECTION("the writer throws a runtime error: a write error naming the file") {
    const std::string message = message_of([&] {
      h5::write_file(path, "calibration file", [](hid_t root) {
        h5::write_string_attribute(root, "half", "written");
        throw std::runtime_error("the data ran out");
      });
    });
    CHECK(message == "cannot write the calibration file " + path + ": the data ran out; nothing was written");
  }
  SECTION("an object left open at the commit is a programming error") {
    h5::Handle group;
    CHECK_THROWS_AS(
        h5::write_file(path, "calibration file", [&](hid_t root) { group = h5::create_group(root, "left_open"); }),
        std::logic_error);
  }
  CHECK(dir.empty());
}

TEST_CASE("a close that cannot flush is detected, and so is a commit that cannot", "[unit][io][disk]") {
  const LeaksOfHdf5Expected hdf5_keeps_the_unwritten_cache;
  const Scratch dir;
  h5::quiet_errors();
  SECTION("Handle::close of a file whose metadata cannot be written") {
    const std::string path = dir.file("close.h5");
    h5::Handle file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose, "create");
    h5::check(H5Fflush(file.get(), H5F_SCOPE_GLOBAL), "flush");
    const FileSizeLimit limit(fs::file_size(path));  // not a byte more
    const std::string message = message_of([&] {
      for (int g = 0; g < 50; ++g) {  // metadata, cached until the close
        h5::Handle group = h5::create_group(file.get(), "g" + std::to_string(g));
        h5::write_string_attribute(group.get(), "text", std::string(1000, 'x'));
      }
      file.close("close " + path);
    });
    CHECK_THAT(message, Contains("HDF5: cannot close " + path) && Contains("File too large"));
  }
  SECTION("OutputFile::commit of data that cannot reach the file") {
    const std::string path = dir.file("commit.h5");
    const FileSizeLimit limit(64 * 1024);
    bool committed = true;
    const std::string message = message_of([&] {
      h5::OutputFile file(path);
      std::vector<float> values(1 << 17);  // 512 KiB that do not compress, cached in two chunks
      std::uint32_t x = 1;
      for (float& v : values) v = static_cast<float>(x = x * 1664525u + 1013904223u);
      h5::Handle ds = h5::create_dataset(file.root(), "values", H5T_IEEE_F32LE, {values.size()}, h5::Layout{});
      h5::write_rows(ds.get(), H5T_NATIVE_FLOAT, 0, values.size(), values.data());
      committed = false;
      file.commit([&] { ds.reset(); });
      committed = file.committed();
    });
    CHECK_THAT(message, Contains("HDF5: cannot flush ") && Contains("File too large"));
    CHECK_FALSE(committed);
    CHECK(dir.empty());
  }
}
