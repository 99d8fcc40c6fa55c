"""Image datasets that decode each file once: a JPEG costs more CPU than a small network's step.

    folder = ImageFolder(root, transform=augment, loader=cached_loader(64))   # photos decoded once
    fixed = decode_once(dataset)        # every item computed once, kept as tensors

`cached_loader` keeps the decoded (and shrunken) photo of every file it has opened, so a training
run decodes each file once, not once per epoch; `decode_once` keeps whole items of a dataset whose
transforms are not random.
"""

from __future__ import annotations

from functools import cache

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
