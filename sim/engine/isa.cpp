// Which instruction set runs the sdt rule's agent pass (engine/isa.hpp).
#include "groundswell/engine/isa.hpp"

#include <atomic>
#include <cstdlib>
#include <stdexcept>

namespace groundswell::engine {
namespace {

bool processor_runs(InstructionSet isa) {
#if defined(__x86_64__)
  switch (isa) {
    case InstructionSet::sse2:
      return true;
    case InstructionSet::avx2:
      return __builtin_cpu_supports("avx2") != 0;
    case InstructionSet::avx512:
      return __builtin_cpu_supports("avx512f") != 0;
  }
  return false;
#else
  return isa == InstructionSet::sse2;  // the portable 4-lane path, whatever the processor
#endif
}

InstructionSet check_supported(InstructionSet isa, const std::string& what) {
  if (!processor_runs(isa))
    throw std::invalid_argument(what + ": this processor does not run " + std::string(name(isa)) + "; it runs " +
                                supported_instruction_set_names());
  return isa;
}

/// AVX2 where the processor has it, else SSE2. Not AVX-512: on this
/// project's machine (a 2-core Xeon VM) the 16-lane path ran the whole
/// command slower than SSE2 (benchmarks/RESULTS.md), as 512-bit arithmetic
/// lowers the clock of the core for everything else it runs too.
InstructionSet default_instruction_set() {
  return processor_runs(InstructionSet::avx2) ? InstructionSet::avx2 : InstructionSet::sse2;
}

InstructionSet from_environment() {
  const char* text = std::getenv("GROUNDSWELL_ISA");  // NOLINT(concurrency-mt-unsafe): read once, before any trial
  if (text == nullptr || *text == '\0') return default_instruction_set();
  const auto isa = parse_instruction_set(text);
  if (!isa)
    throw std::invalid_argument(std::string("GROUNDSWELL_ISA=") + text +
                                ": not an instruction set; use one of sse2, avx2, avx512 (this processor runs " +
                                supported_instruction_set_names() + "), or unset it for the default");
  return check_supported(*isa, std::string("GROUNDSWELL_ISA=") + text);
}

// -1: not chosen yet; else the InstructionSet in use.
std::atomic<int> chosen{-1};

}  // namespace

std::string_view name(InstructionSet isa) {
  switch (isa) {
    case InstructionSet::sse2:
      return "sse2";
    case InstructionSet::avx2:
      return "avx2";
    case InstructionSet::avx512:
      return "avx512";
  }
  return "?";
}

std::optional<InstructionSet> parse_instruction_set(std::string_view text) {
  for (InstructionSet isa : {InstructionSet::sse2, InstructionSet::avx2, InstructionSet::avx512})
    if (text == name(isa)) return isa;
  return std::nullopt;
}

std::vector<InstructionSet> supported_instruction_sets() {
  std::vector<InstructionSet> out;
  for (InstructionSet isa : {InstructionSet::sse2, InstructionSet::avx2, InstructionSet::avx512})
    if (processor_runs(isa)) out.push_back(isa);
  return out;
}

std::string supported_instruction_set_names() {
  std::string out;
  for (InstructionSet isa : supported_instruction_sets()) out += (out.empty() ? "" : ", ") + std::string(name(isa));
  return out;
}

InstructionSet instruction_set() {
  int isa = chosen.load(std::memory_order_relaxed);
  if (isa < 0) {
    int expected = -1;
    const int from_env = static_cast<int>(from_environment());
    isa = chosen.compare_exchange_strong(expected, from_env) ? from_env : expected;
  }
  return static_cast<InstructionSet>(isa);
}

void set_instruction_set(InstructionSet isa) {
  chosen.store(static_cast<int>(check_supported(isa, "--isa " + std::string(name(isa)))), std::memory_order_relaxed);
}

}  // namespace groundswell::engine
