#pragma once
// Vocabulary types of Groundswell, documented once (STYLE.md 7).
#include <cstdint>
#include <stdexcept>
#include <string>

namespace groundswell {

/// Index of an agent, 0..N-1. 32 bits keep the CSR compact (MODEL.md 2).
using AgentId = std::uint32_t;
/// Index of an edge in the CSR arrays; 64 bits so that large complete graphs fit.
using EdgeIndex = std::uint64_t;
/// A step of the simulation, 0 = initial state, 1..T = steps.
using Step = std::int32_t;
/// Index of a Monte Carlo trial, 0..trials-1.
using TrialIndex = std::uint32_t;
/// Department number, 0..departments-1.
using DepartmentId = std::int32_t;

inline constexpr std::int32_t kNoManager = -1;

/// Agent state (MODEL.md 3): N not adopted, C complying, A adopted
/// (internalized), R resisting. Classic rules use N and A only, except
/// `agreement`: B -> N, AB -> C, A -> A (MODEL.md 6).
enum class State : std::uint8_t { N = 0, C = 1, A = 2, R = 3 };
inline constexpr int kStateCount = 4;
inline constexpr const char* kStateNames[kStateCount] = {"N", "C", "A", "R"};

/// Raised for any invalid user input (scenario files, network files, options).
/// The message names the file, line, key and the fix; the CLI exits with 2.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace groundswell
