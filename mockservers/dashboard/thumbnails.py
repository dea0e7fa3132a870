"""A study's image as a small PNG with the fake AI findings drawn on it (pydicom, numpy, Pillow)."""

from __future__ import annotations

import io

import numpy as np
import pydicom
from PIL import Image, ImageDraw, ImageFont

PALETTE = ["#ff4d4f", "#faad14", "#52c41a", "#1890ff", "#eb2f96", "#13c2c2"]


def _grey(ds) -> np.ndarray:
    """The first frame, windowed (WindowCenter/Width when present, else min-max) to 8 bits."""
    pixels = ds.pixel_array.astype(np.float64)
    if int(ds.get("NumberOfFrames", 1) or 1) > 1:
        pixels = pixels[0]
    if pixels.ndim == 3:  # colour: keep it, as 8-bit RGB
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


def render(dicom: bytes, findings: list[dict], size: int = 256) -> bytes:
    """PNG of the image scaled to fit `size`, each finding's box ([x1, y1, x2, y2] in image pixels) and label."""
    ds = pydicom.dcmread(io.BytesIO(dicom))
    image = Image.fromarray(_grey(ds)).convert("RGB")
    scale = size / max(image.width, image.height)
    image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    for index, finding in enumerate(findings):
        colour = PALETTE[index % len(PALETTE)]
        x1, y1, x2, y2 = (round(v * scale) for v in finding["box"])
        draw.rectangle([x1, y1, x2, y2], outline=colour, width=2)
        label = f"{finding['label']} {finding['score']:.2f}" if finding.get("score") is not None else finding["label"]
        draw.text((x1 + 2, max(0, y1 - 11)), label, fill=colour, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
