#pragma once
// Shared by the network importers (sim/org/import_*.cpp): a text file read
// line by line that knows its path and line, so that every fault is an
// InputError "PATH:LINE: fault; fix" in the style of sim/org/tables.cpp.
#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "groundswell/types.hpp"

namespace groundswell::org::detail {

/// A word of a line and the column (1-based) it starts at.
struct Word {
  std::string text;
  std::size_t column = 0;
  bool quoted = false;
};

/// A text file read one physical line at a time. LF, CRLF and mixed endings
/// are accepted (trailing CRs are dropped); NUL bytes, other control
/// characters and invalid UTF-8 are errors, since they mean a binary file or
/// a wrong encoding that would otherwise reach the node ids.
class TextFile {
 public:
  /// Opens `path`; `what` names the file in messages ("Pajek file"). Throws
  /// InputError if it does not exist, is a directory or cannot be read.
  TextFile(std::string path, std::string what);

  /// The next line without its terminator; false at the end of the file.
  bool next(std::string& line);
  std::size_t line() const { return line_; }
  const std::string& path() const { return path_; }

  [[noreturn]] void fail(const std::string& message) const { fail_at(line_, message); }
  [[noreturn]] void fail_at(std::size_t line, const std::string& message) const;
  [[noreturn]] void fail_file(const std::string& message) const;

 private:
  std::string path_, what_;
  std::ifstream file_;
  std::size_t line_ = 0;
};

/// Checks that `path` names a readable regular file; throws InputError
/// ("file not found", "is a directory", with the data-directory hint).
void check_readable(const std::string& path, const std::string& what);

/// The whole file as text (for XML), checked like TextFile lines.
std::string read_text(const std::string& path, const std::string& what);

/// What is wrong with one line of text (a NUL, a control character other
/// than tab, invalid UTF-8), or "" if nothing is.
std::string text_fault(const std::string& text);

/// Words separated by blanks (and by commas when `commas`); with `quotes`, a
/// word in double quotes may hold blanks (the quotes are removed).
/// Returns an error message in `fault` for an unclosed quote.
std::vector<Word> split_words(const std::string& line, bool quotes, bool commas, std::string& fault);

/// Whole-token parses: false unless the entire text is the number.
bool parse_number(const std::string& text, double& value);
bool parse_integer(const std::string& text, std::int64_t& value);

std::string lower(std::string text);
std::string in_quotes(const std::string& text);
/// "a", "b" and "c"
std::string quoted_list(const std::vector<std::string>& items);
/// Splits "a, b,c" at commas, trimming blanks; empty items are kept (callers reject them).
std::vector<std::string> split_list(const std::string& text);

/// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid
/// (bad lead byte, missing continuation, overlong form, surrogate, > U+10FFFF);
/// the CSV tables and the importers apply the same rule.
std::size_t utf8_sequence_length(const std::string& s, std::size_t i);

}  // namespace groundswell::org::detail
