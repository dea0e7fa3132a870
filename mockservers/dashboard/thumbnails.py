"""A study's image as a small PNG with the fake AI findings drawn on it (pydicom, numpy, Pillow)."""

from __future__ import annotations

import io

import pydicom
from PIL import Image, ImageDraw, ImageFont

from mockservers.dicom.picture import display

PALETTE = ["#ff4d4f", "#faad14", "#52c41a", "#1890ff", "#eb2f96", "#13c2c2"]


def render(dicom: bytes, findings: list[dict], size: int = 256) -> bytes:
    """PNG of the image scaled to fit `size`, each finding's box ([x1, y1, x2, y2] in image pixels) and label."""
    ds = pydicom.dcmread(io.BytesIO(dicom))
    image = Image.fromarray(display(ds)).convert("RGB")
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
