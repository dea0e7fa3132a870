"""Deterministic fake DR detection results: the same image and seed give the same findings."""

from __future__ import annotations

from typing import Any

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


def detect(rng, rows: int, columns: int) -> list[dict[str, Any]]:
    """0–4 findings with labels, scores and boxes inside a `columns` x `rows` image."""
    rows = max(int(rows or 0), 64)
    columns = max(int(columns or 0), 64)
    count = rng.choices([0, 1, 2, 3, 4], weights=[30, 35, 20, 10, 5])[0]
    findings = []
    for index in range(count):
        label, label_chs = rng.choice(FINDINGS)
        width = rng.randint(max(columns // 20, 8), max(columns // 4, 16))
        height = rng.randint(max(rows // 20, 8), max(rows // 4, 16))
        x1 = rng.randint(0, columns - width)
        y1 = rng.randint(0, rows - height)
        findings.append(
            {
                "id": index + 1,
                "label": label,
                "label_chs": label_chs,
                "score": round(rng.uniform(0.5, 0.99), 4),
                "bbox": [x1, y1, x1 + width, y1 + height],
            }
        )
    findings.sort(key=lambda f: -f["score"])
    for index, finding in enumerate(findings):
        finding["id"] = index + 1
    return findings
