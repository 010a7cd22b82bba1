#pragma once
// Internal to the library, shared by the readers of model/, sweep/ and
// calibrate/ (not a public header: toml++ stays out of those). What every reader of a TOML input file (scenarios,
// sweeps, calibrations) does the same way: point a message at "file:line:column", reject unknown keys with the list of
// known ones, and print numbers the way a user wrote them. toml++ stays out of the public headers.
#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "groundswell/model/parameters.hpp"  // format_number
#include "groundswell/types.hpp"

namespace groundswell::model {

/// Parses a file's text; a syntax error becomes an InputError naming
/// "source:line:column".
inline toml::table parse_toml(const std::string& text, const std::string& source_name) {
  try {
    return toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    std::ostringstream os;
    os << source_name << ':' << e.source().begin.line << ':' << e.source().begin.column
       << ": TOML syntax error: " << e.description();
    throw InputError(os.str());
  }
}

class TomlReader {
 public:
  explicit TomlReader(std::string source) : source_(std::move(source)) {}

  /// Throws InputError "source:line:column: message" (the position when `node` has one).
  [[noreturn]] void fail(const toml::node* node, const std::string& message) const {
    std::ostringstream os;
    os << source_;
    if (node && node->source().begin.line > 0)
      os << ':' << node->source().begin.line << ':' << node->source().begin.column;
    os << ": " << message;
    throw InputError(os.str());
  }

  /// Rejects keys of `table` not in `known`; `where` prefixes the key ("abc.").
  void only(const toml::table& table, const std::string& where, const std::vector<std::string>& known) const {
    for (const auto& [k, node] : table) {
      const std::string key(k.str());
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string list;
      for (const auto& n : known) list += (list.empty() ? "" : ", ") + n;
      fail(&node, "unknown key '" + where + key + "'; known keys here: " + list);
    }
  }

  const std::string& source() const { return source_; }

 private:
  std::string source_;
};

}  // namespace groundswell::model
