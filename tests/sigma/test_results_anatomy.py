"""sigma's findings sit on the chest in the image: lung findings in a lung field (an effusion at a lung's base, a
pneumothorax or tuberculosis in its upper half), cardiomegaly between the lungs, a fracture in the body."""

import json
import random

import numpy as np
import pytest

from mockservers.sigma import results
from tests import anatomy_images as ai

LUNG_LABELS = {"nodule", "mass", "consolidation", "pneumothorax", "pleural_effusion", "tuberculosis"}


def in_a_lung(box, picture) -> np.ndarray | None:
    """The truth mask of the lung the box lies in, or None."""
    for name in ("left_lung", "right_lung"):
        if ai.box_inside(box, picture.masks[name]):
            return picture.masks[name]
    return None


def share_down(box, lung: np.ndarray) -> float:
    """How far down the lung the box's centre is: 0 at its top row, 1 at its bottom."""
    ys = np.nonzero(lung.any(axis=1))[0]
    return ((box[1] + box[3]) / 2 - ys.min()) / (ys.max() - ys.min())


def assert_placed(finding, picture):
    label, box = finding["label"], finding["bbox"]
    if label in LUNG_LABELS:
        lung = in_a_lung(box, picture)
        assert lung is not None, finding
        if label == "pleural_effusion":
            assert share_down(box, lung) >= 0.6, finding
        if label in ("pneumothorax", "tuberculosis"):
            assert share_down(box, lung) <= 0.55, finding
    else:
        assert ai.box_inside(box, picture.masks["body"], least=0.9), finding
    if label == "cardiomegaly":
        lungs = [np.nonzero(picture.masks[n].any(axis=0))[0].mean() for n in ("left_lung", "right_lung")]
        assert lungs[0] < (box[0] + box[2]) / 2 < lungs[1], finding
        assert ai.box_inside(box, ~(picture.masks["left_lung"] | picture.masks["right_lung"]), least=0.6)


@pytest.mark.parametrize("shift", [(0.0, 0.0), (0.07, -0.05)])
def test_every_finding_lies_where_it_belongs(shift):
    picture = ai.chest(shift=shift)
    data = ai.dicom(picture)
    rows, columns = picture.pixels.shape
    seen = set()
    for seed in range(50):
        for finding in results.detect(random.Random(seed), rows, columns, data):
            assert_placed(finding, picture)
            seen.add(finding["label"])
    assert seen == {label for label, _ in results.FINDINGS}


def test_an_image_with_no_chest_gets_boxes_where_a_chest_usually_is():
    data = ai.dicom(ai.blank(200, 160))
    for seed in range(40):
        for finding in results.detect(random.Random(seed), 200, 160, data):
            x1, y1, x2, y2 = finding["bbox"]
            assert 0 <= x1 < x2 <= 160 and 0 <= y1 < y2 <= 200
            if finding["label"] in LUNG_LABELS:
                assert 0.1 * 160 <= (x1 + x2) / 2 <= 0.9 * 160


def test_the_same_image_and_seed_give_the_same_findings():
    data = ai.dicom(ai.chest())
    assert results.detect(random.Random(3), 300, 240, data) == results.detect(random.Random(3), 300, 240, data)


def test_a_job_on_an_uploaded_chest_places_its_findings_on_it(sigma):
    found = []
    for seed in range(1, 6):  # a few films: at least one has findings
        picture = ai.chest(seed=seed)
        ds = sigma.upload(ai.dicom(picture, SeriesInstanceUID=f"1.2.3.{seed}", SOPInstanceUID=f"1.2.3.{seed}.1"))
        assert sigma.new_job(ds).status_code == 200
        sigma.advance(60)
        answer = sigma.c.get(
            "/sigma/accounts/sigma/store/downloads/",
            query_string={"filename": f"{ds.SeriesInstanceUID}.json"},
            headers=sigma.headers,
        )
        assert answer.status_code == 200
        for finding in json.loads(answer.data)["findings"]:
            assert_placed(finding, picture)
            found.append(finding)
    assert found
