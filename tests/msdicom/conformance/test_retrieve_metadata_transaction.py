"""DicomRetrieveMetadataTransactionTests.cs (it sets its API version to V2)."""

from __future__ import annotations

import uuid

import pytest

from tests.msdicom.conformance.conftest import instance_path
from tests.msdicom.conformance.metadata_common import assert_metadata, post, two_stored


@pytest.mark.parametrize("accept", ["application/data"])
def test_given_incorrect_accept_header_when_retrieving_metadata_then_not_acceptable(v2, request, accept):
    """GivenAnIncorrectAcceptHeader_WhenRetrievingResource_ThenNotAcceptableIsReturned, row "application/data":
    study, series and instance metadata, the "UIDs" being GUIDs as in the C# test (Guid.NewGuid()): the Accept is
    judged before the UIDs and before existence."""
    guids = (str(uuid.uuid5(uuid.NAMESPACE_URL, f"{request.node.nodeid}/{n}")) for n in range(6))
    for path in (
        f"/studies/{next(guids)}",
        f"/studies/{next(guids)}/series/{next(guids)}",
        f"/studies/{next(guids)}/series/{next(guids)}/instances/{next(guids)}",
    ):
        assert v2.get(path + "/metadata", accept).status_code == 406


def test_given_study_metadata_request_when_study_does_not_exist_then_not_found(v2, uid):
    """GivenRetrieveStudyMetadataRequest_WhenStudyInstanceUidDoesnotExists_ThenNotFoundIsReturned."""
    assert v2.metadata(f"/studies/{uid()}").status_code == 404


def test_given_series_metadata_request_when_series_does_not_exist_then_not_found(v2, uid):
    """GivenRetrieveSeriesMetadataRequest_WhenSeriesInstanceUidDoesnotExists_ThenNotFoundIsReturned."""
    study = uid()
    post(v2, uid, study, uid(), extra=False)
    assert v2.metadata(f"/studies/{study}/series/{uid()}").status_code == 404


def test_given_instance_metadata_request_when_instance_does_not_exist_then_not_found(v2, uid):
    """GivenRetrieveSopInstanceMetadataRequest_WhenSopInstanceUidDoesnotExists_ThenNotFoundIsReturned."""
    study, series = uid(), uid()
    post(v2, uid, study, series, uid(), extra=False)
    assert v2.metadata(f"/studies/{study}/series/{series}/instances/{uid()}").status_code == 404


def test_given_stored_files_when_retrieving_study_metadata_then_correct(v2, uid):
    """GivenStoredDicomFile_WhenRetrievingMetadataForStudy_ThenMetadataIsRetrievedCorrectly."""
    first, second, path = two_stored(v2, uid, "study")
    assert_metadata(v2.metadata(path), first, second)


def test_given_stored_files_when_retrieving_series_metadata_then_correct(v2, uid):
    """GivenStoredDicomFile_WhenRetrievingMetadataForSeries_ThenMetadataIsRetrievedCorrectly."""
    first, second, path = two_stored(v2, uid, "series")
    assert_metadata(v2.metadata(path), first, second)


def test_given_stored_file_when_retrieving_instance_metadata_then_correct(v2, uid):
    """GivenStoredDicomFile_WhenRetrievingMetadataForInstance_ThenMetadataIsRetrievedCorrectly."""
    ds = post(v2, uid, uid(), uid(), uid())
    assert_metadata(v2.metadata(instance_path(ds)), ds)
