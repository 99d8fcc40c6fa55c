"""Draw a directed graph with matplotlib alone (no graphviz, nothing to install).

`Digraph` takes nodes and edges the way the graphviz package's `Digraph` does, so the code that
builds a drawing runs unchanged with either; what it cannot do is lay out and draw by itself, and
that is all this module adds:

    dot = Digraph()
    dot.node("x", label="x | data 2.0000 | grad 0.0000", shape="record")   # a box with three fields
    dot.node("x*", label="*")                                               # any other shape: a circle
    dot.edge("x*", "x")                                                     # an arrow from x* to x
    dot                                       # in Jupyter, as a cell's result or display(dot): the drawing

What goes into the drawing (which nodes, their labels, which edges) is up to the caller. A record's
label is split into fields at `|` (graphviz's outer braces, `{ a | b }`, are optional). An edge to a
name that no `node` call made gets a node of its own, labelled with its name, as in graphviz.
Columns go left to right by the longest path from a node without incoming edges; such a node sits
just before its first successor. `dot.nodes` ({name: {"label": ..., "shape": ...}}) and `dot.edges`
([(tail, head), ...]) hold what was added.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle

CHAR = 0.085  # width of one character at font size 10, in inches (monospace)
ROW = 0.55  # vertical distance between two nodes in a column
BOX_H = 0.34  # height of a record box
CIRCLE_R = 0.17  # smallest radius of a circle node
GAP = 0.45  # horizontal space between a column and the next


def record_fields(label) -> list[str]:
    """The fields of a record label: `"a | data 2"` and `"{ a | data 2 }"` both give ['a', 'data 2']."""
    text = str(label).strip()
    if text.startswith("{") and text.endswith("}"):
        text = text[1:-1]
    return [field.strip() for field in text.split("|")]


class Digraph:
    """Nodes and edges added as in graphviz; shown in Jupyter as a drawing (`figure()` gives the Figure)."""

    def __init__(self, *args, **kwargs):  # graphviz's arguments (name, format, graph_attr, ...) are accepted
        self.nodes: dict[str, dict[str, str]] = {}
        self.edges: list[tuple[str, str]] = []

    def node(self, name, label=None, shape=None, **attrs) -> None:
        """Add the node `name` (or change it): its `label` (the name if None), its `shape`."""
        name = str(name)
        known = self.nodes.setdefault(name, {"label": name, "shape": "ellipse"})
        if label is not None:
            known["label"] = str(label)
        if shape is not None:
            known["shape"] = str(shape)

    def edge(self, tail_name, head_name, **attrs) -> None:
        """Add an arrow from the node `tail_name` to the node `head_name`."""
        self.edges.append((str(tail_name), str(head_name)))

    def attr(self, *args, **kwargs) -> None:
        """graphviz's graph attributes (`rankdir`, ...): the drawing always runs left to right."""

    def __repr__(self) -> str:
        return f"Digraph({len(self.nodes)} nodes, {len(self.edges)} edges)"

    def _repr_png_(self) -> bytes | None:
        if not self.nodes and not self.edges:
            return None
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()

    def figure(self, title: str | None = None) -> Figure:
        """The drawing as a matplotlib Figure (not shown by pyplot: display it, or save it)."""
        return _draw(self, title)


# ---- layout and drawing --------------------------------------------------------------------------

def _graph(dot: Digraph):
    """Every node's label and shape (nodes an edge names but no `node` call made included), and the
    distinct edges."""
    nodes = {name: dict(attrs) for name, attrs in dot.nodes.items()}
    edges = list(dict.fromkeys(dot.edges))
    for tail, head in edges:
        for name in (tail, head):
            nodes.setdefault(name, {"label": name, "shape": "ellipse"})
    return nodes, edges


def _depths(names, before) -> dict[str, int]:
    """Longest path to every node from a node without predecessors; an edge that closes a cycle is
    left out (no recursion, so long chains are fine)."""
    depth: dict[str, int] = {}
    for start in names:
        if start in depth:
            continue
        on_path, stack = {start}, [(start, iter(before[start]))]
        while stack:
            node, pending = stack[-1]
            child = next((c for c in pending if c not in depth and c not in on_path), None)
            if child is not None:
                on_path.add(child)
                stack.append((child, iter(before[child])))
                continue
            stack.pop()
            on_path.discard(node)
            depth[node] = 1 + max((depth[c] for c in before[node] if c in depth), default=-1)
    return depth


def _layout(nodes, edges):
    before = {name: [] for name in nodes}
    after = {name: [] for name in nodes}
    for tail, head in edges:
        before[head].append(tail)
        after[tail].append(head)
    depth = _depths(list(nodes), before)
    column = dict(depth)
    for name in nodes:  # a node without predecessors moves right, to just before its first successor
        if not before[name] and after[name]:
            column[name] = max(0, min(depth[h] for h in after[name]) - 1)
    slots: dict[int, list[str]] = {}
    for name in sorted(nodes, key=lambda n: (nodes[n]["label"], n)):
        slots.setdefault(column[name], []).append(name)

    position: dict[str, float] = {}

    def place(items):
        for i, name in enumerate(items):
            position[name] = i - (len(items) - 1) / 2

    def barycentre(name):
        near = [position[n] for n in before[name] + after[name]]
        return sum(near) / len(near) if near else position[name]

    for items in slots.values():
        place(items)
    for _ in range(4):  # a few sweeps that order each column by its neighbours reduce crossings
        for col in sorted(slots):
            slots[col].sort(key=barycentre)
            place(slots[col])
    return column, slots, position


def _width(attrs) -> float:
    if attrs["shape"] == "record":
        return CHAR * sum(len(field) + 3 for field in record_fields(attrs["label"]))
    return 2 * _radius(attrs["label"])


def _radius(label) -> float:
    return max(CIRCLE_R, CHAR * 0.75 * len(str(label)) / 2 + 0.04)


def _draw(dot: Digraph, title: str | None) -> Figure:
    nodes, edges = _graph(dot)
    if not nodes:
        raise ValueError("Digraph: no nodes to draw")
    column, slots, position = _layout(nodes, edges)
    widths = {col: max(_width(nodes[name]) for name in items) for col, items in slots.items()}
    x, left = {}, 0.0
    for col in range(min(slots), max(slots) + 1):
        w = widths.get(col, 0.0)
        x[col] = left + w / 2
        left += w + GAP
    height = max(len(items) for items in slots.values()) * ROW

    def centre(name):
        return x[column[name]], -position[name] * ROW

    def sides(name):  # (left x, right x, y) where arrows leave and arrive
        cx, cy = centre(name)
        half = _width(nodes[name]) / 2
        return cx - half, cx + half, cy

    top = 0.4 if title else 0.0
    total_w, total_h = left - GAP + 0.4, height + 0.4 + top
    scale = max(0.6, min(1.0, 24 / total_w, 12 / total_h))
    fig = Figure(figsize=(total_w * scale, total_h * scale))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-0.2, left - GAP + 0.2)
    ax.set_ylim(-height / 2 - 0.2, height / 2 + 0.2 + top)
    ax.set_axis_off()
    font = 10 * scale
    if title:
        ax.text((left - GAP) / 2, height / 2 + 0.3, title, ha="center", va="center", fontsize=font * 1.2)

    arrow = dict(arrowstyle="-|>", color="0.35", lw=0.9, shrinkA=0, shrinkB=0, mutation_scale=10 * scale)
    for tail, head in edges:
        _, right, y0 = sides(tail)
        start, _, y1 = sides(head)
        ax.annotate("", xy=(start, y1), xytext=(right, y0), arrowprops=arrow, zorder=1)

    for name, attrs in nodes.items():
        cx, cy = centre(name)
        if attrs["shape"] != "record":
            label = str(attrs["label"])
            ax.add_artist(Circle((cx, cy), _radius(label), facecolor="#fde9c9", edgecolor="0.2", lw=0.9,
                                 zorder=3))  # add_artist: the limits are set, no need to fit them
            size = font * (1.0 if len(label) < 3 else 0.75)
            ax.text(cx, cy, label, ha="center", va="center", fontsize=size, family="monospace", zorder=4)
            continue
        fields = record_fields(attrs["label"])
        x0, x1, _ = sides(name)
        ax.add_artist(Rectangle((x0, cy - BOX_H / 2), x1 - x0, BOX_H, facecolor="#e8f1fb", edgecolor="0.2",
                                lw=0.9, zorder=3))
        cursor = x0
        for i, field in enumerate(fields):
            w = CHAR * (len(field) + 3)
            if i:
                ax.plot([cursor, cursor], [cy - BOX_H / 2, cy + BOX_H / 2], color="0.2", lw=0.9, zorder=4)
            bold = i == 0 and len(fields) > 1 and field != ""
            ax.text(cursor + w / 2, cy, field, ha="center", va="center", fontsize=font, family="monospace",
                    weight="bold" if bold else "normal", zorder=4)
            cursor += w
    return fig
