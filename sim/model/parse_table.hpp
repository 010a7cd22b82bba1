#pragma once
// Internal to the library (not a public header): the scenario parser's entry point for an already parsed TOML
// table, so that other modules (sim/sweep/) can change values in the table
// and have them validated by the same rules as a file. toml++ stays out of
// the public headers.
#include <toml++/toml.h>

#include <string>

#include "groundswell/model/scenario.hpp"

namespace groundswell::model {

/// Validates `root` exactly as parse_experiment() validates a file's text.
/// `text` is kept as the experiment's source text (provenance); messages name
/// `source_name`, and relative network paths are resolved against `base_dir`.
/// Throws InputError as parse_experiment() does.
ExperimentSpec parse_experiment_table(const toml::table& root, const std::string& text, const std::string& source_name,
                                      const std::string& base_dir);

/// A scenario file's text and the directory relative paths resolve against.
struct ScenarioFile {
  std::string text, base_dir;
};

/// Reads a scenario file. Throws InputError if it is missing, a directory or unreadable.
ScenarioFile read_scenario_file(const std::string& path);

}  // namespace groundswell::model
