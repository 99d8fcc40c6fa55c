"""Images whose right answer is known, made by code for week 5 (seeded, fast, offline).

    from helpers.images import color_ramp, corrupted_photo, damaged, dice, fruits, group_photo, ...
    image, truth = uneven_shapes(seed=0)    # dark shapes under uneven light, and their mask
    image, truth = fruits(seed=0)           # fruits on a dark table, and their mask
    noisy, clean = noisy_letter(seed=0)     # a white "R5" with white specks, and without
    noisy, clean = noisy_map(seed=0)        # land with pits and cracks, and without
    image, dots = dice(seed=0)              # dice on a table, and their number of dots
    image, box = stamped(photo)             # a logo stamped on a photo, and its box
    image, mask = damaged(photo)            # black scratches and blots, and where they are
    group, boxes = group_photo(3)           # copies of a face, and where each face is
    corrupted, mask, clean = corrupted_photo(seed=0)   # turned, noisy, damaged photo
    picture = color_ramp()                  # a smooth picture, for corrupted_photo(photo=...)

Float images are in [0, 1], masks are boolean, boxes are (row, column, height, width). The photos
come from `skimage.data`, which ships them; nothing is downloaded. The same seed always gives the
same image, on every machine with the course's pinned packages.
"""

from __future__ import annotations

import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from skimage import data, draw, transform, util

FACE_BOX = (69, 177, 90, 90)  # where the face detector finds the face in data.astronaut()


def _noise(image: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    return np.clip(image + rng.normal(0.0, sigma, image.shape), 0.0, 1.0)


def uneven_shapes(seed: int = 0, shape=(180, 270), count: int = 12):
    """Dark discs, squares and triangles on paper lit from one side; (image, mask of the shapes).

    The light falls from bright (right, top) to dim (left, bottom), so much that a shape on the
    bright side is lighter than bare paper on the dim side: no single threshold separates them.
    """
    rng = np.random.default_rng(seed)
    height, width = shape
    truth = np.zeros(shape, dtype=bool)
    placed = 0
    while placed < count:
        size = int(rng.integers(9, 17))
        r, c = (int(rng.integers(size + 4, n - size - 4)) for n in shape)
        rows, cols = _shape_pixels(int(rng.integers(3)), r, c, size, shape)
        margin = truth[max(r - size - 6, 0):r + size + 7, max(c - size - 6, 0):c + size + 7]
        if margin.any():
            continue
        truth[rows, cols] = True
        placed += 1
    y, x = np.mgrid[0:height, 0:width]
    light = 0.2 + 0.8 * (0.75 * x / width + 0.25 * (1 - y / height))
    image = light * np.where(truth, 0.45, 1.0)
    return _noise(image, 0.02, rng), truth


def _shape_pixels(kind: int, r: int, c: int, size: int, shape):
    if kind == 0:
        return draw.disk((r, c), size, shape=shape)
    if kind == 1:
        return draw.rectangle((r - size + 2, c - size + 2), (r + size - 2, c + size - 2), shape=shape)
    return draw.polygon([r + size, r + size, r - size], [c - size, c + size, c], shape=shape)


FRUITS = {"orange": (0.95, 0.55, 0.10), "lemon": (0.95, 0.85, 0.20), "apple": (0.55, 0.80, 0.25),
          "peach": (0.95, 0.65, 0.45)}  # colors in RGB


def fruits(seed: int = 0, shape=(200, 300), count: int = 9):
    """Round fruits on a dark wooden table, lit from the top left; (float RGB image, mask of the fruits).

    Each fruit is darker on its lower right side, down to 40 % of its color at the edge, so its
    shadow side comes close to the table in brightness.
    """
    rng = np.random.default_rng(seed)
    height, width = shape
    y, x = np.mgrid[0:height, 0:width]
    grain = 0.02 * np.sin(y / 3.0 + 2 * np.sin(x / 40.0)) + rng.normal(0.0, 0.02, (height, 1))
    image = np.clip(0.22 + grain, 0, 1)[..., None] * np.array([1.3, 0.95, 0.7])
    truth = np.zeros(shape, dtype=bool)
    names = list(FRUITS)
    placed = 0
    while placed < count:
        radius = int(rng.integers(12, 20))
        r = int(rng.integers(radius + 2, height - radius - 2))
        c = int(rng.integers(radius + 2, width - radius - 2))
        if truth[draw.disk((r, c), radius + 3, shape=shape)].any():
            continue
        rows, cols = draw.disk((r, c), radius, shape=shape)
        fruit = FRUITS[names[int(rng.integers(len(names)))]]
        away = np.hypot(rows - r + 0.35 * radius, cols - c + 0.35 * radius) / (1.35 * radius)
        image[rows, cols] = np.array(fruit) * (1 - 0.6 * np.clip(away, 0, 1) ** 2)[:, None]
        truth[rows, cols] = True
        placed += 1
    return _noise(image, 0.02, rng), truth


def text_mask(text: str, shape=(160, 240), size: float = 100) -> np.ndarray:
    """A boolean image of `text` in bold letters, centered: True on the letters."""
    path = TextPath((0, 0), text, size=size, prop=FontProperties(family="DejaVu Sans", weight="bold"))
    box = path.get_extents()
    height, width = shape
    y, x = np.mgrid[0:height, 0:width]
    points = np.column_stack([(x + 0.5 - width / 2 + (box.x0 + box.x1) / 2).ravel(),
                              (height / 2 - y - 0.5 + (box.y0 + box.y1) / 2).ravel()])
    inside = np.zeros(len(points), dtype=bool)
    for polygon in path.to_polygons():  # a letter's hole is a polygon inside its outline
        inside ^= Path(polygon).contains_points(points)
    return inside.reshape(shape)


def noisy_letter(seed: int = 0, shape=(160, 240), specks: int = 220):
    """A white "R5" on black sprinkled with small white specks; (noisy, clean), both boolean.

    The specks are at most 3 pixels across, the strokes of the letters about 20.
    """
    rng = np.random.default_rng(seed)
    clean = text_mask("R5", shape)
    noisy = clean.copy()
    for _ in range(specks):
        size = int(rng.integers(1, 4))
        r, c = int(rng.integers(0, shape[0] - size)), int(rng.integers(0, shape[1] - size))
        noisy[r:r + size, c:c + size] = True
    return noisy, clean


def noisy_map(seed: int = 0, length: int = 192):
    """A binary map: white land, black sea. (noisy, clean), both boolean.

    The noisy map has small black pits (at most 3 pixels across) and thin black cracks (1 pixel
    wide) in its land.
    """
    rng = np.random.default_rng(seed)
    clean = data.binary_blobs(length=length, blob_size_fraction=0.2, volume_fraction=0.45, rng=seed)
    damage = np.zeros_like(clean)
    for _ in range(length * 2):
        size = int(rng.integers(1, 4))
        r, c = (int(v) for v in rng.integers(0, length - size, 2))
        damage[r:r + size, c:c + size] = True
    for _ in range(length // 16):
        r0, c0, r1, c1 = (int(v) for v in rng.integers(0, length, 4))
        damage[draw.line(r0, c0, r1, c1)] = True
    return clean & ~damage, clean


PIPS = {1: [(0, 0)], 2: [(-1, -1), (1, 1)], 3: [(-1, -1), (0, 0), (1, 1)],
        4: [(-1, -1), (-1, 1), (1, -1), (1, 1)], 5: [(-1, -1), (-1, 1), (0, 0), (1, -1), (1, 1)],
        6: [(-1, -1), (0, -1), (1, -1), (-1, 1), (0, 1), (1, 1)]}


def dice(seed: int = 0, count: int = 4, shape=(150, 420)):
    """White dice with black dots on a dark table, each turned a little; (gray image, dots).

    Each die is a square about 64 pixels wide; each dot a disc of radius 6.
    """
    rng = np.random.default_rng(seed)
    image = np.full(shape, 0.2)
    dots = 0
    for index in range(count):
        value = int(rng.integers(1, 7))
        center = np.array([shape[0] / 2 + rng.uniform(-8, 8),
                           (index + 0.5) * shape[1] / count + rng.uniform(-6, 6)])
        turn = rng.uniform(-0.4, 0.4)
        rotation = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
        corners = center + np.array([[-32, -32], [-32, 32], [32, 32], [32, -32]]) @ rotation.T
        image[draw.polygon(corners[:, 0], corners[:, 1], shape)] = 0.9
        for pip in PIPS[value]:
            r, c = center + 18 * np.array(pip) @ rotation.T
            image[draw.disk((r, c), 6, shape=shape)] = 0.1
        dots += value
    return _noise(image, 0.04, rng), dots


def _logo(shape) -> np.ndarray:
    """scikit-image's own logo as RGBA floats, resized to `shape` = (height, width)."""
    return transform.resize(util.img_as_float(data.logo()), shape, anti_aliasing=True)


def stamped(photo: np.ndarray, box=(20, 300, 72, 72)):
    """`photo` (RGB) with a logo stamped in `box` = (row, column, height, width); (stamped, box).

    The stamped photo is a float image in [0, 1]; only pixels inside the box differ.
    """
    r, c, h, w = box
    image = util.img_as_float(photo).copy()
    logo = _logo((h, w))
    alpha = logo[..., 3:]
    image[r:r + h, c:c + w] = alpha * logo[..., :3] + (1 - alpha) * image[r:r + h, c:c + w]
    return image, box


def damaged(photo: np.ndarray, seed: int = 0, scratches: int = 6, blots: int = 4):
    """`photo` with black scratches (2 pixels wide) and blots; (damaged float image, mask)."""
    rng = np.random.default_rng(seed)
    shape = photo.shape[:2]
    mask = np.zeros(shape, dtype=bool)
    for _ in range(scratches):
        r0, r1 = rng.integers(0, shape[0], 2)
        c0, c1 = rng.integers(0, shape[1], 2)
        mask[draw.line(int(r0), int(c0), int(r1), int(c1))] = True
    for _ in range(blots):
        center = rng.integers(8, np.array(shape) - 8)
        mask[draw.disk(tuple(center), int(rng.integers(3, 7)), shape=shape)] = True
    thick = mask.copy()
    thick[1:] |= mask[:-1]
    thick[:, 1:] |= mask[:, :-1]
    image = util.img_as_float(photo).copy()
    image[thick] = 0.0
    return image, thick


def group_photo(faces: int = 3, seed: int = 0):
    """Copies of the astronaut's face, each at its own size, on a plain wall; (uint8 RGB image, boxes).

    `boxes` holds one (row, column, height, width) per face: where a face detector should find it.
    Faces are between 63 and 77 pixels wide: at these sizes the course's detector with windows of
    60 to 120 pixels (`scale_factor=1.2`, `step_ratio=1`) finds every face once, wherever it sits.
    """
    rng = np.random.default_rng(seed)
    portrait = data.astronaut()[30:210, 140:310]  # the face with some hair and shoulder
    height, width = 230, 40 + faces * 190
    y, x = np.mgrid[0:height, 0:width]
    shade = 40 * np.sin(x / width * np.pi) - 20 * y / height
    image = (150 + shade[..., None] * np.array([1.0, 0.9, 0.7])).astype(np.uint8)
    boxes = []
    for index in range(faces):
        scale = float(rng.uniform(0.7, 0.85))
        piece = util.img_as_ubyte(transform.rescale(portrait, scale, channel_axis=-1, anti_aliasing=True))
        r = int(rng.integers(5, height - piece.shape[0] - 5))
        c = 20 + index * 190 + int(rng.integers(0, 190 - piece.shape[1]))
        image[r:r + piece.shape[0], c:c + piece.shape[1]] = piece
        fr, fc, fh, fw = FACE_BOX
        boxes.append((r + round((fr - 30) * scale), c + round((fc - 140) * scale),
                      round(fh * scale), round(fw * scale)))
    return image, boxes


def color_ramp(shape=(120, 180)) -> np.ndarray:
    """A smooth picture: each color channel a ramp in its own direction (float RGB in [0.1, 0.9])."""
    height, width = shape
    y, x = np.mgrid[0:height, 0:width]
    across, down = x / (width - 1), y / (height - 1)
    return 0.1 + 0.8 * np.stack([across, 1 - down, (across + down) / 2], axis=-1)


def corrupted_photo(seed: int = 0, photo: np.ndarray | None = None):
    """A photo turned a quarter left, with noise and black damage; (corrupted, mask, clean).

    `clean` is the upright photo (float RGB; by default the cat of `data.chelsea()`, 120 x 180),
    `corrupted` the same photo turned 90 degrees counter-clockwise (180 x 120 for the cat), with
    Gaussian noise of standard deviation 0.08, and black where `mask` (in the corrupted photo's
    frame) is True.
    """
    rng = np.random.default_rng(seed)
    if photo is None:
        photo = transform.resize(util.img_as_float(data.chelsea()), (120, 180), anti_aliasing=True)
    clean = util.img_as_float(photo)
    noisy = _noise(clean, 0.08, rng)
    turned = np.rot90(noisy, k=1)
    corrupted, mask = damaged(turned, seed=seed, scratches=3, blots=3)
    return corrupted, mask, clean
