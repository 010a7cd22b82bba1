// Plain edge lists: SNAP ("u v [w]" with '#' comments, and a "node label"
// file; J. Leskovec and A. Krevl, SNAP Datasets, snap.stanford.edu/data) and
// De Domenico's multiplex format ("layer u v [w]" with a layers file and a
// nodes file; M. De Domenico et al., muxViz, J. Complex Networks 3:159, 2015).
#include <algorithm>
#include <unordered_map>

#include "groundswell/org/import.hpp"
#include "org/detail/import_text.hpp"

namespace groundswell::org {
namespace {

using detail::in_quotes;
using detail::TextFile;
using detail::Word;

/// The words of the next line that is not blank or a comment ('#' or '%').
bool next_row(TextFile& file, std::vector<Word>& words) {
  std::string line;
  while (file.next(line)) {
    std::string fault;
    words = detail::split_words(line, false, false, fault);
    if (words.empty() || words[0].text[0] == '#' || words[0].text[0] == '%') continue;
    return true;
  }
  return false;
}

/// Node ids met in an edge list, in first-appearance order, with the line
/// where each was first met.
struct IdTable {
  std::vector<std::string> ids;
  std::vector<std::size_t> line;
  std::unordered_map<std::string, AgentId> index;
  bool fixed = false;  ///< from a nodes or labels file: unknown ids are errors

  /// Index of `id`; adds it unless the table is fixed.
  AgentId get(const TextFile& file, const Word& word, const std::string& list_path, const char* list_kind) {
    const auto it = index.find(word.text);
    if (it != index.end()) return it->second;
    if (fixed)
      file.fail("node " + in_quotes(word.text) + " is not in the " + list_kind + " " + list_path +
                "; add it there or fix the id");
    const auto i = static_cast<AgentId>(ids.size());
    index.emplace(word.text, i);
    ids.push_back(word.text);
    line.push_back(file.line());
    return i;
  }
};

/// Without a nodes file, integer ids are put in numeric order (SNAP's 0..n-1),
/// other ids stay in first-appearance order. Returns old index -> new index.
std::vector<AgentId> order_ids(IdTable& table) {
  const std::size_t n = table.ids.size();
  std::vector<AgentId> order(n), new_index(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<AgentId>(i);
  std::vector<std::int64_t> value(n);
  bool numeric = true;
  for (std::size_t i = 0; i < n && numeric; ++i) numeric = detail::parse_integer(table.ids[i], value[i]);
  if (numeric) std::stable_sort(order.begin(), order.end(), [&](AgentId a, AgentId b) { return value[a] < value[b]; });
  std::vector<std::string> ids(n);
  for (std::size_t k = 0; k < n; ++k) {
    new_index[order[k]] = static_cast<AgentId>(k);
    ids[k] = table.ids[order[k]];
  }
  table.ids = std::move(ids);
  return new_index;
}

double weight_word(const TextFile& file, const Word& word) {
  double w = 0;
  if (!detail::parse_number(word.text, w)) file.fail("weight " + in_quotes(word.text) + " is not a number");
  return w;
}

}  // namespace

RawNetwork read_snap(const std::string& edges_path, const std::string& labels_path) {
  RawNetwork raw;
  raw.format = "SNAP edge list";
  raw.path = edges_path;
  IdTable nodes;
  std::vector<std::string> labels;
  std::vector<Word> words;
  if (!labels_path.empty()) {
    TextFile file(labels_path, "label file");
    while (next_row(file, words)) {
      if (words.size() != 2)
        file.fail("a line of the label file has two words, \"node label\"; found " + std::to_string(words.size()));
      const auto [it, is_new] = nodes.index.emplace(words[0].text, static_cast<AgentId>(nodes.ids.size()));
      if (!is_new)
        file.fail("node " + in_quotes(words[0].text) + " already has a label on line " +
                  std::to_string(nodes.line[it->second]) + "; give each node one line");
      nodes.ids.push_back(words[0].text);
      nodes.line.push_back(file.line());
      labels.push_back(words[1].text);
    }
    if (nodes.ids.empty()) file.fail_file("has no rows; it lists \"node label\" for every node");
    nodes.fixed = true;
    raw.attribute_names = {"label"};
  }
  RawRelation edges;
  edges.name = "edges";
  edges.number = "1";
  TextFile file(edges_path, "edge list");
  while (next_row(file, words)) {
    if (words.size() < 2 || words.size() > 3)
      file.fail("a line of the edge list has the form \"u v\" or \"u v weight\"; found " +
                std::to_string(words.size()) + " words");
    const AgentId from = nodes.get(file, words[0], labels_path, "label file");
    const AgentId to = nodes.get(file, words[1], labels_path, "label file");
    edges.arcs.push_back(RawArc{from, to, words.size() == 3 ? weight_word(file, words[2]) : 1.0, file.line(), true});
  }
  if (edges.arcs.empty() && nodes.ids.empty()) file.fail_file("has no edges; it lists one \"u v\" per line");
  if (!nodes.fixed) {
    const auto new_index = order_ids(nodes);
    for (auto& a : edges.arcs) {
      a.from = new_index[a.from];
      a.to = new_index[a.to];
    }
  }
  raw.ids = std::move(nodes.ids);
  raw.attributes.resize(raw.ids.size());
  for (std::size_t i = 0; i < labels.size(); ++i) raw.attributes[i] = {labels[i]};
  raw.relations.push_back(std::move(edges));
  return raw;
}

RawNetwork read_multiplex(const std::string& edges_path, const std::string& layers_path,
                          const std::string& nodes_path) {
  RawNetwork raw;
  raw.format = "multiplex edge list";
  raw.path = edges_path;
  std::vector<Word> words;

  // Layers: "layerID layerLabel", a header line allowed.
  std::vector<RawRelation> layers;
  std::unordered_map<std::string, std::size_t> layer_of;
  std::vector<std::size_t> layer_line;
  if (!layers_path.empty()) {
    TextFile file(layers_path, "layers file");
    bool first = true;
    while (next_row(file, words)) {
      std::int64_t id = 0;
      if (first && !detail::parse_integer(words[0].text, id)) {  // header
        first = false;
        continue;
      }
      first = false;
      RawRelation r;
      r.number = words[0].text;
      for (std::size_t w = 1; w < words.size(); ++w) r.name += (w > 1 ? " " : "") + words[w].text;
      if (r.name.empty()) r.name = r.number;
      const auto [it, is_new] = layer_of.emplace(r.number, layers.size());
      if (!is_new)
        file.fail("layer " + in_quotes(r.number) + " is already given on line " +
                  std::to_string(layer_line[it->second]));
      for (std::size_t l = 0; l < layers.size(); ++l)
        if (layers[l].name == r.name)
          file.fail("layer label " + in_quotes(r.name) + " is already used on line " + std::to_string(layer_line[l]) +
                    "; give each layer its own label");
      layers.push_back(std::move(r));
      layer_line.push_back(file.line());
    }
    if (layers.empty()) file.fail_file("has no layers; it lists \"layerID layerLabel\" per line");
  }

  // Nodes: first column the id, the others attributes named by the header.
  IdTable nodes;
  if (!nodes_path.empty()) {
    TextFile file(nodes_path, "nodes file");
    std::size_t width = 0;
    bool first = true;
    while (next_row(file, words)) {
      std::int64_t id = 0;
      if (first && !detail::parse_integer(words[0].text, id)) {  // header naming the columns
        first = false;
        width = words.size();
        for (std::size_t w = 1; w < words.size(); ++w) {
          for (const auto& name : raw.attribute_names)
            if (name == words[w].text) file.fail("column " + in_quotes(name) + " appears twice in the header");
          raw.attribute_names.push_back(words[w].text);
        }
        continue;
      }
      if (first) {
        width = words.size();
        for (std::size_t w = 1; w < width; ++w) raw.attribute_names.push_back("column" + std::to_string(w + 1));
      }
      first = false;
      if (words.size() != width)
        file.fail("row has " + std::to_string(words.size()) + " columns but the " +
                  (raw.attribute_names.empty() && width == 1 ? std::string("first row") : std::string("header")) +
                  " has " + std::to_string(width) + "; columns are separated by blanks, so values cannot contain them");
      const auto [it, is_new] = nodes.index.emplace(words[0].text, static_cast<AgentId>(nodes.ids.size()));
      if (!is_new)
        file.fail("node " + in_quotes(words[0].text) + " is already given on line " +
                  std::to_string(nodes.line[it->second]) + "; ids must be unique");
      nodes.ids.push_back(words[0].text);
      nodes.line.push_back(file.line());
      std::vector<std::string> row;
      for (std::size_t w = 1; w < words.size(); ++w) row.push_back(words[w].text);
      raw.attributes.push_back(std::move(row));
    }
    if (nodes.ids.empty()) file.fail_file("has no node rows");
    nodes.fixed = true;
  }

  TextFile file(edges_path, "multiplex edge list");
  std::vector<std::string> layer_order;  // without a layers file: ids in first-appearance order
  while (next_row(file, words)) {
    if (words.size() < 3 || words.size() > 4)
      file.fail("a line of the multiplex edge list has the form \"layer node node [weight]\"; found " +
                std::to_string(words.size()) + " words");
    auto it = layer_of.find(words[0].text);
    if (it == layer_of.end()) {
      if (!layers_path.empty())
        file.fail("layer " + in_quotes(words[0].text) + " is not in the layers file " + layers_path);
      RawRelation r;
      r.number = r.name = words[0].text;
      it = layer_of.emplace(words[0].text, layers.size()).first;
      layers.push_back(std::move(r));
    }
    const AgentId from = nodes.get(file, words[1], nodes_path, "nodes file");
    const AgentId to = nodes.get(file, words[2], nodes_path, "nodes file");
    layers[it->second].arcs.push_back(
        RawArc{from, to, words.size() == 4 ? weight_word(file, words[3]) : 1.0, file.line(), true});
  }
  if (layers.empty() && nodes.ids.empty()) file.fail_file("has no edges; it lists \"layer node node weight\" per line");
  if (!nodes.fixed) {
    const auto new_index = order_ids(nodes);
    for (auto& l : layers)
      for (auto& a : l.arcs) {
        a.from = new_index[a.from];
        a.to = new_index[a.to];
      }
    raw.attributes.resize(nodes.ids.size());
  }
  if (layers_path.empty()) {  // numeric layer ids in numeric order
    std::vector<std::int64_t> value(layers.size());
    bool numeric = true;
    for (std::size_t l = 0; l < layers.size() && numeric; ++l)
      numeric = detail::parse_integer(layers[l].number, value[l]);
    if (numeric) {
      std::vector<std::size_t> order(layers.size());
      for (std::size_t l = 0; l < order.size(); ++l) order[l] = l;
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return value[a] < value[b]; });
      std::vector<RawRelation> sorted;
      for (std::size_t l : order) sorted.push_back(std::move(layers[l]));
      layers = std::move(sorted);
    }
  }
  raw.ids = std::move(nodes.ids);
  raw.relations = std::move(layers);
  return raw;
}

}  // namespace groundswell::org
