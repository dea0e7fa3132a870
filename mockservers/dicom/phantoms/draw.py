"""What every phantom draws with: coordinates as shares of the picture, soft-edged shapes, thick curves (Pillow),
smooth random fields, resizing. Pictures are float32 planes; nothing here is random except through `rng`."""

from __future__ import annotations

import functools
import math

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

GRAIN_TILE = 1024
Line = tuple[list[tuple[float, float]], float, float]  # points (shares of width and height), width in pixels, value


def coords(rows: int, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """x and y of each pixel's centre as shares of the width and the height (0..1)."""
    y, x = np.mgrid[:rows, :columns].astype(np.float32)
    return (x + 0.5) / columns, (y + 0.5) / rows


def smoothstep(edge0: float, edge1: float, value: np.ndarray) -> np.ndarray:
    """0 before edge0, 1 after edge1, a smooth S between (a step where they are equal)."""
    if edge0 == edge1:
        return (value >= edge1).astype(np.float32)
    t = np.clip((value - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def ellipse(x, y, cx, cy, rx, ry, soft: float = 0.05, angle: float = 0.0) -> np.ndarray:
    """1 inside the ellipse, 0 outside, a soft edge `soft` (share of the radius) wide; `angle` in radians."""
    dx, dy = x - cx, y - cy
    if angle:
        c, s = np.cos(angle), np.sin(angle)
        dx, dy = dx * c + dy * s, -dx * s + dy * c
    r = np.sqrt((dx / rx) ** 2 + (dy / ry) ** 2)
    return 1.0 - smoothstep(1.0 - soft, 1.0 + soft, r)


def oval(shape: tuple[int, int], cx, cy, rx, ry, angle: float = 0.0) -> tuple[tuple[slice, slice], np.ndarray]:
    """A hard-edged ellipse (centre and radii as shares of the width and height) as a window of the picture and
    the mask within it: quick for small shapes on a large picture (`plane[window][mask] = value`)."""
    rows, columns = shape
    reach = max(rx, ry) if angle else None
    ax, ay = (reach, reach) if reach else (rx, ry)
    c1, c2 = max(0, int((cx - ax) * columns) - 1), min(columns, int((cx + ax) * columns) + 2)
    r1, r2 = max(0, int((cy - ay) * rows) - 1), min(rows, int((cy + ay) * rows) + 2)
    y, x = np.mgrid[r1:r2, c1:c2].astype(np.float32)
    dx, dy = (x + 0.5) / columns - cx, (y + 0.5) / rows - cy
    if angle:
        c, s = math.cos(angle), math.sin(angle)
        dx, dy = dx * c + dy * s, -dx * s + dy * c
    return (slice(r1, r2), slice(c1, c2)), (dx / rx) ** 2 + (dy / ry) ** 2 <= 1


def dome(x, y, cx, cy, rx, ry) -> np.ndarray:
    """The thickness of an ellipsoid seen from the front: 1 at its centre, 0 at its rim."""
    return np.sqrt(np.clip(1.0 - ((x - cx) / rx) ** 2 - ((y - cy) / ry) ** 2, 0.0, None))


def polyline(rows: int, columns: int, lines: list[Line]) -> np.ndarray:
    """Thick polylines drawn on one plane, the last drawn on top where they cross."""
    layer = Image.new("F", (columns, rows), 0.0)
    draw = ImageDraw.Draw(layer)
    for points, width, value in lines:
        xy = [(float(px) * columns, float(py) * rows) for px, py in points]
        draw.line(xy, fill=float(value), width=max(1, round(width)), joint="curve")
    return np.array(layer, dtype=np.float32)


def polygon(rows: int, columns: int, points: list[tuple[float, float]], value: float = 1.0) -> np.ndarray:
    layer = Image.new("F", (columns, rows), 0.0)
    ImageDraw.Draw(layer).polygon([(float(px) * columns, float(py) * rows) for px, py in points], fill=float(value))
    return np.array(layer, dtype=np.float32)


def bone(rows: int, columns: int, bones: list[Line]) -> np.ndarray:
    """Tubular bones seen from the side: brighter at their cortex (the edges) than their marrow; drawn over one
    another (draw bones that cross in separate calls, and add them)."""
    outer = polyline(rows, columns, bones)
    inner = polyline(rows, columns, [(p, w * 0.55, v) for p, w, v in bones])
    return ndimage.gaussian_filter(outer - 0.3 * inner, 1.0)


def field(rng: np.random.Generator, rows: int, columns: int, scale: float) -> np.ndarray:
    """Smooth random texture with features about `scale` pixels across, mean 0, standard deviation about 1."""
    small = (max(2, round(rows / scale)), max(2, round(columns / scale)))
    noise = rng.standard_normal(small, dtype=np.float32)
    return resize(noise, rows, columns)


def resize(plane: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """A float plane resized (bicubic) to rows x columns."""
    if plane.shape == (rows, columns):
        return plane
    image = Image.fromarray(np.ascontiguousarray(plane, dtype=np.float32))
    return np.array(image.resize((columns, rows), Image.Resampling.BICUBIC), dtype=np.float32)


def blur(plane: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur; a wide one on a reduced copy, which is as good and much quicker."""
    factor = int(sigma // 3)
    if factor < 2:
        return ndimage.gaussian_filter(plane, sigma)
    rows, columns = plane.shape
    small = resize(plane, max(2, rows // factor), max(2, columns // factor))
    return resize(ndimage.gaussian_filter(small, sigma / factor), rows, columns)


def unsharp(plane: np.ndarray, sigma: float, amount: float) -> np.ndarray:
    """Edges enhanced, as an X-ray system's image processing does."""
    return plane + amount * (plane - blur(plane, sigma))


@functools.cache
def _grain_tile() -> np.ndarray:
    """A fixed tile of white noise (from a fixed seed: the same on every run)."""
    return np.random.default_rng(20240101).standard_normal((GRAIN_TILE, GRAIN_TILE), dtype=np.float32)


def grain(rng: np.random.Generator, rows: int, columns: int) -> np.ndarray:
    """White noise over a whole picture, standard deviation 1: the fixed tile repeated from an offset `rng`
    picks, much quicker than drawing millions of numbers per picture and as good to the eye."""
    dy, dx = (int(v) for v in rng.integers(0, GRAIN_TILE, 2))
    tile = np.roll(_grain_tile(), (dy, dx), axis=(0, 1))
    reps = (-(-rows // GRAIN_TILE), -(-columns // GRAIN_TILE))
    return np.tile(tile, reps)[:rows, :columns]


def working_size(rows: int, columns: int, longest: int) -> tuple[int, int]:
    """The size anatomy is drawn at before it is resized to the image: at most `longest` a side."""
    scale = min(1.0, longest / max(rows, columns))
    return max(16, round(rows * scale)), max(16, round(columns * scale))
