#pragma once
// The only place where the engine's loops over agents go parallel (STYLE.md 6).
// Agents are independent within a phase and draw from counter-based streams,
// so the split into blocks never changes a result.
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cstddef>

#include "engine/detail/parallel_for.hpp"

namespace groundswell::engine::detail {

/// Agents per block; below two blocks' worth a phase runs serially, since
/// small organizations are parallel across trials instead.
inline constexpr std::size_t kAgentBlock = 8192;

template <typename Body>
void for_each_agent_block(std::size_t n, Body&& body) {
  if (n < 2 * kAgentBlock) {
    body(std::size_t{0}, n);
    return;
  }
  // tbb::parallel_for, or plain threads under ThreadSanitizer (parallel_for.hpp)
  detail::parallel_for(tbb::blocked_range<std::size_t>(0, n, kAgentBlock),
                       [&](const tbb::blocked_range<std::size_t>& r) { body(r.begin(), r.end()); });
}

/// Calls body(block) for block = 0..blocks-1, in parallel when there are several.
template <typename Body>
void for_each_block_index(std::size_t blocks, Body&& body) {
  if (blocks < 2) {
    for (std::size_t b = 0; b < blocks; ++b) body(b);
    return;
  }
  detail::parallel_for(std::size_t{0}, blocks, [&](std::size_t b) { body(b); });
}

}  // namespace groundswell::engine::detail
