#pragma once
// The processes that run one sweep together (docs/sweeps.md): one process, or
// the ranks of an MPI job when the build has MPI (GROUNDSWELL_MPI) and the
// command was started by mpirun, mpiexec or srun. No MPI type appears here.
#include <memory>

namespace groundswell::sweep {

namespace detail {
class MpiSession;
}

/// Joins the job's processes for its lifetime: initializes MPI if this build
/// has it and the process was started by a launcher, and finalizes it on
/// destruction; otherwise it stands for the single process of rank 0. Make
/// one in the command, before run_sweep, and keep it until the sweep ends.
class Ranks {
 public:
  Ranks();
  ~Ranks();
  Ranks(const Ranks&) = delete;
  Ranks& operator=(const Ranks&) = delete;

  /// This process's rank: 0 for a single process (rank 0 writes the output).
  int rank() const noexcept;
  /// The number of processes of the job: 1 for a single process.
  int size() const noexcept;
  /// A collective call: every rank must make it.
  /// @param ok whether this rank succeeded (e.g. read the scenario file).
  /// @return the lowest rank whose `ok` is false, or size() if every rank is ok.
  int first_failure(bool ok) const;

 private:
  std::unique_ptr<detail::MpiSession> session_;
};

}  // namespace groundswell::sweep
