"""A DICOM image's pixels as the rest of the package needs them, read one way: one frame as a float plane
(`frame`); as one greyscale plane for finding its anatomy (`greyscale`: a DICOM file's middle frame,
MONOCHROME1 turned the right way up, colour as luminance, or a JPEG's or PNG's), None when there are none to be
had; as 8 bits the way a viewer first shows it (`display`: rescaled and windowed, for thumbnails)."""

from __future__ import annotations

import io
import logging

import numpy as np
import pydicom
from pydicom.dataset import Dataset

log = logging.getLogger(__name__)
LUMINANCE = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def frame(ds: Dataset, which: str = "middle") -> np.ndarray:
    """The `which` ("first" or "middle") frame's stored values as float32 (a DR image is 9 megapixels: half the
    memory of float64): rows x columns, or rows x columns x 3 for colour."""
    pixels = ds.pixel_array
    if int(ds.get("NumberOfFrames", 1) or 1) > 1:
        pixels = pixels[len(pixels) // 2 if which == "middle" else 0]
    return pixels.astype(np.float32)


def greyscale(data: bytes) -> np.ndarray | None:
    """The plane, or None (what went wrong goes to the debug log: the caller falls back on nominal anatomy)."""
    if not data:
        return None
    try:
        plane = _dicom(data) if data[128:132] == b"DICM" else _picture(data)
    except Exception as exc:  # a file that cannot be decoded is analysed as one without anatomy
        log.debug("no pixels to analyse (%s: %s)", type(exc).__name__, exc)
        return None
    return plane if plane is not None and plane.ndim == 2 and plane.size else None


def display(ds: Dataset, which: str = "first") -> np.ndarray:
    """8 bits a sample as a viewer first shows the frame: rescaled (slope, intercept), windowed (the first
    WindowCenter/Width, else the frame's own range), MONOCHROME1 inverted; colour kept as RGB."""
    pixels = frame(ds, which)
    if pixels.ndim == 3:
        return np.clip(pixels, 0, 255).astype(np.uint8)
    slope, intercept = float(ds.get("RescaleSlope", 1) or 1), float(ds.get("RescaleIntercept", 0) or 0)
    pixels = pixels * slope + intercept
    center, width = ds.get("WindowCenter"), ds.get("WindowWidth")
    if center is not None and width is not None:
        center = float(center[0] if isinstance(center, pydicom.multival.MultiValue) else center)
        width = max(float(width[0] if isinstance(width, pydicom.multival.MultiValue) else width), 1.0)
        low, high = center - width / 2, center + width / 2
    else:
        low, high = float(pixels.min()), float(pixels.max()) or 1.0
    scaled = (np.clip(pixels, low, high) - low) / max(high - low, 1e-6) * 255.0
    if ds.get("PhotometricInterpretation") == "MONOCHROME1":
        scaled = 255.0 - scaled
    return scaled.astype(np.uint8)


def _dicom(data: bytes) -> np.ndarray | None:
    ds = pydicom.dcmread(io.BytesIO(data))
    if "PixelData" not in ds:
        return None
    array = frame(ds)
    if int(ds.get("SamplesPerPixel", 1) or 1) > 1:
        return array[..., :3] @ LUMINANCE
    if ds.get("PhotometricInterpretation") == "MONOCHROME1":
        array = array.max() - array
    return array


def _picture(data: bytes) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as picture:
        return np.asarray(picture.convert("L"), dtype=np.float32)
