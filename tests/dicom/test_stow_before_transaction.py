"""A STOW parses its parts before its transaction (outside SQLite's write lock), once each, and still answers a
broken body in its place."""

from __future__ import annotations

import pytest

from mockservers.core.http import request_state
from mockservers.dicom import archive, stow
from tests.dicom.files import multipart, study_files, uids

STOW = {"msdicom": "/msdicom/v2/studies", "sphere": "/sphere/stowrs/studies"}
MULTIPART = 'multipart/related; type="application/dicom"; boundary=b0und4ry'


@pytest.fixture
def examined(monkeypatch):
    """(whether the request's transaction had begun, the part's length) for each part examined."""
    calls = []

    def examine(data, max_inflated):
        calls.append((request_state().db is not None, len(data)))
        return archive.examine(data, max_inflated)

    monkeypatch.setattr(stow, "examine", examine)
    return calls


@pytest.mark.parametrize("face", ["msdicom", "sphere"])
def test_parts_are_parsed_once_before_the_transaction(mock_app, examined, face):
    files = study_files(seed=7)
    response = mock_app.test_client().post(
        STOW[face], data=multipart([files["ct1"], files["ct2"]]), headers={"Content-Type": MULTIPART}
    )
    assert response.status_code == 200
    stored = [item["00081155"]["Value"][0] for item in response.json["00081199"]["Value"]]
    assert stored == [uids(files["ct1"])[2], uids(files["ct2"])[2]]
    assert examined == [(False, len(files["ct1"])), (False, len(files["ct2"]))]


def test_a_fault_rule_still_answers_first(mock_app, examined):
    client = mock_app.test_client()
    client.post("/__admin/faults", json={"vendor": "msdicom", "times": 1, "action": {"status": 503}})
    files = study_files(seed=7)
    response = client.post(STOW["msdicom"], data=multipart([files["ct1"]]), headers={"Content-Type": MULTIPART})
    assert response.status_code == 503
    assert client.get(STOW["msdicom"]).status_code == 204, "nothing stored"


def test_a_body_that_breaks_early_is_answered_by_the_view(mock_app, examined):
    response = mock_app.test_client().post(STOW["msdicom"], data=b"--nope\r\n", headers={"Content-Type": MULTIPART})
    assert response.status_code == 400 and examined == []
    assert response.get_data(as_text=True) == (
        "The request body is not valid multipart/related: the boundary 'b0und4ry' does not occur in it."
    )
