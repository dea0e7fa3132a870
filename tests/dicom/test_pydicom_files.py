"""Every test file pydicom ships, through both faces: each stored or refused with a reason, and every
retrieval of it (instance, transcoded, metadata, frames, rendered) a 2xx or a 4xx, never a 5xx."""

from __future__ import annotations

import glob
import os
import warnings

import pydicom
import pytest

from tests.dicom.files import multipart

DIRECTORY = os.path.dirname(pydicom.data.get_testdata_file("CT_small.dcm"))
FILES = sorted(os.path.basename(p) for p in glob.glob(os.path.join(DIRECTORY, "*.dcm")))
READS = [
    ("", 'multipart/related; type="application/dicom"'),
    ("", 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2'),
    ("/metadata", "application/dicom+json"),
    ("/frames/1", 'multipart/related; type="application/octet-stream"'),
    ("/frames/1", "*/*"),
    ("/rendered", "image/png"),
]


@pytest.mark.parametrize("stow", ["/msdicom/v2/studies", "/sphere/stowrs/studies"])
def test_no_pydicom_file_gets_a_5xx(client, stow, host_url):
    warnings.simplefilter("ignore")
    stored = 0
    for name in FILES:
        with open(os.path.join(DIRECTORY, name), "rb") as fh:
            data = fh.read()
        r = client.post(stow, data=multipart([data]), headers={"Content-Type": "multipart/related; boundary=b0und4ry"})
        assert r.status_code in (200, 202, 409), (name, r.status_code)
        if r.status_code == 409:
            assert r.json["00081198"]["Value"][0]["00081197"]["Value"][0] in (272, 43264, 45070), name
            continue
        stored += 1
        url = r.json["00081199"]["Value"][0]["00081190"]["Value"][0].replace(host_url, "")
        for suffix, accept in READS:
            if stow.startswith("/sphere") and "rendered" in suffix:
                continue
            answer = client.get(url + suffix, headers={"Accept": accept})
            assert answer.status_code < 500, (name, suffix, accept, answer.get_data()[:200])
    assert stored > 20
