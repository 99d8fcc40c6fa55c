"""Draw a computational graph with matplotlib alone (no graphviz, nothing to install).

The notebook traces the graph itself (that is an exercise) and hands the result over:

    draw_graph(nodes, edges)          # nodes: a set of values, edges: a set of (child, parent) pairs
    draw_graph(root, trace=trace)     # the same, with trace(root) -> (nodes, edges)

Every value is a record box "label | data ... | grad ..." (read with getattr, so values without a
`label` or a `grad` yet are fine). A value made by an operation (`_op`, e.g. "+") gets a small circle
holding the operation between its operands and itself. Columns go left to right by depth, the
longest path from the leaves; a leaf sits just before its first use. Returns the matplotlib Figure.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, Rectangle

CHAR = 0.085  # width of one character at font size 10, in inches (monospace)
ROW = 0.55  # vertical distance between two boxes in a column
BOX_H = 0.34
OP_R = 0.17  # radius of an operation circle
GAP = 0.45  # horizontal space between a column and the next


def _fields(node) -> list[str]:
    label = getattr(node, "label", "")
    fields = [str(label)] if label not in ("", None) else []
    fields.append(f"data {getattr(node, 'data', float('nan')):.4f}")
    if hasattr(node, "grad"):
        fields.append(f"grad {node.grad:.4f}")
    return fields


def _key(node) -> tuple:
    return (str(getattr(node, "label", "")), float(getattr(node, "data", 0.0)))


def _layout(nodes, edges):
    """Column of every value (an operation circle sits in the odd column before its result)."""
    children = {id(n): [] for n in nodes}
    consumers = {id(n): [] for n in nodes}
    for child, parent in edges:
        children[id(parent)].append(child)
        consumers[id(child)].append(parent)

    depth: dict[int, int] = {}

    def longest(node) -> int:  # longest path from the leaves, without recursion
        stack = [node]
        while stack:
            top = stack[-1]
            pending = [c for c in children[id(top)] if id(c) not in depth]
            if pending:
                stack.extend(pending)
                continue
            stack.pop()
            depth[id(top)] = 1 + max((depth[id(c)] for c in children[id(top)]), default=-1)
        return depth[id(node)]

    for node in nodes:
        longest(node)
    # value columns are even, operation columns odd; a leaf moves right to just before its first use
    column = {id(n): 2 * depth[id(n)] for n in nodes}
    for node in nodes:
        if not children[id(node)] and consumers[id(node)]:
            column[id(node)] = min(column[id(p)] for p in consumers[id(node)]) - 2
    slots: dict[int, list] = {}
    for node in sorted(nodes, key=_key):
        slots.setdefault(column[id(node)], []).append(node)

    # order each column by the mean position of its neighbours (a few sweeps reduce crossings)
    position: dict[int, float] = {}

    def place():
        for items in slots.values():
            for i, node in enumerate(items):
                position[id(node)] = i - (len(items) - 1) / 2

    def score(node):
        near = [position[id(c)] for c in children[id(node)] + consumers[id(node)]]
        return sum(near) / len(near) if near else position[id(node)]

    place()
    for _ in range(4):
        for col in sorted(slots):
            slots[col].sort(key=score)
            place()
    return column, slots, children, position


def draw_graph(nodes, edges=None, *, trace=None, title: str | None = None):
    """Draw the graph given by `nodes` and `edges` (or by `trace(root)`) and return the Figure."""
    if trace is not None:
        nodes, edges = trace(nodes)
    nodes, edges = list(nodes), list(edges or [])
    if not nodes:
        raise ValueError("draw_graph: no nodes to draw")
    column, slots, children, position = _layout(nodes, edges)

    width = {}
    for col, items in slots.items():
        width[col] = max(CHAR * sum(len(f) + 3 for f in _fields(n)) for n in items)
    x, left = {}, 0.0
    for col in range(min(slots), max(slots) + 1):
        w = width.get(col, 2 * OP_R if col % 2 else 0.0)
        x[col] = left + w / 2
        left += w + GAP
    height = max(len(items) for items in slots.values()) * ROW

    def centre(kind, node):
        return x[column[id(node)] - (kind == "op")], -position[id(node)] * ROW

    total_w, total_h = left - GAP + 0.4, height + 0.4 + (0.4 if title else 0.0)
    scale = max(0.6, min(1.0, 24 / total_w, 12 / total_h))
    fig = plt.figure(figsize=(total_w * scale, total_h * scale))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(-0.2, left - GAP + 0.2)
    ax.set_ylim(-height / 2 - 0.2, height / 2 + 0.2 + (0.4 if title else 0.0))
    ax.set_axis_off()
    font = 10 * scale
    if title:
        ax.text((left - GAP) / 2, height / 2 + 0.3, title, ha="center", va="center", fontsize=font * 1.2)

    def box_edges(node):
        cx, cy = centre("value", node)
        half = CHAR * sum(len(f) + 3 for f in _fields(node)) / 2
        return cx - half, cx + half, cy

    arrow = dict(arrowstyle="-|>", color="0.35", lw=0.9, shrinkA=0, shrinkB=0, mutation_scale=10 * scale)
    for node in nodes:
        if not children[id(node)]:
            continue
        target_left = box_edges(node)[0]
        ox, oy = centre("op", node)
        op = str(getattr(node, "_op", "") or "")
        ax.add_patch(Circle((ox, oy), OP_R, facecolor="#fde9c9", edgecolor="0.2", lw=0.9, zorder=3))
        ax.text(ox, oy, op, ha="center", va="center", fontsize=font * (1.0 if len(op) < 3 else 0.75),
                family="monospace", zorder=4)
        ax.annotate("", xy=(target_left, oy), xytext=(ox + OP_R, oy), arrowprops=arrow, zorder=2)
        for child in children[id(node)]:
            _, right, cy = box_edges(child)
            ax.annotate("", xy=(ox - OP_R, oy), xytext=(right, cy), arrowprops=arrow, zorder=1)

    for node in nodes:
        x0, x1, cy = box_edges(node)
        ax.add_patch(Rectangle((x0, cy - BOX_H / 2), x1 - x0, BOX_H, facecolor="#e8f1fb", edgecolor="0.2",
                               lw=0.9, zorder=3))
        cursor = x0
        for i, field in enumerate(_fields(node)):
            w = CHAR * (len(field) + 3)
            if i:
                ax.plot([cursor, cursor], [cy - BOX_H / 2, cy + BOX_H / 2], color="0.2", lw=0.9, zorder=4)
            bold = i == 0 and getattr(node, "label", "") not in ("", None)
            ax.text(cursor + w / 2, cy, field, ha="center", va="center", fontsize=font, family="monospace",
                    weight="bold" if bold else "normal", zorder=4)
            cursor += w
    plt.close(fig)  # shown once when returned to Jupyter, not twice
    return fig
