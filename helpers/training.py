"""Training-loop conveniences that are not the lesson: plotting what a loop recorded.

A training function records one value per epoch under a name, e.g.

    history = {"train_loss": [0.69, 0.66], "validation_loss": [0.68, 0.67], "validation_f1": [0.1, 0.3]}
    plot_history(history)

Curves whose name contains "loss" share the left panel; every other curve (a metric) goes to the
right panel. With only losses there is one panel.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator


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
