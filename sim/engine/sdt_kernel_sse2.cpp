// The sdt rule's agent pass for SSE2: 4 agents per instruction
// (engine/detail/sdt_kernel.hpp; isa.hpp chooses the path at run time).
// Compiled with -ffp-contract=off and -Wno-psabi (sim/CMakeLists.txt): the
// vectors never cross a function boundary, every kernel function being
// inlined into this entry.
#include "engine/detail/sdt_kernel.hpp"

namespace groundswell::engine::detail {

void sdt_agents_sse2(const SdtStep& step, std::size_t begin, std::size_t end) { SdtKernel<4>{step}.run(begin, end); }

}  // namespace groundswell::engine::detail
