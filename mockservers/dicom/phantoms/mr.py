"""An axial T2-weighted MR slice through a head: scalp, the dark skull, the cortex folded into gyri with bright
cerebrospinal fluid in the sulci and the midline fissure, white matter, the lateral ventricles and the deep grey
nuclei at the lower levels; Rician noise, as a magnitude image has."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from mockservers.dicom.phantoms import draw
from mockservers.dicom.phantoms.base import Phantom

CSF, GREY, WHITE, FAT, SKULL, NUCLEI = 1.0, 0.55, 0.36, 0.62, 0.04, 0.45


def brain_mr(rng: np.random.Generator, size: int, level: float) -> Phantom:
    """Signal 0..~1 at `level` (0 at the ventricles' level, 1 high above them) and the truth: head and brain."""
    x, y = draw.coords(size, size)
    X, Y = x - 0.5, y - 0.52
    shrink = 1 - 0.25 * level**2
    head = (X / (0.36 * shrink)) ** 2 + (Y / (0.44 * shrink)) ** 2
    inner = (X / (0.32 * shrink)) ** 2 + (Y / (0.40 * shrink)) ** 2
    brain_r = (X / (0.3 * shrink)) ** 2 + (Y / (0.38 * shrink)) ** 2
    signal = np.zeros_like(x)
    signal[head <= 1] = FAT * 0.9
    signal[inner <= 1.0] = SKULL
    signal[brain_r <= 1.05] = CSF
    # the cortex: a ribbon of grey matter folded into gyri; the sulci are where a smooth random field crosses
    # zero (winding lines), filled with fluid and lined with grey matter
    depth = 1 - np.sqrt(brain_r)  # 0 at the brain's edge, towards 1 at its centre
    brain = brain_r <= 1
    folds = draw.field(rng, size, size, size / 22)
    reach = 0.16 + 0.05 * draw.field(rng, size, size, size / 6)
    sulci = (np.abs(folds) < 0.16) & (depth < reach) & brain
    lined = ndimage.binary_dilation(sulci, iterations=max(1, size // 128))
    signal[brain] = WHITE
    signal[brain & ((depth < 0.06) | lined)] = GREY
    signal[sulci] = CSF * 0.85
    fissure = (np.abs(X) < 0.006) & brain & ((-0.1 * shrink > Y) | (0.12 * shrink < Y) | (level > 0.5))
    signal[fissure] = CSF
    if level < 0.6:  # the lateral ventricles, their frontal horns and bodies, fading out above
        scale = 1 - level / 0.6
        for side in (-1, 1):
            horn = draw.ellipse(
                X, Y, side * 0.035, -0.07, 0.03 * scale + 0.005, 0.1 * scale + 0.01, soft=0.2, angle=side * 0.25
            )
            back = draw.ellipse(
                X, Y, side * 0.045, 0.1, 0.025 * scale + 0.004, 0.06 * scale + 0.01, soft=0.2, angle=-side * 0.35
            )
            signal = np.where(np.maximum(horn, back) > 0.5, CSF, signal)
        if level < 0.25:
            for side in (-1, 1):
                for cx, cy, rx, ry in ((0.1, 0.0, 0.035, 0.06), (0.05, 0.06, 0.04, 0.045)):  # putamen, thalamus
                    nucleus = draw.ellipse(X, Y, side * cx, cy, rx, ry, soft=0.3)
                    signal = np.where(nucleus > 0.5, NUCLEI, signal)
            signal = np.where(draw.ellipse(X, Y, 0, 0.03, 0.006, 0.035, soft=0.3) > 0.5, CSF, signal)  # third ventricle
    signal = ndimage.gaussian_filter(signal, 0.8) * (1 + 0.04 * draw.field(rng, size, size, 12))
    coil = 1.1 - 0.25 * np.hypot(X, Y)  # the receive coil's falloff
    signal = signal * coil
    noise = 0.025
    real = signal + rng.standard_normal(signal.shape, dtype=np.float32) * noise
    imaginary = rng.standard_normal(signal.shape, dtype=np.float32) * noise
    return Phantom(np.hypot(real, imaginary), {"head": head <= 1, "brain": brain})
