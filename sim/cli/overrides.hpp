#pragma once
// `--set KEY=VALUE` and `--set NAME.KEY=VALUE` (run, sweep, calibrate,
// recommend) and `--scenario NAME` (run): changes to a loaded scenario file
// made on the command line (docs/errors.md, README "Using it").
#include <string>
#include <vector>

#include "groundswell/model/parameters.hpp"
#include "groundswell/model/scenario.hpp"

namespace groundswell::cli {

/// One `--set` text, parsed: the scenario it is for and the change.
struct SetTarget {
  std::string scenario;    ///< empty: every scenario
  model::Override change;  ///< the scenario key (spaces trimmed) and its value as the file would read it
};

/// Reads one `--set` text against the experiment's scenario names (the
/// longest name followed by a dot is the scenario; names may hold dots).
/// The key is not yet checked against the parameter table.
/// @throws InputError for a text without KEY=VALUE, an experiment key, or a
///         word that is both a scenario name and a section
SetTarget parse_set(const model::ExperimentSpec& x, const std::string& text);

/// Applies each `--set` text to the experiment's scenarios, in order. KEY is a
/// scenario key ("sdt.alpha", "rule"); NAME.KEY applies to scenario NAME only.
/// The first word before a dot is read as a scenario name when the file has a
/// scenario of that name, else as a section; a word that is both (a scenario
/// named "mandate" and a key "mandate.KEY") is refused as ambiguous. VALUE is
/// read as the file would read it: a number, true/false, inf, a word or a
/// quoted string. Each value is checked through the parameter table and every
/// changed scenario through its joint constraints; the scenarios' provenance
/// (`parameters`) records the new values and `x.overrides` the texts.
/// @throws InputError naming the `--set` text, the key and the fix
void apply_set_options(model::ExperimentSpec& x, const std::vector<std::string>& sets);

/// Keeps only the named scenarios (`--scenario`, repeatable), in file order.
/// The others' streams do not depend on which scenarios run (they follow the
/// scenario's name), so trial k of a kept scenario gives the same bits.
/// @throws InputError for a name the file does not have, listing its names
void select_scenarios(model::ExperimentSpec& x, const std::vector<std::string>& names);

}  // namespace groundswell::cli
