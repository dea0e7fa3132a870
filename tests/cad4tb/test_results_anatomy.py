"""CAD4TB's heat map is of the image it came from: its hot spots lie in the lung fields of a chest film, at the
macula or the optic disc of a retina image."""

import io
import random
import zipfile

import numpy as np
import pytest
from PIL import Image

from mockservers.cad4tb import results
from tests import anatomy_images as ai
from tests.cad4tb.conftest import RETINA, Cad4tb, keys, make_app


def heat(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)), dtype=np.float64)


def hottest(png: bytes, rows: int, columns: int) -> tuple[int, int]:
    """The image pixel (x, y) under the heat map's hottest point."""
    h = heat(png)
    y, x = np.unravel_index(int(np.argmax(h)), h.shape)
    return int((x + 0.5) / h.shape[1] * columns), int((y + 0.5) / h.shape[0] * rows)


def test_chest_hot_spots_lie_in_the_lung_fields():
    picture = ai.chest(shift=(-0.06, 0.04))
    lungs = picture.masks["left_lung"] | picture.masks["right_lung"]
    data = ai.dicom(picture)
    for seed in range(40):
        for x, y, radius, weight in results.hot_spots(random.Random(seed), data, retina=False):
            assert lungs[int(y * 300), int(x * 240)] and 0 < radius < 0.2 and 0 < weight <= 1


def test_retina_hot_spots_lie_at_the_macula_or_the_disc():
    picture = ai.fundus(disc_on_right=False)
    spot_on = picture.masks["macula"] | picture.masks["disc"]
    data = ai.dicom(picture, modality="OP")
    seen = set()
    for seed in range(40):
        for x, y, _, _ in results.hot_spots(random.Random(seed), data, retina=True):
            assert spot_on[int(y * 240), int(x * 300)]
            seen.add("macula" if picture.masks["macula"][int(y * 240), int(x * 300)] else "disc")
    assert seen == {"macula", "disc"}


@pytest.fixture
def app():
    app = make_app(processing_seconds=1)
    yield app
    app.extensions["mockservers"].close()


def heatmap_of(api, data: bytes, kind: str) -> bytes:
    ids = api.uploaded(data)
    api.advance(2)
    response = api.get("series/results", **keys(ids), Type=kind, Results="Heatmap")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.data)).read("Heatmap.png")


def test_the_heatmap_of_an_uploaded_chest_is_hottest_in_a_lung(app):
    api = Cad4tb(app.test_client())
    picture = ai.chest()
    lungs = picture.masks["left_lung"] | picture.masks["right_lung"]
    for n in range(4):
        png = heatmap_of(
            api, ai.dicom(picture, SeriesInstanceUID=f"1.2.9.{n}", SOPInstanceUID=f"1.2.9.{n}.1"), "cad4tb"
        )
        assert heat(png).shape == (128, 128)
        x, y = hottest(png, 300, 240)
        assert lungs[y, x], (x, y)


def test_the_heatmap_of_an_uploaded_retina_image_is_hottest_at_the_macula_or_disc(app):
    api = Cad4tb(app.test_client())
    picture = ai.fundus()
    png = heatmap_of(api, ai.dicom(picture, modality="OP", SOPClassUID=RETINA["SOPClassUID"]), "retina")
    x, y = hottest(png, 240, 300)
    assert (picture.masks["macula"] | picture.masks["disc"])[y, x]


def test_without_kept_files_the_heatmap_is_where_lungs_usually_are():
    app = make_app(processing_seconds=1, store_dicom=False)
    try:
        png = heatmap_of(Cad4tb(app.test_client()), ai.dicom(ai.chest()), "cad4tb")
    finally:
        app.extensions["mockservers"].close()
    x, _y = hottest(png, 128, 128)
    assert 0.1 * 128 < x < 0.9 * 128 and heat(png).max() > 50
