// Writing a file through a temporary, fsync and rename (safe_write.hpp).
#include "safe_write.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <locale>
#include <mutex>
#include <ostream>
#include <set>
#include <streambuf>
#include <utility>
#include <vector>

namespace groundswell {
namespace {

namespace fs = std::filesystem;

/// The temporaries of the PendingFiles alive (abandon_pending_files). Commits
/// rename under the lock, so a temporary is either renamed or removed.
std::mutex g_pending_mutex;
std::set<std::string>& pending_temporaries() {
  static std::set<std::string> names;
  return names;
}
bool g_abandoned = false;  // under g_pending_mutex
/// The directories of the PendingDirectories alive, deepest first within each.
std::vector<std::string>& pending_directories() {
  static std::vector<std::string> names;
  return names;
}

void register_temporary(const std::string& name) {
  const std::lock_guard<std::mutex> lock(g_pending_mutex);
  pending_temporaries().insert(name);
}

void unregister_temporary(const std::string& name) {
  const std::lock_guard<std::mutex> lock(g_pending_mutex);
  pending_temporaries().erase(name);
}

[[noreturn]] void fail(const std::string& what, int error) {
  throw std::runtime_error(what + ": " + std::strerror(error));
}

/// Writes all of `data`; 0 on success, else the errno of the failure.
int write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return errno;
    if (n == 0) return EIO;  // no progress on a regular file: never expected
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return 0;
}

/// Owns a file descriptor. close() reports the error that a delayed write
/// (NFS, a full disk) may only show then.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  /// 0 or the errno of the failure.
  int close() {
    const int fd = std::exchange(fd_, -1);
    return ::close(fd) == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

/// Creates (or truncates) the temporary for writing; returns its descriptor.
int create(const std::string& temporary) {
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail("cannot create " + temporary, errno);
  return fd;
}

void close_written(Descriptor& fd, const std::string& temporary) {
  if (const int error = fd.close()) fail("cannot write " + temporary, error);
}

/// A stream buffer over a file descriptor that keeps the errno of the first
/// failed write, so the error can say why ("No space left on device").
class DescriptorBuffer : public std::streambuf {
 public:
  explicit DescriptorBuffer(int fd) : fd_(fd), buffer_(std::size_t{1} << 16) {
    setp(buffer_.data(), buffer_.data() + buffer_.size());
  }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(c, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  bool drain() {
    if (error_ == 0) error_ = write_all(fd_, pbase(), static_cast<std::size_t>(pptr() - pbase()));
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return error_ == 0;
  }
  int fd_;
  int error_ = 0;
  std::vector<char> buffer_;
};

/// fsync of a file by name: its data reach the disk before the rename that
/// publishes it, so a crash never leaves a file whose blocks are lost.
void sync_file(const std::string& path) {
  Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) fail("cannot write " + path + " to the disk", errno);
}

/// fsync of the directory holding `path`, so that the rename survives a power
/// cut. A directory that cannot be opened (write and search permission only)
/// or a file system that cannot sync directories (EINVAL) is let be: the
/// rename is done, and there is nothing more we can do for it.
void sync_directory(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  const std::string dir = parent.empty() ? "." : parent.string();
  Descriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return;
  if (::fsync(fd.get()) != 0 && errno != EINVAL) fail("cannot write the directory " + dir + " to the disk", errno);
}

}  // namespace

std::string temporary_name(const std::string& path) {
  const fs::path out(path);
  return (out.parent_path() / ("." + out.filename().string() + ".tmp" + std::to_string(::getpid()))).string();
}

std::runtime_error write_error(const std::string& description, const std::string& path, const std::string& cause) {
  std::string hint;
  if (cause.find("No space left") != std::string::npos || cause.find("quota") != std::string::npos)
    hint = "; the disk is full: free some space or write the results elsewhere";
  return std::runtime_error("cannot write the " + description + " " + path + ": " + cause + hint +
                            "; nothing was written");
}

PendingFile::PendingFile(std::string path) : path_(std::move(path)), temporary_(temporary_name(path_)) {
  const std::lock_guard<std::mutex> lock(g_pending_mutex);
  pending_temporaries().insert(temporary_);
}

void abandon_pending_files() noexcept {
  g_pending_mutex.lock();  // held until the process ends: no commit after this
  g_abandoned = true;
  for (const auto& name : pending_temporaries()) ::unlink(name.c_str());
  for (const auto& name : pending_directories()) ::rmdir(name.c_str());  // only if empty
}

PendingDirectories::PendingDirectories(const std::string& directory) {
  if (directory.empty()) return;
  std::error_code ec;
  std::vector<std::string> missing;
  for (fs::path d = fs::absolute(directory, ec); !d.empty() && !fs::exists(d, ec) && d != d.parent_path();
       d = d.parent_path())
    missing.push_back(d.string());
  {
    const std::lock_guard<std::mutex> lock(g_pending_mutex);
    auto& all = pending_directories();
    all.insert(all.end(), missing.begin(), missing.end());
  }
  made_ = std::move(missing);
  fs::create_directories(directory, ec);
  if (ec) {
    std::error_code ignored;
    for (const auto& d : made_) fs::remove(d, ignored);
    keep();
    throw std::runtime_error("cannot create the directory " + directory + ": " + ec.message());
  }
}

PendingDirectories::~PendingDirectories() {
  std::error_code ec;
  for (const auto& d : made_) fs::remove(d, ec);  // only if still empty; deepest first
  keep();
}

void PendingDirectories::keep() noexcept {
  const std::lock_guard<std::mutex> lock(g_pending_mutex);
  auto& all = pending_directories();
  for (const auto& d : made_) {
    const auto it = std::find(all.begin(), all.end(), d);
    if (it != all.end()) all.erase(it);
  }
  made_.clear();
}

PendingFile::~PendingFile() {
  if (!committed_) discard();
}

void PendingFile::commit() {
  try {
    sync_file(temporary_);
    const std::lock_guard<std::mutex> lock(g_pending_mutex);
    if (g_abandoned) throw std::runtime_error("stopped");
    if (::rename(temporary_.c_str(), path_.c_str()) != 0) fail("cannot rename " + temporary_ + " to " + path_, errno);
    pending_temporaries().erase(temporary_);
  } catch (...) {
    discard();
    throw;
  }
  try {
    sync_directory(path_);
  } catch (...) {
    // The promise is "whole, durable, or absent": a rename that may not
    // survive a crash is undone rather than reported as written.
    ::unlink(path_.c_str());
    throw;
  }
  committed_ = true;
}

void PendingFile::discard() noexcept {
  std::error_code ec;
  fs::remove(temporary_, ec);
  if (!committed_) {
    const std::lock_guard<std::mutex> lock(g_pending_mutex);
    pending_temporaries().erase(temporary_);
  }
}

void write_text_safely(const std::string& path, const std::string& description,
                       const std::function<void(std::ostream&)>& write) try {
  PendingFile file(path);
  Descriptor fd(create(file.temporary()));
  DescriptorBuffer buffer(fd.get());
  std::ostream out(&buffer);
  out.imbue(std::locale::classic());  // no digit grouping in numbers
  write(out);
  out.flush();
  if (buffer.error()) fail("cannot write " + file.temporary(), buffer.error());
  if (!out) throw std::runtime_error("cannot write " + file.temporary());
  close_written(fd, file.temporary());
  file.commit();
} catch (const std::runtime_error& e) {
  throw write_error(description, path, e.what());
}

namespace {

/// The temporaries (and the copies of replaced files) of write_texts_safely,
/// registered for abandon_pending_files; whatever is still listed when it
/// goes out of scope is removed.
struct Scratch {
  std::vector<std::string> names;
  void add(const std::string& name) {
    register_temporary(name);
    names.push_back(name);
  }
  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch() {
    std::error_code ec;
    for (const auto& name : names) {
      fs::remove(name, ec);
      unregister_temporary(name);
    }
  }
};

/// A DescriptorBuffer that fails (ECANCELED) once `stop` is set, so that a
/// long table stops within 64 kB of a SIGINT.
class StoppableBuffer : public DescriptorBuffer {
 public:
  StoppableBuffer(int fd, const std::atomic<bool>* stop) : DescriptorBuffer(fd), stop_(stop) {}
  bool stopped() const { return stop_ && stop_->load(); }

 protected:
  int_type overflow(int_type c) override { return stopped() ? traits_type::eof() : DescriptorBuffer::overflow(c); }

 private:
  const std::atomic<bool>* stop_;
};

/// Writes one file of a set to its temporary, to the disk.
void write_temporary(const TextFile& file, const std::string& temporary, const std::atomic<bool>* stop) {
  Descriptor fd(create(temporary));
  StoppableBuffer buffer(fd.get(), stop);
  std::ostream out(&buffer);
  out.imbue(std::locale::classic());  // no digit grouping in numbers
  file.write(out);
  if (buffer.stopped()) throw WriteStopped();
  out.flush();
  if (buffer.error()) fail("cannot write " + temporary, buffer.error());
  if (!out) throw std::runtime_error("cannot write " + temporary);
  if (::fsync(fd.get()) != 0) fail("cannot write " + temporary + " to the disk", errno);
  close_written(fd, temporary);
}

}  // namespace

void write_texts_safely(const std::vector<TextFile>& files, const std::atomic<bool>* stop) {
  Scratch scratch;
  std::vector<std::string> temporary, previous(files.size());
  for (const auto& f : files) temporary.push_back(temporary_name(f.path));
  std::size_t current = 0;  // the file an error is about
  std::size_t renamed = 0;  // files[0..renamed) are under their names
  // Puts back what was under the names before; cannot fail further; a second call does nothing.
  const auto undo = [&] {
    for (std::size_t j = renamed; j-- > 0;) {
      if (!previous[j].empty())
        ::rename(previous[j].c_str(), files[j].path.c_str());
      else
        ::unlink(files[j].path.c_str());
    }
    renamed = 0;
  };
  // Renames every temporary into place; g_pending_mutex is held.
  const auto rename_all = [&] {
    for (current = 0; current < files.size(); ++current) {
      const std::string& path = files[current].path;
      // A second name for the file being replaced, so that it can be put back.
      // Without hard links (vfat, some network file systems) it cannot be: an
      // undo then removes the new file, and the name is left empty.
      const std::string keep = temporary[current] + ".old";
      ::unlink(keep.c_str());
      if (::link(path.c_str(), keep.c_str()) == 0) {
        previous[current] = keep;
        pending_temporaries().insert(keep);
        scratch.names.push_back(keep);
      } else if (errno != ENOENT && errno != EPERM && errno != EOPNOTSUPP && errno != EMLINK) {
        fail("cannot keep the previous " + path + " while it is replaced", errno);
      }
      if (::rename(temporary[current].c_str(), path.c_str()) != 0)
        fail("cannot rename " + temporary[current] + " to " + path, errno);
      ++renamed;
    }
  };
  try {
    for (current = 0; current < files.size(); ++current) {
      scratch.add(temporary[current]);
      write_temporary(files[current], temporary[current], stop);
    }
    {  // All renamed or none: the watchdog's abandon_pending_files waits for this lock.
      const std::lock_guard<std::mutex> lock(g_pending_mutex);
      if (g_abandoned || (stop && stop->load())) throw WriteStopped();
      try {
        rename_all();
      } catch (...) {
        undo();
        throw;
      }
    }
    for (current = 0; current < files.size(); ++current) sync_directory(files[current].path);
  } catch (const WriteStopped&) {
    undo();
    throw;
  } catch (const std::runtime_error& e) {
    undo();
    const TextFile& f = files[std::min(current, files.size() - 1)];
    throw write_error(f.description, f.path, e.what());
  } catch (...) {
    undo();
    throw;
  }
}

void write_bytes_safely(const std::string& path, const std::string& description, const void* data,
                        std::size_t size) try {
  PendingFile file(path);
  Descriptor fd(create(file.temporary()));
  if (const int error = write_all(fd.get(), static_cast<const char*>(data), size))
    fail("cannot write " + file.temporary(), error);
  close_written(fd, file.temporary());
  file.commit();
} catch (const std::runtime_error& e) {
  throw write_error(description, path, e.what());
}

}  // namespace groundswell
