"""aliyun's results sit on the anatomy of the images analysed: chest X-ray positions and CT nodules in the lung
fields, knee boxes over each joint space, the fundus' eye and image centre from its optic disc and macula."""

import random

import numpy as np
import pytest
from werkzeug import Response

from mockservers.aliyun import results
from tests import anatomy_images as ai
from tests.aliyun.test_results import data_of


def image(picture, data, **kwargs) -> results.Image:
    rows, columns = picture.pixels.shape[:2]
    return results.Image(key="k", rows=rows, columns=columns, data=data, **kwargs)


def in_lungs(picture, x: float, y: float) -> str | None:
    """Which lung field (pixel) x, y is in, or None."""
    for name in ("left_lung", "right_lung"):
        if picture.masks[name][int(y), int(x)]:
            return name
    return None


@pytest.mark.parametrize("fmt", ["dicom", "PNG", "JPEG"])
def test_chest_xray_positions_lie_in_the_lung_fields(aliyun, fmt):
    picture = ai.chest(rows=260, columns=220, shift=(0.05, 0.03))
    data = ai.dicom(picture) if fmt == "dicom" else ai.image_file(picture, fmt)
    items = data_of(aliyun.analyse({f"pa.{fmt.lower()}": data}, study_type=2, key="cxr"), 2)
    for seed in range(30):
        items += results.chest_xray(random.Random(seed), [image(picture, data)])
    for item in items:
        for x, y in item["posMap"]:
            assert in_lungs(picture, x * 220, y * 260), (x, y)


def ct_series(count=3):
    picture = ai.ct_slice()
    files = [
        ai.dicom(
            picture,
            modality="CT",
            SeriesInstanceUID="1.2.3.4",
            SOPInstanceUID=f"1.2.3.4.{n}",
            PixelSpacing=[0.7, 0.7],
            SliceThickness=2.0,
            ImagePositionPatient=[-56.0, -60.0, -300.0 + 2.0 * n],
        )
        for n in range(count)
    ]
    return picture, files


def test_ct_nodules_lie_in_a_lung_field_of_one_of_the_slices(aliyun):
    picture, files = ct_series()
    nodules = data_of(aliyun.analyse({f"{n}.dcm": f for n, f in enumerate(files)}, study_type=1, key="ct"), 1)
    images = [
        image(picture, f, series_uid="1.2.3.4", spacing=[0.7, 0.7, 2.0], origin=[-56.0, -60.0, -300.0 + 2.0 * n])
        for n, f in enumerate(files)
    ]
    for seed in range(30):
        nodules += results.lung_nodules(random.Random(seed), images)
    assert nodules
    for nodule in nodules:
        column, row = (nodule["x"] + 56.0) / 0.7, (nodule["y"] + 60.0) / 0.7
        lung = in_lungs(picture, column, row)
        assert lung is not None, nodule
        assert nodule["lung"] == {"left_lung": "right", "right_lung": "left"}[lung]  # the image's left: the right
        assert nodule["z"] in (-300.0, -298.0, -296.0)
        assert 3.0 <= nodule["diameter"] <= 30.0


@pytest.mark.parametrize("disc_on_right, eye", [(True, "OD"), (False, "OS")])
@pytest.mark.parametrize("centred_on", ["macula", "disc"])
def test_the_fundus_eye_and_centre_come_from_its_disc_and_macula(aliyun, disc_on_right, eye, centred_on):
    picture = ai.fundus(disc_on_right=disc_on_right, centred_on=centred_on)
    data = ai.dicom(picture, modality="OP")
    [item] = data_of(aliyun.analyse({"eye.dcm": data}, study_type=3, key="eye"), 3)
    assert item["eye"] == eye and item["imgCenter"] == centred_on.upper()
    [item] = results.fundus(random.Random(0), [image(picture, ai.image_file(picture, "JPEG"))])
    assert item["eye"] == eye and item["imgCenter"] == centred_on.upper()


def test_the_header_laterality_wins_over_the_disc(aliyun):
    picture = ai.fundus(disc_on_right=True)
    [item] = results.fundus(random.Random(0), [image(picture, ai.dicom(picture, modality="OP"), laterality="L")])
    assert item["eye"] == "OS"


def assert_over_joints(boxes, picture, count):
    assert len(boxes) == count
    for n, box in enumerate(sorted(boxes, key=lambda b: b[0])):
        x1, y1, x2, y2 = box
        joint, leg = picture.masks[f"joint_{n}"], picture.masks[f"leg_{n}"]
        ys, xs = np.nonzero(joint)
        assert y1 <= ys.min() and ys.max() < y2, (box, ys.min(), ys.max())  # the whole gap, femur to tibia
        assert y2 - y1 <= 0.5 * picture.pixels.shape[0]
        assert ai.box_inside(box, leg, least=1.0), box
        assert x1 <= xs.min() + 4 and xs.max() - 4 < x2  # across the bones


@pytest.mark.parametrize("count, joint_at", [(2, 0.55), (1, 0.45)])
def test_knee_boxes_lie_over_the_joint_spaces(aliyun, count, joint_at):
    picture = ai.knees(count=count, joint_at=joint_at)
    data = ai.dicom(picture)
    boxes = data_of(aliyun.analyse({"knee.dcm": data}, study="k", study_type=4, key="k"), 4, "k")
    assert_over_joints([b["coordinates"] for b in boxes], picture, count)
    for seed in range(20):
        boxes = results.knee_boxes(random.Random(seed), [image(picture, ai.image_file(picture, "PNG"))])
        assert_over_joints([b["coordinates"] for b in boxes], picture, count)


def test_the_oa_trigger_boxes_lie_over_the_joint_spaces(aliyun, httpserver):
    picture = ai.knees(rows=300, columns=400)
    aliyun.put_object("knee.png", ai.image_file(picture, "PNG"))
    httpserver.expect_oneshot_request("/oa", method="POST").respond_with_response(
        Response('{"returnCode": "000000", "returnMessage": "OK"}', content_type="application/json")
    )
    assert aliyun.oa(aliyun.oa_body(callback=httpserver.url_for("/oa"))).status_code == 200
    aliyun.advance(5)
    body = httpserver.log[0][0].json
    assert_over_joints([b["Coordinates"] for b in body["Boxes"]], picture, 2)


def test_an_image_without_anatomy_still_gets_results_inside_it():
    picture = ai.blank(120, 90)
    data = ai.dicom(picture)
    for seed in range(10):
        rng = random.Random(seed)
        for box in results.knee_boxes(rng, [image(picture, data)]):
            x1, y1, x2, y2 = box["coordinates"]
            assert 0 <= x1 < x2 <= 90 and 0 <= y1 < y2 <= 120
        for item in results.chest_xray(rng, [image(picture, data)]):
            assert all(0 < v < 1 for point in item["posMap"] for v in point)
