"""A STOW writes its files to the blob store's folder before its transaction, which only renames them into place:
whatever becomes of the request, no file it did not store is left behind."""

from __future__ import annotations

import hashlib
import os

import pytest

from mockservers.core.blobs import BlobStore
from mockservers.core.http import request_state
from tests.dicom.files import multipart, study_files

STOW = {"msdicom": "/msdicom/v2/studies", "sphere": "/sphere/stowrs/studies"}
MULTIPART = 'multipart/related; type="application/dicom"; boundary=b0und4ry'
OTHER_STUDY = "1.2.826.0.1.3680043.8.498.1"


def _files(mock_app) -> list[str]:
    """Every file in the blob store's folder, temp files included, by name."""
    root = mock_app.extensions["mockservers"].blobs.root
    return sorted(name for _, _, names in os.walk(root) for name in names)


def _post(mock_app, path: str, files: list[bytes]):
    return mock_app.test_client().post(path, data=multipart(files), headers={"Content-Type": MULTIPART})


@pytest.mark.parametrize("face", ["msdicom", "sphere"])
def test_a_stored_file_is_written_before_the_transaction_and_only_it_stays(mock_app, monkeypatch, face):
    staged = []
    stage = BlobStore.stage

    def record(self, data, key):
        staged.append(request_state().db is None)
        return stage(self, data, key)

    monkeypatch.setattr(BlobStore, "stage", record)
    files = study_files(seed=7)
    assert _post(mock_app, STOW[face], [files["ct1"], files["ct2"]]).status_code == 200
    assert staged == [True, True], "both written before the transaction began"
    assert _files(mock_app) == sorted(hashlib.sha256(files[n]).hexdigest() for n in ("ct1", "ct2"))


@pytest.mark.parametrize("face", ["msdicom", "sphere"])
def test_a_refused_stow_leaves_no_file(mock_app, face):
    files = study_files(seed=7)
    answer = _post(mock_app, f"{STOW[face]}/{OTHER_STUDY}", [files["ct1"]])  # the file's study is another
    assert answer.status_code == 409
    assert _files(mock_app) == []


def test_a_part_refused_beside_a_stored_one_leaves_only_the_stored_file(mock_app):
    files = study_files(seed=7)
    assert _post(mock_app, STOW["msdicom"], [files["ct1"]]).status_code == 200
    answer = _post(mock_app, f"{STOW['msdicom']}/{OTHER_STUDY}", [files["other"]])
    assert answer.status_code == 409
    assert _files(mock_app) == [hashlib.sha256(files["ct1"]).hexdigest()]


def test_a_stow_answered_by_a_fault_rule_leaves_no_file(mock_app):
    client = mock_app.test_client()
    client.post("/__admin/faults", json={"vendor": "msdicom", "times": 1, "action": {"status": 503}})
    assert _post(mock_app, STOW["msdicom"], [study_files(seed=7)["ct1"]]).status_code == 503
    assert _files(mock_app) == []


def test_a_stow_whose_view_fails_leaves_no_file(mock_app, monkeypatch):
    from mockservers.dicom import stow

    def broken(*_args, **_kwargs):
        raise RuntimeError("the index is unreachable")

    monkeypatch.setattr(stow.Archive, "look_up", broken)
    assert _post(mock_app, STOW["msdicom"], [study_files(seed=7)["ct1"]]).status_code == 500
    assert _files(mock_app) == []
