"""Where the anatomy is on an image's pixels, so that fake findings sit where they belong: the body and the lung
fields of a chest (an X-ray or a CT slice), the joint space of each knee, the field of view, optic disc and macula
of a fundus photograph. Thresholds (Otsu's) and connected regions (scipy.ndimage) on a reduced copy of the image.
When nothing recognisable is found (no pixels, a blank or unrelated picture), the regions are where that anatomy
usually lies on such an image, and `found` is False. No randomness here: the same pixels give the same regions;
the callers' seeded random picks places within them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

# scipy is imported in the functions that use it: its import costs a third of a second, which every server start
# and every pytest session using the plugin would otherwise pay before any result is computed.

MAX_SIDE = 256  # the analysis grid's longest side, in cells
BINS = 64


@dataclass(frozen=True)
class Region:
    """A set of pixels of a `rows` x `columns` image, held on the analysis grid (`step` image pixels a cell)."""

    mask: np.ndarray = field(repr=False)  # bool, the grid's shape
    step: int
    rows: int
    columns: int

    @property
    def box(self) -> list[int]:
        """[x1, y1, x2, y2] in image pixels, x2 and y2 exclusive; the whole image for an empty region."""
        ys, xs = np.nonzero(self.mask)
        if not len(xs):
            return [0, 0, self.columns, self.rows]
        return self._to_image(int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)

    @property
    def area(self) -> int:
        return int(self.mask.sum())

    def _to_image(self, c1: int, r1: int, c2: int, r2: int) -> list[int]:
        s = self.step
        return [
            min(c1 * s, self.columns - 1),
            min(r1 * s, self.rows - 1),
            min(c2 * s, self.columns),
            min(r2 * s, self.rows),
        ]

    def contains(self, x: float, y: float) -> bool:
        """Whether image pixel (x, y) is in the region."""
        r, c = int(y) // self.step, int(x) // self.step
        return 0 <= r < self.mask.shape[0] and 0 <= c < self.mask.shape[1] and bool(self.mask[r, c])

    def coverage(self, box: list[int]) -> float:
        """The share of `box` (image pixels) that lies in the region, counted on the grid."""
        x1, y1, x2, y2 = box
        s = self.step
        cells = self.mask[y1 // s : max(y1 // s + 1, -(-y2 // s)), x1 // s : max(x1 // s + 1, -(-x2 // s))]
        return float(cells.mean()) if cells.size else 0.0

    def part(self, top: float, bottom: float) -> Region:
        """The rows of the region between `top` and `bottom` (0 = its first row, 1 = its last); the whole region
        when that part is empty."""
        rows = np.nonzero(self.mask.any(axis=1))[0]
        if not len(rows):
            return self
        first, height = int(rows.min()), int(rows.max()) + 1 - int(rows.min())
        start = first + int(top * height)
        keep = np.zeros_like(self.mask)
        keep[start : max(first + int(bottom * height), start + 1)] = True
        part = self.mask & keep
        return Region(part, self.step, self.rows, self.columns) if part.any() else self

    @property
    def interior(self) -> np.ndarray:
        """The mask less its edge cells (a cell on the edge is partly outside), or the mask when that is all."""
        from scipy import ndimage

        inner = ndimage.binary_erosion(self.mask)
        return inner if inner.any() else self.mask

    def point(self, rng) -> tuple[float, float]:
        """A pixel of the region's interior (its cell's centre), picked by `rng`; the image centre for an empty
        region."""
        ys, xs = np.nonzero(self.interior)
        if not len(xs):
            return self.columns / 2, self.rows / 2
        i = rng.randrange(len(xs))
        s = self.step
        return min((xs[i] + 0.5) * s, self.columns - 0.5), min((ys[i] + 0.5) * s, self.rows - 0.5)

    def place(self, rng, low: float, high: float, least: float = 0.5) -> list[int]:
        """A box [x1, y1, x2, y2] in image pixels inside the bounding box of the region's interior, its centre on
        the region, mostly on it: each side `low` to `high` of the bounding box's, halved until a share `least` of
        the box lies on the region."""
        bx1, by1, bx2, by2 = Region(self.interior, self.step, self.rows, self.columns).box
        cx, cy = self.point(rng)
        width = max(2.0, rng.uniform(low, high) * (bx2 - bx1))
        height = max(2.0, rng.uniform(low, high) * (by2 - by1))
        while True:
            x1, x2 = max(bx1, round(cx - width / 2)), min(bx2, round(cx + width / 2))
            y1, y2 = max(by1, round(cy - height / 2)), min(by2, round(cy + height / 2))
            x1, y1 = min(x1, x2 - 1), min(y1, y2 - 1)
            box = [int(x1), int(y1), int(x2), int(y2)]
            if self.coverage(box) >= least or (width <= 2 and height <= 2):
                return box
            width, height = max(2.0, width / 2), max(2.0, height / 2)


# ---- the image on the analysis grid ------------------------------------------------------------------------------


def grid(pixels: np.ndarray, top: float = 99) -> tuple[np.ndarray, int]:
    """The image reduced to at most MAX_SIDE cells a side (each cell the mean of its `step` x `step` pixels),
    scaled to 0..1 between its 1st and `top` percentiles; and `step`."""
    image = np.asarray(pixels, dtype=np.float32)
    step = max(1, math.ceil(max(image.shape) / MAX_SIDE))
    if step > 1:
        rows, cols = image.shape
        padded = np.pad(image, ((0, -rows % step), (0, -cols % step)), mode="edge")
        image = padded.reshape(padded.shape[0] // step, step, padded.shape[1] // step, step).mean(axis=(1, 3))
    image = image.astype(np.float64)
    low, high = np.percentile(image, [1, top])
    return np.clip((image - low) / ((high - low) or 1.0), 0.0, 1.0), step


def otsu(values: np.ndarray) -> float:
    """Otsu's threshold of values in 0..1: the one that best splits them into two classes."""
    hist, edges = np.histogram(values, bins=BINS, range=(0.0, 1.0))
    centres = (edges[:-1] + edges[1:]) / 2
    weight = np.cumsum(hist)
    total = weight[-1] or 1
    mean = np.cumsum(hist * centres)
    w0, w1 = weight / total, 1 - weight / total
    m0 = mean / np.maximum(weight, 1)
    m1 = (mean[-1] - mean) / np.maximum(total - weight, 1)
    between = w0 * w1 * (m0 - m1) ** 2
    return float(edges[1:][int(np.argmax(between))])


def otsu3(values: np.ndarray) -> tuple[float, float]:
    """Two thresholds splitting values in 0..1 into three classes (Otsu's criterion, every pair of bins tried)."""
    hist, edges = np.histogram(values, bins=BINS, range=(0.0, 1.0))
    centres = (edges[:-1] + edges[1:]) / 2
    n = np.concatenate([[0], np.cumsum(hist)]).astype(np.float64)
    s = np.concatenate([[0], np.cumsum(hist * centres)])
    i, j = np.triu_indices(BINS + 1, k=1)
    keep = (i >= 1) & (j < BINS)
    i, j = i[keep], j[keep]
    score = np.zeros(len(i))
    for lo, hi in ((np.zeros_like(i), i), (i, j), (j, np.full_like(j, BINS))):
        count = n[hi] - n[lo]
        score += np.where(count > 0, (s[hi] - s[lo]) ** 2 / np.maximum(count, 1), 0.0)
    best = int(np.argmax(score))
    return float(edges[i[best]]), float(edges[j[best]])


def components(mask: np.ndarray, least: int = 1) -> list[np.ndarray]:
    """The connected regions of `mask` of at least `least` cells, largest first (ties: top-left first)."""
    from scipy import ndimage

    labels, count = ndimage.label(mask)
    if not count:
        return []
    sizes = np.bincount(labels.ravel())[1:]
    order = sorted(range(count), key=lambda k: -sizes[k])
    return [labels == k + 1 for k in order if sizes[k] >= least]


def touches_border(mask: np.ndarray) -> bool:
    return bool(mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any())


def centre_x(mask: np.ndarray) -> float:
    return float(np.nonzero(mask)[1].mean())


def ellipse(shape: tuple[int, int], cx: float, cy: float, rx: float, ry: float) -> np.ndarray:
    """A filled ellipse on a grid of `shape`, centre and radii in cells."""
    ys, xs = np.mgrid[: shape[0], : shape[1]]
    return ((xs + 0.5 - cx) / max(rx, 0.5)) ** 2 + ((ys + 0.5 - cy) / max(ry, 0.5)) ** 2 <= 1


def _found_or(find, pixels: np.ndarray | None, nominal):
    """What `find` makes of the pixels, or `nominal()` when there are none to analyse or it finds nothing."""
    found = find(pixels) if pixels is not None and pixels.ndim == 2 and min(pixels.shape) >= 16 else None
    return found if found is not None else nominal()


def _nominal_grid(rows: int, columns: int) -> tuple[tuple[int, int], int]:
    step = max(1, math.ceil(max(rows, columns, 1) / MAX_SIDE))
    return (max(1, -(-rows // step)), max(1, -(-columns // step))), step


# ---- a chest ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Chest:
    body: Region
    lungs: tuple[Region, Region]  # the one on the image's left first
    heart: Region  # between the lungs, their lower part
    found: bool


def chest(pixels: np.ndarray | None, rows: int, columns: int) -> Chest:
    """A chest X-ray or CT slice: a bright body on a dark background, two dark lung fields inside it."""
    return _found_or(_find_chest, pixels, lambda: _nominal_chest(rows, columns))


def _nominal_chest(rows: int, columns: int) -> Chest:
    shape, step = _nominal_grid(rows, columns)
    h, w = shape
    body = ellipse(shape, w / 2, h / 2, w * 0.45, h * 0.48)
    lungs = tuple(ellipse(shape, w * cx, h * 0.45, w * 0.15, h * 0.28) for cx in (0.3, 0.7))
    return _chest(body, lungs, step, rows, columns, found=False)


def _find_chest(pixels: np.ndarray) -> Chest | None:
    from scipy import ndimage

    g, step = grid(pixels)
    g = ndimage.uniform_filter(g, 3)
    bright = ndimage.binary_opening(g > otsu(g))
    filled = components(ndimage.binary_fill_holes(bright), least=int(0.15 * g.size))
    if not filled:
        return None
    body = filled[0]
    inside = g[body]
    dark = ndimage.binary_opening(body & (g < otsu(inside)))
    least = int(0.02 * body.sum())
    lungs = [c for c in components(dark, least) if not touches_border(c)][:2]
    if len(lungs) == 1 and _width(lungs[0]) > 0.4 * _width(body):  # both lungs in one region: split at the middle
        middle = round(centre_x(body))
        left, right = lungs[0].copy(), lungs[0].copy()
        left[:, middle:], right[:, :middle] = False, False
        lungs = [left, right] if left.sum() >= least and right.sum() >= least else []
    if len(lungs) != 2:
        return None
    lungs.sort(key=centre_x)
    midline = centre_x(body)
    if not (centre_x(lungs[0]) < midline < centre_x(lungs[1])) or (lungs[0] | lungs[1]).sum() > 0.8 * body.sum():
        return None
    rows, columns = pixels.shape
    return _chest(body, (lungs[0], lungs[1]), step, rows, columns, found=True)


def _width(mask: np.ndarray) -> int:
    xs = np.nonzero(mask.any(axis=0))[0]
    return int(xs.max() - xs.min() + 1) if len(xs) else 0


def _chest(body, lungs, step: int, rows: int, columns: int, found: bool) -> Chest:
    both = lungs[0] | lungs[1]
    ys = np.nonzero(both.any(axis=1))[0]
    top, bottom = int(ys.min()), int(ys.max()) + 1
    heart = np.zeros_like(body)
    x1, x2 = int(centre_x(lungs[0])), int(centre_x(lungs[1])) + 1
    heart[(top + bottom) // 2 : bottom, x1:x2] = True
    heart_mask = heart & body & ~both
    if not heart_mask.any():
        heart_mask = heart & body if (heart & body).any() else body
    return Chest(
        body=Region(body, step, rows, columns),
        lungs=(Region(lungs[0], step, rows, columns), Region(lungs[1], step, rows, columns)),
        heart=Region(heart_mask, step, rows, columns),
        found=found,
    )


# ---- knees --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Knees:
    legs: list[Region]  # one per knee seen, the one on the image's left first
    joints: list[Region]  # each leg's joint space: the rows between femur and tibia, across the bones
    found: bool


def knees(pixels: np.ndarray | None, rows: int, columns: int, nominal_count: int = 1) -> Knees:
    """A knee X-ray (one knee or both): legs of soft tissue on a dark background, bright bones in them, the joint
    space the darker band between femur and tibia. `nominal_count` knees when nothing recognisable is found."""
    return _found_or(_find_knees, pixels, lambda: _nominal_knees(rows, columns, nominal_count))


def _nominal_knees(rows: int, columns: int, nominal_count: int) -> Knees:
    shape, step = _nominal_grid(rows, columns)
    h, w = shape
    legs, joints = [], []
    for n in range(nominal_count):
        leg = np.zeros(shape, dtype=bool)
        leg[:, int(w * (n + 0.15) / nominal_count) : max(int(w * (n + 0.85) / nominal_count), 1)] = True
        joint = leg.copy()
        joint[: int(h * 0.42)] = False
        joint[max(int(h * 0.58), int(h * 0.42) + 1) :] = False
        legs.append(Region(leg, step, rows, columns))
        joints.append(Region(joint, step, rows, columns))
    return Knees(legs, joints, found=False)


def _find_knees(pixels: np.ndarray) -> Knees | None:
    from scipy import ndimage

    g, step = grid(pixels)
    g = ndimage.uniform_filter(g, 3)
    tissue, bone_level = otsu3(g)
    legs = components(ndimage.binary_fill_holes(ndimage.binary_opening(g > tissue)), least=int(0.03 * g.size))[:2]
    legs = [leg for leg in legs if (g[leg] > bone_level).any()]
    if not legs or sum(leg.sum() for leg in legs) > 0.85 * g.size:  # legs stand out from a background
        return None
    legs.sort(key=centre_x)
    rows, columns = pixels.shape
    found_legs, joints = [], []
    for leg in legs:
        joint = _joint_space(g, leg, bone_level)
        if joint is None:
            return None
        found_legs.append(Region(leg, step, rows, columns))
        joints.append(Region(joint, step, rows, columns))
    return Knees(found_legs, joints, found=True)


def _joint_space(g: np.ndarray, leg: np.ndarray, bone_level: float) -> np.ndarray | None:
    """The joint space of one leg: the row of least bone between two rows of much bone, in the leg's middle."""
    from scipy import ndimage

    bone = leg & (g > bone_level)
    ys = np.nonzero(leg.any(axis=1))[0]
    top, bottom = int(ys.min()), int(ys.max()) + 1
    share = bone.sum(axis=1) / np.maximum(leg.sum(axis=1), 1)
    share = ndimage.uniform_filter1d(share, 3)
    band = np.arange(top + (bottom - top) // 5, bottom - (bottom - top) // 5)
    if len(band) < 3:
        return None
    row = int(band[np.argmin(share[band])])
    # The bone next to the gap: the condyles above, the plateau below (the shafts further off are narrower than
    # the soft tissue around them, so a median over the whole leg would miss a real knee's joint).
    reach = max(3, (bottom - top) // 6)
    above, below = share[max(top, row - reach) : row], share[row + 1 : row + 1 + reach]
    if not len(above) or not len(below):
        return None
    bones = min(float(np.percentile(above, 90)), float(np.percentile(below, 90)))
    if bones < share[row] + 0.25:
        return None
    level = (share[row] + bones) / 2
    first, last = row, row
    while first > top and share[first - 1] < level:
        first -= 1
    while last < bottom - 1 and share[last + 1] < level:
        last += 1
    reach = max(2, (last - first + 1) * 2)
    xs = np.nonzero(bone[max(top, first - reach) : last + reach + 1].any(axis=0))[0]
    if not len(xs):
        return None
    joint = np.zeros_like(leg)
    joint[first : last + 1, int(xs.min()) : int(xs.max()) + 1] = True
    return joint & leg if (joint & leg).any() else joint


# ---- a fundus photograph ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fundus:
    field: Region  # the round field of view
    disc: Region  # the optic disc: the brightest spot
    macula: Region  # the darkest spot, a disc's width or more away from the disc
    found: bool


def fundus(pixels: np.ndarray | None, rows: int, columns: int) -> Fundus:
    """A fundus photograph: a bright round field on black, the optic disc its brightest spot, the macula its
    darkest, 2 to 3 disc diameters beside the disc."""
    return _found_or(_find_fundus, pixels, lambda: _nominal_fundus(rows, columns))


def _nominal_fundus(rows: int, columns: int) -> Fundus:
    shape, step = _nominal_grid(rows, columns)
    h, w = shape
    radius = min(h, w) * 0.06
    return Fundus(
        field=Region(ellipse(shape, w / 2, h / 2, w * 0.46, h * 0.46), step, rows, columns),
        disc=Region(ellipse(shape, w * 0.68, h / 2, radius, radius), step, rows, columns),
        macula=Region(ellipse(shape, w * 0.42, h / 2, radius * 1.5, radius * 1.5), step, rows, columns),
        found=False,
    )


def _find_fundus(pixels: np.ndarray) -> Fundus | None:
    from scipy import ndimage

    g, step = grid(pixels, top=100)  # the disc is a small share of the picture: the 99th percentile would clip it
    fields = components(ndimage.binary_fill_holes(ndimage.binary_opening(g > otsu(g) * 0.5)), int(0.2 * g.size))
    if not fields:
        return None
    fov = fields[0]
    ys, xs = np.nonzero(fov)
    diameter = max(xs.max() - xs.min(), ys.max() - ys.min()) + 1
    inner = ndimage.binary_erosion(fov, iterations=max(1, int(diameter * 0.05)))
    if not inner.any():
        return None
    fine = _smooth_within(g, fov, max(1.0, diameter / 40))
    median = float(np.median(g[fov]))
    disc_at = np.unravel_index(int(np.argmax(np.where(inner, fine, -1.0))), g.shape)
    if fine[disc_at] - median < 0.15:
        return None
    coarse = _smooth_within(g, fov, max(1.0, diameter / 20))
    yy, xx = np.mgrid[: g.shape[0], : g.shape[1]]
    distance = np.hypot(yy - disc_at[0], xx - disc_at[1])
    candidates = inner & (distance >= 0.2 * diameter) & (distance <= 0.45 * diameter)
    if not candidates.any():
        return None
    macula_at = np.unravel_index(int(np.argmin(np.where(candidates, coarse, 2.0))), g.shape)
    if median - coarse[macula_at] < 0.03:
        return None
    radius = diameter * 0.045  # a disc is about a tenth of the field across; the macula a little wider
    rows, columns = pixels.shape
    disc = ellipse(g.shape, disc_at[1] + 0.5, disc_at[0] + 0.5, radius, radius) & fov
    macula = ellipse(g.shape, macula_at[1] + 0.5, macula_at[0] + 0.5, radius * 1.5, radius * 1.5) & fov
    return Fundus(
        Region(fov, step, rows, columns), Region(disc, step, rows, columns), Region(macula, step, rows, columns), True
    )


def _smooth_within(g: np.ndarray, inside: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur of the values inside a mask, the outside left out (not averaged in as black): the rim of a
    photograph's field, darker than its middle, would otherwise look darker still."""
    from scipy import ndimage

    weight = ndimage.gaussian_filter(inside.astype(np.float64), sigma)
    return np.where(inside, ndimage.gaussian_filter(np.where(inside, g, 0.0), sigma) / np.maximum(weight, 1e-6), 0.0)
