"""A study's image as a small PNG with the fake AI findings drawn on it (pydicom, numpy, Pillow)."""

from __future__ import annotations

import io

import pydicom
from PIL import Image, ImageDraw, ImageFont

from mockservers.dicom.picture import display

PALETTE = ["#ff4d4f", "#faad14", "#52c41a", "#1890ff", "#eb2f96", "#13c2c2"]


def render(dicom: bytes, findings: list[dict], size: int = 256) -> bytes:
    """PNG of the image scaled to fit `size`, each finding's box ([x1, y1, x2, y2] in image pixels) with its number
    (1 for the first finding)."""
    ds = pydicom.dcmread(io.BytesIO(dicom))
    image = Image.fromarray(display(ds)).convert("RGB")
    scale = size / max(image.width, image.height)
    image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(10, size // 18))
    for index, finding in enumerate(findings):
        colour = PALETTE[index % len(PALETTE)]
        x1, y1, x2, y2 = (round(v * scale) for v in finding["box"])
        draw.rectangle([x1, y1, x2, y2], outline=colour, width=2)
        # The box's number: the dashboard lists the labels beside the picture, in the page's fonts (a label drawn
        # here would be cut at the edge, and Pillow's font has no Chinese).
        draw.text((x1 + 3, y1 + 2), str(index + 1), fill=colour, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
