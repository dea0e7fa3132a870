"""core/anatomy.py finds the anatomy on procedural images whose truth is known, and falls back on where it usually
lies when there is none; dicom/picture.py reads the pixels the way the analysis needs them."""

import io
import random

import numpy as np
import pydicom
import pytest

from mockservers.core import anatomy
from mockservers.dicom.picture import greyscale
from tests import anatomy_images as ai


def read(picture, kind="dicom", **headers):
    data = ai.dicom(picture, **headers) if kind == "dicom" else ai.image_file(picture, kind)
    pixels = greyscale(data)
    assert pixels is not None and pixels.shape == picture.pixels.shape[:2]
    return pixels


def overlap(region: anatomy.Region, truth: np.ndarray) -> float:
    """The share of the region's pixels (counted at the truth's resolution, on the grid's cells) on the truth."""
    rows, columns = truth.shape
    ys, xs = np.nonzero(region.mask)
    centres = (
        np.clip(((ys + 0.5) * region.step).astype(int), 0, rows - 1),
        np.clip(((xs + 0.5) * region.step).astype(int), 0, columns - 1),
    )
    return float(truth[centres].mean())


CHESTS = {
    "plain": (ai.chest(), "dicom", {}),
    "shifted": (ai.chest(shift=(0.08, -0.05)), "dicom", {}),
    "MONOCHROME1": (ai.chest(), "dicom", {"monochrome1": True}),
    "large": (ai.chest(rows=1400, columns=1100), "dicom", {}),
    "PNG": (ai.chest(rows=200, columns=260), "PNG", {}),
    "CT slice": (ai.ct_slice(), "dicom", {"modality": "CT"}),
}


@pytest.mark.parametrize("name", list(CHESTS))
def test_a_chest_has_its_body_and_both_lung_fields_found(name):
    picture, kind, headers = CHESTS[name]
    rows, columns = picture.pixels.shape
    chest = anatomy.chest(read(picture, kind, **headers), rows, columns)
    assert chest.found
    assert overlap(chest.lungs[0], picture.masks["left_lung"]) > 0.95
    assert overlap(chest.lungs[1], picture.masks["right_lung"]) > 0.95
    assert overlap(chest.body, picture.masks["body"]) > 0.95
    for lung, truth in zip(chest.lungs, ("left_lung", "right_lung"), strict=True):
        assert lung.area * lung.step**2 > 0.7 * picture.masks[truth].sum()
    heart = chest.heart
    assert overlap(heart, picture.masks["body"]) > 0.95
    assert overlap(heart, picture.masks["left_lung"] | picture.masks["right_lung"]) < 0.05  # edges of a grid cell
    centres = [(r.box[0] + r.box[2]) / 2 for r in (chest.lungs[0], heart, chest.lungs[1])]
    assert centres == sorted(centres)


def test_the_synthetic_demo_chest_is_a_chest():
    from mockservers.dicom.synthetic import dx_file

    assert anatomy.chest(greyscale(dx_file(0, 0)), 128, 128).found


@pytest.mark.parametrize("count, joint_at", [(2, 0.55), (1, 0.4), (1, 0.62)])
def test_each_knees_joint_space_is_found_between_femur_and_tibia(count, joint_at):
    picture = ai.knees(count=count, joint_at=joint_at)
    knees = anatomy.knees(read(picture), *picture.pixels.shape)
    assert knees.found and len(knees.joints) == count
    for n, (leg, joint) in enumerate(zip(knees.legs, knees.joints, strict=True)):
        truth = picture.masks[f"joint_{n}"]
        ys, xs = np.nonzero(truth)
        x1, y1, x2, y2 = joint.box
        assert ys.min() - 2 <= y1 <= ys.min() + 2 and ys.max() - 2 <= y2 - 1 <= ys.max() + 2
        assert abs(x1 - xs.min()) <= 4 and abs(x2 - 1 - xs.max()) <= 4
        assert overlap(leg, picture.masks[f"leg_{n}"]) > 0.95


@pytest.mark.parametrize("disc_on_right", [True, False])
@pytest.mark.parametrize("kind", ["dicom", "JPEG"])
def test_a_fundus_has_its_field_disc_and_macula_found(disc_on_right, kind):
    picture = ai.fundus(disc_on_right=disc_on_right)
    eye = anatomy.fundus(read(picture, kind, modality="OP"), *picture.pixels.shape[:2])
    assert eye.found
    assert overlap(eye.field, picture.masks["field"]) > 0.95
    for name in ("disc", "macula"):
        x1, y1, x2, y2 = getattr(eye, name).box
        assert picture.masks[name][(y1 + y2) // 2, (x1 + x2) // 2], name
    assert (eye.disc.box[0] > eye.macula.box[0]) == disc_on_right


@pytest.mark.parametrize("pixels", [None, ai.blank().pixels, np.random.default_rng(0).integers(0, 4096, (90, 70))])
def test_nothing_recognisable_falls_back_on_where_anatomy_usually_lies(pixels):
    rows, columns = (90, 70) if pixels is not None and pixels.shape == (90, 70) else (200, 200)
    chest = anatomy.chest(pixels, rows, columns)
    knees = anatomy.knees(pixels, rows, columns, nominal_count=2)
    eye = anatomy.fundus(pixels, rows, columns)
    assert not chest.found and not knees.found and not eye.found
    assert chest.lungs[0].box[2] <= columns / 2 <= chest.lungs[1].box[0]
    assert len(knees.joints) == 2 and knees.joints[0].box[2] <= knees.joints[1].box[0]
    for region in (*chest.lungs, chest.heart, chest.body, *knees.joints, eye.disc, eye.macula, eye.field):
        x1, y1, x2, y2 = region.box
        assert region.area and 0 <= x1 < x2 <= columns and 0 <= y1 < y2 <= rows


def test_no_anatomy_of_the_wrong_kind_is_found():
    chest = read(ai.chest())
    assert not anatomy.fundus(chest, *chest.shape).found
    knees = read(ai.knees())
    assert not anatomy.chest(knees, *knees.shape).found


def test_placed_boxes_lie_on_their_region():
    picture = ai.chest()
    lung = anatomy.chest(read(picture), *picture.pixels.shape).lungs[0]
    for seed in range(200):
        rng = random.Random(seed)
        box = lung.place(rng, 0.05, 0.9)
        assert ai.box_inside(box, picture.masks["left_lung"]), box
        x, y = lung.point(rng)
        assert lung.contains(x, y) and picture.masks["left_lung"][int(y), int(x)]


def test_the_same_pixels_give_the_same_regions_and_boxes():
    pixels = read(ai.chest())
    one, two = (anatomy.chest(pixels.copy(), *pixels.shape) for _ in range(2))
    assert all((a.mask == b.mask).all() for a, b in zip(one.lungs, two.lungs, strict=True))
    assert one.lungs[1].place(random.Random(5), 0.1, 0.5) == two.lungs[1].place(random.Random(5), 0.1, 0.5)


def test_parts_of_a_region_keep_to_their_rows():
    picture = ai.chest()
    lung = anatomy.chest(read(picture), *picture.pixels.shape).lungs[1]
    _x1, y1, _x2, y2 = lung.box
    upper, base = lung.part(0.0, 0.5), lung.part(0.65, 1.0)
    assert upper.box[1] == y1 and upper.box[3] <= y1 + (y2 - y1) / 2 + lung.step
    assert base.box[3] == y2 and base.box[1] >= y1 + 0.65 * (y2 - y1) - lung.step


@pytest.mark.parametrize("data", [b"", b"not an image", ai.dicom(ai.chest())[:400]])
def test_unreadable_pixels_are_none(data):
    assert greyscale(data) is None


def test_a_multi_frame_file_is_read_at_its_middle_frame():
    from mockservers.dicom.synthetic import image_dataset, to_part10

    data = to_part10(image_dataset(0, 0, modality="CT", frames=3, rows=16, columns=16))
    frames = pydicom.dcmread(io.BytesIO(data)).pixel_array
    assert not np.array_equal(frames[0], frames[1])
    assert np.array_equal(greyscale(data), frames[1].astype(np.float64))
