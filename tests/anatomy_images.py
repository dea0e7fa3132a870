"""Procedural images with known anatomy (numpy, saved with pydicom or Pillow), and where that anatomy is: a chest
(X-ray or CT slice), knees, a fundus photograph. Every test of where fake findings land draws on these."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
from PIL import Image

from mockservers.dicom.synthetic import dx_dataset, to_part10


@dataclass
class Picture:
    pixels: np.ndarray  # what is saved: uint16 greyscale, or uint8 RGB
    masks: dict[str, np.ndarray]  # name -> bool mask of the truth, image-sized


def _ellipse(rows, columns, cx, cy, rx, ry):
    ys, xs = np.mgrid[:rows, :columns]
    return ((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2 <= 1


def chest(rows=300, columns=240, shift=(0.0, 0.0), seed=1) -> Picture:
    """A PA chest film: a bright body on a black border, two dark lung fields, a bright mediastinum between them;
    `shift` moves everything by that share of the image (the anatomy is not where a nominal guess puts it)."""
    rng = np.random.default_rng(seed)
    dx, dy = shift[0] * columns, shift[1] * rows
    body = _ellipse(rows, columns, columns * 0.5 + dx, rows * 0.55 + dy, columns * 0.36, rows * 0.42)
    left = _ellipse(rows, columns, columns * 0.36 + dx, rows * 0.5 + dy, columns * 0.1, rows * 0.22) & body
    right = _ellipse(rows, columns, columns * 0.64 + dx, rows * 0.5 + dy, columns * 0.1, rows * 0.22) & body
    pixels = np.full((rows, columns), 60.0)
    pixels[body] = 2600
    pixels[left | right] = 1000
    pixels += rng.normal(0, 60, pixels.shape)
    return Picture(np.clip(pixels, 0, 4095).astype(np.uint16), {"body": body, "left_lung": left, "right_lung": right})


def ct_slice(size=160, seed=2) -> Picture:
    """An axial chest CT slice in HU (+1024 stored): air, a round body, two lungs, the spine, the table below."""
    rng = np.random.default_rng(seed)
    body = _ellipse(size, size, size * 0.5, size * 0.45, size * 0.4, size * 0.3)
    left = _ellipse(size, size, size * 0.32, size * 0.43, size * 0.13, size * 0.19) & body
    right = _ellipse(size, size, size * 0.68, size * 0.43, size * 0.13, size * 0.19) & body
    spine = _ellipse(size, size, size * 0.5, size * 0.65, size * 0.05, size * 0.05)
    hu = np.full((size, size), -1000.0)
    hu[body] = 40
    hu[left | right] = -850
    hu[spine] = 700
    hu[int(size * 0.85) : int(size * 0.88), int(size * 0.1) : int(size * 0.9)] = 300  # the table
    hu += rng.normal(0, 20, hu.shape)
    return Picture(
        (np.clip(hu, -1024, 3071) + 1024).astype(np.uint16), {"body": body, "left_lung": left, "right_lung": right}
    )


def knees(rows=320, columns=400, count=2, joint_at=0.55, seed=3) -> Picture:
    """An AP knee film: `count` legs of soft tissue on black, each a femur above and a tibia below a joint space at
    `joint_at` of the height. Masks: leg_<n>, joint_<n> (the gap's rows across the bones)."""
    rng = np.random.default_rng(seed)
    pixels = np.full((rows, columns), 40.0)
    masks = {}
    gap = max(3, rows // 40)
    joint_row = int(rows * joint_at)
    for n in range(count):
        left = int(columns * (n + 0.2) / count)
        right = int(columns * (n + 0.8) / count)
        leg = np.zeros((rows, columns), dtype=bool)
        leg[:, left:right] = True
        width = right - left
        bone = np.zeros_like(leg)
        bone[: joint_row - gap // 2, left + width // 5 : right - width // 5] = True  # femur
        bone[joint_row + gap // 2 + 1 :, left + width // 4 : right - width // 4] = True  # tibia
        pixels[leg] = 1200
        pixels[bone] = 3000
        joint = np.zeros_like(leg)
        joint[joint_row - gap // 2 : joint_row + gap // 2 + 1, left + width // 5 : right - width // 5] = True
        masks[f"leg_{n}"], masks[f"joint_{n}"] = leg, joint
    pixels += rng.normal(0, 50, pixels.shape)
    return Picture(np.clip(pixels, 0, 4095).astype(np.uint16), masks)


def fundus(rows=240, columns=300, disc_on_right=True, centred_on="macula", seed=4) -> Picture:
    """A colour fundus photograph: an orange round field on black, a pale optic disc, a darker macula; the disc
    on the right is a right eye's; `centred_on` the macula (the disc half the field's radius aside) or the disc."""
    rng = np.random.default_rng(seed)
    radius = min(rows, columns) * 0.46
    cx, cy = columns / 2, rows / 2
    side = 1 if disc_on_right else -1
    disc_x, macula_x = (0.5, -0.1) if centred_on == "macula" else (0.08, -0.45)
    field = _ellipse(rows, columns, cx, cy, radius, radius)
    disc = _ellipse(rows, columns, cx + side * disc_x * radius, cy - 0.05 * radius, radius * 0.11, radius * 0.13)
    macula = _ellipse(rows, columns, cx + side * macula_x * radius, cy + 0.05 * radius, radius * 0.16, radius * 0.16)
    rgb = np.zeros((rows, columns, 3))
    rgb[field] = (190, 90, 45)
    rgb[macula] = (120, 50, 25)
    rgb[disc] = (250, 235, 190)
    rgb += rng.normal(0, 6, rgb.shape)
    return Picture(np.clip(rgb, 0, 255).astype(np.uint8), {"field": field, "disc": disc, "macula": macula})


def blank(rows=200, columns=200, value=128) -> Picture:
    return Picture(np.full((rows, columns), value, dtype=np.uint16), {})


def dicom(picture: Picture, modality="DX", monochrome1=False, **headers) -> bytes:
    """The picture as a DICOM file (a DX data set's headers, the picture's pixels); MONOCHROME1 stores it
    inverted, so that it reads the same."""
    pixels = picture.pixels
    rows, columns = pixels.shape[:2]
    ds = dx_dataset(0, 7, rows=8, columns=8, Modality=modality, **headers)  # its own pixels replaced below
    ds.Rows, ds.Columns = rows, columns
    if pixels.ndim == 3:
        ds.SamplesPerPixel, ds.PhotometricInterpretation, ds.PlanarConfiguration = 3, "RGB", 0
        ds.BitsAllocated, ds.BitsStored, ds.HighBit = 8, 8, 7
        del ds.WindowCenter, ds.WindowWidth
    elif monochrome1:
        ds.PhotometricInterpretation = "MONOCHROME1"
        pixels = (4095 - pixels.astype(np.int32)).astype(np.uint16)
    ds.PixelData = pixels.tobytes()
    return to_part10(ds)


def image_file(picture: Picture, fmt="PNG") -> bytes:
    """The picture as a PNG or JPEG (greyscale scaled to 8 bits)."""
    pixels = picture.pixels
    if pixels.ndim == 2:
        pixels = (pixels.astype(np.float64) / max(float(pixels.max()), 1.0) * 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format=fmt)
    return out.getvalue()


def box_inside(box, mask: np.ndarray, least: float = 0.5) -> bool:
    """Whether [x1, y1, x2, y2] lies within the mask's bounding box, its centre on the mask, at least `least` of
    it on the mask."""
    x1, y1, x2, y2 = box
    ys, xs = np.nonzero(mask)
    if not (xs.min() <= x1 < x2 <= xs.max() + 1 and ys.min() <= y1 < y2 <= ys.max() + 1):
        return False
    cx, cy = int((x1 + x2) / 2), int((y1 + y2) / 2)
    return bool(mask[min(cy, mask.shape[0] - 1), min(cx, mask.shape[1] - 1)]) and mask[y1:y2, x1:x2].mean() >= least
