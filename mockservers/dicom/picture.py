"""An image's pixels as one greyscale plane, for finding its anatomy (core/anatomy.py): a DICOM file's (its middle
frame, MONOCHROME1 turned the right way up, colour as luminance) or a JPEG's or PNG's. None when there are none
to be had: no pixel data, a transfer syntax nothing here decodes, not an image at all."""

from __future__ import annotations

import io
import logging

import numpy as np
import pydicom

log = logging.getLogger(__name__)
LUMINANCE = np.array([0.299, 0.587, 0.114], dtype=np.float32)


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


def _dicom(data: bytes) -> np.ndarray | None:
    ds = pydicom.dcmread(io.BytesIO(data))
    if "PixelData" not in ds:
        return None
    array = ds.pixel_array
    samples = int(ds.get("SamplesPerPixel", 1) or 1)
    if int(ds.get("NumberOfFrames", 1) or 1) > 1:
        array = array[len(array) // 2]
    array = array.astype(np.float32)  # a DR image is 9 megapixels: half the memory of float64
    if samples > 1:
        return array[..., :3] @ LUMINANCE
    if ds.get("PhotometricInterpretation") == "MONOCHROME1":
        array = array.max() - array
    return array


def _picture(data: bytes) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as picture:
        return np.asarray(picture.convert("L"), dtype=np.float32)
