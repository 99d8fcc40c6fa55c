"""Week 4's image conveniences that are not the lesson: decoding once, picture grids, number grids.

    from helpers import vision

    folder = ImageFolder(root, transform=augment, loader=vision.cached_loader(64))
    fixed = vision.decode_once(dataset)            # every item computed once, kept as tensors
    vision.show_images([image, other], titles=["original", "flipped"])
    vision.draw_numbers(ax, [[1, 2], [3, 4]])       # a small matrix as coloured cells with numbers
    with vision.after_exercise({8: "OmniglotDataset"}):
        ...                                         # a lecture step that needs your solution

Decoding a JPEG or PNG costs more CPU time than training a small network on it, so a training
run should decode each file once, not once per epoch: `cached_loader` keeps the decoded (and
shrunken) photo of every file it has opened, `decode_once` keeps whole items of a dataset whose
transforms are not random.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache

import matplotlib.pyplot as plt
import numpy as np
import torch
from PIL import Image
from torch.utils.data import TensorDataset


def cached_loader(size: int | None = None):
    """A `loader` for `ImageFolder`: each file is decoded once, as RGB, `size` x `size` if given.

    JPEG files are decoded straight at the reduced size (PIL's draft mode), which is several
    times faster than decoding them whole. Every call returns a fresh copy, so transforms may
    change it freely.
    """

    @cache
    def decode(file: str) -> Image.Image:
        with Image.open(file) as image:
            if size is not None:
                image.draft("RGB", (size, size))
            image = image.convert("RGB")
        if size is not None and image.size != (size, size):
            image = image.resize((size, size), Image.Resampling.BILINEAR)
        return image

    def load(file) -> Image.Image:
        return decode(str(file)).copy()

    return load


def decode_once(dataset, indices=None) -> TensorDataset:
    """All items of `dataset` (or those at `indices`) computed once and stacked into a TensorDataset.

    Each item is a tuple; each of its fields becomes one tensor (tensors are stacked, numbers
    become a tensor). Use it only when the dataset's transforms are not random: the cached items
    never change again.
    """
    indices = range(len(dataset)) if indices is None else indices
    items = [dataset[index] for index in indices]
    fields = []
    for column in zip(*items, strict=True):
        fields.append(torch.stack(column) if torch.is_tensor(column[0]) else torch.tensor(column))
    return TensorDataset(*fields)


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
    figure, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.3 * nrows),
                                squeeze=False)
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
    figure.tight_layout()
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


@contextmanager
def after_exercise(exercises: dict[int, str]):
    """Run a lecture step that uses your solutions ({exercise number: name}); until then, say so in one line.

    An unsolved exercise raises `NotImplementedError`; a step that needs a variable an earlier
    guarded step could not make raises `NameError`. Both become the one-line reminder.
    """
    try:
        yield
    except (NotImplementedError, NameError):
        named = [f"Exercise {number} (`{name}`)" for number, name in exercises.items()]
        listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
        print(f"Run this after you solve {listed}.")
