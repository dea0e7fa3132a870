"""A B-mode ultrasound frame from a curved probe over the right upper abdomen: the fan-shaped sector, speckle
(coherent, so longer across the beam than along it), the liver's even texture, the anechoic gallbladder with the
brighter band behind it, a portal vein with echogenic walls, the bright curve of the diaphragm, gain falling
with depth, and the depth scale's dots."""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from mockservers.dicom.phantoms import draw
from mockservers.dicom.phantoms.base import Phantom

APEX_Y = -0.08  # the probe's virtual apex, above the picture
HALF_ANGLE = math.radians(34)


def abdomen_us(rng: np.random.Generator, rows: int, columns: int) -> Phantom:
    """Brightness 0..1 and the truth: sector and gallbladder."""
    x, y = draw.coords(rows, columns)
    X = (x - 0.5) * columns / rows  # in units of the picture's height
    radius = np.hypot(X, y - APEX_Y)
    angle = np.arctan2(X, y - APEX_Y)
    near, far = 0.14, 0.98
    sector = (np.abs(angle) <= HALF_ANGLE) & (radius >= near) & (radius <= far)
    depth = np.clip((radius - near) / (far - near), 0, 1)
    # echogenicity: the liver, darker structures in it, the diaphragm's bright curve below
    echo = np.full(x.shape, 0.55, dtype=np.float32) * (1 + 0.12 * draw.field(rng, rows, columns, 30))
    wall = rng.uniform(0.05, 0.08)
    echo[depth < wall] = 0.8  # the abdominal wall: fat and muscle layers
    echo[(depth > wall * 0.45) & (depth < wall * 0.6)] = 0.25
    gx, gy = rng.uniform(-0.12, 0.05), rng.uniform(0.42, 0.52)
    gallbladder = draw.ellipse(
        X, y, gx, gy, rng.uniform(0.11, 0.15), rng.uniform(0.06, 0.08), soft=0.05, angle=rng.uniform(-0.4, 0.1)
    )
    shadow_band = draw.smoothstep(0.11, 0.07, np.abs(X - gx))
    echo *= 1 + 0.45 * shadow_band * draw.smoothstep(gy, gy + 0.15, y)  # posterior acoustic enhancement
    vein = draw.ellipse(X, y, gx + 0.22, gy - 0.08, 0.05, 0.025, soft=0.1, angle=0.3)
    vein_wall = draw.ellipse(X, y, gx + 0.22, gy - 0.08, 0.062, 0.035, soft=0.1, angle=0.3) - vein
    echo = echo * (1 - 0.97 * gallbladder) * (1 - 0.95 * vein) + 0.5 * vein_wall
    diaphragm = np.exp(-(((radius - rng.uniform(0.8, 0.86) - 0.04 * np.sin(angle * 2.5)) / 0.012) ** 2))
    echo = echo + 1.2 * diaphragm
    echo[radius > 0.88] *= 0.35  # beyond the diaphragm: the lung's air
    # speckle: the magnitude of a complex Gaussian field, smoothed along the beam less than across it
    blur = (0.7, 1.8)
    re = ndimage.gaussian_filter(rng.standard_normal(x.shape, dtype=np.float32), blur)
    im = ndimage.gaussian_filter(rng.standard_normal(x.shape, dtype=np.float32), blur)
    speckle = np.hypot(re, im)
    speckle = (speckle / float(speckle.mean())) ** 0.7
    gain = 1.05 - 0.45 * depth  # time gain compensation leaves the far field a little darker
    image = np.clip(echo * speckle * gain, 0, None)
    image = np.log1p(3.5 * image) / math.log1p(3.5 * 2.2)  # log compression, as the scanner displays
    image = np.where(sector, np.clip(image, 0, 1), 0.0)
    for cm in range(1, 16):  # the depth scale: a dot each centimetre down the sector's right edge
        at = near + cm * (far - near) / 16
        px = 0.5 + (at * math.sin(HALF_ANGLE) + 0.02) * rows / columns
        py = APEX_Y + at * math.cos(HALF_ANGLE)
        dot = draw.ellipse(x, y, px, py, 0.004 * rows / columns, 0.004, soft=0.3)
        image = np.maximum(image, dot * (0.9 if cm % 5 == 0 else 0.6))
    return Phantom(image.astype(np.float32), {"sector": sector, "gallbladder": gallbladder > 0.5})
