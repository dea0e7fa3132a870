"""A PA chest radiograph: the torso's soft tissue, two lung fields shaped by the heart, the aortic knob and the
domes of the diaphragm, the trachea, hila and vessels, ribs, clavicles, scapulae, spine and shoulders."""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from mockservers.dicom.phantoms import draw
from mockservers.dicom.phantoms.base import Phantom

WORKING_SIDE = 512


class Torso:
    """A patient's build, drawn from `rng`: where the midline, apices, diaphragm and heart are (shares of the
    picture's width and height)."""

    def __init__(self, rng: np.random.Generator):
        self.cx = 0.5 + rng.normal(0, 0.008)
        self.half_width = rng.uniform(0.34, 0.39)  # midline to the lateral edge of a lung at its widest
        self.apex = rng.uniform(0.11, 0.15)
        self.base = rng.uniform(0.72, 0.79)  # the costophrenic angles
        self.dome = rng.uniform(0.06, 0.09)
        self.heart = rng.uniform(0.42, 0.52) * 2 * self.half_width  # the cardiothoracic ratio times the chest
        self.mediastinum = rng.uniform(0.05, 0.06)
        self.knob = rng.uniform(0.015, 0.03)

    def v(self, y):
        """Height down the lungs: 0 at the apices, 1 at the costophrenic angles."""
        return (y - self.apex) / (self.base - self.apex)

    def medial(self, side: int, v):
        """The mediastinum's (then the heart's) distance from the midline on `side` at lung height v."""
        heart = self.heart * (0.62 if side > 0 else 0.38) * np.sqrt(np.clip(1 - ((v - 0.86) / 0.42) ** 2, 0, None))
        knob = self.knob * np.exp(-(((v - 0.24) / 0.07) ** 2)) if side > 0 else 0.0
        return np.maximum(self.mediastinum + knob, heart)

    def lateral(self, v):
        return self.half_width * (0.86 + 0.14 * np.sin(np.pi / 2 * np.clip(v / 0.8, 0, 1)))

    def floor(self, side: int, d):
        """The diaphragm under the lung on `side`, at distance d from the midline: a dome, lowest at the
        costophrenic angle; the right (the image's left) a little higher."""
        base = self.base - (0.02 if side < 0 else 0.0)
        u = np.clip((d - 0.06) / (self.half_width - 0.06), 0, 1)
        return base - self.dome * np.sin(np.pi * (0.12 + 0.82 * u))


def chest_radiograph(rng: np.random.Generator, rows: int, columns: int, female: bool = False) -> Phantom:
    """Pixels 0..1 (bright = dense) and the truth: body, left_lung and right_lung (the image's)."""
    h, w = draw.working_size(rows, columns, WORKING_SIDE)
    x, y = draw.coords(h, w)
    t = Torso(rng)
    lungs = [_lung(t, side, x, y) for side in (-1, 1)]
    soft = _soft_tissue(t, x, y, female)
    air = sum(
        ndimage.gaussian_filter(lung, 1.0) * _lung_depth(t, side, x, y)
        for side, lung in zip((-1, 1), lungs, strict=True)
    )
    in_lungs = ndimage.gaussian_filter(lungs[0] + lungs[1], 3.0)
    hila = sum(draw.ellipse(x, y, t.cx + s * 0.09, t.apex + 0.26, 0.035, 0.07, soft=0.7) for s in (-1, 1))
    heart = draw.ellipse(x, y, t.cx + 0.2 * t.heart / 2, t.apex + 0.86 * (t.base - t.apex), t.heart / 2, 0.2, 0.5)
    density = (
        soft
        - 0.62 * air
        + 0.1 * heart
        + _ribs(rng, t, h, w) * (1 - 0.7 * _abdomen(t, x, y)) * draw.smoothstep(0.03, 0.09, np.abs(x - t.cx))
        + 0.07 * _spine(t, x, y)
        + _shoulders(t, h, w, x, y)
        + 0.12 * _vessels(rng, t, h, w) * in_lungs
        + 0.05 * hila
        - 0.2 * _airway(t, h, w, x, y)
        + 0.015 * draw.field(rng, h, w, 5) * in_lungs
        - 0.12 * draw.ellipse(x, y, t.cx + 0.15, float(t.floor(1, 0.15)) + 0.035, 0.045, 0.022, 0.4)  # gastric air
        + 0.03 * draw.field(rng, h, w, 40)
    )
    density -= 0.45 * (draw.blur(density, max(h, w) / 12) - 0.6)  # the system's range compression
    density = draw.unsharp(density, sigma=max(h, w) / 200, amount=0.5)
    picture = _tone(density)
    picture = draw.resize(picture, rows, columns)
    picture += draw.grain(rng, rows, columns) * 0.008
    truth = {"body": soft > 0.05, "left_lung": lungs[0] > 0.5, "right_lung": lungs[1] > 0.5}
    return Phantom(np.clip(picture, 0, 1), truth)


def _tone(density: np.ndarray) -> np.ndarray:
    """The film-like curve from density to brightness, 0 for air."""
    curve = 1 / (1 + np.exp(-(np.clip(density, 0, None) - 0.45) / 0.2))
    floor = 1 / (1 + math.exp(0.45 / 0.2))
    return (curve - floor) / (1 - floor)


def _lung(t: Torso, side: int, x, y) -> np.ndarray:
    d = side * (x - t.cx)
    v = t.v(y)
    medial, lateral = t.medial(side, v), t.lateral(v)
    apex_at = t.mediastinum + 0.45 * (t.half_width - t.mediastinum)
    round_top = np.sqrt(np.clip(1 - (1 - np.clip(v / 0.22, 0, 1)) ** 2, 0, 1))
    inner = apex_at - (apex_at - medial) * round_top
    outer = apex_at + (lateral - apex_at) * round_top
    return ((v >= 0) & (y <= t.floor(side, d)) & (d >= inner) & (d <= outer)).astype(np.float32)


def _lung_depth(t: Torso, side: int, x, y) -> np.ndarray:
    """How much air a ray crosses: more low in the chest, less at the lateral edge."""
    d = side * (x - t.cx)
    v = np.clip(t.v(y), 0, 1)
    across = np.clip((d - t.mediastinum) / (t.lateral(v) - t.mediastinum), 0, 1)
    return (0.65 + 0.35 * draw.smoothstep(0, 0.7, v)) * np.sqrt(np.clip(1 - across**3, 0, 1))


def _soft_tissue(t: Torso, x, y, female: bool) -> np.ndarray:
    """The torso's thickness: the neck, the slope of the shoulders, the chest wall, the abdomen."""
    half = (
        0.1
        + (0.5 - 0.1) * draw.smoothstep(t.apex - 0.14, t.apex - 0.02, y)
        - (0.5 - t.half_width - 0.06) * draw.smoothstep(t.apex, t.apex + 0.3, y)
        + 0.04 * np.clip(y - 0.45, 0, None)
    )
    body = np.clip(1 - ((x - t.cx) / half) ** 2, 0, None) ** 0.3
    body *= 0.85 + 0.15 * _abdomen(t, x, y)
    if female:
        for s in (-1, 1):
            body = body + 0.1 * draw.ellipse(x, y, t.cx + s * 0.25, t.base - 0.1, 0.17, 0.13, soft=0.35)
    return body


def _abdomen(t: Torso, x, y) -> np.ndarray:
    return draw.smoothstep(t.base - 0.1, t.base + 0.05, y)


def _airway(t: Torso, h: int, w: int, x, y) -> np.ndarray:
    carina = t.apex + 0.17
    trachea = draw.smoothstep(carina + 0.01, carina - 0.01, y) * draw.ellipse(x, y, t.cx + 0.004, 0, 0.015, 1.0, 0.4)
    bronchi = draw.polyline(
        h, w, [([(t.cx, carina - 0.005), (t.cx + s * 0.06, carina + 0.05)], 0.02 * w, 1.0) for s in (-1, 1)]
    )
    return np.maximum(trachea, ndimage.gaussian_filter(bronchi, 1.0))


def _ribs(rng: np.random.Generator, t: Torso, h: int, w: int) -> np.ndarray:
    """Ten ribs a side: each a posterior arc from the spine out to the chest wall, turning into a fainter anterior
    arc that runs down and in; the clavicles over the apices."""
    posterior, anterior, clavicles = [], [], []
    for side in (-1, 1):
        y0 = t.apex - 0.035
        for k in range(10):
            y0 += rng.normal(0, 0.002)
            reach = float(t.lateral(t.v(y0 + 0.07))) + 0.015
            s = np.linspace(0, 1, 16)
            px = t.cx + side * (0.04 + s * (reach - 0.04))
            py = y0 - 0.018 * np.sin(np.pi * s) + 0.075 * s**2.5
            end = 0.11 + 0.012 * k  # where the rib meets its costal cartilage, which X-rays do not show
            ax = t.cx + side * (reach - s**1.4 * (reach - end))
            ay = py[-1] + 0.1 * s**0.7
            width = 0.019 * (1 + 0.03 * k) * h
            posterior.append((list(zip(px, py, strict=True)), width, 1.0))
            if k < 7:
                anterior.append((list(zip(ax, ay, strict=True)), width * 1.25, 1.0))
            y0 += (t.base - t.apex) / 10.5 * (0.85 + 0.04 * k)
        clavicles.append(
            (
                [
                    (t.cx + side * 0.03, t.apex + 0.03),
                    (t.cx + side * 0.1, t.apex + 0.02),
                    (t.cx + side * 0.2, t.apex + 0.005),
                    (t.cx + side * 0.3, t.apex - 0.01),
                    (t.cx + side * 0.37, t.apex - 0.035),
                ],
                0.024 * h,
                1.0,
            )
        )
    return 0.1 * draw.bone(h, w, posterior) + 0.05 * draw.bone(h, w, anterior) + 0.18 * draw.bone(h, w, clavicles)


def _shoulders(t: Torso, h: int, w: int, x, y) -> np.ndarray:
    """The humeral heads at the picture's upper corners, the acromia, the scapulae's faint triangles."""
    out = np.zeros_like(x)
    for s in (-1, 1):
        hx, hy = t.cx + s * 0.47, t.apex + 0.0
        ring = np.hypot((x - hx) / 0.055, (y - hy) / (0.055 * w / h))
        out += 0.16 * np.clip(1 - ring, 0, 1) ** 0.3 + 0.04 * np.exp(-((ring - 0.95) ** 2) / 0.006)
        scapula = draw.polygon(h, w, [(t.cx + s * a, t.apex + b) for a, b in ((0.29, -0.02), (0.27, 0.3), (0.43, 0.1))])
        out += 0.05 * ndimage.gaussian_filter(scapula, 2.0)
    return out


def _spine(t: Torso, x, y) -> np.ndarray:
    """Vertebral bodies with their discs, pedicles and spinous processes, down the midline."""
    step = 0.042 * (1 + 0.25 * y)
    phase = np.mod(y / step, 1.0)
    size = 1 + 0.3 * y
    body = np.clip(1 - (np.abs(x - t.cx) / (0.031 * size)) ** 4, 0, 1) ** 0.4
    discs = draw.smoothstep(0.0, 0.12, phase) * draw.smoothstep(1.0, 0.84, phase)
    pedicles = sum(
        np.exp(-(((np.hypot((x - t.cx - s * 0.021 * size) / 0.007, (phase - 0.35) / 0.25) - 1) ** 2) / 0.08))
        for s in (-1, 1)
    )
    process = np.exp(-(((x - t.cx) / 0.005) ** 2 + ((phase - 0.75) / 0.2) ** 2))
    return ndimage.gaussian_filter(body * (0.6 + 0.4 * discs) + 0.3 * pedicles + 0.3 * process, 1.0)


def _vessels(rng: np.random.Generator, t: Torso, h: int, w: int) -> np.ndarray:
    """Branching pulmonary vessels from each hilum, curving a little, thinning towards the periphery."""
    lines: list[draw.Line] = []

    def branch(px, py, angle, length, width, depth):
        points = [(px, py)]
        for _ in range(3):
            angle += rng.normal(0, 0.15)
            px, py = px + length / 3 * math.cos(angle), py + length / 3 * math.sin(angle) * w / h
            points.append((px, py))
        lines.append((points, width, min(1.0, 0.3 + width / 4)))
        if depth:
            for turn in (-1, 1):
                spread = rng.uniform(0.2, 0.6)
                branch(px, py, angle + turn * spread, length * rng.uniform(0.6, 0.85), width * 0.68, depth - 1)

    for side in (-1, 1):
        hx, hy = t.cx + side * 0.09, t.apex + 0.27
        for fan in np.linspace(-1.0, 1.3, 7):  # from up-and-out to down-and-out, in radians (y points down)
            direction = fan if side > 0 else math.pi - fan
            branch(hx, hy, direction + rng.normal(0, 0.12), rng.uniform(0.05, 0.08), 0.009 * w, 4)
    return ndimage.gaussian_filter(draw.polyline(h, w, lines), 1.2)
