"""Figure conveniences that are not the lesson: box-and-arrow diagrams drawn with Matplotlib.

    from helpers.plots import diagram
    fig = diagram({"x": (0, 0, "x"), "y": (2, 0, "y")}, [("x", "y", "w")], title="y = w * x")

Nodes are boxes (or circles) at data coordinates; edges are arrows between them, optionally
labelled half-way. The axes are hidden and scaled so the boxes keep their shape.

Per-epoch training curves: `plot_history({"train_loss": [...], "validation_f1": [...]})` puts the
curves whose name contains "loss" in the left panel and every other curve (a metric) in the right.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch
from matplotlib.ticker import MaxNLocator

Node = tuple  # (x, y, label) or (x, y, label, style) with style "box", "circle" or "text"


def _node_parts(node: Node) -> tuple[float, float, str, str]:
    x, y, label = node[:3]
    style = node[3] if len(node) > 3 else "box"
    return float(x), float(y), str(label), style


def diagram(
    nodes: dict[str, Node],
    edges: list[tuple] = (),
    *,
    title: str | None = None,
    size: tuple[float, float] = (6, 3),
    box: tuple[float, float] = (0.9, 0.45),
    radius: float = 0.3,
    colors: dict[str, str] | None = None,
    label_at: float = 0.45,
    ax=None,
):
    """Draw `nodes` and arrows `edges` = [(from, to), (from, to, label) or (from, to, label, at)].

    Return the Figure.

    An edge's label sits at the fraction `label_at` of the way from its start to its end; an edge
    (from, to, label, at) places its own label at the fraction `at`.
    """
    colors = colors or {}
    if ax is None:
        fig, ax = plt.subplots(figsize=size)
    else:
        fig = ax.figure
    half_w, half_h = box[0] / 2, box[1] / 2
    shapes = {}
    for name, node in nodes.items():
        x, y, label, style = _node_parts(node)
        color = colors.get(name, "#dbe9f6")
        if style == "circle":
            shape = Circle((x, y), radius, facecolor=color, edgecolor="#1f3b57", lw=1.5)
        elif style == "text":
            shape = None
        else:
            shape = FancyBboxPatch((x - half_w, y - half_h), box[0], box[1], boxstyle="round,pad=0.05",
                                   facecolor=color, edgecolor="#1f3b57", lw=1.5)
        if shape is not None:
            ax.add_patch(shape)
        shapes[name] = shape
        ax.text(x, y, label, ha="center", va="center", fontsize=11, zorder=5)
    for edge in edges:
        start, end = edge[0], edge[1]
        label = edge[2] if len(edge) > 2 else None
        at = edge[3] if len(edge) > 3 else label_at
        (x0, y0), (x1, y1) = (_node_parts(nodes[start])[:2], _node_parts(nodes[end])[:2])
        arrow = FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=15, lw=1.3,
                                color="#444444", patchA=shapes[start], patchB=shapes[end],
                                shrinkA=4, shrinkB=4, zorder=1)
        ax.add_patch(arrow)
        if label:
            ax.text(x0 + at * (x1 - x0), y0 + at * (y1 - y0), label, fontsize=10, color="#a23b00",
                    ha="center", va="bottom", zorder=6,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})
    xs = [_node_parts(n)[0] for n in nodes.values()]
    ys = [_node_parts(n)[1] for n in nodes.values()]
    pad_x, pad_y = max(0.8, half_w + 0.1), max(0.6, half_h + 0.1)  # wide boxes stay whole
    ax.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
    ax.set_ylim(min(ys) - pad_y, max(ys) + pad_y)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return fig


def _label(name: str) -> str:
    return name.replace("_", " ")


def plot_history(history: dict[str, list[float]], title: str | None = None, loss_label: str = "loss") -> None:
    """Plot per-epoch curves (epochs numbered from 1) and show the figure."""
    losses = {name: values for name, values in history.items() if "loss" in name}
    metrics = {name: values for name, values in history.items() if "loss" not in name}
    panels = [(group, ylabel) for group, ylabel in ((losses, loss_label), (metrics, "metric")) if group]
    figure, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 3.6), squeeze=False)
    for ax, (group, ylabel) in zip(axes[0], panels, strict=True):
        for name, values in group.items():
            epochs = range(1, len(values) + 1)
            ax.plot(epochs, values, marker="o" if len(values) <= 30 else None, markersize=3,
                    label=_label(name))
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    plt.show()
