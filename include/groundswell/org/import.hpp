#pragma once
// Real organizations from network files (MODEL.md 2.3; docs/data.md): Pajek,
// UCINET DL, GraphML, SNAP edge lists, De Domenico multiplex edge lists, and
// the node and edge CSV tables. A file is first read as it is (RawNetwork:
// nodes, attributes, relations), then mapped to an Organization by the
// options of model::ImportSpec: which relations are listens-to ties and
// which way they point, which relation is the formal hierarchy, and where
// departments come from. Every fault is an InputError naming the file, the
// line and the fault.
#include <cstddef>
#include <string>
#include <vector>

#include "groundswell/model/import_spec.hpp"
#include "groundswell/model/scenario.hpp"
#include "groundswell/org/organization.hpp"

namespace groundswell::org {

/// One arc of a relation as written in the file: node `from` -> node `to`.
struct RawArc {
  AgentId from = 0, to = 0;
  double weight = 1.0;
  std::size_t line = 0;  ///< line of the arc in RawNetwork::path
  bool directed = true;  ///< false for Pajek *Edges and undirected GraphML edges
};

/// One relation (Pajek relation, UCINET matrix, multiplex layer, GraphML
/// relation value). `name` is its label, or its number when it has none.
struct RawRelation {
  std::string name;
  std::string number;  ///< "1", "2", ... in file order or as numbered in the file
  std::vector<RawArc> arcs;
};

/// A network file as read, before any mapping.
struct RawNetwork {
  std::string format;            ///< "Pajek", "UCINET DL", ... for messages
  std::string path;              ///< the file the arcs (and their line numbers) come from
  std::vector<std::string> ids;  ///< node ids, unique, in file order
  std::vector<std::string> attribute_names;
  std::vector<std::vector<std::string>> attributes;  ///< [node][attribute], as written
  std::vector<RawRelation> relations;
  std::vector<std::string> notes;  ///< what the reader did beyond the obvious (ids, ignored sections)

  std::size_t size() const noexcept { return ids.size(); }
};

/// Pajek project or network file (.paj, .net): *Vertices, *Arcs/*Edges with
/// relations (":k "label"" headers, or "k:" line prefixes), *Arcslist,
/// *Edgeslist, *Matrix, and *Partition / *Vector sections as attributes.
/// One network per file. Node ids are the vertex labels when they are
/// unique, else the vertex numbers. Cost O(file size).
RawNetwork read_pajek(const std::string& path);

/// UCINET DL file, FORMAT = FULLMATRIX, one-mode (N=), NM matrices, with
/// row/column labels and matrix (LEVEL or MATRIX) labels; DIAGONAL PRESENT
/// or ABSENT. A non-zero cell (row r, column c) is an arc r -> c.
RawNetwork read_ucinet(const std::string& path);

/// GraphML: <key> declarations, one <graph> with edgedefault, <node> and
/// <edge> with <data>. Node attributes are kept; the relation of an edge is
/// its "relation" attribute (else "layer", else "type"; else every edge is in
/// one relation "edges"); its weight is its "weight" attribute (else 1).
RawNetwork read_graphml(const std::string& path);

/// SNAP edge list ("u v" or "u v weight" per line, '#' comments) with an
/// optional label file ("node label" per line; the attribute is "label").
/// Nodes: those of the label file in its order, else the ids of the edge
/// list (in numeric order if all are integers). One relation "edges".
RawNetwork read_snap(const std::string& edges_path, const std::string& labels_path);

/// De Domenico multiplex edge list ("layer node node [weight]"), an optional
/// layers file ("layerID layerLabel", header optional) and an optional nodes
/// file (first column the node id, the others attributes named by its header).
RawNetwork read_multiplex(const std::string& edges_path, const std::string& layers_path, const std::string& nodes_path);

/// Reads the file(s) of `spec` in spec.import.format (not csv).
RawNetwork read_network(const model::OrganizationSpec& spec);

/// The format of a file from its content and name: "DL" first -> ucinet,
/// "*Network"/"*Vertices" -> pajek, "<" -> graphml, ".csv" -> csv, a line
/// of four numbers -> multiplex, of two or three -> snap. Throws InputError
/// if it cannot tell.
model::NetworkFormat detect_format(const std::string& path);

/// What an import did, for the command line and the tests.
struct ImportReport {
  std::vector<std::string> lines;           ///< human-readable summary, one fact per line
  std::size_t listen_ties = 0;              ///< informal ties made
  std::size_t self_loops = 0;               ///< arcs i -> i dropped from the listens-to relations
  std::size_t merged = 0;                   ///< arcs that fell on an existing tie (same pair)
  std::size_t formal_ties = 0;              ///< formal ties "i listens to manager(i)" added
  std::size_t formal_already_informal = 0;  ///< managers already listened to informally (no formal tie added)
  std::size_t closure_people = 0;           ///< people with several superiors, given the immediate one
  std::size_t tops = 0;                     ///< people without a manager (when there is a hierarchy)
};

/// Maps a raw network to an organization (docs/data.md, "Mapping"):
/// - listens-to ties from the `listen` relations in `direction`; self-loops
///   are dropped; within a relation a repeated tie keeps its largest weight,
///   across relations weights add; every weight must be a finite number > 0;
/// - `manager` from the `formal` relation in `formal_direction`: with one
///   superior, that one; with several (a transitively closed "is above"
///   relation), the immediate superior: the one all the others are above;
///   or, with `leaders = "attr=value"`, those people at level 0 and everyone
///   else reporting to the leader of their department they listen to most;
/// - level = depth in the manager tree; department from the named
///   attribute(s), or "levelK" (the level-K ancestor; someone above level K
///   joins the department of their first report), default level1 with a
///   formal relation, else one department;
/// - a formal tie "i listens to manager(i)" of weight `formal_weight` unless i
///   already listens to them.
/// Throws InputError naming the file, the line and the fault.
Organization map_network(const RawNetwork& raw, const model::ImportSpec& spec, float formal_weight,
                         ImportReport* report = nullptr);

/// Reads and maps the organization of `spec` (generator = "file"): the CSV
/// tables for format csv, else read_network + map_network.
Organization import_organization(const model::OrganizationSpec& spec, ImportReport* report = nullptr);

/// A one-line inventory of a raw network: nodes, attributes, relations with
/// their arc counts ("advice (892 arcs)").
std::vector<std::string> describe_raw(const RawNetwork& raw);

}  // namespace groundswell::org
