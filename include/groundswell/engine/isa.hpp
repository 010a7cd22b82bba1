#pragma once
// The instruction sets the sdt rule's agent pass is compiled for, and which
// one runs. One binary carries all of them (no -march): SSE2, which every
// x86-64 has, 4 agents per instruction; AVX2, 8; AVX-512, 16. AVX2 is used
// where the processor has it, else SSE2, unless GROUNDSWELL_ISA or
// set_instruction_set says otherwise; AVX-512 only when asked for, since it
// measured slower than AVX2 here (isa.cpp). Every path gives the same bits (engine/detail/lanes.hpp says
// why; tests/experiment/test_determinism.cpp checks it), so the choice is about speed only
// and is not recorded in results.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace groundswell::engine {

enum class InstructionSet { sse2, avx2, avx512 };

/// "sse2", "avx2" or "avx512".
std::string_view name(InstructionSet isa);

/// The instruction set called `text` ("sse2", "avx2", "avx512"), or nothing.
std::optional<InstructionSet> parse_instruction_set(std::string_view text);

/// The instruction sets this processor runs, narrowest first (sse2 always).
std::vector<InstructionSet> supported_instruction_sets();

/// The instruction set in use: the last set_instruction_set, else
/// GROUNDSWELL_ISA when set, else AVX2 when supported, else SSE2.
/// @throws std::invalid_argument when GROUNDSWELL_ISA names no instruction
///         set or one this processor does not run (the message says which it runs)
InstructionSet instruction_set();

/// Uses `isa` from the next step of every trial on (thread-safe; the bits are
/// the same either way).
/// @throws std::invalid_argument when this processor does not run `isa`
void set_instruction_set(InstructionSet isa);

/// The names of the supported instruction sets, as "sse2, avx2, avx512".
std::string supported_instruction_set_names();

}  // namespace groundswell::engine
