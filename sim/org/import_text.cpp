// Line reading, words and numbers shared by the network importers.
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <system_error>

#include "groundswell/data_dir.hpp"
#include "org/detail/import_text.hpp"

namespace groundswell::org::detail {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMaxLineBytes = std::size_t{16} << 20;

bool is_blank(char c) { return c == ' ' || c == '\t'; }

}  // namespace

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid
// (bad lead byte, missing continuation, overlong form, surrogate, > U+10FFFF).
std::size_t utf8_sequence_length(const std::string& s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF)
    len = 2;
  else if (c == 0xE0) {
    len = 3;
    lo = 0xA0;
  } else if (c == 0xED) {
    len = 3;
    hi = 0x9F;
  } else if (c >= 0xE1 && c <= 0xEF)
    len = 3;
  else if (c == 0xF0) {
    len = 4;
    lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3)
    len = 4;
  else if (c == 0xF4) {
    len = 4;
    hi = 0x8F;
  } else
    return 0;
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < len; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return len;
}

void check_readable(const std::string& path, const std::string& what) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (status.type() == fs::file_type::not_found)
    throw InputError(path + ": " + what + " not found; check the path" + data_directory_hint(path));
  if (ec) throw InputError(path + ": cannot be read (" + ec.message() + "); check the path and its permissions");
  if (fs::is_directory(status)) throw InputError(path + ": is a directory; give the path of the " + what + " itself");
}

TextFile::TextFile(std::string path, std::string what) : path_(std::move(path)), what_(std::move(what)) {
  check_readable(path_, what_);
  file_.open(path_, std::ios::binary);
  if (!file_)
    fail_file("cannot be opened for reading (" + std::generic_category().message(errno) + "); check its permissions");
}

bool TextFile::next(std::string& text) {
  text.clear();
  std::streambuf* buffer = file_.rdbuf();
  bool any = false;
  for (int c = buffer->sbumpc(); c != std::char_traits<char>::eof(); c = buffer->sbumpc()) {
    any = true;
    if (c == '\n') break;
    if (text.size() > kMaxLineBytes)
      fail_at(line_ + 1, "line is longer than 16 MiB; this does not look like a " + what_);
    text.push_back(static_cast<char>(c));
  }
  if (!any) return false;
  ++line_;
  while (!text.empty() && text.back() == '\r') text.pop_back();
  if (line_ == 1 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);  // UTF-8 byte order mark
  const std::string fault = text_fault(text);
  if (!fault.empty()) fail(fault + "; save the " + what_ + " as UTF-8 text");
  return true;
}

void TextFile::fail_at(std::size_t line, const std::string& message) const {
  throw InputError(path_ + ":" + std::to_string(line) + ": " + message);
}

void TextFile::fail_file(const std::string& message) const { throw InputError(path_ + ": " + message); }

std::string text_fault(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::string column = " at column " + std::to_string(i + 1);
    if (c == 0) return "line contains a NUL byte" + column + " (the file looks binary or UTF-16)";
    if (c == '\r') return "line contains a carriage return" + column + " (use LF or CRLF line endings)";
    if (c < 0x20 && c != '\t') {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", c);
      return "line contains the control character " + std::string(hex) + column + " (the file looks binary)";
    }
    const std::size_t len = utf8_sequence_length(text, i);
    if (len == 0) return "line is not valid UTF-8" + column + " (convert it, e.g. iconv -f latin1 -t utf-8)";
    i += len;
  }
  return {};
}

std::string read_text(const std::string& path, const std::string& what) {
  check_readable(path, what);
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(path + ": cannot be opened for reading (" + std::generic_category().message(errno) +
                     "); check its permissions");
  std::ostringstream os;
  os << in.rdbuf();
  std::string text = os.str();
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  // Check line by line so that the message can give the line.
  std::size_t line = 1, start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string one = text.substr(start, end - start);
    while (!one.empty() && one.back() == '\r') one.pop_back();
    const std::string fault = text_fault(one);
    if (!fault.empty())
      throw InputError(path + ":" + std::to_string(line) + ": " + fault + "; save the " + what + " as UTF-8 text");
    start = end + 1;
    ++line;
  }
  return text;
}

std::vector<Word> split_words(const std::string& line, bool quotes, bool commas, std::string& fault) {
  std::vector<Word> words;
  fault.clear();
  const std::size_t n = line.size();
  std::size_t i = 0;
  const auto separator = [&](char c) { return is_blank(c) || (commas && c == ','); };
  while (true) {
    while (i < n && separator(line[i])) ++i;
    if (i >= n) break;
    Word word;
    word.column = i + 1;
    if (quotes && line[i] == '"') {
      const std::size_t close = line.find('"', i + 1);
      if (close == std::string::npos) {
        fault = "the quote opened at column " + std::to_string(i + 1) + " is not closed on this line; close it";
        return words;
      }
      word.text = line.substr(i + 1, close - i - 1);
      word.quoted = true;
      i = close + 1;
    } else {
      const std::size_t start = i;
      while (i < n && !separator(line[i])) ++i;
      word.text = line.substr(start, i - start);
    }
    words.push_back(std::move(word));
  }
  return words;
}

bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  const char* begin = text.data();
  if (*begin == '+') ++begin;  // "+1" is a number too
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  return ec == std::errc{} && ptr == end;
}

bool parse_integer(const std::string& text, std::int64_t& value) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc{} && ptr == end;
}

std::string lower(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

std::string in_quotes(const std::string& text) { return "\"" + text + "\""; }

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += in_quotes(items[i]);
  }
  return out;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::size_t a = 0, b = item.size();
    while (a < b && is_blank(item[a])) ++a;
    while (b > a && is_blank(item[b - 1])) --b;
    items.push_back(item.substr(a, b - a));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

}  // namespace groundswell::org::detail
