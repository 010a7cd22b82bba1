// UCINET DL text files, FORMAT = FULLMATRIX (S. P. Borgatti, M. G. Everett
// and L. C. Freeman, UCINET for Windows, help topic "DL"): a header of
// key = value pairs and label lists, then DATA: and the matrices. Words are
// separated by blanks, commas or line breaks; keywords are case-insensitive.
#include <limits>

#include "groundswell/org/import.hpp"
#include "org/detail/import_text.hpp"

namespace groundswell::org {
namespace {

using detail::in_quotes;
using detail::lower;

struct Token {
  std::string text;
  std::size_t line = 0;
  bool quoted = false;
};

class UcinetReader {
 public:
  explicit UcinetReader(const std::string& path) : path_(path) {
    detail::TextFile file(path, "UCINET DL file");
    std::string line;
    while (file.next(line)) {
      std::string fault;
      const auto words = detail::split_words(line, true, true, fault);
      if (!fault.empty()) file.fail(fault);
      for (const auto& w : words) tokens_.push_back(Token{w.text, file.line(), w.quoted});
    }
    last_line_ = file.line();
  }

  RawNetwork read() {
    if (tokens_.empty()) fail_file("is empty; a UCINET DL file starts with DL N=...");
    const Token& first = tokens_[0];
    if (first.quoted || lower(first.text) != "dl")
      fail(first, "expected DL at the start of a UCINET DL file, got " + in_quotes(first.text));
    pos_ = 1;
    header();
    if (n_ < 0) fail_file("the header gives no N= (the number of nodes); add it, e.g. DL N=15");
    return data();
  }

 private:
  [[noreturn]] void fail(const Token& at, const std::string& message) const {
    throw InputError(path_ + ":" + std::to_string(at.line) + ": " + message);
  }
  [[noreturn]] void fail_file(const std::string& message) const { throw InputError(path_ + ": " + message); }

  bool at_end() const { return pos_ >= tokens_.size(); }
  const Token& peek() const { return tokens_[pos_]; }
  std::string word(std::size_t i) const {
    return i < tokens_.size() && !tokens_[i].quoted ? lower(tokens_[i].text) : "";
  }

  // The value after "KEY=", "KEY =", "KEY= value" or "KEY = value".
  std::string value_of(const Token& key_token, std::string after_equals) {
    if (!after_equals.empty()) return after_equals;
    if (at_end()) fail(key_token, "the header ends after " + in_quotes(key_token.text) + "; give its value");
    std::string value = tokens_[pos_++].text;
    if (value == "=") {
      if (at_end()) fail(key_token, "the header ends after " + in_quotes(key_token.text) + "; give its value");
      value = tokens_[pos_++].text;
    } else if (value[0] == '=') {
      value.erase(0, 1);
    }
    return value;
  }

  std::int64_t count(const Token& at, const std::string& key, const std::string& value, std::int64_t lo) {
    std::int64_t v = 0;
    if (!detail::parse_integer(value, v) || v < lo || v > 100'000'000)
      fail(at, key + "=" + value + " must be a whole number >= " + std::to_string(lo));
    return v;
  }

  void header() {
    while (true) {
      if (at_end()) fail_file("the header never reaches DATA:; add DATA: before the matrix values");
      const Token& t = tokens_[pos_++];
      std::string key = t.quoted ? "" : lower(t.text);
      std::string after;
      const std::size_t eq = key.find('=');
      if (eq != std::string::npos) {  // "N=15" or "N=" followed by the value
        after = t.text.substr(eq + 1);
        key.erase(eq);
      }
      const bool keyed = eq != std::string::npos || (!at_end() && !peek().quoted && peek().text[0] == '=');
      if (keyed) {
        const std::string value = value_of(t, after);
        if (key == "n")
          n_ = count(t, "N", value, 1);
        else if (key == "nm")
          nm_ = count(t, "NM", value, 1);
        else if (key == "nr" || key == "nc")
          fail(t, "NR and NC declare a two-mode (rectangular) network; only one-mode networks (N=) are read");
        else if (key == "format") {
          const std::string f = lower(value);
          if (f != "fullmatrix" && f != "fm" && f != "full")
            fail(t, "FORMAT = " + value + " is not read; only FORMAT = FULLMATRIX is (convert the file in UCINET)");
        } else {
          fail(t, "unknown header key " + in_quotes(t.text) + "; expected N, NM, FORMAT");
        }
        continue;
      }
      if (key == "data:" || (key == "data" && word(pos_) == ":")) {
        if (key == "data") ++pos_;
        return;
      }
      if (key == "diagonal") {
        const std::string v = word(pos_);
        if (v != "present" && v != "absent") fail(t, "DIAGONAL must be followed by PRESENT or ABSENT");
        diagonal_ = v == "present";
        ++pos_;
        continue;
      }
      if (key == "labels" && word(pos_) == "embedded")
        fail(t, "LABELS EMBEDDED is not read; give the labels in ROW LABELS: and COLUMN LABELS: lists");
      if (key == "row" || key == "column" || key == "col" || key == "level" || key == "matrix" || key == "labels:" ||
          key == "labels") {
        std::string which = key;
        if (key == "labels") {
          if (word(pos_) != ":") fail(t, "expected LABELS: followed by the labels");
          ++pos_;
          which = "labels:";
        } else if (key != "labels:") {
          const std::string next = word(pos_);
          if (next == "labels:")
            ++pos_;
          else if (next == "labels" && word(pos_ + 1) == ":")
            pos_ += 2;
          else if (next == "labels" && word(pos_ + 1) == "embedded")
            fail(t, "LABELS EMBEDDED is not read; give the labels in ROW LABELS: and COLUMN LABELS: lists");
          else
            fail(t, "expected " + t.text + " LABELS: followed by the labels");
        }
        labels(t, which);
        continue;
      }
      fail(t, "unexpected word " + in_quotes(t.text) +
                  " in the header; expected N=, NM=, FORMAT =, DIAGONAL, ROW LABELS:, COLUMN LABELS:, "
                  "LEVEL LABELS: or DATA:");
    }
  }

  void labels(const Token& at, const std::string& which) {
    const bool matrices = which == "level" || which == "matrix";
    if (!matrices && n_ < 0) fail(at, "labels before N=; give N= first");
    const std::int64_t expected = matrices ? nm_ : n_;
    std::vector<std::string> list;
    std::vector<std::size_t> lines;
    for (std::int64_t i = 0; i < expected; ++i) {
      if (at_end()) fail(at, "the file ends inside the label list; it needs " + std::to_string(expected) + " labels");
      const Token& l = tokens_[pos_++];
      const std::string w = l.quoted ? "" : lower(l.text);
      if (w == "data:" || w == "row" || w == "column" || w == "level" || w == "matrix" || w == "labels:")
        fail(l, "the label list has " + std::to_string(i) + " labels where " + std::to_string(expected) +
                    " are needed (" + (matrices ? "NM=" + std::to_string(nm_) : "N=" + std::to_string(n_)) + ")");
      list.push_back(l.text);
      lines.push_back(l.line);
    }
    if (matrices) {
      matrix_labels_ = std::move(list);
      return;
    }
    for (std::size_t i = 0; i < list.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (list[i] == list[j])
          throw InputError(path_ + ":" + std::to_string(lines[i]) + ": label " + in_quotes(list[i]) +
                           " appears twice in the list (also on line " + std::to_string(lines[j]) +
                           "); labels must be unique");
    if (which == "column" || which == "col") {
      if (!row_labels_.empty() && row_labels_ != list)
        fail(at, "the column labels differ from the row labels; a one-mode network has one set of labels");
      column_labels_ = std::move(list);
    } else {
      if (!column_labels_.empty() && column_labels_ != list)
        fail(at, "the row labels differ from the column labels; a one-mode network has one set of labels");
      row_labels_ = std::move(list);
    }
  }

  RawNetwork data() {
    RawNetwork raw;
    raw.format = "UCINET DL";
    raw.path = path_;
    const auto n = static_cast<std::size_t>(n_);
    const std::vector<std::string>& labels = !row_labels_.empty() ? row_labels_ : column_labels_;
    const std::size_t per_row = diagonal_ ? n : n - 1;
    const std::size_t start = pos_, available = tokens_.size() - start;
    const std::size_t cells = n * per_row, matrices = static_cast<std::size_t>(nm_);  // n <= 1e8: no overflow
    if (cells > 0 && available / cells < matrices)  // fewer values than NM x N x N (without overflow)
      fail_file("the data end after " + std::to_string(available) + " of the " +
                (matrices <= std::numeric_limits<std::size_t>::max() / cells ? std::to_string(cells * matrices)
                                                                             : std::string("more than 10^19")) +
                " values of " + std::to_string(nm_) + " matrix(es) of " + std::to_string(n) + " x " +
                std::to_string(n) + (diagonal_ ? "" : " without the diagonal") + " (line " +
                std::to_string(last_line_) + ")");
    const std::size_t needed = cells * matrices;
    if (tokens_.size() - start > needed)
      fail(tokens_[start + needed], "unexpected value " + in_quotes(tokens_[start + needed].text) + " after the " +
                                        std::to_string(needed) + " values of the matrices; check N= and NM=");
    // The values are all there: only now allocate per node (N= may be a typo).
    raw.ids.resize(n);
    for (std::size_t i = 0; i < n; ++i) raw.ids[i] = labels.empty() ? std::to_string(i + 1) : labels[i];
    if (labels.empty()) raw.notes.push_back("no labels: node ids are 1.." + std::to_string(n));
    raw.attributes.assign(n, {});
    for (std::int64_t m = 0; m < nm_; ++m) {
      RawRelation relation;
      relation.number = std::to_string(m + 1);
      relation.name = matrix_labels_.empty() ? relation.number : matrix_labels_[static_cast<std::size_t>(m)];
      for (std::size_t r = 0; r < n; ++r)
        for (std::size_t c = 0; c < n; ++c) {
          if (!diagonal_ && r == c) continue;
          const Token& t = tokens_[pos_++];
          double value = 0;
          if (t.quoted || !detail::parse_number(t.text, value))
            fail(t, "value " + in_quotes(t.text) + " (matrix " + relation.name + ", row " + std::to_string(r + 1) +
                        ", column " + std::to_string(c + 1) + ") is not a number");
          if (value != 0.0)
            relation.arcs.push_back(RawArc{static_cast<AgentId>(r), static_cast<AgentId>(c), value, t.line, true});
        }
      raw.relations.push_back(std::move(relation));
    }
    return raw;
  }

  std::string path_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0, last_line_ = 0;
  std::int64_t n_ = -1, nm_ = 1;
  bool diagonal_ = true;
  std::vector<std::string> row_labels_, column_labels_, matrix_labels_;
};

}  // namespace

RawNetwork read_ucinet(const std::string& path) { return UcinetReader(path).read(); }

}  // namespace groundswell::org
