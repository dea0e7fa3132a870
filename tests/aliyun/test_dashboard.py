"""What the dashboard reads of aliyun: analyses and OA tasks with their state, studies with their boxes drawn on."""

import io
from urllib.parse import quote

import numpy as np
import pytest
from PIL import Image

from mockservers.app import create_app
from mockservers.dashboard.thumbnails import PALETTE
from mockservers.dicom.synthetic import dx_file
from tests.aliyun.conftest import picture
from tests.demo_state import seeded_state
from tests.machinery import test_settings


def colours(png: bytes) -> set:
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    return {tuple(int(v) for v in p) for p in pixels}


def jobs(aliyun):
    return {j["id"]: j for j in aliyun.c.get("/__admin/jobs?vendor=aliyun").json["jobs"]}


def studies(aliyun):
    return {s["id"]: s for s in aliyun.c.get("/__admin/studies?vendor=aliyun").json["studies"]}


@pytest.fixture
def knee(aliyun):
    """A finished bone-joint analysis of one DICOM image (256 x 256)."""
    response = aliyun.analyse({"knee.dcm": dx_file(0, 3, rows=256, columns=256)}, study="knee-1", study_type=4, key="k")
    return response.json["data"]["boxes"]


def test_analyses_and_oa_tasks_with_their_state(aliyun):
    aliyun.put_object("ok/1.dcm", dx_file(0, 1))
    aliyun.put_object("bad/1.txt", b"text")
    aliyun.put_object("knee.png", picture())
    assert aliyun.execute(study="s-ok", study_type=2, key="ok").status_code == 200
    assert aliyun.execute(study="s-bad", study_type=2, key="bad").status_code == 200
    assert aliyun.oa(aliyun.oa_body(ImageUid="img-7")).status_code == 200
    running = jobs(aliyun)
    assert {k: j["state"] for k, j in running.items()} == {
        "demo/s-ok/2": "running",
        "demo/s-bad/2": "running",
        "oa/1/img-7": "running",
    }
    assert running["demo/s-ok/2"]["kind"] == "studyType 2 胸腔X光" and running["oa/1/img-7"]["kind"] == "OA"
    aliyun.advance(3)
    done = jobs(aliyun)
    assert {k: j["state"] for k, j in done.items()} == {
        "demo/s-ok/2": "success",
        "demo/s-bad/2": "failed",
        "oa/1/img-7": "success",
    }
    assert "100010" in done["demo/s-bad/2"]["detail"]
    assert done["demo/s-ok/2"]["updated_at"] == done["demo/s-ok/2"]["created_at"] + 3
    assert aliyun.c.get("/__admin/jobs?vendor=sigma").json["jobs"] == []


def test_a_knee_study_has_its_boxes_in_image_pixels(aliyun, knee):
    [study] = studies(aliyun).values()
    assert study["id"] == "demo/knee-1/4" and study["patient"].endswith(")")
    assert study["findings"] == [{"label": b["class"], "score": None, "box": b["coordinates"]} for b in knee]
    assert knee, "seed 0 finds a knee"
    response = aliyun.c.get(study["thumbnail"])
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert Image.open(io.BytesIO(response.data)).size == (256, 256)
    first_colour = tuple(int(PALETTE[0][i : i + 2], 16) for i in (1, 3, 5))
    assert first_colour in colours(response.data)


def test_studies_without_boxes_or_without_dicom(aliyun):
    aliyun.analyse({"pa.dcm": dx_file(0, 1)}, study="cxr", study_type=2, key="c")
    aliyun.analyse({"a.png": picture()}, study="png", study_type=4, key="p")
    aliyun.analyse({"a.dcm": dx_file(0, 4), "b.dcm": dx_file(0, 5)}, study="two", study_type=4, key="t")
    found = studies(aliyun)
    assert found["demo/cxr/2"]["findings"] == [] and found["demo/cxr/2"]["thumbnail"]
    assert found["demo/png/4"]["thumbnail"] is None, "no DICOM to draw"
    assert found["demo/two/4"]["findings"] == [], "a result does not say which image a box is on"
    assert aliyun.c.get(f"/__admin/studies/aliyun/{quote('demo/png/4', safe='')}/thumbnail.png").status_code == 404


def test_an_oa_image_has_the_boxes_of_its_callback(aliyun):
    aliyun.put_object("knee.dcm", dx_file(0, 6, rows=256, columns=256))
    assert aliyun.oa(aliyun.oa_body(key="knee.dcm")).status_code == 200
    aliyun.advance(2)
    [callback] = aliyun.callbacks()
    [study] = studies(aliyun).values()
    assert study["id"] == "oa/1/knee-001" and study["findings"]
    assert study["findings"] == [
        {"label": b["Class"], "score": None, "box": b["Coordinates"]} for b in callback["body"]["Boxes"]
    ]
    assert aliyun.c.get(f"/__admin/studies/aliyun/{quote(study['id'], safe='')}/thumbnail.png").status_code == 200


def seeded(tmp_path, name, seed=0, studies=5):
    state = seeded_state(tmp_path, name, seed, studies, "--vendor", "aliyun")
    return create_app(test_settings(state=state, seed=seed, vendors=["aliyun"]), start_background=False).test_client()


@pytest.mark.no_postgres_pass  # it picks its own state
def test_demo_seed_reports_studies_in_several_states(tmp_path, capsys):
    client = seeded(tmp_path, "a")
    assert "aliyun   5 demo studies" in capsys.readouterr().out
    states = [j["state"] for j in client.get("/__admin/jobs?vendor=aliyun").json["jobs"]]
    assert sorted(states) == ["failed", "running", "success", "success", "success"]
    found = client.get("/__admin/studies?vendor=aliyun").json["studies"]
    assert len(found) == 5 and all(s["thumbnail"] for s in found)
    assert any(s["findings"] for s in found), "a knee study with its boxes"
    thumbnail = client.get(next(s for s in found if s["findings"])["thumbnail"])
    assert thumbnail.status_code == 200 and thumbnail.mimetype == "image/png"
    assert client.post("/__admin/clock/advance", json={"seconds": 60}).status_code == 200
    states = [j["state"] for j in client.get("/__admin/jobs?vendor=aliyun").json["jobs"]]
    assert sorted(states) == ["failed", "success", "success", "success", "success"]
    objects = client.get("/demo-bucket/?prefix=demo/")  # anonymous: the bucket stays private
    assert objects.status_code == 403


@pytest.mark.no_postgres_pass
def test_demo_seed_is_deterministic(tmp_path):
    def snapshot(client):
        return [(s["id"], s["findings"]) for s in client.get("/__admin/studies?vendor=aliyun").json["studies"]]

    first = snapshot(seeded(tmp_path, "x", seed=4))
    assert first == snapshot(seeded(tmp_path, "y", seed=4))
    assert first != snapshot(seeded(tmp_path, "z", seed=5))


@pytest.mark.no_postgres_pass
@pytest.mark.parametrize("seed", [0, 1, 3])
def test_the_demo_lung_study_shows_its_first_nodule_slice(tmp_path, seed):
    """A demo of the nodule detector finds nodules under any seed; the card shows the slice of the first one, with
    the boxes on that slice."""
    client = seeded(tmp_path, "lungs", seed=seed)
    assert client.post("/__admin/clock/advance", json={"seconds": 60}).status_code == 200
    lung = next(j for j in client.get("/__admin/jobs?vendor=aliyun").json["jobs"] if "肺结节CT" in j["kind"])
    assert lung["state"] == "success"
    study = next(s for s in client.get("/__admin/studies?vendor=aliyun").json["studies"] if s["id"] == lung["id"])
    assert study["findings"] and all(f["label"].startswith("肺结节 nodule (") for f in study["findings"])
    x1, y1, x2, y2 = study["findings"][0]["box"]
    assert 0 < x1 < x2 < 512 and 0 < y1 < y2 < 512, "a box inside the 512 px slice"
    assert client.get(study["thumbnail"]).status_code == 200
