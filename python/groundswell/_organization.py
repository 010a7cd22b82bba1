"""Organizations as objects: the node and edge tables of MODEL.md 2.3, networkx graphs, generators (docs/python.md)."""
import csv
import os
import tempfile
from collections.abc import Mapping

from . import _groundswell as _native


def _write_rows(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _table_to_csv(table, path, kind):
    """A table (a path, a pandas DataFrame, a list of dict rows or a dict of columns) as a CSV file; returns its path."""
    if isinstance(table, (str, os.PathLike)):
        return os.fspath(table)
    if hasattr(table, "to_csv"):  # a pandas DataFrame
        table.to_csv(path, index=False)
        return path
    if isinstance(table, Mapping):  # columns
        header = list(table)
        columns = [list(table[h]) for h in header]
        _write_rows(path, header, zip(*columns))
        return path
    rows = list(table)
    if rows and isinstance(rows[0], Mapping):
        header = list(rows[0])
        _write_rows(path, header, ([r.get(h, "") for h in header] for r in rows))
        return path
    raise TypeError("the %s must be a path, a pandas DataFrame, a list of dict rows or a dict of columns" % kind)


def _text(value):
    return "" if value is None else str(value)


class Organization:
    """An organization: formal hierarchy and the listens-to network (MODEL.md 2).

    Ties point from listener to source: agent i listens to sources[e] with
    weights[e] for e in offsets[i]:offsets[i + 1] (formal[e] = 1 for a
    formal tie). Make one with from_tables(), from_networkx() or generate();
    run an experiment on it with run(..., organization=org) or
    Experiment.with_organization(org).
    """

    __slots__ = ("_o",)

    def __init__(self, native):
        self._o = native

    @classmethod
    def from_tables(cls, nodes, edges):
        """Reads the node table (id, department, manager, level, extra columns) and the edge table
        (source, target, weight, type; source listens to target) of MODEL.md 2.3.

        Each is a CSV path, a pandas DataFrame, a list of dict rows or a dict
        of columns. Checked as a scenario file's tables are: raises
        InputError naming the table, the line and the fault.
        """
        with tempfile.TemporaryDirectory(prefix="groundswell-tables-") as tmp:
            n = _table_to_csv(nodes, os.path.join(tmp, "nodes.csv"), "node table")
            e = _table_to_csv(edges, os.path.join(tmp, "edges.csv"), "edge table")
            return cls(_native._Organization.from_tables(n, e))

    @classmethod
    def from_networkx(cls, graph, *, department="department", manager="manager", weight="weight", formal="formal",
                      direction="forward"):
        """An organization from a networkx graph.

        Nodes are people (their keys become the ids); node attributes
        `department` (default "0") and `manager` (the key of the person's
        manager, None or missing for a top) give the formal hierarchy, and
        other scalar attributes are kept as extra columns. Edges are the
        listens-to ties: with direction="forward" an edge u -> v means u
        listens to (goes for advice to) v, with "reverse" v listens to u; an
        undirected graph gives ties both ways. Edge attributes `weight`
        (default 1) and `formal` (true for a formal tie) are read. Levels
        follow from the managers. Raises InputError as from_tables() does.
        """
        if direction not in ("forward", "reverse"):
            raise ValueError('direction must be "forward" or "reverse", not %r' % (direction,))
        nodes = list(graph.nodes)
        ids = [str(n) for n in nodes]
        if len(set(ids)) != len(ids):
            raise _native.InputError("from_networkx: two nodes have the same text as an id; give nodes distinct names")
        key_of = dict(zip(nodes, ids))
        data = graph.nodes
        managers = {}
        for n in nodes:
            m = data[n].get(manager)
            if m is None or m == "":
                managers[key_of[n]] = ""
            else:
                managers[key_of[n]] = key_of.get(m, str(m))  # an unknown manager: the table's check names it

        def level(i, seen):
            m = managers.get(i, "")
            if not m or m not in managers or m in seen:
                return 0  # a top, or a fault the table's checks report
            return 1 + level(m, seen | {i})

        reserved = {department, manager, "id", "level"}
        extra = sorted({k for n in nodes for k, v in data[n].items()
                        if k not in reserved and isinstance(v, (str, int, float, bool))})
        header = ["id", "department", "manager", "level"] + extra
        node_rows = []
        for n, i in zip(nodes, ids):
            d = data[n]
            node_rows.append([i, _text(d.get(department, "0")), managers[i], level(i, frozenset())] +
                             [_text(d.get(k)) for k in extra])
        edge_rows = []
        directed = graph.is_directed()
        for u, v, d in graph.edges(data=True):
            w = d.get(weight, 1.0)
            kind = "formal" if d.get(formal, False) else "informal"
            a, b = (key_of[u], key_of[v]) if direction == "forward" else (key_of[v], key_of[u])
            edge_rows.append([a, b, repr(float(w)), kind])
            if not directed:
                edge_rows.append([b, a, repr(float(w)), kind])
        with tempfile.TemporaryDirectory(prefix="groundswell-networkx-") as tmp:
            _write_rows(os.path.join(tmp, "nodes.csv"), header, node_rows)
            _write_rows(os.path.join(tmp, "edges.csv"), ["source", "target", "weight", "type"], edge_rows)
            return cls(_native._Organization.from_tables(os.path.join(tmp, "nodes.csv"), os.path.join(tmp, "edges.csv")))

    def to_networkx(self):
        """A networkx.DiGraph: an edge u -> v for "u listens to v" with `weight` and `formal`; node attributes
        department (its name), manager (the manager's id, None for a top), level, formal_leader, and the extra
        columns of a file. Nodes are the ids (0..N-1 for a generated organization). Parallel ties of the same
        pair are merged, keeping the larger weight."""
        import networkx as nx

        o = self._o
        ids = list(o.ids) or list(range(o.size))
        names = list(o.department_names)
        manager, level, dept, leader = o.manager, o.level, o.department, o.is_formal_leader
        g = nx.DiGraph()
        attr_names = list(o.attribute_names)
        attrs = o.attributes
        for i, node in enumerate(ids):
            d = int(dept[i])
            m = int(manager[i])
            a = {"department": names[d] if names else d, "manager": None if m < 0 else ids[m],
                 "level": int(level[i]), "formal_leader": bool(leader[i])}
            if attr_names:
                a.update(zip(attr_names, attrs[i]))
            g.add_node(node, **a)
        offsets, sources, weights, formal = o.offsets, o.sources, o.weights, o.formal
        for i in range(o.size):
            for e in range(int(offsets[i]), int(offsets[i + 1])):
                u, v, w = ids[i], ids[int(sources[e])], float(weights[e])
                if g.has_edge(u, v) and g[u][v]["weight"] >= w:
                    continue
                g.add_edge(u, v, weight=w, formal=bool(formal[e]))
        return g

    def save(self, directory, force=False):
        """Writes nodes.csv and edges.csv into `directory` (as `groundswell network export`); force replaces them."""
        self._o.save(os.fspath(directory), bool(force))

    def describe(self, top=5):
        """The text of `groundswell network describe`: ties, hierarchy, degrees, reciprocity, silos, leaders."""
        return self._o.describe(int(top))

    @property
    def size(self):
        """Number of agents."""
        return self._o.size

    @property
    def departments(self):
        """Number of departments."""
        return self._o.department_count

    @property
    def ids(self):
        """The original ids (from tables or a graph); empty for a generated organization (ids 0..N-1)."""
        return list(self._o.ids)

    @property
    def department_names(self):
        return list(self._o.department_names)

    manager = property(lambda self: self._o.manager, doc="int32 [N]: each agent's manager, -1 for a top")
    level = property(lambda self: self._o.level, doc="int32 [N]: level in the hierarchy, 0 at the top")
    department = property(lambda self: self._o.department, doc="int32 [N]: department 0..D-1")
    is_formal_leader = property(lambda self: self._o.is_formal_leader, doc="uint8 [N]: 1 for anyone with a report")
    offsets = property(lambda self: self._o.offsets, doc="uint64 [N + 1]: CSR row offsets of the in-ties")
    sources = property(lambda self: self._o.sources, doc="uint32 [E]: whom each tie's listener listens to")
    weights = property(lambda self: self._o.weights, doc="float32 [E]: tie weights (trust)")
    formal = property(lambda self: self._o.formal, doc="uint8 [E]: 1 for a formal tie")

    def exposure_network(self, definition="cohesion", power=1.0):
        """The network whose weights the exposure x_i of bass and threshold uses (docs/model.md, "Exposure").

        definition="cohesion": the listens-to ties (a copy of offsets, sources, weights);
        definition="structural_equivalence": the weights SE_ij of Burt (1987) with exponent
        power = v > 0, computed exactly as a trial does (at most 5000 agents; O(N^3) time).
        Returns a dict of numpy arrays {"offsets": uint64 [N + 1], "sources": uint32 [E],
        "weights": float32 [E]} in the orientation of Organization.offsets/sources/weights:
        for agent i, e in offsets[i]:offsets[i + 1] lists the agents sources[e] whom i
        listens to (whose adoption counts for x_i), with weights[e]; x_i =
        sum_e weights[e] a[sources[e]] / sum_e weights[e]. Note: a trial's network also has
        its coalition and connectors, which this organization does not.
        """
        return self._o.exposure_network(str(definition), float(power))

    def __len__(self):
        return self.size

    def __repr__(self):
        return "<groundswell.Organization: %d agents, %d departments, %d ties>" % (
            self.size, self.departments, self._o.edge_count)


def generate(spec, seed=1, trial=0, scenario=None):
    """The organization of trial `trial` of an experiment with seed `seed`, as a run builds it
    (before a strategy's coalition and connectors).

    spec: the keys of an [organization] section as a dict ({"generator":
    "watts_strogatz", "size": 200, "neighbours": 6}), checked as the file
    checks them; or an Experiment (then `scenario` names the scenario, by
    default its first). Raises InputError.
    """
    from ._api import Experiment

    if isinstance(spec, Mapping):
        spec = Experiment.from_dict({"experiment": {"name": "generate", "seed": 1, "trials": 1, "steps": 1},
                                     "organization": dict(spec)})
    elif not isinstance(spec, Experiment):
        raise TypeError("generate takes a dict of [organization] keys or an Experiment, not %s" % type(spec).__name__)
    index = 0 if scenario is None else spec._index(scenario)
    if isinstance(seed, bool) or not 0 <= int(seed) < 2**64:
        raise _native.InputError("generate: seed = %r is out of range: allowed [0, 2^64 - 1]" % (seed,))
    if isinstance(trial, bool) or not 0 <= int(trial) < 2**32:
        raise _native.InputError("generate: trial = %r is out of range: allowed [0, 2^32 - 1]" % (trial,))
    return Organization(_native._Organization.generate(spec._x, index, int(seed), int(trial)))
