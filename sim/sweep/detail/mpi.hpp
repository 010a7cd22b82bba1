#pragma once
// Internal: the MPI side of sweeps (a master/worker loop). Compiled with or
// without MPI (GROUNDSWELL_MPI); without it there is one process of rank 0.
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

namespace groundswell::sweep::detail {

/// True if this build can use MPI.
bool mpi_built();
/// True if the environment says the process was started by an MPI launcher
/// (mpirun, mpiexec, srun): OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK is set.
bool mpi_launched();

/// Initializes MPI (MPI_THREAD_FUNNELED) for its lifetime if this build has
/// MPI and the process was started by a launcher; otherwise does nothing.
class MpiSession {
 public:
  MpiSession();
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  /// Ranks on this node (to share its cores).
  int local_size() const noexcept { return local_size_; }

 private:
  bool active_ = false;
  int rank_ = 0, size_ = 1, local_size_ = 1;
};

/// The current world: rank and size (0 and 1 without an active MpiSession).
int mpi_rank();
int mpi_size();
int mpi_local_size();

/// Rank 0's `value` on every rank (a collective call).
bool mpi_broadcast(bool value);
/// The lowest rank whose `ok` is false, or mpi_size() if every rank is ok (a collective call).
int mpi_first_failure(bool ok);
/// Ends every rank of the job with `code` (MPI_Abort), or exits without MPI.
[[noreturn]] void mpi_abort(int code);

/// Computes a point into part bytes; nothing if stopped.
using Compute = std::function<std::optional<std::vector<char>>(std::uint64_t)>;
/// Verifies and commits part bytes of a point (called on rank 0 only, from any thread).
using Commit = std::function<void(std::uint64_t, const std::vector<char>&)>;

/// Rank 0: hands the points of `todo` out one at a time, to the other ranks
/// on request and to a local computing thread, and commits every result.
/// Returns when every rank has been told to stop: the queue is empty or
/// `stop` is set. Points handed out but not finished are not committed.
void mpi_master(std::deque<std::uint64_t> todo, const Compute& compute, const Commit& commit,
                const std::atomic<bool>* stop);
/// Ranks other than 0: compute points until told to stop.
void mpi_worker(const Compute& compute);

}  // namespace groundswell::sweep::detail
