#pragma once
// The one table of scenario keys: every key a scenario may set, once, with its
// type, range, default, unit, meaning and a setter. The scenario parser reads
// a file through it, sweeps and calibration check their keys against it, and
// apply_overrides() changes a parsed scenario with the parser's own checks,
// joint constraints included. docs/model.md's parameter tables are generated
// from it (`groundswell parameters --markdown`; a test keeps them equal).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "groundswell/model/scenario.hpp"

namespace groundswell::model {

/// How a key's value is written in a file.
enum class ParameterType {
  Real,     ///< a number in [min, max]
  Integer,  ///< a whole number in [min, max]
  Boolean,  ///< true or false
  Choice,   ///< one of a fixed set of words
  Text      ///< free text (file paths, relation names)
};

/// A value as a file, a sweep or an override gives it.
using ParameterValue = std::variant<double, std::int64_t, bool, std::string>;

/// One scenario key.
struct ParameterInfo {
  std::string key;  ///< "section.key", or "rule" at the top level
  ParameterType type = ParameterType::Real;
  double min = 0, max = 0;                  ///< Real and Integer: the allowed range
  bool min_open = false, max_open = false;  ///< Real: the range excludes that end
  /// Real: the words "inf" and "sustained" mean +infinity, which is allowed
  /// beyond max (mandate.half_life).
  bool infinity = false;
  /// Real: the word that leaves the value unset (formalization.at = "never").
  std::string unset_word;
  std::vector<std::string> choices;  ///< Choice: the words, in the order of the enum
  std::string unit;                  ///< e.g. "steps", "agents", "share"; empty if none
  std::string meaning;               ///< one line, with the MODEL.md section
  /// A free parameter of `groundswell calibrate` (a rate or a count of the dynamics).
  bool calibratable = false;

  /// Sets the key in a scenario, converting Integer and Real as the parser
  /// does (an Integer from a double rounds half away from zero). Does not check
  /// the range: check_value() does.
  std::function<void(ScenarioSpec&, const ParameterValue&)> set;
  /// The key's value in a scenario.
  std::function<ParameterValue(const ScenarioSpec&)> get;

  /// "organization" of "organization.size"; empty for "rule".
  std::string section() const;
  /// "size" of "organization.size".
  std::string name() const;
};

/// Every scenario key, in the order the parser reads them (which is the order
/// of the parameters attribute of a results file).
const std::vector<ParameterInfo>& parameter_table();

/// The entry of `key` ("section.key"), or nullptr.
const ParameterInfo* find_parameter(std::string_view key);

/// The word of `known` closest to `key` (edit distance), for "did you mean"
/// messages; empty if none is close.
std::string closest_key(std::string_view key, const std::vector<std::string>& known);

/// The table's key closest to `key`; empty if none is close.
std::string closest_parameter(std::string_view key);

/// What a value of the key must be, as messages say it: "must be a number",
/// "must be one of \"none\", \"top\", \"leaders\"", ...
std::string expected_value(const ParameterInfo& info);

/// A number as a user would write it in a file: up to 10 significant digits, "inf".
std::string format_number(double v);

/// A value as a user would write it: numbers with up to 10 significant
/// digits ("inf" for infinity), words and text as they are.
std::string format_value(const ParameterValue& value);

/// Checks `value` against the entry's type and range. Returns "" if it is
/// allowed, else the fault as the parser words it after "key 'K' ", e.g.
/// "= 2 is out of range: allowed [0, 1]" or "must be an integer, got a number".
std::string check_value(const ParameterInfo& info, const ParameterValue& value);

/// Checks the constraints between keys that no single range can say (the
/// motivation weights sum to at most 1, watts_strogatz neighbours are even and
/// below the size, a mandate needs rule "sdt", ...). Returns "" if the scenario
/// is consistent, else the fault and its fix.
std::string check_scenario(const ScenarioSpec& scenario);

/// One key set to one value.
struct Override {
  std::string key;
  ParameterValue value;
};

/// Sets each key, checking it against the table, then checks the scenario's
/// joint constraints; the provenance list (ScenarioSpec::parameters) records
/// the new values. Paths of file keys are taken as given (not resolved).
/// @param scenario a parsed scenario, changed in place only if every override is valid
/// @param overrides keys and values, applied in order
/// @throws InputError naming the key, the value and the allowed range, or the
///         joint constraint that fails and its fix
void apply_overrides(ScenarioSpec& scenario, const std::vector<Override>& overrides);

/// Sets a Real or Integer key from a number, as calibration does for each
/// particle (an Integer key rounds half away from zero). Checks neither the
/// range nor the joint constraints: the caller has (apply_overrides() does both).
/// @throws InputError if `key` is unknown or not numeric
void set_number(ScenarioSpec& scenario, const std::string& key, double value);

/// The parameter tables of docs/model.md, one per section, as Markdown.
std::string parameter_markdown();

/// A key's type ("real", "integer", "boolean", "text", "word") and allowed
/// values as docs/model.md shows them (words in `backticks`).
struct ParameterDomain {
  std::string type, allowed;
};
ParameterDomain parameter_domain(const ParameterInfo& p);

}  // namespace groundswell::model
