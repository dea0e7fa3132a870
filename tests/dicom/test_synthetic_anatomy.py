"""The demo's pictures have their anatomy found where it was drawn (core/anatomy.py on the file's own pixels),
and each vendor's fake findings land on it: sigma's on the chest, aliyun's nodules in a CT slice's lungs, its
knee boxes over the joint spaces and the fundus eye from the disc, CAD4TB's hot spots in the lungs or at the
macula and disc."""

from __future__ import annotations

import random

import numpy as np
import pytest

from mockservers.aliyun import results as aliyun
from mockservers.cad4tb import results as cad4tb
from mockservers.core import anatomy
from mockservers.dicom import synthetic as s
from mockservers.dicom.phantoms import ct, fundus, knee
from mockservers.dicom.phantoms.chest import chest_radiograph
from mockservers.dicom.picture import greyscale
from mockservers.sigma import results as sigma
from tests import anatomy_images as ai
from tests.aliyun.test_results_anatomy import assert_over_joints
from tests.sigma.test_results_anatomy import assert_placed


def truth(phantom, *names) -> dict[str, np.ndarray]:
    return {name: phantom.mask(name) for name in names}


def chest(index: int) -> tuple[bytes, ai.Picture]:
    """The demo's chest radiograph and the truth it was drawn from."""
    data = s.chest_file(0, index)
    female = s.dx_dataset(0, index, rows=16, columns=16).PatientSex == "F"
    phantom = chest_radiograph(s.pixel_rng(0, "dx", index), 2048, 1792, female=female)
    return data, ai.Picture(greyscale(data), truth(phantom, "body", "left_lung", "right_lung"))


@pytest.mark.parametrize("index", [1000, 1003])
def test_sigma_findings_lie_on_the_demo_chest(index):
    data, picture = chest(index)
    found = anatomy.chest(picture.pixels, 2048, 1792)
    assert found.found
    for lung, name in zip(found.lungs, ("left_lung", "right_lung"), strict=True):
        x1, y1, x2, y2 = lung.box
        assert picture.masks[name][(y1 + y2) // 2, (x1 + x2) // 2], name
    labels = set()
    for seed in range(25):
        for finding in sigma.detect(random.Random(seed), 2048, 1792, data):
            assert_placed(finding, picture)
            labels.add(finding["label"])
    assert len(labels) >= 5


def test_cad4tb_hot_spots_lie_in_the_demo_chests_lungs():
    data, picture = chest(2000)
    lungs = picture.masks["left_lung"] | picture.masks["right_lung"]
    for seed in range(20):
        for x, y, _, _ in cad4tb.hot_spots(random.Random(seed), data, retina=False):
            assert lungs[int(y * 2048), int(x * 1792)]


def test_the_small_default_chest_is_a_chest_too():
    assert anatomy.chest(greyscale(s.dx_file(0, 0)), 128, 128).found
    assert anatomy.chest(greyscale(s.dx_file(0, 1, rows=256, columns=256)), 256, 256).found


@pytest.mark.parametrize("knees", [2, 1])
def test_aliyun_knee_boxes_lie_over_the_demo_knees_joint_spaces(knees):
    ds = s.knee_dataset(0, 7, knees=knees)
    rows, columns = ds.Rows, ds.Columns
    phantom = knee.knee_radiograph(s.pixel_rng(0, "knee", 7), rows, columns, knees=knees)
    names = [f"{part}_{n}" for n in range(knees) for part in ("leg", "joint")]
    data = s.to_part10(ds)
    picture = ai.Picture(greyscale(data), truth(phantom, *names))
    for seed in range(10):
        image = aliyun.Image(key="k", rows=rows, columns=columns, data=data)
        boxes = aliyun.knee_boxes(random.Random(seed), [image])
        assert_over_joints([b["coordinates"] for b in boxes], picture, knees)


@pytest.mark.parametrize("laterality, eye", [("R", "OD"), ("L", "OS")])
def test_the_demo_fundus_has_its_disc_and_macula_found(laterality, eye):
    ds = s.fundus_dataset(0, 3, laterality=laterality)
    phantom = fundus.fundus_photograph(s.pixel_rng(0, "fundus", 3), ds.Rows, ds.Columns, right_eye=laterality == "R")
    data = s.to_part10(ds)
    found = anatomy.fundus(greyscale(data), ds.Rows, ds.Columns)
    assert found.found
    for name in ("disc", "macula"):
        x1, y1, x2, y2 = getattr(found, name).box
        assert phantom.mask(name)[(y1 + y2) // 2, (x1 + x2) // 2], name
    image = aliyun.Image(key="k", rows=ds.Rows, columns=ds.Columns, data=data)  # no laterality: the disc decides
    [item] = aliyun.fundus(random.Random(0), [image])
    assert item["eye"] == eye and item["imgCenter"] == "MACULA"
    spots = phantom.mask("disc") | phantom.mask("macula")
    for seed in range(10):
        for x, y, _, _ in cad4tb.hot_spots(random.Random(seed), data, retina=True):
            assert spots[int(y * ds.Rows), int(x * ds.Columns)]


def test_aliyun_nodules_lie_in_the_lungs_of_the_demo_ct():
    slices = s.ct_series(0, 4, slices=3)
    phantoms = ct.chest_ct(s.pixel_rng(0, "ct", 4), 512, [0.12, 0.46, 0.8])
    images = []
    for ds in slices:
        x, y, z = (float(v) for v in ds.ImagePositionPatient)
        spacing = [float(ds.PixelSpacing[0]), float(ds.PixelSpacing[1]), 5.0]
        images.append(
            aliyun.Image(
                key="k",
                rows=512,
                columns=512,
                series_uid=ds.SeriesInstanceUID,
                spacing=spacing,
                origin=[x, y, z],
                slices=1,
                data=s.to_part10(ds),
            )
        )
    for n, image in enumerate(images):
        assert anatomy.chest(image.pixels(), 512, 512).found, f"slice {n}"
    seen = 0
    for seed in range(30):
        for nodule in aliyun.lung_nodules(random.Random(seed), images):
            n = [round(i.origin[2], 2) for i in images].index(nodule["z"])
            column = (nodule["x"] - images[n].origin[0]) / images[n].spacing[0]
            row = (nodule["y"] - images[n].origin[1]) / images[n].spacing[1]
            side = "left_lung" if nodule["lung"] == "right" else "right_lung"  # the image's left: the right lung
            assert phantoms[n].truth[side][int(row), int(column)], nodule
            seen += 1
    assert seen
