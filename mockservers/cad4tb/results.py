"""Deterministic fake algorithm results: the same seed and series give the same scores and images. A heat map's
hot spots lie on the image's anatomy (core/anatomy.py): in the lung fields of a chest X-ray, at the macula and the
optic disc of a retina image."""

from __future__ import annotations

import io
import zipfile
from typing import Any
from xml.etree import ElementTree

import numpy as np
from PIL import Image

from mockservers.core import anatomy
from mockservers.dicom.picture import greyscale

SCALAR_KINDS = ("float", "integer", "string")


def scalar(rng, spec: dict[str, Any]) -> int | float | str:
    kind = spec.get("kind", "float")
    low, high = spec.get("range", [0, 100])
    if kind == "integer":
        return rng.randint(int(low), int(high))
    if kind == "string":
        return rng.choice(spec.get("choices") or ["normal", "abnormal"])
    return round(rng.uniform(float(low), float(high)), 4)


def hot_spots(rng, image: bytes, retina: bool) -> list[tuple[float, float, float, float]]:
    """1-3 spots (x, y, radius as shares of the image's width, height and longer side; weight), each centred on a
    lung field of the chest, or on the macula or the optic disc of the retina, found in `image` (a DICOM file), or
    where they usually lie when there is none to be found."""
    pixels = greyscale(image)
    rows, columns = pixels.shape if pixels is not None else (512, 512)
    if retina:
        eye = anatomy.fundus(pixels, rows, columns)
        regions = [eye.macula, eye.macula, eye.disc]  # most lesions near the macula
    else:
        regions = list(anatomy.chest(pixels, rows, columns).lungs)
    spots = []
    for _ in range(rng.randint(1, 3)):
        x, y = rng.choice(regions).point(rng)
        spots.append((x / columns, y / rows, rng.uniform(0.04, 0.1), rng.uniform(0.4, 1.0)))
    return spots


def heatmap_png(rng, image: bytes = b"", retina: bool = False, size: int = 128) -> bytes:
    """A greyscale heat map of the image (stretched to `size` x `size`): Gaussian hot spots on its anatomy."""
    ys, xs = np.mgrid[:size, :size] + 0.5
    heat = np.zeros((size, size))
    for x, y, radius, weight in hot_spots(rng, image, retina):
        r = radius * size
        heat += weight * np.exp(-((xs - x * size) ** 2 + (ys - y * size) ** 2) / (2 * r * r))
    out = io.BytesIO()
    Image.fromarray(np.clip(heat * 255, 0, 255).astype(np.uint8), mode="L").save(out, format="PNG")
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
