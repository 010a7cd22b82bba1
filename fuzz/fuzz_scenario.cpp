// libFuzzer target: the scenario parser (model::parse_experiment) on any bytes.
// The parser must answer every input with a spec or an InputError; any other
// exception, a crash, a leak, undefined behaviour or a hang is a bug.
// Organization sizes are only parsed here, never generated, so a fuzzed
// "size = 200000000" costs nothing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "groundswell/model/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const groundswell::model::ExperimentSpec x = groundswell::model::parse_experiment(text, "fuzz.toml", "/fuzz");
    // A spec that parsed must be usable: the invariants the engine relies on.
    if (x.scenarios.empty() || x.trials < 1 || x.steps < 1) __builtin_trap();
    for (const auto& s : x.scenarios)
      if (s.name.empty() || s.organization.size < 1 || s.champions.count > s.organization.size) {
        if (s.organization.generator != groundswell::model::Generator::File) __builtin_trap();
      }
  } catch (const groundswell::InputError&) {
    // the expected answer to a bad file
  }
  return 0;
}
