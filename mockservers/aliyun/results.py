"""Deterministic fake analysis results, in the document's field names and types (same inputs, same results), each
where it belongs on the image's own pixels (core/anatomy.py): nodules and chest X-ray positions in the lung fields,
knee boxes over the joint spaces, the fundus' eye and image centre from its optic disc and macula."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from mockservers.core import anatomy
from mockservers.dicom.picture import greyscale

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
    data: bytes = field(default=b"", repr=False)  # the object's bytes: its pixels say where the anatomy is

    @property
    def size(self) -> tuple[int, int]:
        """(rows, columns), at least 64 each: an image whose header gives none is analysed as a small one."""
        return max(self.rows, 64), max(self.columns, 64)

    def pixels(self):
        return greyscale(self.data)


def _uuid(rng) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def nodule_count(rng) -> int:
    """How many nodules a lung study has: the first draw of its analysis' random stream."""
    return rng.choices([0, 1, 2, 3, 4], weights=[15, 35, 25, 15, 10])[0]


def lung_nodules(rng, images: list[Image]) -> list[dict]:
    """studyType 1: 0-4 nodules in the lung fields of slices of the first series, in patient coordinates (mm).
    The image's left is the patient's right (radiological convention)."""
    first = images[0]
    series = [i for i in images if i.series_uid == first.series_uid] or [first]
    chests: dict[int, anatomy.Chest] = {}
    nodules = []
    for _ in range(nodule_count(rng)):
        n = rng.randrange(len(series))
        image = series[n]
        if n not in chests:
            chests[n] = anatomy.chest(image.pixels(), *image.size)
        chest = chests[n]
        side = rng.randrange(2)
        column, row = chest.lungs[side].point(rng)
        lung = ("right", "left")[side] if chest.found else rng.choice(["left", "right", "right", "left", "unknow"])
        sx, sy, sz = image.spacing
        x1, _, x2, _ = chest.lungs[side].box
        nodules.append(
            {
                "indexId": _uuid(rng),
                "seriesInstanceUid": first.series_uid,
                "spacing": list(first.spacing),
                "origin": list(first.origin),
                "x": round(image.origin[0] + column * sx, 2),
                "y": round(image.origin[1] + row * sy, 2),
                "z": round(image.origin[2] + (image.slices // 2) * sz, 2),
                "diameter": round(rng.uniform(3.0, max(3.5, min(30.0, (x2 - x1) * sx / 2))), 1),
                "confidence": round(rng.uniform(0.2, 0.99), 3),
                "credibility": None,
                "category": rng.choice(CATEGORIES),
                "lung": lung,
                "lobe": rng.choice(LOBES[lung]),
            }
        )
    return nodules


def chest_xray(rng, images: list[Image]) -> list[dict]:
    """studyType 2: per image a probability of a positive finding and where: points in its lung fields, as shares
    of the image's width and height."""
    items = []
    for image in images:
        rows, columns = image.size
        chest = anatomy.chest(image.pixels(), rows, columns)
        item = {"indexId": _uuid(rng), "posProb": round(rng.uniform(0.01, 0.99), 4), "posMap": [], "credibility": None}
        for _ in range(rng.randint(1, 5)):
            x, y = rng.choice(chest.lungs).point(rng)
            item["posMap"].append([round(x / columns, 4), round(y / rows, 4)])
        items.append(item)
    return items


def _centre_of(region: anatomy.Region) -> tuple[float, float]:
    x1, y1, x2, y2 = region.box
    return (x1 + x2) / 2, (y1 + y2) / 2


def fundus(rng, images: list[Image]) -> list[dict]:
    """studyType 3: per fundus photograph a DR grade, DME, and the screening opinion they give. The eye is the
    header's laterality, else the side of the optic disc (nasal: on the right of a right eye's photograph); the
    image centre is the disc or the macula, whichever is nearer the middle of the picture."""
    items = []
    for image in images:
        rows, columns = image.size
        found = anatomy.fundus(image.pixels(), rows, columns)
        dr = rng.choices(range(5), weights=[50, 20, 15, 10, 5])[0]
        dme = 1 if dr >= 2 and rng.random() < 0.5 else 0
        disc, macula = _centre_of(found.disc), _centre_of(found.macula)
        eye = {"L": "OS", "R": "OD"}.get(image.laterality)
        if not eye:
            eye = ("OD" if disc[0] > columns / 2 else "OS") if found.found else rng.choice(["OS", "OD"])
        if found.found:
            off = [abs(x - columns / 2) + abs(y - rows / 2) for x, y in (disc, macula)]
            centre = "DISC" if off[0] < off[1] else "MACULA"
        else:
            centre = rng.choice(["DISC", "MACULA"])
        items.append(
            {
                "indexId": _uuid(rng),
                "analysisInstanceUid": _uuid(rng),
                "eye": eye,
                "dr": dr,
                "dme": dme,
                "confidence": round(rng.uniform(0.6, 0.99), 4),
                "imgCenter": centre,
                "imgQuality": rng.choices(IMG_QUALITY, weights=[40, 35, 15, 7, 3])[0],
                "inspection": f"{DR_TEXT[dr]}，{DME_TEXT[dme]}",
                "inspectionModel": rng.choice(INSPECTION_MODELS),
                "credibility": None,
            }
        )
    return items


def knee_boxes(rng, images: list[Image], capitalised: bool = False) -> list[dict]:
    """studyType 4 and the OA trigger: one box per knee joint seen (one or two per image), with a KL grade: the
    joint space found on the pixels, widened over the ends of femur and tibia, within the leg."""
    boxes = []
    for image in images:
        rows, columns = image.size
        found = anatomy.knees(image.pixels(), rows, columns, nominal_count=rng.choice([1, 2, 2]))
        for leg, joint in zip(found.legs, found.joints, strict=True):
            lx1, ly1, lx2, ly2 = leg.box
            x1, y1, x2, y2 = joint.box
            grow = (y2 - y1) * rng.uniform(1.0, 3.0) + (ly2 - ly1) * 0.02
            margin = (x2 - x1) * rng.uniform(0.0, 0.1)
            coordinates = [
                max(lx1, round(x1 - margin)),
                max(ly1, round(y1 - grow)),
                min(lx2, round(x2 + margin)),
                min(ly2, round(y2 + grow)),
            ]
            box = {
                "boxUid": f"{rng.randint(0, 99999):05d}",
                "coordinates": coordinates,
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
