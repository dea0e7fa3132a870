"""A battery of bad inputs: each a 4xx with a reason (never a 5xx), and nothing stored from the failed parts."""

from __future__ import annotations

import io

import pytest

from mockservers.app import create_app
from mockservers.dicom.synthetic import image_dataset, to_part10
from tests.dicom.files import dataset, multipart, pydicom_file, uids
from tests.machinery import test_settings

STOW = "/msdicom/v2/studies"
MULTIPART = 'multipart/related; type="application/dicom"; boundary=b0und4ry'


def no_sop_instance_uid() -> bytes:
    ds = dataset(to_part10(image_dataset(7, 0, "CT")))
    del ds.SOPInstanceUID
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


GOOD = to_part10(image_dataset(7, 1, "CT"))
CASES = {
    "a part that is not DICOM": (dict(data=multipart([b"%PDF-1.4 not dicom"]), content_type=MULTIPART), 409, "272"),
    "a truncated file": (dict(data=multipart([GOOD[:-100]]), content_type=MULTIPART), 409, "272"),
    "pydicom's truncated MR": (
        dict(data=multipart([pydicom_file("MR_truncated.dcm")]), content_type=MULTIPART),
        409,
        "272",
    ),
    "no SOPInstanceUID": (dict(data=multipart([no_sop_instance_uid()]), content_type=MULTIPART), 409, "43264"),
    "a broken multipart body": (
        dict(data=b"--b0und4ry\r\nContent-Type: application/dicom" + GOOD, content_type=MULTIPART),
        400,
        "not valid multipart/related",
    ),
    "no closing delimiter": (
        dict(data=multipart([GOOD])[:-12], content_type=MULTIPART),
        400,
        "the closing boundary is missing",
    ),
    "a wrong boundary": (
        dict(data=multipart([GOOD], boundary="other"), content_type=MULTIPART),
        400,
        "the boundary 'b0und4ry' does not occur in it",
    ),
    "an empty body": (dict(data=b"", content_type=MULTIPART), 400, "does not occur in it"),
    "a form upload": (dict(data=b"a=1", content_type="application/x-www-form-urlencoded"), 415, "is not supported"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bad_stow_is_a_4xx_with_a_reason_and_stores_nothing(client, name):
    kwargs, status, reason = CASES[name]
    r = client.post(
        STOW, data=kwargs["data"], headers={"Content-Type": kwargs["content_type"], "Accept": "application/dicom+json"}
    )
    assert r.status_code == status, r.get_data(as_text=True)
    assert reason in r.get_data(as_text=True)
    assert client.get("/msdicom/v2/instances").status_code == 204


def test_good_parts_survive_bad_ones(client):
    body = multipart([b"not dicom", GOOD[:-100], no_sop_instance_uid(), GOOD])
    r = client.post(STOW, data=body, headers={"Content-Type": MULTIPART})
    assert r.status_code == 202
    assert [f["00081197"]["Value"][0] for f in r.json["00081198"]["Value"]] == [272, 272, 43264]
    found = client.get("/msdicom/v2/instances").json
    assert [i["00080018"]["Value"][0] for i in found] == [uids(GOOD)[2]]


@pytest.mark.parametrize(
    "path, accept, status",
    [
        ("/msdicom/v2/studies/1.2.x/metadata", "application/dicom+json", 400),
        ("/msdicom/v2/studies/1.2.3.4/metadata", "application/dicom+json", 404),
        ("/msdicom/v2/studies/1.2.3.4", 'multipart/related; type="application/dicom"', 404),
        ("/msdicom/v2/studies", "text/html", 406),
        ("/msdicom/v2/nowhere", "application/dicom+json", 404),
    ],
)
def test_bad_reads_are_4xx_text(client, path, accept, status):
    r = client.get(path, headers={"Accept": accept})
    assert r.status_code == status
    assert r.mimetype == "text/plain" and r.get_data(as_text=True)


def test_wrong_method_is_405_in_the_server_shape(client):
    r = client.put("/msdicom/v2/studies")
    assert r.status_code == 405 and r.mimetype == "text/plain"
    assert "POST" in r.headers["Allow"]


def test_oversized_body_is_413_and_stores_nothing():
    app = create_app(test_settings(max_body_mb=1), start_background=False)
    try:
        c = app.test_client()
        big = to_part10(image_dataset(7, 2, "CT", rows=800, columns=800))
        r = c.post(STOW, data=multipart([big]), headers={"Content-Type": MULTIPART})
        assert r.status_code == 413
        assert r.mimetype == "text/plain" and r.get_data(as_text=True) == "The request body is too large."
        assert c.get("/msdicom/v2/instances").status_code == 204
    finally:
        app.extensions["mockservers"].close()
