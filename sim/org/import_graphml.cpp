// GraphML (U. Brandes et al., "GraphML Progress Report", Graph Drawing 2001,
// LNCS 2265; the GraphML Primer at graphml.graphdrawing.org): <key>
// declarations, one <graph>, <node> and <edge> elements with <data>. A small
// XML scanner suffices: no DTD entities, no namespaces beyond ignoring
// prefixed elements (yEd's graphics inside <data>).
#include <cctype>
#include <unordered_map>

#include "groundswell/org/import.hpp"
#include "org/detail/import_text.hpp"

namespace groundswell::org {
namespace {

using detail::in_quotes;

struct Event {
  enum Kind { Start, End, Text, Eof } kind = Eof;
  std::string name;  ///< local name (prefix removed)
  bool prefixed = false;
  std::vector<std::pair<std::string, std::string>> attributes;
  bool self_closing = false;
  std::string text;
  std::size_t line = 0;

  const std::string* attribute(const std::string& key) const {
    for (const auto& [k, v] : attributes)
      if (k == key) return &v;
    return nullptr;
  }
};

/// Reads XML events from text, counting lines for messages.
class XmlScanner {
 public:
  XmlScanner(std::string path, std::string text) : path_(std::move(path)), text_(std::move(text)) {}

  [[noreturn]] void fail(std::size_t line, const std::string& message) const {
    throw InputError(path_ + ":" + std::to_string(line) + ": " + message);
  }

  Event next() {
    Event e;
    while (true) {
      e.line = line_;
      if (pos_ >= text_.size()) {
        e.kind = Event::Eof;
        return e;
      }
      if (text_[pos_] != '<') {
        const std::size_t end = text_.find('<', pos_);
        const std::size_t stop = end == std::string::npos ? text_.size() : end;
        e.kind = Event::Text;
        e.text = decode(text_.substr(pos_, stop - pos_), line_);
        advance(stop);
        return e;
      }
      if (starts("<?")) {
        skip_past("?>", "processing instruction");
        continue;
      }
      if (starts("<!--")) {
        skip_past("-->", "comment");
        continue;
      }
      if (starts("<![CDATA[")) {
        const std::size_t end = text_.find("]]>", pos_);
        if (end == std::string::npos) fail(line_, "a CDATA section is not closed with ]]>");
        e.kind = Event::Text;
        e.text = text_.substr(pos_ + 9, end - pos_ - 9);
        advance(end + 3);
        return e;
      }
      if (starts("<!")) {
        skip_declaration();
        continue;
      }
      return tag();
    }
  }

 private:
  bool starts(const char* s) const { return text_.compare(pos_, std::char_traits<char>::length(s), s) == 0; }

  void advance(std::size_t to) {
    for (std::size_t i = pos_; i < to && i < text_.size(); ++i)
      if (text_[i] == '\n') ++line_;
    pos_ = to;
  }

  void skip_past(const char* end, const char* what) {
    const std::size_t at = text_.find(end, pos_);
    if (at == std::string::npos) fail(line_, std::string("a ") + what + " is not closed with " + end);
    advance(at + std::char_traits<char>::length(end));
  }

  void skip_declaration() {  // <!DOCTYPE ... [ ... ]>
    int depth = 0;
    for (std::size_t i = pos_; i < text_.size(); ++i) {
      if (text_[i] == '[')
        ++depth;
      else if (text_[i] == ']')
        --depth;
      else if (text_[i] == '>' && depth <= 0) {
        advance(i + 1);
        return;
      }
    }
    fail(line_, "a <! declaration is not closed with >");
  }

  static bool name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':' ||
           static_cast<unsigned char>(c) >= 0x80;
  }
  static bool space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  Event tag() {
    Event e;
    e.line = line_;
    const std::size_t start = pos_;
    std::size_t i = pos_ + 1;
    const bool closing = i < text_.size() && text_[i] == '/';
    if (closing) ++i;
    const std::size_t name_start = i;
    while (i < text_.size() && name_char(text_[i])) ++i;
    if (i == name_start) fail(line_, "'<' is not followed by an element name; write a literal < as &lt;");
    std::string name = text_.substr(name_start, i - name_start);
    const std::size_t colon = name.rfind(':');
    e.prefixed = colon != std::string::npos;
    e.name = e.prefixed ? name.substr(colon + 1) : name;
    while (true) {
      while (i < text_.size() && space(text_[i])) ++i;
      if (i >= text_.size()) fail(e.line, "the tag <" + name + " is not closed with >");
      if (text_[i] == '>') {
        ++i;
        break;
      }
      if (text_[i] == '/' && i + 1 < text_.size() && text_[i + 1] == '>') {
        if (closing) fail(e.line, "</" + name + "/> is not a valid tag");
        e.self_closing = true;
        i += 2;
        break;
      }
      if (closing) fail(e.line, "the closing tag </" + name + " has extra text; write </" + name + ">");
      const std::size_t key_start = i;
      while (i < text_.size() && name_char(text_[i])) ++i;
      if (i == key_start)
        fail(line_at(i), "unexpected character " + in_quotes(std::string(1, text_[i])) + " in the tag <" + name + ">");
      std::string key = text_.substr(key_start, i - key_start);
      while (i < text_.size() && space(text_[i])) ++i;
      if (i >= text_.size() || text_[i] != '=')
        fail(line_at(i), "attribute " + key + " of <" + name + "> has no value; write " + key + "=\"...\"");
      ++i;
      while (i < text_.size() && space(text_[i])) ++i;
      if (i >= text_.size() || (text_[i] != '"' && text_[i] != '\''))
        fail(line_at(i), "the value of attribute " + key + " of <" + name + "> must be in quotes");
      const char quote = text_[i];
      const std::size_t close = text_.find(quote, i + 1);
      if (close == std::string::npos)
        fail(line_at(i), "the value of attribute " + key + " is not closed with " + std::string(1, quote));
      e.attributes.emplace_back(key, decode(text_.substr(i + 1, close - i - 1), line_at(i)));
      i = close + 1;
    }
    e.kind = closing ? Event::End : Event::Start;
    advance(i);
    (void)start;
    return e;
  }

  std::size_t line_at(std::size_t i) const {
    std::size_t line = line_;
    for (std::size_t k = pos_; k < i && k < text_.size(); ++k)
      if (text_[k] == '\n') ++line;
    return line;
  }

  std::string decode(const std::string& s, std::size_t line) const {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '&') {
        out += s[i];
        continue;
      }
      const std::size_t semi = s.find(';', i);
      if (semi == std::string::npos || semi - i > 12)
        fail(line, "'&' does not start an entity; write a literal & as &amp;");
      const std::string name = s.substr(i + 1, semi - i - 1);
      if (name == "amp")
        out += '&';
      else if (name == "lt")
        out += '<';
      else if (name == "gt")
        out += '>';
      else if (name == "quot")
        out += '"';
      else if (name == "apos")
        out += '\'';
      else if (!name.empty() && name[0] == '#') {
        unsigned long code = 0;
        try {
          code = name.size() > 1 && (name[1] == 'x' || name[1] == 'X') ? std::stoul(name.substr(2), nullptr, 16)
                                                                       : std::stoul(name.substr(1), nullptr, 10);
        } catch (const std::exception&) {
          fail(line, "&" + name + "; is not a valid character reference");
        }
        if (code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
          fail(line, "&" + name + "; is not a valid character");
        append_utf8(out, code);
      } else {
        fail(line, "unknown entity &" + name + "; (only &amp; &lt; &gt; &quot; &apos; and &#N; are known)");
      }
      i = semi;
    }
    return out;
  }

  static void append_utf8(std::string& out, unsigned long c) {
    if (c < 0x80)
      out += static_cast<char>(c);
    else if (c < 0x800) {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += static_cast<char>(0xE0 | (c >> 12));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (c >> 18));
      out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }

  std::string path_, text_;
  std::size_t pos_ = 0, line_ = 1;
};

std::string trim(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

// A value for one table cell: trimmed, line breaks and tabs become spaces.
std::string one_line(const std::string& s) {
  std::string out = trim(s);
  for (char& c : out)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return out;
}

struct Key {
  std::string name, domain, fallback;  // attr.name (or id), for=, <default>
  std::size_t line = 0;
};

struct PendingEdge {
  std::string source, target;
  bool directed = true;
  std::unordered_map<std::string, std::string> data;  // key id -> value
  std::size_t line = 0;
};

struct PendingNode {
  std::string id;
  std::unordered_map<std::string, std::string> data;
  std::size_t line = 0;
};

class GraphmlReader {
 public:
  explicit GraphmlReader(const std::string& path) : path_(path), xml_(path, detail::read_text(path, "GraphML file")) {}

  RawNetwork read() {
    Event e = next_element_or_text(true);
    if (e.kind == Event::Eof) throw InputError(path_ + ": is empty; a GraphML file starts with <graphml>");
    if (e.kind != Event::Start || e.name != "graphml")
      xml_.fail(e.line, "expected the <graphml> root element, found " + describe(e) + "; is this a GraphML file?");
    if (!e.self_closing) graphml_body();
    Event after = next_element_or_text(true);
    if (after.kind != Event::Eof) xml_.fail(after.line, "unexpected " + describe(after) + " after </graphml>");
    if (!graph_seen_) throw InputError(path_ + ": has no <graph> element; add one holding the nodes and edges");
    return build();
  }

 private:
  static std::string describe(const Event& e) {
    switch (e.kind) {
      case Event::Start:
        return "<" + e.name + ">";
      case Event::End:
        return "</" + e.name + ">";
      case Event::Text:
        return "text " + in_quotes(trim(e.text).substr(0, 40));
      case Event::Eof:
        return "the end of the file";
    }
    return "?";
  }

  // The next event, skipping blank text (and failing on other text unless allowed).
  Event next_element_or_text(bool blank_only) {
    while (true) {
      Event e = xml_.next();
      if (e.kind == Event::Text && trim(e.text).empty()) continue;
      if (e.kind == Event::Text && blank_only)
        xml_.fail(e.line, "unexpected text " + in_quotes(trim(e.text).substr(0, 40)) + " outside a <data> element");
      return e;
    }
  }

  // Skips an element we do not interpret, with everything inside it.
  void skip(const Event& start) {
    if (start.self_closing) return;
    int depth = 1;
    while (depth > 0) {
      const Event e = xml_.next();
      if (e.kind == Event::Eof) xml_.fail(start.line, "<" + start.name + "> is never closed");
      if (e.kind == Event::Start && !e.self_closing) ++depth;
      if (e.kind == Event::End) --depth;
    }
  }

  void expect_end(const Event& e, const std::string& name, std::size_t opened) {
    if (e.kind == Event::Eof) xml_.fail(opened, "<" + name + "> is never closed; add </" + name + ">");
    if (e.kind == Event::End && e.name != name)
      xml_.fail(e.line, "</" + e.name + "> closes <" + name + "> opened on line " + std::to_string(opened));
  }

  void unsupported(const Event& e) {
    if (e.name == "hyperedge" || e.name == "endpoint")
      xml_.fail(e.line, "<" + e.name + "> (hyperedges) is not read; give each tie as an <edge>");
    if (e.name == "graph") xml_.fail(e.line, "a nested <graph> is not read; give the organization as one flat graph");
    if (e.prefixed || e.name == "desc" || e.name == "port" || e.name == "locator" || e.name == "default") {
      skip(e);
      return;
    }
    xml_.fail(e.line, "unexpected element <" + e.name + ">; expected <key>, <graph>, <node>, <edge> or <data>");
  }

  void graphml_body() {
    while (true) {
      const Event e = next_element_or_text(true);
      if (e.kind == Event::End && e.name == "graphml") return;
      expect_end(e, "graphml", 1);
      if (e.kind != Event::Start) xml_.fail(e.line, "unexpected " + describe(e));
      if (e.name == "key")
        key(e);
      else if (e.name == "graph")
        graph(e);
      else
        unsupported(e);
    }
  }

  void key(const Event& e) {
    const std::string* id = e.attribute("id");
    if (!id || id->empty()) xml_.fail(e.line, "<key> has no id attribute; give it id=\"...\"");
    if (keys_.count(*id))
      xml_.fail(e.line, "key id " + in_quotes(*id) + " is declared twice (first on line " +
                            std::to_string(keys_[*id].line) + ")");
    Key k;
    k.line = e.line;
    const std::string* name = e.attribute("attr.name");
    k.name = name && !name->empty() ? *name : *id;
    const std::string* domain = e.attribute("for");
    k.domain = domain ? *domain : "all";
    if (!e.self_closing) {
      while (true) {
        Event c = xml_.next();
        if (c.kind == Event::Text) continue;
        expect_end(c, "key", e.line);
        if (c.kind == Event::End) break;
        if (c.name == "default" && !c.prefixed)
          k.fallback = one_line(text_of(c));
        else
          unsupported(c);
      }
    }
    if (k.domain == "node" || k.domain == "all") {
      for (const auto& other : node_keys_)
        if (keys_[other].name == k.name)
          xml_.fail(e.line, "two node keys are named " + in_quotes(k.name) + " (the other on line " +
                                std::to_string(keys_[other].line) + "); rename one");
      node_keys_.push_back(*id);
    }
    keys_[*id] = k;
    key_order_.push_back(*id);
  }

  // The text inside an element (markup inside it is skipped).
  std::string text_of(const Event& start) {
    if (start.self_closing) return {};
    std::string text;
    int depth = 1;
    while (true) {
      const Event e = xml_.next();
      if (e.kind == Event::Eof) xml_.fail(start.line, "<" + start.name + "> is never closed");
      if (e.kind == Event::Text && depth == 1) text += e.text;
      if (e.kind == Event::Start && !e.self_closing) ++depth;
      if (e.kind == Event::End && --depth == 0) {
        if (e.name != start.name) xml_.fail(e.line, "</" + e.name + "> closes <" + start.name + ">");
        return text;
      }
    }
  }

  void data(const Event& e, std::unordered_map<std::string, std::string>& into, const char* owner) {
    const std::string* key = e.attribute("key");
    if (!key) xml_.fail(e.line, "<data> has no key attribute; give it key=\"...\"");
    if (!keys_.count(*key))
      xml_.fail(e.line, "<data key=" + in_quotes(*key) + "> uses a key not declared by a <key> before the graph");
    const Key& k = keys_[*key];
    if (k.domain != "all" && k.domain != owner)
      xml_.fail(e.line, "key " + in_quotes(*key) + " is declared for " + k.domain + " but used on a " + owner);
    into[*key] = one_line(text_of(e));
  }

  void graph(const Event& e) {
    if (graph_seen_) xml_.fail(e.line, "a second <graph>; this reader takes one graph per file");
    graph_seen_ = true;
    const std::string* def = e.attribute("edgedefault");
    if (!def) xml_.fail(e.line, "<graph> has no edgedefault; add edgedefault=\"directed\" or \"undirected\"");
    if (*def != "directed" && *def != "undirected")
      xml_.fail(e.line, "edgedefault=" + in_quotes(*def) + " must be \"directed\" or \"undirected\"");
    const bool directed = *def == "directed";
    if (e.self_closing) return;
    while (true) {
      const Event c = next_element_or_text(true);
      if (c.kind == Event::End && c.name == "graph") return;
      expect_end(c, "graph", e.line);
      if (c.name == "node" && !c.prefixed)
        node(c);
      else if (c.name == "edge" && !c.prefixed)
        edge(c, directed);
      else if (c.name == "data" && !c.prefixed) {
        std::unordered_map<std::string, std::string> ignored;
        data(c, ignored, "graph");
      } else
        unsupported(c);
    }
  }

  void node(const Event& e) {
    PendingNode n;
    n.line = e.line;
    const std::string* id = e.attribute("id");
    if (!id || id->empty()) xml_.fail(e.line, "<node> has no id attribute; give every node a unique id");
    n.id = *id;
    if (n.id.find_first_of("\r\n") != std::string::npos)
      xml_.fail(e.line, "node id " + in_quotes(n.id) + " contains a line break; ids are one line of text");
    const auto [it, is_new] = node_of_.emplace(n.id, nodes_.size());
    if (!is_new)
      xml_.fail(e.line, "node id " + in_quotes(n.id) + " is already used on line " +
                            std::to_string(nodes_[it->second].line) + "; ids must be unique");
    children(e, n.data, "node");
    nodes_.push_back(std::move(n));
  }

  void edge(const Event& e, bool directed) {
    PendingEdge d;
    d.line = e.line;
    const std::string* source = e.attribute("source");
    const std::string* target = e.attribute("target");
    if (!source || !target) xml_.fail(e.line, "<edge> needs source and target attributes");
    d.source = *source;
    d.target = *target;
    d.directed = directed;
    if (const std::string* dir = e.attribute("directed")) {
      if (*dir != "true" && *dir != "false")
        xml_.fail(e.line, "directed=" + in_quotes(*dir) + " must be \"true\" or \"false\"");
      d.directed = *dir == "true";
    }
    children(e, d.data, "edge");
    edges_.push_back(std::move(d));
  }

  void children(const Event& e, std::unordered_map<std::string, std::string>& into, const char* owner) {
    if (e.self_closing) return;
    while (true) {
      const Event c = next_element_or_text(true);
      if (c.kind == Event::End && c.name == e.name) return;
      expect_end(c, e.name, e.line);
      if (c.name == "data" && !c.prefixed)
        data(c, into, owner);
      else
        unsupported(c);
    }
  }

  RawNetwork build() {
    RawNetwork raw;
    raw.format = "GraphML";
    raw.path = path_;
    for (const auto& n : nodes_) raw.ids.push_back(n.id);
    for (const auto& k : node_keys_) raw.attribute_names.push_back(keys_[k].name);
    for (const auto& n : nodes_) {
      std::vector<std::string> row;
      for (const auto& k : node_keys_) {
        const auto it = n.data.find(k);
        row.push_back(it != n.data.end() ? it->second : keys_[k].fallback);
      }
      raw.attributes.push_back(std::move(row));
    }
    // Edge keys: the relation (first of relation, layer, type) and the weight.
    std::string relation_key, weight_key;
    for (const char* wanted : {"relation", "layer", "type"}) {
      for (const auto& id : key_order_) {
        const Key& k = keys_[id];
        if ((k.domain == "edge" || k.domain == "all") && k.name == wanted && relation_key.empty()) relation_key = id;
      }
      if (!relation_key.empty()) break;
    }
    for (const auto& id : key_order_) {
      const Key& k = keys_[id];
      if ((k.domain == "edge" || k.domain == "all") && k.name == "weight" && weight_key.empty()) weight_key = id;
    }
    if (!relation_key.empty())
      raw.notes.push_back("relations are the values of the edge attribute " + in_quotes(keys_[relation_key].name));
    std::unordered_map<std::string, std::size_t> relation_of;
    const auto value = [&](const PendingEdge& d, const std::string& key) {
      const auto it = d.data.find(key);
      return it != d.data.end() ? it->second : keys_[key].fallback;
    };
    for (const auto& d : edges_) {
      const auto endpoint = [&](const std::string& id, const char* role) {
        const auto it = node_of_.find(id);
        if (it == node_of_.end())
          xml_.fail(d.line, std::string("edge ") + role + " " + in_quotes(id) +
                                " is not the id of a <node>; add the node or fix the id");
        return static_cast<AgentId>(it->second);
      };
      RawArc arc{endpoint(d.source, "source"), endpoint(d.target, "target"), 1.0, d.line, d.directed};
      if (!weight_key.empty()) {
        const std::string w = value(d, weight_key);
        if (!w.empty() && !detail::parse_number(w, arc.weight))
          xml_.fail(d.line, "edge weight " + in_quotes(w) + " is not a number");
      }
      std::string name = relation_key.empty() ? "edges" : value(d, relation_key);
      if (name.empty())
        xml_.fail(d.line,
                  "the edge has no " + in_quotes(keys_[relation_key].name) + " value; give every edge its relation");
      auto [it, is_new] = relation_of.emplace(name, raw.relations.size());
      if (is_new) {
        RawRelation r;
        r.name = name;
        r.number = std::to_string(raw.relations.size() + 1);
        raw.relations.push_back(std::move(r));
      }
      raw.relations[it->second].arcs.push_back(arc);
    }
    return raw;
  }

  std::string path_;
  XmlScanner xml_;
  bool graph_seen_ = false;
  std::unordered_map<std::string, Key> keys_;
  std::vector<std::string> key_order_;  // ids in declaration order
  std::vector<std::string> node_keys_;
  std::vector<PendingNode> nodes_;
  std::unordered_map<std::string, std::size_t> node_of_;
  std::vector<PendingEdge> edges_;
};

}  // namespace

RawNetwork read_graphml(const std::string& path) { return GraphmlReader(path).read(); }

}  // namespace groundswell::org
