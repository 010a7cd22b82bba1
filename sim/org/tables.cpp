// The node and edge CSV tables of MODEL.md 2.3. Reading is strict: every fault
// is an InputError "PATH:LINE: fault; fix", because a silently misread org
// chart would invalidate every result computed on it. Writing goes through a
// temporary file so that a crash never leaves half a table behind.
#include "groundswell/org/tables.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <locale>
#include <stdexcept>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "groundswell/org/hierarchy.hpp"
#include "org/detail/import_text.hpp"
#include "safe_write.hpp"

namespace groundswell::org {
namespace {

namespace fs = std::filesystem;

// A line longer than this is not a table row; the bound keeps memory use
// fixed whatever the file holds (a binary file may have no line break at all).
constexpr std::size_t kMaxLineBytes = std::size_t{1} << 20;

std::string in_quotes(const std::string& text) { return "\"" + text + "\""; }

// "a", "b" and "c", for listing column names in messages.
std::string quoted_list(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " and " : ", ";
    out += in_quotes(items[i]);
  }
  return out;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

/// Reads a CSV file record by record, one record per physical line. Knows the
/// path and the current line, so every message can point at both.
class CsvReader {
 public:
  explicit CsvReader(std::string path) : path_(std::move(path)) {
    std::error_code ec;
    const fs::file_status status = fs::status(path_, ec);
    if (status.type() == fs::file_type::not_found) fail_file("file not found; check the path");
    if (ec) fail_file("cannot be read (" + ec.message() + "); check the path and its permissions");
    if (fs::is_directory(status)) fail_file("is a directory, not a CSV file; give the path of the table itself");
    file_.open(path_, std::ios::binary);
    if (!file_)
      fail_file("cannot be opened for reading (" + std::generic_category().message(errno) + "); check its permissions");
  }

  std::size_t line() const { return line_; }

  /// The next non-blank record, split into fields; false at the end of the
  /// file. Blank lines are allowed only at the end.
  bool next(std::vector<std::string>& fields) {
    std::string text;
    std::size_t first_blank = 0;
    while (read_line(text)) {
      if (is_blank_line(text)) {
        if (first_blank == 0) first_blank = line_;
        continue;
      }
      if (first_blank != 0)
        fail_at(first_blank, "empty line inside the table; remove it (only trailing empty lines are allowed)");
      split(text, fields);
      return true;
    }
    return false;
  }

  [[noreturn]] void fail(const std::string& message) const { fail_at(line_, message); }
  [[noreturn]] void fail_at(std::size_t line, const std::string& message) const {
    throw InputError(path_ + ":" + std::to_string(line) + ": " + message);
  }
  [[noreturn]] void fail_file(const std::string& message) const { throw InputError(path_ + ": " + message); }

 private:
  static bool is_blank_line(const std::string& text) {
    for (char c : text)
      if (!is_blank(c)) return false;
    return true;
  }

  // One physical line without its LF or CRLF terminator; checked to be text.
  bool read_line(std::string& text) {
    text.clear();
    std::streambuf* buffer = file_.rdbuf();
    bool any = false;
    for (int c = buffer->sbumpc(); c != std::char_traits<char>::eof(); c = buffer->sbumpc()) {
      any = true;
      if (c == '\n') break;
      // One byte of slack for the CR of a CRLF ending, checked again below.
      if (text.size() > kMaxLineBytes)
        fail_at(line_ + 1, "line is longer than 1 MiB; this does not look like a CSV table");
      text.push_back(static_cast<char>(c));
    }
    if (!any) return false;
    ++line_;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.size() > kMaxLineBytes) fail("line is longer than 1 MiB; this does not look like a CSV table");
    // A UTF-8 byte order mark (spreadsheets write one) is not part of the header.
    if (line_ == 1 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
    check_text(text);
    return true;
  }

  // Binary or wrongly encoded files are reported here, before any parsing.
  void check_text(const std::string& text) const {
    for (std::size_t i = 0; i < text.size();) {
      const auto c = static_cast<unsigned char>(text[i]);
      const std::string column = " at column " + std::to_string(i + 1);
      if (c == 0)
        fail("line contains a NUL byte" + column + "; the file looks binary or UTF-16, save it as UTF-8 CSV text");
      if (c == '\r') fail("line contains a carriage return" + column + "; save the file with LF or CRLF line endings");
      if (c < 0x20 && c != '\t') {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02X", c);
        fail("line contains the control character " + std::string(hex) + column +
             "; the file looks binary, save it as CSV text");
      }
      const std::size_t len = detail::utf8_sequence_length(text, i);
      if (len == 0) fail("line is not valid UTF-8 text" + column + "; save the file as UTF-8 CSV");
      i += len;
    }
  }

  // Commas separate fields; a field in double quotes may hold commas, and ""
  // inside it is one quote. Spaces around unquoted fields are dropped, so that
  // "a, b" reads as "a" and "b".
  void split(const std::string& text, std::vector<std::string>& fields) const {
    fields.clear();
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (true) {
      std::string field;
      while (i < n && is_blank(text[i])) ++i;
      if (i < n && text[i] == '"') {
        const std::size_t column = fields.size() + 1;
        bool closed = false;
        for (++i; i < n; ++i) {
          if (text[i] != '"') {
            field += text[i];
            continue;
          }
          if (i + 1 < n && text[i + 1] == '"') {
            field += '"';
            ++i;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        if (!closed)
          fail("field " + std::to_string(column) +
               " opens a quote that is not closed on this line; close it (fields cannot span lines)");
        while (i < n && is_blank(text[i])) ++i;
        if (i < n && text[i] != ',')
          fail("field " + std::to_string(column) +
               " has text after its closing quote; put the whole field in quotes and write a quote inside it as \"\"");
      } else {
        const std::size_t start = i;
        while (i < n && text[i] != ',') ++i;
        std::size_t end = i;
        while (end > start && is_blank(text[end - 1])) --end;
        field.assign(text, start, end - start);
      }
      fields.push_back(std::move(field));
      if (i >= n) break;
      ++i;  // the comma
    }
  }

  std::string path_;
  std::ifstream file_;
  std::size_t line_ = 0;
};

/// The header of a table: where each required column is, and which columns
/// are left over. Empty and repeated column names are errors.
struct Header {
  std::vector<std::size_t> required;  ///< index of each required column
  std::vector<std::size_t> extra;     ///< indices of the other columns, in file order
  std::vector<std::string> names;     ///< all column names; names.size() fields per row
};

Header read_header(CsvReader& reader, const std::vector<std::string>& required, const std::string& table) {
  const std::string expected = "expected a header row naming the columns of the " + table + ": ";
  std::string names;
  for (const auto& name : required) names += (names.empty() ? "" : ",") + name;
  std::vector<std::string> fields;
  if (!reader.next(fields)) reader.fail_file("file is empty; " + expected + names);

  Header header;
  header.names = fields;
  std::unordered_map<std::string, std::size_t> column_of;
  for (std::size_t c = 0; c < fields.size(); ++c) {
    if (fields[c].empty())
      reader.fail("column " + std::to_string(c + 1) + " of the header has no name; name it or remove the empty column");
    const auto [it, inserted] = column_of.emplace(fields[c], c);
    if (!inserted)
      reader.fail("column " + in_quotes(fields[c]) + " appears twice in the header (columns " +
                  std::to_string(it->second + 1) + " and " + std::to_string(c + 1) + "); remove or rename one");
  }
  std::vector<std::string> missing;
  for (const auto& name : required) {
    const auto it = column_of.find(name);
    if (it == column_of.end())
      missing.push_back(name);
    else
      header.required.push_back(it->second);
  }
  if (!missing.empty())
    reader.fail("header lacks the column" + std::string(missing.size() > 1 ? "s " : " ") + quoted_list(missing) + "; " +
                expected + names + " (found " + quoted_list(fields) + ")");
  for (std::size_t c = 0; c < fields.size(); ++c) {
    bool is_required = false;
    for (std::size_t r : header.required) is_required = is_required || r == c;
    if (!is_required) header.extra.push_back(c);
  }
  return header;
}

void check_width(const CsvReader& reader, const std::vector<std::string>& fields, std::size_t width) {
  if (fields.size() != width)
    reader.fail("row has " + std::to_string(fields.size()) + " fields but the header has " + std::to_string(width) +
                "; check for a missing or extra comma (put fields that contain commas in double quotes)");
}

/// Level: a whole number >= 0 written in full ("1.0" and "-1" are rejected).
std::int32_t parse_level(const CsvReader& reader, const std::string& text) {
  std::int32_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || value < 0)
    reader.fail("level " + in_quotes(text) + " must be a whole number >= 0 (0 for the top of the hierarchy)");
  // Organization::depth() is the largest level + 1, which must fit an int32.
  if (value == std::numeric_limits<std::int32_t>::max())
    reader.fail("level " + in_quotes(text) + " is too large; levels go up to 2147483646");
  return value;
}

/// Weight: a finite number > 0 that fits a float, written in full. Parsed
/// straight to float so that a written table reads back bit for bit.
float parse_weight(const CsvReader& reader, const std::string& text) {
  float value = 0.0F;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc::result_out_of_range && ptr == end && text[0] != '-')
    reader.fail("weight " + in_quotes(text) + " is out of range; use a number between about 1e-38 and 3e38");
  if (text.empty() || ec != std::errc{} || ptr != end || !std::isfinite(value) || !(value > 0.0F))
    reader.fail("weight " + in_quotes(text) + " must be a number > 0");
  return value;
}

/// The level column must be the level the manager column gives (MODEL.md
/// 2.3): a top at 0, everyone else one below their manager. Reports the
/// first row, in file order, that disagrees. Precondition: no manager cycle.
void check_levels(const CsvReader& reader, const Organization& org, const std::vector<std::size_t>& line_of,
                  std::size_t level_column) {
  const std::vector<std::int32_t> expected = levels_from_managers(org.manager);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (org.level[i] == expected[i]) continue;
    const std::int32_t m = org.manager[i];
    const std::string chain = m == kNoManager ? in_quotes(org.ids[i]) + " has no manager (a top of the hierarchy)"
                                              : in_quotes(org.ids[i]) + " reports to " +
                                                    in_quotes(org.ids[static_cast<std::size_t>(m)]) + " at level " +
                                                    std::to_string(expected[static_cast<std::size_t>(m)]);
    reader.fail_at(line_of[i], "level " + std::to_string(org.level[i]) + " (column " +
                                   std::to_string(level_column + 1) + ") disagrees with the manager column: " + chain +
                                   ", so the level is " + std::to_string(expected[i]) + "; write " +
                                   std::to_string(expected[i]) + ", or fix the manager");
  }
}

/// Node table: one row per person, agents numbered 0..N-1 in file order.
/// Fills agent_of (id -> agent) for the edge table.
Organization read_nodes(const std::string& path, std::unordered_map<std::string, AgentId>& agent_of) {
  CsvReader reader(path);
  const Header header = read_header(reader, {"id", "department", "manager", "level"}, "node table");
  const std::size_t c_id = header.required[0], c_department = header.required[1], c_manager = header.required[2],
                    c_level = header.required[3];

  Organization org;
  for (std::size_t c : header.extra) org.attribute_names.push_back(header.names[c]);
  std::unordered_map<std::string, DepartmentId> department_of;
  std::vector<std::string> manager_id;  // resolved at the end: a manager may come after their reports
  std::vector<std::size_t> line_of;     // [agent] line of the agent's row, for later messages
  std::vector<std::string> fields;
  while (reader.next(fields)) {
    check_width(reader, fields, header.names.size());
    // manager is an int32 agent number.
    if (org.ids.size() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
      reader.fail("the node table has more than 2^31 - 1 rows; split the organization");
    const std::string& id = fields[c_id];
    if (id.empty()) reader.fail("id is empty; give every person a unique id");
    const auto [agent, is_new_id] = agent_of.emplace(id, static_cast<AgentId>(org.ids.size()));
    if (!is_new_id)
      reader.fail("id " + in_quotes(id) + " is already used on line " + std::to_string(line_of[agent->second]) +
                  "; ids must be unique");
    if (fields[c_manager] == id)
      reader.fail("manager " + in_quotes(id) +
                  " is the person's own id; leave manager empty for a top of the hierarchy");

    const std::string& label = fields[c_department];
    if (label.empty()) reader.fail("department is empty; give every person a department");
    const auto [department, is_new_department] =
        department_of.emplace(label, static_cast<DepartmentId>(org.department_names.size()));
    if (is_new_department) org.department_names.push_back(label);

    org.department.push_back(department->second);
    org.level.push_back(parse_level(reader, fields[c_level]));
    std::vector<std::string> attributes;
    for (std::size_t c : header.extra) attributes.push_back(std::move(fields[c]));
    org.attributes.push_back(std::move(attributes));
    manager_id.push_back(std::move(fields[c_manager]));
    org.ids.push_back(std::move(fields[c_id]));
    line_of.push_back(reader.line());
  }
  if (org.ids.empty()) reader.fail_file("has a header but no rows; add one row per person");

  org.manager.assign(org.ids.size(), kNoManager);
  for (std::size_t i = 0; i < org.ids.size(); ++i) {
    if (manager_id[i].empty()) continue;
    const auto it = agent_of.find(manager_id[i]);
    if (it == agent_of.end())
      reader.fail_at(line_of[i], "manager " + in_quotes(manager_id[i]) +
                                     " is not an id in this table; add a row for them or leave it empty for a top");
    org.manager[i] = static_cast<std::int32_t>(it->second);
  }
  check_manager_cycles(
      org.manager, org.ids,
      [&](std::int32_t agent) { return path + ":" + std::to_string(line_of[static_cast<std::size_t>(agent)]); },
      "give someone on it an empty manager (a top) or a manager outside the cycle");
  check_levels(reader, org, line_of, c_level);
  org.department_count = static_cast<DepartmentId>(org.department_names.size());
  mark_formal_leaders(org);
  return org;
}

/// Edge table: "source listens to target" is an in-edge of source from target.
InfluenceNetwork read_edges(const std::string& path, const std::string& nodes_path, AgentId agent_count,
                            const std::unordered_map<std::string, AgentId>& agent_of) {
  CsvReader reader(path);
  const Header header = read_header(reader, {"source", "target", "weight", "type"}, "edge table");
  if (!header.extra.empty()) {
    std::vector<std::string> extra;
    for (std::size_t c : header.extra) extra.push_back(header.names[c]);
    reader.fail("header has the unexpected column" + std::string(extra.size() > 1 ? "s " : " ") + quoted_list(extra) +
                "; the edge table has exactly the columns source,target,weight,type, remove the others");
  }
  const std::size_t c_source = header.required[0], c_target = header.required[1], c_weight = header.required[2],
                    c_type = header.required[3];

  const auto agent = [&](const std::string& role, const std::string& id) {
    if (id.empty()) reader.fail(role + " is empty; give the id of a person in " + nodes_path);
    const auto it = agent_of.find(id);
    if (it == agent_of.end())
      reader.fail(role + " " + in_quotes(id) + " is not an id in " + nodes_path +
                  "; add a row for it there or fix the spelling");
    return it->second;
  };
  std::unordered_map<std::uint64_t, std::size_t> line_of_pair;  // (listener, source) -> line, to catch duplicates
  std::vector<Tie> ties;
  std::vector<std::string> fields;
  while (reader.next(fields)) {
    check_width(reader, fields, header.names.size());
    const std::string& source_id = fields[c_source];
    const std::string& target_id = fields[c_target];
    const AgentId listener = agent("source", source_id);
    const AgentId speaker = agent("target", target_id);
    if (listener == speaker)
      reader.fail("source and target are both " + in_quotes(source_id) +
                  "; a person cannot listen to themselves, remove the row");
    const float weight = parse_weight(reader, fields[c_weight]);
    const std::string& type = fields[c_type];
    if (type != "formal" && type != "informal" && !type.empty())
      reader.fail("type " + in_quotes(type) + " must be formal or informal (empty means informal)");
    const std::uint64_t pair = (std::uint64_t{listener} << 32) | speaker;
    const auto [previous, is_new_pair] = line_of_pair.emplace(pair, reader.line());
    if (!is_new_pair)
      reader.fail("the tie " + in_quotes(source_id) + " -> " + in_quotes(target_id) + " is already given on line " +
                  std::to_string(previous->second) + "; keep one row per pair");
    ties.push_back(Tie{listener, speaker, weight, type == "formal"});
  }
  return build_network(agent_count, ties);
}

// A field as CSV: quoted when it holds a comma or a quote, or when it starts
// or ends with a blank, which the reader would otherwise trim.
std::string csv_field(const std::string& text) {
  if (text.find_first_of("\r\n") != std::string::npos)
    throw std::invalid_argument("cannot write " + in_quotes(text) + " to a CSV table: it contains a line break");
  const bool quote = text.find_first_of(",\"") != std::string::npos ||
                     (!text.empty() && (is_blank(text.front()) || is_blank(text.back())));
  if (!quote) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

// The shortest text that reads back to the same float, whatever the locale.
std::string format_weight(float weight) {
  char buffer[32];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, weight);
  return std::string(buffer, result.ptr);
}

}  // namespace

Organization read_organization_tables(const std::string& nodes_path, const std::string& edges_path) {
  std::unordered_map<std::string, AgentId> agent_of;
  Organization org = read_nodes(nodes_path, agent_of);
  org.network = read_edges(edges_path, nodes_path, org.size(), agent_of);
  return org;
}

void write_organization_tables(const Organization& organization, const std::vector<std::uint8_t>& champion,
                               const std::string& directory, const std::atomic<bool>* stop) {
  const Organization& org = organization;
  const std::size_t n = org.size();
  // Inconsistent arguments are programming errors, reported before writing.
  const bool consistent = org.level.size() == n && org.department.size() == n && org.network.agent_count() == n &&
                          (champion.empty() || champion.size() == n) && (org.ids.empty() || org.ids.size() == n) &&
                          (org.attribute_names.empty() || org.attributes.size() == n);
  if (!consistent) throw std::invalid_argument("write_organization_tables: arrays of the organization differ in size");
  for (const auto& row : org.attributes)
    if (row.size() != org.attribute_names.size())
      throw std::invalid_argument("write_organization_tables: an attribute row differs from attribute_names in size");

  std::vector<std::string> id(n);
  for (std::size_t i = 0; i < n; ++i) id[i] = csv_field(org.ids.empty() ? std::to_string(i) : org.ids[i]);
  const auto department_name = [&](DepartmentId d) {
    return csv_field(org.department_names.empty() ? std::to_string(d)
                                                  : org.department_names.at(static_cast<std::size_t>(d)));
  };
  // A `champion` attribute (a table written with champions, read back) is
  // replaced by the new column rather than repeated.
  std::vector<std::size_t> kept;
  for (std::size_t a = 0; a < org.attribute_names.size(); ++a)
    if (champion.empty() || org.attribute_names[a] != "champion") kept.push_back(a);

  // A missing directory is made, and removed again if the tables cannot be
  // written, are stopped, or the process is ended by the stop watchdog.
  PendingDirectories made(directory);
  const fs::path dir(directory);

  // Both tables as one (safe_write.hpp): each through a temporary and fsync,
  // renamed only when both are whole; a failure leaves neither new table.
  const InfluenceNetwork& net = org.network;
  write_texts_safely({{(dir / "nodes.csv").string(), "table",
                       [&](std::ostream& out) {
                         out << "id,department,manager,level";
                         for (std::size_t a : kept) out << ',' << csv_field(org.attribute_names[a]);
                         if (!champion.empty()) out << ",champion";
                         out << '\n';
                         for (std::size_t i = 0; i < n; ++i) {
                           const std::int32_t m = org.manager[i];
                           out << id[i] << ',' << department_name(org.department[i]) << ','
                               << (m == kNoManager ? std::string{} : id[static_cast<std::size_t>(m)]) << ','
                               << org.level[i];
                           for (std::size_t a : kept) out << ',' << csv_field(org.attributes[i][a]);
                           if (!champion.empty()) out << ',' << (champion[i] ? '1' : '0');
                           out << '\n';
                         }
                       }},
                      {(dir / "edges.csv").string(), "table",
                       [&](std::ostream& out) {
                         out << "source,target,weight,type\n";
                         for (std::size_t i = 0; i < n; ++i)
                           for (EdgeIndex e = net.offsets[i]; e < net.offsets[i + 1]; ++e)
                             out << id[i] << ',' << id[net.sources[e]] << ',' << format_weight(net.weights[e]) << ','
                                 << (net.formal[e] ? "formal" : "informal") << '\n';
                       }}},
                     stop);
  made.keep();
}

}  // namespace groundswell::org
