"""A colour fundus photograph: the round field of view on black, the orange-red retina darkening towards its edge,
the pale optic disc with its cup, the darker macula with the foveal reflex, and the vessels: the arcades arching
from the disc around the macula, veins darker and wider than the arteries beside them."""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from mockservers.dicom.phantoms import draw
from mockservers.dicom.phantoms.base import Phantom

WORKING_SIDE = 768
RETINA = np.array([0.82, 0.36, 0.16], dtype=np.float32)
DISC = np.array([0.98, 0.86, 0.6], dtype=np.float32)
CUP = np.array([1.0, 0.95, 0.82], dtype=np.float32)
VEIN = np.array([0.42, 0.08, 0.05], dtype=np.float32)
ARTERY = np.array([0.7, 0.2, 0.1], dtype=np.float32)


def fundus_photograph(rng: np.random.Generator, rows: int, columns: int, right_eye: bool = True) -> Phantom:
    """RGB pixels 0..1 and the truth: field, disc and macula. A right eye's disc is on the image's right."""
    h, w = draw.working_size(rows, columns, WORKING_SIDE)
    x, y = draw.coords(h, w)
    aspect = w / h
    X = (x - 0.5) * aspect  # in units of the picture's height, from its centre
    Y = y - 0.5
    radius = 0.46
    side = 1 if right_eye else -1
    disc_at = (side * rng.uniform(0.2, 0.25), rng.normal(-0.01, 0.01))
    macula_at = (disc_at[0] - side * rng.uniform(0.21, 0.24), disc_at[1] + rng.uniform(0.01, 0.03))
    disc_r = rng.uniform(0.038, 0.045)
    field = draw.ellipse(X, Y, 0, 0, radius, radius, soft=0.004)
    rim = np.hypot(X, Y) / radius
    shade = (1 - 0.35 * rim**4) * (1 + 0.035 * draw.field(rng, h, w, 40)) * (1 + 0.025 * draw.field(rng, h, w, 3))
    macula = draw.ellipse(X, Y, *macula_at, disc_r * 2.6, disc_r * 2.6, soft=0.8)
    fovea = draw.ellipse(X, Y, *macula_at, disc_r * 0.12, disc_r * 0.12, soft=0.8)
    disc = draw.ellipse(X, Y, *disc_at, disc_r, disc_r * 1.1, soft=0.15)
    cup = draw.ellipse(X, Y, disc_at[0] + side * 0.004, disc_at[1], disc_r * 0.45, disc_r * 0.5, soft=0.4)
    rgb = RETINA[None, None, :] * (shade * (1 - 0.5 * macula))[..., None]
    rgb = _blend(rgb, DISC, disc)
    rgb = _blend(rgb, CUP, cup)
    veins, arteries = _vessels(rng, h, w, disc_at, macula_at, disc_r, side)
    rgb = _blend(rgb, ARTERY * shade[..., None], arteries * (1 - 0.5 * cup))
    rgb = _blend(rgb, VEIN * shade[..., None], veins * (1 - 0.5 * cup))
    rgb = _blend(rgb, np.array([0.95, 0.75, 0.55], dtype=np.float32), 0.35 * fovea)
    rgb *= field[..., None]
    grain = draw.grain(rng, rows, columns) * 0.01 * (draw.resize(field, rows, columns) > 0.5)
    out = np.empty((rows, columns, 3), dtype=np.float32)
    for c in range(3):
        out[..., c] = draw.resize(rgb[..., c], rows, columns) + grain
    truth = {
        "field": field > 0.5,
        "disc": disc > 0.5,
        "macula": draw.ellipse(X, Y, *macula_at, disc_r * 1.5, disc_r * 1.5, soft=0) > 0.5,
    }
    return Phantom(np.clip(out, 0, 1), truth)


def _blend(rgb: np.ndarray, colour: np.ndarray, amount: np.ndarray) -> np.ndarray:
    amount = np.clip(amount, 0, 1)[..., None]
    return rgb * (1 - amount) + colour * amount


def _vessels(rng, h, w, disc_at, macula_at, disc_r, side) -> tuple[np.ndarray, np.ndarray]:
    """Veins and arteries (0..1 each): the four arcades and the nasal vessels from the disc, branching."""
    veins: list[draw.Line] = []
    arteries: list[draw.Line] = []
    aspect = w / h

    def to_picture(px, py):
        return (px / aspect + 0.5, py + 0.5)

    def grow(points, angle, length, width, depth, into):
        px, py = points[-1]
        path = [to_picture(px, py)]
        for _ in range(6):
            angle += rng.normal(0, 0.12)
            px, py = px + length / 6 * math.cos(angle), py + length / 6 * math.sin(angle)
            path.append(to_picture(px, py))
        into.append((path, width, 1.0))
        if depth and width > 1.2:
            for turn in (-1, 1):
                grow(
                    [(px, py)],
                    angle + turn * rng.uniform(0.3, 0.7),
                    length * rng.uniform(0.55, 0.8),
                    width * 0.72,
                    depth - 1,
                    into,
                )

    dx, dy = disc_at
    mx, my = macula_at
    # the arcades follow an ellipse around the macula, centred a little beyond it, from the disc's poles
    cx, cy = mx - side * 0.2 * abs(dx - mx), my
    rx = abs(dx - cx)
    base = 0.006 * h
    for up in (-1, 1):
        for into, width, offset in ((veins, base * 1.35, 0.007), (arteries, base, -0.007)):
            path = []
            wobble = rng.normal(0, 0.02, 4)
            for k in range(16):
                a = k / 15 * math.radians(rng.uniform(140, 155) if k == 15 else 150)
                r = 1 + wobble[k % 4] * math.sin(k) * 0.5
                px = cx + side * (rx + offset) * math.cos(a) * r
                py = cy + up * (rx * 0.78 + offset) * math.sin(a) * r
                path.append(to_picture(px, py))
            into.append((path[:9], width, 1.0))
            into.append((path[8:], width * 0.75, 1.0))
            for k in (3, 6, 9, 12):  # branches off the arcade: out towards the periphery, in towards the macula
                bx, by = (path[k][0] - 0.5) * aspect, path[k][1] - 0.5
                out = math.atan2(by - cy, bx - cx)
                grow([(bx, by)], out + rng.normal(0, 0.25), rx * 0.55, width * 0.6, 2, into)
                grow([(bx, by)], out + math.pi + rng.normal(0, 0.3), rx * 0.3, width * 0.4, 1, into)
            # the nasal vessels
            grow(
                [(dx, dy + up * disc_r * 0.5)],
                math.atan2(up * 0.8, side) + rng.normal(0, 0.2),
                0.16,
                width * 0.8,
                3,
                into,
            )
    vein = ndimage.gaussian_filter(draw.polyline(h, w, veins), 0.7)
    artery = ndimage.gaussian_filter(draw.polyline(h, w, arteries), 0.7)
    return vein * 0.9, artery * 0.75
