// The public face of the sweep's MPI session (sweep/detail/mpi.hpp).
#include "groundswell/sweep/ranks.hpp"

#include "sweep/detail/mpi.hpp"

namespace groundswell::sweep {

Ranks::Ranks() : session_(std::make_unique<detail::MpiSession>()) {}

Ranks::~Ranks() = default;

int Ranks::rank() const noexcept { return session_->rank(); }

int Ranks::size() const noexcept { return session_->size(); }

int Ranks::first_failure(bool ok) const { return detail::mpi_first_failure(ok); }

}  // namespace groundswell::sweep
