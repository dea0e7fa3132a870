"""Deterministic fake analysis results, in the document's field names and types (same inputs, same results)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

CATEGORIES = ["ggo", "solid", "part-solid", "unknown"]
LOBES = {"left": ["up", "down"], "right": ["up", "middle", "down"], "unknow": ["unknow"]}
IMG_QUALITY = ["VERY_GOOD", "GOOD", "NEUTRAL", "POOR", "VERY_POOR"]
INSPECTION_MODELS = ["AIFC40", "AIFC50", "AIFC60", "AIFC70", "AIFC80"]
DR_TEXT = [
    "未见明显异常特征",
    "可见 I 期病变特征",
    "可见 II 期病变特征",
    "可见 III 期病变特征",
    "可见 IV 期及 IV 期以上病变特征",
]
DME_TEXT = ["未见 DME 特征", "可见 DME 特征"]
KL_GRADES = [f"KL{n}级" for n in range(5)]


@dataclass
class Image:
    """What the analysis learnt from one input object."""

    key: str
    rows: int
    columns: int
    series_uid: str = ""
    laterality: str = ""  # "L" / "R" from the DICOM header, if any
    spacing: list[float] = field(default_factory=lambda: [1.0, 1.0, 1.0])
    origin: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])
    slices: int = 1


def _uuid(rng) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def lung_nodules(rng, images: list[Image]) -> list[dict]:
    """studyType 1: 0-4 nodules inside the CT volume, in patient coordinates (mm)."""
    first = images[0]
    depth = sum(i.slices for i in images if i.series_uid == first.series_uid) or 1
    sx, sy, sz = first.spacing
    nodules = []
    for _ in range(rng.choices([0, 1, 2, 3, 4], weights=[15, 35, 25, 15, 10])[0]):
        lung = rng.choice(["left", "right", "right", "left", "unknow"])
        nodules.append(
            {
                "indexId": _uuid(rng),
                "seriesInstanceUid": first.series_uid,
                "spacing": [sx, sy, sz],
                "origin": list(first.origin),
                "x": round(first.origin[0] + rng.uniform(0.2, 0.8) * first.columns * sx, 2),
                "y": round(first.origin[1] + rng.uniform(0.2, 0.8) * first.rows * sy, 2),
                "z": round(first.origin[2] + rng.uniform(0, 1) * max(depth - 1, 0) * sz, 2),
                "diameter": round(rng.uniform(3.0, 30.0), 1),
                "confidence": round(rng.uniform(0.2, 0.99), 3),
                "credibility": None,
                "category": rng.choice(CATEGORIES),
                "lung": lung,
                "lobe": rng.choice(LOBES[lung]),
            }
        )
    return nodules


def chest_xray(rng, images: list[Image]) -> list[dict]:
    """studyType 2: per image a probability of a positive finding and where (normalised x, y points)."""
    return [
        {
            "indexId": _uuid(rng),
            "posProb": round(rng.uniform(0.01, 0.99), 4),
            "posMap": [[rng.random(), rng.random()] for _ in range(rng.randint(1, 5))],
            "credibility": None,
        }
        for _ in images
    ]


def fundus(rng, images: list[Image]) -> list[dict]:
    """studyType 3: per fundus photograph a DR grade, DME, and the screening opinion they give."""
    items = []
    for image in images:
        dr = rng.choices(range(5), weights=[50, 20, 15, 10, 5])[0]
        dme = 1 if dr >= 2 and rng.random() < 0.5 else 0
        eye = {"L": "OS", "R": "OD"}.get(image.laterality) or rng.choice(["OS", "OD"])
        items.append(
            {
                "indexId": _uuid(rng),
                "analysisInstanceUid": _uuid(rng),
                "eye": eye,
                "dr": dr,
                "dme": dme,
                "confidence": round(rng.uniform(0.6, 0.99), 4),
                "imgCenter": rng.choice(["DISC", "MACULA"]),
                "imgQuality": rng.choices(IMG_QUALITY, weights=[40, 35, 15, 7, 3])[0],
                "inspection": f"{DR_TEXT[dr]}，{DME_TEXT[dme]}",
                "inspectionModel": rng.choice(INSPECTION_MODELS),
                "credibility": None,
            }
        )
    return items


def knee_boxes(rng, images: list[Image], capitalised: bool = False) -> list[dict]:
    """studyType 4 and the OA trigger: one box per knee joint seen (one or two per image), with a KL grade."""
    boxes = []
    for image in images:
        width, height = max(image.columns, 64), max(image.rows, 64)
        knees = rng.choice([1, 2, 2])
        for n in range(knees):
            half = width // knees
            w, h = rng.randint(half // 3, half * 2 // 3), rng.randint(height // 5, height // 3)
            x1 = n * half + rng.randint(0, half - w)
            y1 = rng.randint(height // 4, height - h - 1)
            box = {
                "boxUid": f"{rng.randint(0, 99999):05d}",
                "coordinates": [x1, y1, x1 + w, y1 + h],
                "class": rng.choices(KL_GRADES, weights=[30, 25, 20, 15, 10])[0],
            }
            boxes.append(
                {"BoxUid": box["boxUid"], "Coordinates": box["coordinates"], "Class": box["class"]}
                if capitalised
                else box
            )
    return boxes


def analysis_data(rng, study_uid: str, study_type: int, images: list[Image]) -> dict:
    """The `data` block of getAnalysisResult: the study type's own list filled, the other three empty."""
    data = {
        "studyInstanceUid": study_uid,
        "studyType": study_type,
        "boxes": [],
        "ocularDataList": [],
        "xRayDataList": [],
        "imageDataList": [],
    }
    if study_type == 1:
        data["imageDataList"] = lung_nodules(rng, images)
    elif study_type == 2:
        data["xRayDataList"] = chest_xray(rng, images)
    elif study_type == 3:
        data["ocularDataList"] = fundus(rng, images)
    else:
        data["boxes"] = knee_boxes(rng, images)
    return data
