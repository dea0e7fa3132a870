"""Deterministic fake algorithm results: the same seed and series give the same scores and images."""

from __future__ import annotations

import io
import math
import zipfile
from typing import Any
from xml.etree import ElementTree

from PIL import Image

SCALAR_KINDS = ("float", "integer", "string")


def scalar(rng, spec: dict[str, Any]) -> int | float | str:
    kind = spec.get("kind", "float")
    low, high = spec.get("range", [0, 100])
    if kind == "integer":
        return rng.randint(int(low), int(high))
    if kind == "string":
        return rng.choice(spec.get("choices") or ["normal", "abnormal"])
    return round(rng.uniform(float(low), float(high)), 4)


def heatmap_png(rng, size: int = 128) -> bytes:
    """A greyscale heat map: a few Gaussian hot spots at seeded places."""
    spots = [
        (
            rng.uniform(0.2, 0.8) * size,
            rng.uniform(0.2, 0.8) * size,
            rng.uniform(0.05, 0.15) * size,
            rng.uniform(0.4, 1.0),
        )
        for _ in range(rng.randint(1, 3))
    ]
    image = Image.new("L", (size, size))
    pixels = []
    for y in range(size):
        for x in range(size):
            heat = sum(w * math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r)) for cx, cy, r, w in spots)
            pixels.append(min(255, int(255 * heat)))
    image.putdata(pixels)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def scalars_xml(items: list[dict[str, Any]]) -> bytes:
    root = ElementTree.Element("results")
    for item in items:
        node = ElementTree.SubElement(root, "result")
        for key in ("name", "algorithm", "value"):
            ElementTree.SubElement(node, key).text = str(item[key])
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def zip_of(files: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # fixed: the same zip every time
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return out.getvalue()
