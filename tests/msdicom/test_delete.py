"""DELETE (non-standard): 204, then 404; the index's counts follow."""

from __future__ import annotations

from tests.dicom.files import uids
from tests.msdicom.conftest import text_error


def test_delete_instance_then_series_then_study(ms, stored):
    study, series, sop = uids(stored["ct1"])
    instance = f"/msdicom/v2/studies/{study}/series/{series}/instances/{sop}"
    assert ms.c.delete(instance).status_code == 204
    text_error(ms.c.delete(instance), 404, "The specified instance cannot be found.")
    counts = ms.search("/studies", StudyInstanceUID=study, includefield="NumberOfStudyRelatedInstances").json[0]
    assert counts["00201208"]["Value"] == [2] and len(ms.search(f"/studies/{study}/series").json) == 2

    assert ms.c.delete(f"/msdicom/v2/studies/{study}/series/{series}").status_code == 204
    text_error(
        ms.c.delete(f"/msdicom/v2/studies/{study}/series/{series}"), 404, "The specified series cannot be found."
    )
    counts = ms.search("/studies", StudyInstanceUID=study, includefield="ModalitiesInStudy").json[0]
    assert counts["00080061"]["Value"] == ["MR"] and len(ms.search(f"/studies/{study}/series").json) == 1

    assert ms.c.delete(f"/msdicom/v2/studies/{study}").status_code == 204
    text_error(ms.c.delete(f"/msdicom/v2/studies/{study}"), 404, "The specified study cannot be found.")
    assert ms.search("/studies", StudyInstanceUID=study).status_code == 204
    assert len(ms.search("/studies").json) == 1  # the other patient's study is untouched


def test_deleting_the_last_instance_removes_series_and_study(ms, stored):
    study, series, sop = uids(stored["other"])
    assert ms.c.delete(f"/msdicom/v1/studies/{study}/series/{series}/instances/{sop}").status_code == 204
    assert ms.search("/series", SeriesInstanceUID=series).status_code == 204
    assert ms.search("/studies", StudyInstanceUID=study).status_code == 204


def test_a_deleted_instance_can_be_stored_again(ms, stored):
    study, series, sop = uids(stored["ct1"])
    ms.c.delete(f"/msdicom/v2/studies/{study}/series/{series}/instances/{sop}")
    assert ms.stow([stored["ct1"]]).status_code == 200


def test_delete_with_invalid_uid_is_400(ms):
    text_error(ms.c.delete("/msdicom/v2/studies/abc"), 400)
