"""Pictures in a grid, small matrices drawn as coloured cells with their numbers, letters as images.

    show_images([image, other], titles=["original", "flipped"])
    show_feature_maps(maps)                     # the (C, H, W) outputs of a convolution, one per panel
    draw_numbers(ax, [[1, 2], [3, 4]])          # a small matrix as coloured cells with numbers
    letter = glyph("b")                         # a letter drawn as a (64, 64) array in [0, 1]
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import torch
from PIL import Image


def _as_picture(image):
    """A PIL image, a (C, H, W) tensor or an (H, W[, C]) array as something `imshow` draws."""
    if isinstance(image, Image.Image):
        return np.asarray(image)
    if torch.is_tensor(image):
        image = image.detach().cpu()
        image = image.permute(1, 2, 0) if image.dim() == 3 else image
        image = image.numpy()
    image = np.asarray(image)
    return image[..., 0] if image.ndim == 3 and image.shape[-1] == 1 else image


def show_images(images, titles=None, ncols: int = 6, size: float = 2.0, cmap: str = "gray"):
    """Draw `images` in a grid, `ncols` per row, each with its title. Returns the Figure."""
    images = list(images)
    nrows = -(-len(images) // ncols)
    ncols = min(ncols, len(images))
    height = size * nrows + 0.3 * nrows
    figure, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, height), squeeze=False)
    room = 0.3 if titles is not None else 0.05          # inches above each row, for its titles
    # fixed margins: tight_layout would measure every title, the slowest part of a grid of photos
    figure.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=1 - room / height, wspace=0.05,
                           hspace=room / size + 0.02)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= len(images):
            continue
        picture = _as_picture(images[index])
        ax.imshow(picture, cmap=cmap if picture.ndim == 2 else None,
                  vmin=0 if picture.ndim == 2 and picture.dtype != np.uint8 else None,
                  vmax=1 if picture.ndim == 2 and picture.dtype != np.uint8 else None)
        if titles is not None:
            ax.set_title(titles[index], fontsize=9)
    return figure


def draw_numbers(ax, values, title: str | None = None, highlight=None, cmap: str = "Blues",
                 color_range: tuple[float, float] | None = None, fmt: str = "{:g}",
                 highlight_color: str = "#d62728"):
    """Draw a small matrix as coloured cells with its numbers in them.

    `color_range` = (low, high) fixes the colour scale (e.g. (0, 255) for pixels); by default it
    is stretched so that the cells stay light. `highlight` = (row, column, height, width) outlines
    a window of cells, e.g. the patch a filter currently covers.
    """
    values = np.asarray(values, dtype=float)
    if color_range is None:
        low, high = values.min(), max(values.max(), values.min() + 1)
        color_range = (low - 0.15 * (high - low), high + 0.6 * (high - low))
    colormap = plt.get_cmap(cmap)
    ax.imshow(values, cmap=colormap, vmin=color_range[0], vmax=color_range[1])
    for (row, column), value in np.ndenumerate(values):
        red, green, blue, _ = colormap((value - color_range[0]) / (color_range[1] - color_range[0]))
        dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.5
        ax.text(column, row, fmt.format(value), ha="center", va="center", fontsize=10,
                color="white" if dark else "black")
    ax.set_xticks(np.arange(-0.5, values.shape[1]), minor=True)
    ax.set_yticks(np.arange(-0.5, values.shape[0]), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    for side in ax.spines.values():
        side.set_visible(False)
    if highlight is not None:
        row, column, height, width = highlight
        ax.add_patch(plt.Rectangle((column - 0.5, row - 0.5), width, height, fill=False, zorder=5,
                                   clip_on=False, edgecolor=highlight_color, linewidth=3))
    if title:
        ax.set_title(title, fontsize=10)


def show_feature_maps(maps, titles=None, ncols: int = 8, size: float = 1.4, cmap: str = "viridis"):
    """Draw the feature maps (C, H, W) of one image, each scaled to its own range. Returns the Figure."""
    maps = maps.detach().cpu() if torch.is_tensor(maps) else torch.as_tensor(maps)
    nrows = -(-maps.shape[0] // ncols)
    figure, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.25 * nrows),
                                squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index < maps.shape[0]:
            ax.imshow(maps[index].numpy(), cmap=cmap)
            ax.set_title(titles[index] if titles is not None else f"map {index}", fontsize=8)
    figure.tight_layout()
    return figure


def glyph(text: str, size: int = 64) -> np.ndarray:
    """`text` drawn in black on white as a (size, size) float array in [0, 1]."""
    figure = plt.figure(figsize=(1, 1), dpi=size)
    figure.text(0.5, 0.45, text, ha="center", va="center", fontsize=44, family="DejaVu Sans")
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba())[..., :3].mean(axis=-1) / 255
    plt.close(figure)
    return pixels
