"""Axial CT slices through a chest, in Hounsfield units: the body's outline with its fat and muscle, two lungs
with their vessels, the mediastinum (heart, aorta, pulmonary artery, vena cava, trachea and bronchi, contrast in
the vessels), the spine, ribs, sternum and scapulae, the liver and stomach at the lowest slices, and the table."""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from mockservers.dicom.phantoms import draw
from mockservers.dicom.phantoms.base import Phantom

AIR, FAT, SOFT, BLOOD, BONE, CORTEX, LUNG = -1000.0, -100.0, 45.0, 220.0, 350.0, 900.0, -860.0


def _put(hu: np.ndarray, cx, cy, rx, ry, value, angle: float = 0.0, where: np.ndarray | None = None) -> None:
    window, mask = draw.oval(hu.shape, cx, cy, rx, ry, angle)
    if where is not None:
        mask &= where[window]
    hu[window][mask] = value


def _oval(shape, cx, cy, rx, ry, angle: float = 0.0) -> np.ndarray:
    """The ellipse as a mask of the whole picture."""
    window, mask = draw.oval(shape, cx, cy, rx, ry, angle)
    out = np.zeros(shape, dtype=bool)
    out[window] = mask
    return out


def chest_ct(rng: np.random.Generator, size: int, levels: list[float]) -> list[Phantom]:
    """One slice per level (0 at the lung apices, 1 at the bases), HU as float, and the truth: body, left_lung
    and right_lung (the image's: the patient's right lung is on the image's left)."""
    x, y = draw.coords(size, size)
    build = rng.uniform(0.9, 1.05)
    slice_seed = int(rng.integers(2**32))
    return [_slice(np.random.default_rng([slice_seed, round(z * 1000)]), x, y, size, z, build) for z in levels]


def _slice(rng, x, y, size, z, build) -> Phantom:
    rx, ry = 0.43 * build, 0.3 * build
    cy = 0.5
    body = _oval(x.shape, 0.5, cy, rx, ry) & (y < cy + ry * 0.93)  # the back flattened on the table
    muscle = _oval(x.shape, 0.5, cy + 0.005, rx - 0.035, ry - 0.03)
    hu = np.full(x.shape, AIR, dtype=np.float32)
    hu[body] = FAT
    hu[muscle] = SOFT
    # the lungs: largest at mid-chest, the liver and the heart taking their lower parts
    grow = math.sin(math.pi * min(1.0, 0.15 + 0.85 * z)) ** 0.5
    lungs = []
    for side in (-1, 1):
        lung = _oval(
            x.shape,
            0.5 + side * 0.17 * build,
            cy - 0.01,
            0.135 * build * (0.5 + 0.5 * grow),
            0.215 * build * (0.45 + 0.55 * grow),
        )
        lungs.append(lung & muscle)
    mediastinum = _oval(x.shape, 0.5, cy - 0.06, 0.07 + 0.03 * z, 0.17)
    heart = None
    if z > 0.45:
        size_h = min(1.0, (z - 0.45) / 0.2) * (1.0 if z < 0.9 else max(0.3, 1 - (z - 0.9) * 5))
        heart = _oval(x.shape, 0.53, cy - 0.09, 0.15 * size_h * build, 0.13 * size_h * build, angle=-0.5)
        mediastinum |= heart
    spine_at = (0.5, cy + ry - 0.115)
    around_spine = _oval(x.shape, *spine_at, 0.075, 0.08)
    liver = None
    if z > 0.78:
        liver = _oval(x.shape, 0.42, cy + 0.02, 0.26 * (z - 0.7) / 0.3 + 0.05, 0.24 * (z - 0.7) / 0.3 + 0.05)
        liver &= muscle
    for n, lung in enumerate(lungs):
        lung &= ~mediastinum & ~around_spine
        if liver is not None:
            lung &= ~liver
        lungs[n] = ndimage.binary_opening(lung, iterations=2)
        hu[lungs[n]] = LUNG
    # vessels in the lungs: dots and short branches, denser towards the hila
    vessels = _lung_vessels(rng, size)
    in_lungs = lungs[0] | lungs[1]
    hu = np.where(in_lungs, hu + vessels * (SOFT - LUNG) * 0.9, hu)
    hu += np.where(in_lungs, draw.field(rng, size, size, 3) * 25, 0)
    if heart is not None:
        hu[heart] = BLOOD * 0.6
        hu[_oval(x.shape, 0.55, cy - 0.1, 0.06, 0.05) & heart] = BLOOD  # the left ventricle
        pericardial_fat = heart & ~_oval(x.shape, 0.53, cy - 0.09, 0.14 * build, 0.12 * build, angle=-0.5)
        hu[pericardial_fat] = FAT
    _mediastinum(hu, x, y, cy, z, mediastinum, spine_at)
    if liver is not None:
        hu[liver] = 60.0
        stomach = _oval(x.shape, 0.62, cy - 0.03, 0.08, 0.06) & muscle & ~in_lungs
        hu[stomach] = 20.0
        if z > 0.85:  # gas in the fundus of the stomach, once the lung above it has gone
            hu[stomach & (y < cy - 0.05)] = AIR
    _bones(rng, hu, x, y, cy, rx, ry, z, spine_at)
    table = (np.abs(y - (cy + ry + 0.012 + 0.25 * (x - 0.5) ** 2)) < 0.006) & (np.abs(x - 0.5) < 0.42)
    hu[table] = 250.0
    hu = ndimage.gaussian_filter(hu, 0.6)
    hu += rng.standard_normal(hu.shape, dtype=np.float32) * 12
    truth = {"body": body, "left_lung": lungs[0], "right_lung": lungs[1]}
    return Phantom(hu, truth)


def _lung_vessels(rng, size: int) -> np.ndarray:
    lines: list[draw.Line] = []
    for side in (-1, 1):
        for _ in range(260):
            angle = rng.uniform(0, 2 * math.pi)
            reach = rng.uniform(0.03, 0.2) ** 0.8
            px, py = 0.5 + side * 0.1 + reach * math.cos(angle) * 0.9, 0.48 + reach * math.sin(angle) * 1.2
            length = rng.uniform(0.001, 0.018)
            a = angle + rng.normal(0, 0.4)
            width = max(1.0, (5.5 - 18 * reach) * size / 512)
            lines.append(([(px, py), (px + length * math.cos(a), py + length * math.sin(a))], width, 1.0))
    return ndimage.gaussian_filter(draw.polyline(size, size, lines), 0.7)


def _mediastinum(hu, x, y, cy, z, mediastinum, spine_at) -> None:
    """Fat around the great vessels; the aorta (an arch at the upper slices), the pulmonary artery, the vena
    cava; the trachea, then the two main bronchi; the oesophagus."""
    hu[mediastinum & (hu < 100)] = FAT * 0.8
    sy = spine_at[1]
    tubes = [(0.555, sy - 0.065, 0.028, BLOOD)]  # the descending aorta, left of the spine
    if 0.2 < z < 0.32:
        hu[_oval(x.shape, 0.5, cy - 0.1, 0.075, 0.03, angle=0.5)] = BLOOD  # the arch
    if 0.3 < z < 0.55:
        tubes += [
            (0.47, cy - 0.12, 0.033, BLOOD),
            (0.545, cy - 0.13, 0.03, BLOOD * 0.9),
            (0.43, cy - 0.12, 0.018, BLOOD * 0.7),
        ]
    for tx, ty, r, value in tubes:
        _put(hu, tx, ty, r, r, value)
    if z < 0.36:
        hu[_oval(x.shape, 0.5, cy - 0.06, 0.022, 0.02)] = AIR
    elif z < 0.5:
        for side in (-1, 1):
            hu[_oval(x.shape, 0.5 + side * 0.04, cy - 0.055, 0.013, 0.011)] = AIR
    hu[_oval(x.shape, 0.51, sy - 0.07, 0.013, 0.01)] = SOFT


def _bones(rng, hu, x, y, cy, rx, ry, z, spine_at) -> None:
    """The vertebra (body, canal, posterior arch), the ribs round the chest wall, the sternum, the scapulae."""
    sx, sy = spine_at
    _put(hu, sx, sy, 0.043, 0.04, CORTEX)
    _put(hu, sx, sy, 0.036, 0.033, BONE)
    arch = (np.abs(np.hypot((x - sx) / 0.045, (y - sy - 0.06) / 0.04) - 1) < 0.18) & (y > sy + 0.03)
    hu[arch] = CORTEX * 0.8
    _put(hu, sx, sy + 0.06, 0.018, 0.02, 10.0)  # the spinal canal
    hu[(np.abs(x - sx) < 0.007) & (y > sy + 0.095) & (y < sy + 0.14)] = CORTEX * 0.7  # the spinous process
    for n in range(14):  # ribs, cut obliquely round the chest wall
        a = math.pi * (0.12 + 0.76 * n / 13)
        for side in (-1, 1):
            px = 0.5 + side * (rx - 0.028) * math.sin(a) + rng.normal(0, 0.003)
            py = cy - (ry - 0.025) * math.cos(a) * 0.98 + rng.normal(0, 0.003)
            if abs(px - sx) < 0.06 and py > sy - 0.05:
                continue
            turn = side * (a - math.pi / 2) + math.pi / 2
            _put(hu, px, py, 0.016, 0.008, CORTEX * 0.9, turn)
            _put(hu, px, py, 0.011, 0.004, BONE, turn)
    _put(hu, 0.5, cy - ry + 0.02, 0.03, 0.01, CORTEX * 0.8)  # the sternum
    if z < 0.5:
        a = 0.72 * math.pi
        for side in (-1, 1):
            turn = side * (a - math.pi / 2) + math.pi / 2
            _put(
                hu,
                0.5 + side * (rx - 0.018) * math.sin(a),
                cy - (ry - 0.018) * math.cos(a),
                0.07,
                0.007,
                CORTEX * 0.8,
                turn,
            )
