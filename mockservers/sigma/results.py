"""Deterministic fake DR detection results: the same image and seed give the same findings, each where it belongs
on the image's own pixels (core/anatomy.py): lung findings in a lung field, an effusion at a lung's base, a
pneumothorax or tuberculosis in a lung's upper part, cardiomegaly at the heart, a fracture in the body."""

from __future__ import annotations

from typing import Any

from mockservers.core import anatomy
from mockservers.dicom.picture import greyscale

FINDINGS = [
    ("nodule", "结节"),
    ("mass", "肿块"),
    ("consolidation", "实变"),
    ("pneumothorax", "气胸"),
    ("pleural_effusion", "胸腔积液"),
    ("cardiomegaly", "心影增大"),
    ("fracture", "骨折"),
    ("tuberculosis", "肺结核"),
]
MODEL_VERSION = "sigma-dr-mock-1.0"
# label -> (where: a lung's rows from..to, "heart" or "body"; a box's side as a share of that region's, low..high;
# the share of the box that must lie on the region)
PLACES: dict[str, tuple[Any, tuple[float, float], float]] = {
    "nodule": ((0.0, 1.0), (0.08, 0.2), 0.5),
    "mass": ((0.0, 1.0), (0.2, 0.4), 0.5),
    "consolidation": ((0.0, 1.0), (0.3, 0.6), 0.5),
    "pneumothorax": ((0.0, 0.5), (0.4, 0.8), 0.5),
    "pleural_effusion": ((0.65, 1.0), (0.5, 0.9), 0.5),
    "cardiomegaly": ("heart", (0.7, 1.0), 0.7),
    "fracture": ("body", (0.05, 0.15), 0.95),
    "tuberculosis": ((0.0, 0.5), (0.3, 0.6), 0.5),
}


def detect(rng, rows: int, columns: int, image: bytes = b"") -> list[dict[str, Any]]:
    """0–4 findings with labels, scores and boxes inside a `columns` x `rows` image, placed on the chest found in
    `image` (the DICOM file), or where a chest usually lies when none is found."""
    rows = max(int(rows or 0), 64)
    columns = max(int(columns or 0), 64)
    chest = anatomy.chest(greyscale(image), rows, columns)
    count = rng.choices([0, 1, 2, 3, 4], weights=[30, 35, 20, 10, 5])[0]
    findings = []
    for index in range(count):
        label, label_chs = rng.choice(FINDINGS)
        where, (low, high), least = PLACES[label]
        if where == "heart":
            region = chest.heart
        elif where == "body":
            region = chest.body
        else:
            region = rng.choice(chest.lungs).part(*where)
        findings.append(
            {
                "id": index + 1,
                "label": label,
                "label_chs": label_chs,
                "score": round(rng.uniform(0.5, 0.99), 4),
                "bbox": region.place(rng, low, high, least),
            }
        )
    findings.sort(key=lambda f: -f["score"])
    for index, finding in enumerate(findings):
        finding["id"] = index + 1
    return findings
