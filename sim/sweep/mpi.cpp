// The MPI master/worker loop of sweeps. Without GROUNDSWELL_MPI every
// function degrades to the single process of rank 0.
#include "sweep/detail/mpi.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "groundswell/types.hpp"

#ifdef GROUNDSWELL_MPI
#define OMPI_SKIP_MPICXX 1  // the C API only: no deprecated C++ bindings to link
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace groundswell::sweep::detail {
namespace {

int g_rank = 0, g_size = 1, g_local = 1;
[[maybe_unused]] bool g_active = false;  // read only with GROUNDSWELL_MPI

[[maybe_unused]] constexpr int kTagRequest = 1;  // worker -> master: uint64 length of the result that follows (0: none)
[[maybe_unused]] constexpr int kTagData = 2;     // worker -> master: the result's bytes
[[maybe_unused]] constexpr int kTagAssign = 3;   // master -> worker: int64 point index, or -1 to stop
[[maybe_unused]] constexpr std::uint64_t kStopped = std::numeric_limits<std::uint64_t>::max();
[[maybe_unused]] constexpr std::size_t kChunk = std::size_t{1} << 30;  // MPI counts are int

/// Reports an error of any rank and ends the whole job: the parts committed so far stay.
[[noreturn]] void fail(const char* where) {
  int code = 1;
  try {
    throw;
  } catch (const InputError& e) {
    code = 2;
    std::fprintf(stderr, "groundswell: error (rank %d, %s): %s\n", g_rank, where, e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "groundswell: error (rank %d, %s): %s\n", g_rank, where, e.what());
  } catch (...) {
    std::fprintf(stderr, "groundswell: error (rank %d, %s): unknown exception\n", g_rank, where);
  }
  std::fflush(stderr);
  mpi_abort(code);
}

}  // namespace

bool mpi_built() {
#ifdef GROUNDSWELL_MPI
  return true;
#else
  return false;
#endif
}

bool mpi_launched() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(v)) return true;
  return false;
}

MpiSession::MpiSession() {
#ifdef GROUNDSWELL_MPI
  if (!mpi_launched()) return;
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
    throw std::runtime_error("MPI_Init_thread failed");
  active_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &node);
  MPI_Comm_size(node, &local_size_);
  MPI_Comm_free(&node);
  g_rank = rank_;
  g_size = size_;
  g_local = local_size_;
  g_active = true;
#endif
}

MpiSession::~MpiSession() {
#ifdef GROUNDSWELL_MPI
  if (!active_) return;
  MPI_Finalize();
  g_rank = 0;
  g_size = g_local = 1;
  g_active = false;
#endif
}

int mpi_rank() { return g_rank; }
int mpi_size() { return g_size; }
int mpi_local_size() { return g_local; }

bool mpi_broadcast(bool value) {
#ifdef GROUNDSWELL_MPI
  if (g_active) {
    int v = value ? 1 : 0;
    MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return v != 0;
  }
#endif
  return value;
}

int mpi_first_failure(bool ok) {
  int first = ok ? g_size : g_rank;
#ifdef GROUNDSWELL_MPI
  if (g_active) {
    int mine = first;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  }
#endif
  return first;
}

void mpi_abort(int code) {
#ifdef GROUNDSWELL_MPI
  if (g_active) MPI_Abort(MPI_COMM_WORLD, code);
#endif
  std::exit(code);
}

void mpi_master(std::deque<std::uint64_t> todo, const Compute& compute, const Commit& commit,
                const std::atomic<bool>* stop) {
  std::mutex mutex;
  const auto next = [&]() -> std::optional<std::uint64_t> {
    std::lock_guard<std::mutex> lock(mutex);
    if ((stop && stop->load()) || todo.empty()) return std::nullopt;
    const std::uint64_t p = todo.front();
    todo.pop_front();
    return p;
  };
  std::atomic<bool> local_failed{false};
  std::exception_ptr local_error;
  // Rank 0 computes too, on a thread of its own; only this (main) thread calls MPI.
  std::thread local([&] {
    try {
      while (const auto p = next()) {
        const auto bytes = compute(*p);
        if (!bytes) break;
        commit(*p, *bytes);
      }
    } catch (...) {
      local_error = std::current_exception();
      local_failed.store(true);
    }
  });
#ifdef GROUNDSWELL_MPI
  try {
    int active = g_size - 1;
    std::vector<std::optional<std::uint64_t>> handed(static_cast<std::size_t>(g_size));
    while (active > 0 && !local_failed.load()) {
      int flag = 0;
      MPI_Status status;
      MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &flag, &status);
      if (!flag) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));  // idle without spinning a core
        continue;
      }
      const int source = status.MPI_SOURCE;
      auto& mine = handed[static_cast<std::size_t>(source)];
      std::uint64_t length = 0;
      MPI_Recv(&length, 1, MPI_UINT64_T, source, kTagRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      std::optional<std::uint64_t> p;
      if (length == kStopped) {  // the rank stopped mid-point: the point goes back to the queue
        if (mine) {
          std::lock_guard<std::mutex> lock(mutex);
          todo.push_front(*mine);
        }
      } else {
        if (length > 0) {
          std::vector<char> bytes(length);
          for (std::size_t off = 0; off < length; off += kChunk) {
            const int n = static_cast<int>(std::min<std::size_t>(kChunk, length - off));
            MPI_Recv(bytes.data() + off, n, MPI_BYTE, source, kTagData, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
          }
          if (!mine) throw std::runtime_error("rank " + std::to_string(source) + " sent a result it was not asked for");
          commit(*mine, bytes);
        }
        p = next();
      }
      mine = p;
      const std::int64_t message = p ? static_cast<std::int64_t>(*p) : -1;
      MPI_Send(&message, 1, MPI_INT64_T, source, kTagAssign, MPI_COMM_WORLD);
      if (!p) --active;
    }
  } catch (...) {
    fail("coordinating");
  }
#endif
  local.join();
  if (local_error) {
    if (g_size > 1) {
      try {
        std::rethrow_exception(local_error);
      } catch (...) {
        fail("computing");
      }
    }
    std::rethrow_exception(local_error);
  }
}

void mpi_worker([[maybe_unused]] const Compute& compute) {
#ifdef GROUNDSWELL_MPI
  try {
    std::uint64_t length = 0;
    MPI_Send(&length, 1, MPI_UINT64_T, 0, kTagRequest, MPI_COMM_WORLD);
    for (;;) {
      std::int64_t p = -1;
      MPI_Recv(&p, 1, MPI_INT64_T, 0, kTagAssign, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (p < 0) break;
      const auto bytes = compute(static_cast<std::uint64_t>(p));
      length = bytes ? bytes->size() : kStopped;
      MPI_Send(&length, 1, MPI_UINT64_T, 0, kTagRequest, MPI_COMM_WORLD);
      if (!bytes) continue;  // rank 0 answers -1
      for (std::size_t off = 0; off < bytes->size(); off += kChunk) {
        const int n = static_cast<int>(std::min<std::size_t>(kChunk, bytes->size() - off));
        MPI_Send(bytes->data() + off, n, MPI_BYTE, 0, kTagData, MPI_COMM_WORLD);
      }
    }
  } catch (...) {
    fail("computing");
  }
#endif
}

}  // namespace groundswell::sweep::detail
