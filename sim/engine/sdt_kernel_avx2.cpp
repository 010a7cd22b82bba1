// The sdt rule's agent pass for AVX2: 8 agents per instruction
// (engine/detail/sdt_kernel.hpp; isa.hpp chooses the path at run time).
// Compiled with -ffp-contract=off and -Wno-psabi (sim/CMakeLists.txt): the
// vectors never cross a function boundary, every kernel function being
// inlined into this entry.
#include "engine/detail/sdt_kernel.hpp"

namespace groundswell::engine::detail {

#if defined(__x86_64__)
__attribute__((target("avx2"))) void sdt_agents_avx2(const SdtStep& step, std::size_t begin, std::size_t end) {
  SdtKernel<8>{step}.run(begin, end);
}
#else
// Not x86-64: isa.cpp never chooses this path.
void sdt_agents_avx2(const SdtStep& step, std::size_t begin, std::size_t end) { SdtKernel<4>{step}.run(begin, end); }
#endif

}  // namespace groundswell::engine::detail
