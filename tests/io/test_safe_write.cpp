// The safe-write helper (sim/safe_write.hpp): a file appears whole under
// its name or not at all, and every failure names the path and the cause.
#include "safe_write.hpp"

#include <catch2/catch.hpp>

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Catch::Matchers::Contains;

/// A fresh directory, removed with everything in it.
class Scratch {
 public:
  Scratch() : path_(fs::temp_directory_path() / ("gs-safe-write-" + std::to_string(::getpid()) + "-" + next())) {
    fs::create_directories(path_);
  }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  const fs::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  /// The names in the directory, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(path_)) out.push_back(entry.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  static std::string next() {
    static int n = 0;
    return std::to_string(n++);
  }
  fs::path path_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

void spill(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

}  // namespace

using groundswell::PendingFile;
using groundswell::temporary_name;
using groundswell::write_bytes_safely;
using groundswell::write_text_safely;

TEST_CASE("the temporary is hidden, beside the output, and names the process", "[unit][io]") {
  const std::string pid = std::to_string(::getpid());
  CHECK(temporary_name("dir/out.h5") == "dir/.out.h5.tmp" + pid);
  CHECK(temporary_name("out.h5") == ".out.h5.tmp" + pid);
  CHECK(temporary_name("/a/b/nodes.csv") == "/a/b/.nodes.csv.tmp" + pid);
}

TEST_CASE("safe writes put the whole file under its name and leave no temporary", "[unit][io]") {
  const Scratch dir;
  SECTION("text, in the classic locale whatever the global one") {
    write_text_safely(dir.file("t.csv"), "table", [](std::ostream& out) {
      out << "a,b\n" << 1234567 << ',' << 0.5 << '\n';
      for (int i = 0; i < 100000; ++i) out << i << '\n';  // more than one buffer
    });
    std::ostringstream expected;
    expected << "a,b\n1234567,0.5\n";
    for (int i = 0; i < 100000; ++i) expected << i << '\n';
    CHECK(slurp(dir.file("t.csv")) == expected.str());
  }
  SECTION("bytes, replacing an older file") {
    spill(dir.file("p.part"), "old");
    const std::vector<char> bytes{'\0', 'x', '\n', '\xff'};
    write_bytes_safely(dir.file("p.part"), "sweep part", bytes.data(), bytes.size());
    CHECK(slurp(dir.file("p.part")) == std::string(bytes.begin(), bytes.end()));
  }
  SECTION("an empty file") {
    write_bytes_safely(dir.file("empty"), "sweep part", nullptr, 0);
    CHECK(fs::file_size(dir.file("empty")) == 0);
  }
  SECTION("a pending file created by its writer, then committed") {
    PendingFile file(dir.file("r.h5"));
    CHECK(file.temporary() == temporary_name(dir.file("r.h5")));
    spill(file.temporary(), "whole");
    CHECK_FALSE(fs::exists(dir.file("r.h5")));
    file.commit();
    CHECK(file.committed());
    CHECK(slurp(dir.file("r.h5")) == "whole");
  }
  CHECK(dir.names().size() == 1);  // the output alone
}

TEST_CASE("the final name is never half-written: while writing it is absent or still the old file", "[unit][io]") {
  const Scratch dir;
  const std::string path = dir.file("nodes.csv");
  SECTION("a new file") {
    write_text_safely(path, "table", [&](std::ostream& out) {
      out << std::string(200000, 'x');
      out.flush();
      CHECK_FALSE(fs::exists(path));
      CHECK(fs::file_size(temporary_name(path)) > 0);  // the data go to the temporary
    });
  }
  SECTION("replacing a file") {
    spill(path, "old table\n");
    write_text_safely(path, "table", [&](std::ostream& out) {
      out << std::string(200000, 'x');
      out.flush();
      CHECK(slurp(path) == "old table\n");
    });
  }
  CHECK(slurp(path) == std::string(200000, 'x'));
  CHECK(dir.names() == std::vector<std::string>{"nodes.csv"});
}

TEST_CASE("a writer that throws leaves neither the output nor the temporary", "[unit][io]") {
  const Scratch dir;
  const std::string path = dir.file("edges.csv");
  SECTION("a runtime error is reported as a write error naming the file") {
    try {
      write_text_safely(path, "table", [](std::ostream& out) {
        out << "half a table";
        out.flush();
        throw std::runtime_error("the data ran out");
      });
      FAIL("no exception");
    } catch (const std::runtime_error& e) {
      CHECK(std::string(e.what()) == "cannot write the table " + path + ": the data ran out; nothing was written");
    }
    CHECK(dir.names().empty());
  }
  SECTION("any other exception passes unchanged, and an older file is kept") {
    spill(path, "old");
    CHECK_THROWS_AS(write_text_safely(path, "table", [](std::ostream&) { throw std::invalid_argument("bad field"); }),
                    std::invalid_argument);
    CHECK(dir.names() == std::vector<std::string>{"edges.csv"});
    CHECK(slurp(path) == "old");
  }
  SECTION("a pending file dropped uncommitted removes its temporary") {
    {
      PendingFile file(path);
      spill(file.temporary(), "half");
    }
    CHECK(dir.names().empty());
  }
}

TEST_CASE("a missing directory or a name taken by a directory is a clear error", "[unit][io]") {
  const Scratch dir;
  SECTION("missing directory") {
    const std::string path = dir.file("no/such/dir/nodes.csv");
    try {
      write_text_safely(path, "table", [](std::ostream& out) { out << "x"; });
      FAIL("no exception");
    } catch (const std::runtime_error& e) {
      CHECK_THAT(e.what(), Contains("cannot write the table " + path) && Contains("cannot create") &&
                               Contains("No such file or directory") && Contains("nothing was written"));
    }
  }
  SECTION("the final name is a directory") {
    fs::create_directories(dir.path() / "out.part" / "occupied");
    try {
      write_bytes_safely(dir.file("out.part"), "sweep part", "x", 1);
      FAIL("no exception");
    } catch (const std::runtime_error& e) {
      CHECK_THAT(e.what(), Contains("cannot write the sweep part " + dir.file("out.part")) &&
                               Contains("cannot rename " + temporary_name(dir.file("out.part"))));
    }
    CHECK(dir.names() == std::vector<std::string>{"out.part"});
  }
}

TEST_CASE("a full disk is reported with its cause and a hint, and nothing is left", "[unit][io][disk]") {
  const Scratch dir;
  const fs::path disk = dir.path() / "disk";
  fs::create_directory(disk);
  if (::mount("tmpfs", disk.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0777") != 0) {
    WARN("skipped: cannot mount a small tmpfs here (" << std::strerror(errno) << "); needs root with CAP_SYS_ADMIN");
    return;
  }
  const std::string path = (disk / "big.part").string();
  std::string message;
  try {
    const std::vector<char> bytes(std::size_t{1} << 20, 'x');
    write_bytes_safely(path, "sweep part", bytes.data(), bytes.size());
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  std::vector<std::string> left;
  for (const auto& entry : fs::directory_iterator(disk)) left.push_back(entry.path().filename().string());
  ::umount2(disk.c_str(), MNT_DETACH);
  CHECK_THAT(message, Contains("cannot write the sweep part " + path) && Contains("No space left on device") &&
                          Contains("the disk is full") && Contains("nothing was written"));
  CHECK(left.empty());
}

TEST_CASE("files written together appear all new or each as it was", "[unit][io]") {
  using groundswell::write_texts_safely;
  Scratch dir;
  const auto text = [](const std::string& s) { return [s](std::ostream& out) { out << s; }; };
  const std::string a = dir.file("nodes.csv"), b = dir.file("edges.csv");

  SECTION("both new") {
    write_texts_safely({{a, "table", text("A")}, {b, "table", text("B")}});
    CHECK(slurp(a) == "A");
    CHECK(slurp(b) == "B");
    CHECK(dir.names() == std::vector<std::string>{"edges.csv", "nodes.csv"});
  }
  SECTION("the second writer fails: the first is not left under its name") {
    CHECK_THROWS_WITH(write_texts_safely({{a, "table", text("A")},
                                          {b, "table", [](std::ostream&) { throw std::runtime_error("boom"); }}}),
                      Contains("cannot write the table " + b + ": boom") && Contains("nothing was written"));
    CHECK(dir.names().empty());
  }
  SECTION("the second cannot be renamed: the first is put back as it was") {
    { std::ofstream(a) << "old"; }
    fs::create_directory(b);  // a name taken by a directory: the second rename fails
    fs::create_directory(fs::path(b) / "x");
    CHECK_THROWS_WITH(write_texts_safely({{a, "table", text("A")}, {b, "table", text("B")}}),
                      Contains("cannot write the table " + b));
    CHECK(slurp(a) == "old");
    CHECK(dir.names() == std::vector<std::string>{"edges.csv", "nodes.csv"});
    CHECK(fs::is_directory(b));
  }
}
