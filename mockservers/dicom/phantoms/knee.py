"""An AP knee radiograph, one knee or both standing: the soft tissue of thigh and calf, the femur widening into
its condyles, the joint space, the tibial plateau and spines, the fibula beside the tibia, the patella seen
through the femur; cortex and trabecular bone."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from mockservers.dicom.phantoms import draw
from mockservers.dicom.phantoms.base import Phantom

WORKING_SIDE = 512


def knee_radiograph(rng: np.random.Generator, rows: int, columns: int, knees: int = 1) -> Phantom:
    """Pixels 0..1 and the truth: leg_<n> and joint_<n> (the gap between femur and tibia) for each knee, the one on
    the image's left first."""
    h, w = draw.working_size(rows, columns, WORKING_SIDE)
    x, y = draw.coords(h, w)
    aspect = w / h  # distances across in units of the picture's height
    joint_at = rng.uniform(0.46, 0.54)
    scale = (0.95 if knees == 1 else 0.62) * rng.uniform(0.92, 1.05)
    soft, bone = np.zeros_like(x), np.zeros_like(x)
    truth = {}
    for n in range(knees):
        centre = (n + 0.5) / knees + rng.normal(0, 0.01)
        # the image's left knee of a pair is the patient's right: its fibula is on the image's left
        fibula_side = (-1 if n == 0 else 1) if knees == 2 else rng.choice([-1, 1])
        across = (x - centre) * aspect / scale  # in units of the picture's height, for a knee of this size
        leg = _leg(across, y, joint_at)
        soft = np.maximum(soft, leg)
        bones, gap = _bones(rng, across, y, joint_at, fibula_side, pixels=h / scale)
        bone += bones
        truth[f"leg_{n}"] = leg > 0
        truth[f"joint_{n}"] = gap
    trabecular = draw.field(rng, h, w, 2.0) * 0.6 + draw.field(rng, h, w, 5) * 0.4
    density = 0.5 * soft + 0.6 * bone * (1 + 0.06 * trabecular) + 0.02 * draw.field(rng, h, w, 30) * (soft > 0)
    density = draw.unsharp(density, sigma=max(h, w) / 100, amount=0.8)
    picture = 1 - np.exp(-1.6 * np.clip(density, 0, None))
    picture = draw.resize(picture / (1 - np.exp(-1.6 * 1.3)), rows, columns)
    picture += draw.grain(rng, rows, columns) * 0.01
    return Phantom(np.clip(picture, 0, 1), truth)


def _leg(across, y, joint_at) -> np.ndarray:
    """The soft tissue's thickness: the thigh above, the knee, the calf below; fat under the skin less dense."""
    half = 0.24 - 0.04 * draw.smoothstep(joint_at - 0.35, joint_at, y) + 0.01 * draw.smoothstep(joint_at + 0.1, 1, y)
    depth = np.clip(1 - (across / half) ** 2, 0, None)
    return np.sqrt(depth) * (0.75 + 0.25 * draw.smoothstep(0.05, 0.3, depth))


def _tube(mask: np.ndarray, cortex: float) -> np.ndarray:
    """A bone's density from its outline: thickest along its middle, its cortex (`cortex` pixels) denser."""
    inside = ndimage.distance_transform_edt(mask).astype(np.float32)
    depth = np.sqrt(np.clip(inside / (4 * cortex), 0, 1))
    shell = np.exp(-(((inside - cortex * 0.7) / cortex) ** 2)) * mask
    return 0.4 * depth + 0.6 * shell


def _bones(rng, across, y, joint_at, fibula_side, pixels: float) -> tuple[np.ndarray, np.ndarray]:
    """The bones' density, and the joint space (bool); `pixels` is the picture's height in working pixels."""
    gap = rng.uniform(0.012, 0.02)
    condyles = rng.uniform(0.14, 0.16)  # half the width across the condyles
    shaft = 0.052
    cortex = 0.01 * pixels
    # the femur: a shaft flaring into two condyles with flat, rounded ends, the intercondylar notch between them
    flare = draw.smoothstep(joint_at - 0.26, joint_at - 0.04, y) ** 1.3
    half = shaft + (condyles - shaft) * flare
    femur = (np.abs(across) <= half) & (y <= joint_at - 0.03)
    for s in (-1, 1):
        femur |= draw.ellipse(across, y, s * condyles * 0.5, joint_at - 0.035, condyles * 0.5, 0.035, 0) > 0.5
    notch = draw.ellipse(across, y, 0, joint_at, condyles * 0.14, 0.045, 0) > 0.5
    femur &= ~notch
    # the tibia: a plateau below the gap narrowing to its shaft, the spines rising into the notch
    top = joint_at + gap
    plateau = condyles * 0.97
    half = 0.048 + (plateau - 0.048) * draw.smoothstep(top + 0.25, top + 0.04, y) ** 1.3
    corner = np.clip((np.abs(across) - plateau + 0.02) / 0.02, 0, 1) ** 2 * 0.012  # rounded edges of the plateau
    tibia = (np.abs(across) <= half) & (y >= top + corner)
    for s in (-1, 1):
        tibia |= draw.ellipse(across, y, s * 0.014, top, 0.009, 0.02, 0) > 0.5
    # the fibula: its head behind the tibia's lateral condyle, a thin shaft down
    fx = fibula_side * (plateau * 0.78)
    fibula = draw.ellipse(across, y, fx, top + 0.075, 0.026, 0.032, 0) > 0.5
    shaft_x = fibula_side * (plateau * 0.76 - 0.035 * draw.smoothstep(top + 0.07, top + 0.4, y))
    fibula |= (np.abs(across - shaft_x) <= 0.014) & (y >= top + 0.075)
    patella = draw.ellipse(across, y, rng.normal(0, 0.008), joint_at - 0.1, 0.055, 0.07, 0) > 0.5
    density = _tube(femur | tibia, cortex) + 0.9 * np.maximum(_tube(fibula, cortex * 0.6) - 0.3 * tibia, 0)
    density += 0.35 * _tube(patella, cortex * 0.8)
    density = ndimage.gaussian_filter(density, 1.2)
    # the gap: the rows between the condyles' lowest points and the plateau, across the bones
    space = (y > joint_at) & (y < top) & (np.abs(across) <= plateau)
    return density, space
