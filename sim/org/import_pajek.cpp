// Pajek project and network files (.paj, .net), as written by Pajek and by
// the R/Python exporters: V. Batagelj and A. Mrvar, "Pajek: program for
// analysis and visualization of large networks", reference manual, section
// "Input files". Keywords are case-insensitive; '%' starts a comment line.
#include <cctype>
#include <map>
#include <unordered_map>

#include "groundswell/org/import.hpp"
#include "org/detail/import_text.hpp"

namespace groundswell::org {
namespace {

using detail::in_quotes;
using detail::lower;
using detail::parse_integer;
using detail::parse_number;
using detail::TextFile;
using detail::Word;

enum class Section { None, Vertices, Arcs, Edges, ArcsList, EdgesList, Matrix, AwaitValues, Values, Skipped };

const char* section_name(Section s) {
  switch (s) {
    case Section::Arcs:
      return "*Arcs";
    case Section::Edges:
      return "*Edges";
    case Section::ArcsList:
      return "*Arcslist";
    case Section::EdgesList:
      return "*Edgeslist";
    case Section::Matrix:
      return "*Matrix";
    default:
      return "";
  }
}

class PajekReader {
 public:
  explicit PajekReader(const std::string& path) : file_(path, "Pajek file") {
    raw_.format = "Pajek";
    raw_.path = path;
  }

  RawNetwork read() {
    std::string line;
    bool any = false;
    while (file_.next(line)) {
      std::string fault;
      std::vector<Word> words = detail::split_words(line, true, false, fault);
      if (!fault.empty()) file_.fail(fault);
      if (words.empty() || (!words[0].quoted && words[0].text[0] == '%')) continue;
      any = true;
      if (!words[0].quoted && words[0].text[0] == '*')
        header(words);
      else
        data(words);
    }
    if (!any) file_.fail_file("is empty; a Pajek file starts with *Vertices n (or *Network name)");
    close_section();
    if (n_ < 0) file_.fail_file("has no *Vertices section; this is not a Pajek network file (expected *Vertices n)");
    finish();
    return std::move(raw_);
  }

 private:
  // ---- section headers ----
  void header(const std::vector<Word>& words) {
    const std::string key = lower(words[0].text);
    if (key == "*vertices" && (section_ == Section::AwaitValues || section_ == Section::Skipped)) {
      if (section_ == Section::Skipped) return;  // the vertex count of an ignored section
      values_expected_ = vertex_count(words, true);
      section_ = Section::Values;
      values_line_ = file_.line();
      return;
    }
    if (section_ == Section::AwaitValues)
      file_.fail("expected *Vertices " + std::to_string(n_) + " after *" + pending_kind_ + " " +
                 in_quotes(pending_name_) + " (line " + std::to_string(pending_line_) + ")");
    close_section();
    if (key == "*network") {
      if (network_seen_ || n_ >= 0)
        file_.fail("a second network starts here; this reader takes one network per file (split the project file)");
      network_seen_ = true;
      return;
    }
    if (key == "*vertices") {
      if (n_ >= 0)
        file_.fail(
            "a second *Vertices section outside a *Partition or *Vector; this reader takes one network per file");
      n_ = vertex_count(words, false);
      labels_.assign(static_cast<std::size_t>(n_), std::string{});
      label_line_.assign(static_cast<std::size_t>(n_), 0);
      section_ = Section::Vertices;
      return;
    }
    if (key == "*arcs" || key == "*edges" || key == "*arcslist" || key == "*edgeslist" || key == "*matrix") {
      if (n_ < 0) file_.fail(words[0].text + " before *Vertices; give *Vertices n first");
      section_ = key == "*arcs"        ? Section::Arcs
                 : key == "*edges"     ? Section::Edges
                 : key == "*arcslist"  ? Section::ArcsList
                 : key == "*edgeslist" ? Section::EdgesList
                                       : Section::Matrix;
      relation_header(words);
      matrix_row_ = 0;
      return;
    }
    if (key == "*partition" || key == "*vector") {
      if (n_ < 0) file_.fail(words[0].text + " before *Vertices; give the network's *Vertices n first");
      pending_kind_ = key == "*partition" ? "Partition" : "Vector";
      std::string name;
      for (std::size_t w = 1; w < words.size(); ++w) name += (w > 1 ? " " : "") + words[w].text;
      if (name.empty()) file_.fail(words[0].text + " has no name; give it one (it becomes the attribute name)");
      for (const char* extension : {".clu", ".vec", ".CLU", ".VEC"}) {
        const std::string ext(extension);
        if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
          name.erase(name.size() - ext.size());
      }
      for (std::size_t a = 0; a < raw_.attribute_names.size(); ++a)
        if (raw_.attribute_names[a] == name)
          file_.fail("*" + pending_kind_ + " " + in_quotes(name) + " is given twice (first on line " +
                     std::to_string(attribute_line_[a]) + "); rename one");
      pending_name_ = name;
      pending_line_ = file_.line();
      section_ = Section::AwaitValues;
      return;
    }
    if (key == "*permutation" || key == "*cluster" || key == "*hierarchy") {
      raw_.notes.push_back("ignored the " + words[0].text + " section on line " + std::to_string(file_.line()));
      section_ = Section::Skipped;
      return;
    }
    file_.fail("unknown section " + in_quotes(words[0].text) +
               "; expected *Network, *Vertices, *Arcs, *Edges, *Arcslist, *Edgeslist, *Matrix, *Partition or *Vector");
  }

  std::int64_t vertex_count(const std::vector<Word>& words, bool for_values) {
    std::int64_t n = -1;
    if (words.size() < 2 || !parse_integer(words[1].text, n) || n < 0)
      file_.fail("*Vertices needs the number of vertices, a whole number >= 0 (e.g. *Vertices 21)");
    if (words.size() > 2)
      file_.fail("*Vertices " + words[1].text + " " + words[2].text +
                 " declares a two-mode network; only one-mode networks (*Vertices n) are read");
    if (for_values && n != n_)
      file_.fail("*" + pending_kind_ + " " + in_quotes(pending_name_) + " is for " + std::to_string(n) +
                 " vertices but the network has " + std::to_string(n_));
    if (n > 100'000'000) file_.fail("*Vertices " + words[1].text + " is too large (at most 100000000)");
    return n;
  }

  // ":k" and an optional label after *Arcs, *Edges, ...
  void relation_header(const std::vector<Word>& words) {
    current_ = 1;
    if (words.size() == 1) return;
    std::size_t w = 1;
    std::string number = words[1].text;
    if (words[1].quoted || number.empty() || number[0] != ':')
      file_.fail("after " + words[0].text + " expected a relation number such as :1 (and an optional label), got " +
                 in_quotes(words[1].text));
    number.erase(0, 1);
    if (number.empty() && words.size() > 2) number = words[++w].text;
    std::int64_t k = 0;
    if (!parse_integer(number, k) || k < 1 || k > 1'000'000)
      file_.fail("relation number " + in_quotes(number) + " must be a whole number >= 1 (as in *Arcs :1 \"advice\")");
    current_ = k;
    std::string label;
    for (++w; w < words.size(); ++w) label += (label.empty() ? "" : " ") + words[w].text;
    relation(k, label);
  }

  // The relation numbered k, created on first use; a label names it.
  RawRelation& relation(std::int64_t k, const std::string& label = {}) {
    auto it = relation_of_.find(k);
    if (it == relation_of_.end()) {
      it = relation_of_.emplace(k, Relation{}).first;
      it->second.relation.number = std::to_string(k);
    }
    Relation& r = it->second;
    if (!label.empty()) {
      if (!r.label.empty() && r.label != label)
        file_.fail("relation " + std::to_string(k) + " is labelled " + in_quotes(label) + " here but " +
                   in_quotes(r.label) + " on line " + std::to_string(r.label_line) + "; use one label");
      for (const auto& [other, o] : relation_of_)
        if (other != k && o.label == label)
          file_.fail("label " + in_quotes(label) + " is already used by relation " + std::to_string(other) + " (line " +
                     std::to_string(o.label_line) + "); give each relation its own label");
      if (r.label.empty()) {
        r.label = label;
        r.label_line = file_.line();
      }
    }
    return r.relation;
  }

  // ---- data lines ----
  void data(const std::vector<Word>& words) {
    switch (section_) {
      case Section::None:
        file_.fail("line outside any section; a Pajek file starts with *Vertices n (or *Network name)");
      case Section::Vertices:
        return vertex(words);
      case Section::Arcs:
      case Section::Edges:
        return arc_line(words);
      case Section::ArcsList:
      case Section::EdgesList:
        return list_line(words);
      case Section::Matrix:
        return matrix_line(words);
      case Section::AwaitValues:
        file_.fail("expected *Vertices " + std::to_string(n_) + " after *" + pending_kind_ + " " +
                   in_quotes(pending_name_) + " (line " + std::to_string(pending_line_) + ")");
      case Section::Values:
        return value_line(words);
      case Section::Skipped:
        return;
    }
  }

  AgentId vertex_number(const Word& word, const char* role) {
    std::int64_t v = 0;
    if (!parse_integer(word.text, v))
      file_.fail(std::string(role) + " " + in_quotes(word.text) + " is not a vertex number (1.." + std::to_string(n_) +
                 ")");
    if (v < 1 || v > n_)
      file_.fail(std::string(role) + " " + word.text + " is outside the vertices 1.." + std::to_string(n_) +
                 " declared by *Vertices");
    return static_cast<AgentId>(v - 1);
  }

  void vertex(const std::vector<Word>& words) {
    const AgentId v = vertex_number(words[0], "vertex");
    if (label_line_[v] != 0)
      file_.fail("vertex " + words[0].text + " is already given on line " + std::to_string(label_line_[v]) +
                 "; list each vertex once");
    label_line_[v] = file_.line();
    labels_[v] = words.size() > 1 ? words[1].text : words[0].text;
  }

  // "k:" before an arc picks its relation (Pajek's multi-relational lines).
  std::size_t relation_prefix(const std::vector<Word>& words, std::int64_t& k) {
    k = current_;
    if (words.empty() || words[0].quoted || words[0].text.back() != ':') return 0;
    std::string number = words[0].text.substr(0, words[0].text.size() - 1);
    if (!parse_integer(number, k) || k < 1 || k > 1'000'000)
      file_.fail("relation prefix " + in_quotes(words[0].text) +
                 " must be a number >= 1 followed by ':' (as in 1: 3 7 1)");
    return 1;
  }

  void add_arc(std::int64_t k, AgentId from, AgentId to, double weight, bool directed) {
    relation(k).arcs.push_back(RawArc{from, to, weight, file_.line(), directed});
  }

  void arc_line(const std::vector<Word>& words) {
    std::int64_t k = 0;
    const std::size_t at = relation_prefix(words, k);
    const char* what = section_name(section_);
    if (words.size() < at + 2)
      file_.fail(std::string("a line of ") + what + " needs two vertex numbers and an optional weight: i j [w]");
    const AgentId from = vertex_number(words[at], "vertex");
    const AgentId to = vertex_number(words[at + 1], "vertex");
    double weight = 1.0;
    std::size_t next = at + 2;
    if (next < words.size() && parse_number(words[next].text, weight))
      ++next;
    else if (next < words.size() && !words[next].quoted && !words[next].text.empty() &&
             (std::isdigit(static_cast<unsigned char>(words[next].text[0])) || words[next].text[0] == '-' ||
              words[next].text[0] == '.'))
      file_.fail("weight " + in_quotes(words[next].text) + " is not a number");
    if (next < words.size() && !words[next].quoted) {
      double extra = 0;
      if (parse_number(words[next].text, extra))
        file_.fail(std::string("a line of ") + what + " has the form i j [w]; the extra number " +
                   in_quotes(words[next].text) +
                   " is not understood (time intervals and multiple weights are not read)");
    }
    add_arc(k, from, to, weight, section_ == Section::Arcs);
  }

  void list_line(const std::vector<Word>& words) {
    std::int64_t k = 0;
    const std::size_t at = relation_prefix(words, k);
    if (words.size() < at + 1) file_.fail("a line of *Arcslist or *Edgeslist starts with a vertex number");
    const AgentId from = vertex_number(words[at], "vertex");
    for (std::size_t w = at + 1; w < words.size(); ++w)
      add_arc(k, from, vertex_number(words[w], "vertex"), 1.0, section_ == Section::ArcsList);
  }

  void matrix_line(const std::vector<Word>& words) {
    if (matrix_row_ >= n_) file_.fail("*Matrix has more than " + std::to_string(n_) + " rows");
    if (static_cast<std::int64_t>(words.size()) != n_)
      file_.fail("row " + std::to_string(matrix_row_ + 1) + " of *Matrix has " + std::to_string(words.size()) +
                 " values but the network has " + std::to_string(n_) + " vertices");
    for (std::size_t c = 0; c < words.size(); ++c) {
      double value = 0;
      if (!parse_number(words[c].text, value))
        file_.fail("value " + in_quotes(words[c].text) + " in column " + std::to_string(c + 1) +
                   " of *Matrix is not a number");
      if (value != 0.0) add_arc(current_, static_cast<AgentId>(matrix_row_), static_cast<AgentId>(c), value, true);
    }
    ++matrix_row_;
  }

  void value_line(const std::vector<Word>& words) {
    if (static_cast<std::int64_t>(values_.size()) >= values_expected_)
      file_.fail("*" + pending_kind_ + " " + in_quotes(pending_name_) + " has more than its " +
                 std::to_string(values_expected_) + " values");
    if (words.size() != 1)
      file_.fail("a line of *" + pending_kind_ + " holds one value; found " + std::to_string(words.size()) + " words");
    double value = 0;
    if (!parse_number(words[0].text, value))
      file_.fail("value " + in_quotes(words[0].text) + " of *" + pending_kind_ + " " + in_quotes(pending_name_) +
                 " is not a number");
    values_.push_back(words[0].text);
  }

  void close_section() {
    if (section_ == Section::Matrix && matrix_row_ != 0 && matrix_row_ < n_)
      file_.fail("*Matrix ends after " + std::to_string(matrix_row_) + " of its " + std::to_string(n_) + " rows");
    if (section_ == Section::AwaitValues)
      file_.fail("*" + pending_kind_ + " " + in_quotes(pending_name_) + " (line " + std::to_string(pending_line_) +
                 ") has no *Vertices line and no values");
    if (section_ == Section::Values) {
      if (static_cast<std::int64_t>(values_.size()) != values_expected_)
        file_.fail_at(values_line_, "*" + pending_kind_ + " " + in_quotes(pending_name_) + " has " +
                                        std::to_string(values_.size()) + " values for " +
                                        std::to_string(values_expected_) + " vertices");
      raw_.attribute_names.push_back(pending_name_);
      attribute_line_.push_back(pending_line_);
      attribute_values_.push_back(std::move(values_));
      values_.clear();
    }
    section_ = Section::None;
  }

  void finish() {
    const auto n = static_cast<std::size_t>(n_);
    // Ids: the labels if every vertex has one and they are unique, else the numbers.
    std::unordered_map<std::string, std::size_t> seen;
    bool usable = true;
    std::string clash;
    for (std::size_t v = 0; v < n && usable; ++v) {
      if (labels_[v].empty()) {
        usable = false;
        clash = "vertex " + std::to_string(v + 1) + " has no label";
        break;
      }
      const auto [it, is_new] = seen.emplace(labels_[v], v);
      if (!is_new) {
        usable = false;
        clash = "vertices " + std::to_string(it->second + 1) + " and " + std::to_string(v + 1) + " are both labelled " +
                in_quotes(labels_[v]);
      }
    }
    raw_.ids.resize(n);
    for (std::size_t v = 0; v < n; ++v) raw_.ids[v] = usable ? labels_[v] : std::to_string(v + 1);
    if (!usable && n > 0)
      raw_.notes.push_back("node ids are the vertex numbers 1.." + std::to_string(n) + " (" + clash + ")");
    raw_.attributes.assign(n, std::vector<std::string>(raw_.attribute_names.size()));
    for (std::size_t a = 0; a < attribute_values_.size(); ++a)
      for (std::size_t v = 0; v < n; ++v) raw_.attributes[v][a] = attribute_values_[a][v];
    for (auto& [k, r] : relation_of_) {
      r.relation.name = r.label.empty() ? r.relation.number : r.label;
      raw_.relations.push_back(std::move(r.relation));
    }
  }

  struct Relation {
    RawRelation relation;
    std::string label;
    std::size_t label_line = 0;
  };

  TextFile file_;
  RawNetwork raw_;
  Section section_ = Section::None;
  bool network_seen_ = false;
  std::int64_t n_ = -1;
  std::vector<std::string> labels_;
  std::vector<std::size_t> label_line_;
  std::map<std::int64_t, Relation> relation_of_;
  std::int64_t current_ = 1;
  std::int64_t matrix_row_ = 0;
  // *Partition / *Vector being read
  std::string pending_kind_, pending_name_;
  std::size_t pending_line_ = 0, values_line_ = 0;
  std::int64_t values_expected_ = 0;
  std::vector<std::string> values_;
  std::vector<std::size_t> attribute_line_;
  std::vector<std::vector<std::string>> attribute_values_;
};

}  // namespace

RawNetwork read_pajek(const std::string& path) { return PajekReader(path).read(); }

}  // namespace groundswell::org
