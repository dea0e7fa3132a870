"""DicomRetrieveMetadataETagTests.cs (the C# fixture's client is Latest: /v2): If-None-Match on metadata."""
from __future__ import annotations

from tests.msdicom.conformance.conftest import METADATA_BULK_DATA, METADATA_ETAG, instance_path, series_path, study_path
from tests.msdicom.conformance.metadata_common import assert_metadata, post


def etag(response) -> str | None:
    """GetEtagFromResponse: the ETag header, if any."""
    return response.headers.get("ETag")


def assert_not_modified(response):
    """304 and ValidateNoContent: Content-Length 0."""
    assert response.status_code == 304
    assert response.get_data() == b""
    assert response.headers.get("Content-Length", "0") == "0"


@METADATA_ETAG
def test_given_study_metadata_when_if_none_match_matches_etag_then_not_modified(v2, uid):
    """GivenRetrieveStudyMetadataRequest_WhenIfNoneMatchMatchesETag_ThenNotModifiedResponseIsReturned."""
    ds = post(v2, uid, uid())
    tag = etag(v2.metadata(study_path(ds)))
    assert_not_modified(v2.metadata(study_path(ds), tag))


@METADATA_BULK_DATA
def test_given_study_metadata_when_if_none_match_does_not_match_then_metadata_with_new_etag(v2, uid):
    """GivenRetrieveStudyMetadataRequest_WhenIfNoneMatchDoesnotMatchETag_ThenResponseMetadataIsReturnedWithNewETag."""
    study = uid()
    first, second = post(v2, uid, study), post(v2, uid, study)
    tag = etag(v2.metadata(study_path(first)))
    assert_metadata(v2.metadata(study_path(first), "1" + tag if tag else None), first, second)


@METADATA_BULK_DATA
def test_given_study_metadata_when_if_none_match_absent_then_metadata_with_etag(v2, uid):
    """GivenRetrieveStudyMetadataRequest_WhenIfNoneMatchIsNotPresent_ThenResponseMetadataIsReturnedWithETag."""
    study = uid()
    first, second = post(v2, uid, study), post(v2, uid, study)
    assert_metadata(v2.metadata(study_path(first)), first, second)


@METADATA_BULK_DATA
def test_given_study_metadata_when_study_updated_and_previous_etag_used_then_new_metadata(v2, uid):
    """GivenRetrieveStudyMetadataRequest_WhenStudyIsUpdatedAndPreviousETagIsUsed_ThenResponseMetadataIsReturnedWithNewETag."""
    study = uid()
    first = post(v2, uid, study)
    tag = etag(v2.metadata(study_path(first)))
    second = post(v2, uid, study)
    assert_metadata(v2.metadata(study_path(first), tag), first, second)


@METADATA_BULK_DATA
def test_given_study_metadata_when_instance_deleted_and_previous_etag_used_then_new_metadata(v2, uid):
    """GivenRetrieveStudyMetadataRequest_WhenInstanceIsDeletedInStudyAndPreviousETagIsUsed_ThenResponseMetadataIsReturnedWithNewETag."""
    study = uid()
    first = post(v2, uid, study, uid(), uid())
    second = post(v2, uid, study)
    tag = etag(v2.metadata(study_path(first)))
    v2.delete(instance_path(first))
    assert_metadata(v2.metadata(study_path(first), tag), second)


@METADATA_ETAG
def test_given_series_metadata_when_if_none_match_matches_etag_then_not_modified(v2, uid):
    """GivenRetrieveSeriesMetadataRequest_WhenIfNoneMatchMatchesETag_ThenNotModifiedResponseIsReturned."""
    ds = post(v2, uid, uid(), uid())
    tag = etag(v2.metadata(series_path(ds)))
    assert_not_modified(v2.metadata(series_path(ds), tag))


@METADATA_BULK_DATA
def test_given_series_metadata_when_if_none_match_does_not_match_then_metadata_with_new_etag(v2, uid):
    """GivenRetrieveSeriesMetadataRequest_WhenIfNoneMatchDoesnotMatchETag_ThenResponseMetadataIsReturnedWithNewETag."""
    study, series = uid(), uid()
    first, second = post(v2, uid, study, series), post(v2, uid, study, series)
    tag = etag(v2.metadata(series_path(first)))
    assert_metadata(v2.metadata(series_path(first), "1" + tag if tag else None), first, second)


@METADATA_BULK_DATA
def test_given_series_metadata_when_if_none_match_absent_then_metadata_with_etag(v2, uid):
    """GivenRetrieveSeriesMetadataRequest_WhenIfNoneMatchIsNotPresent_ThenResponseMetadataIsReturnedWithETag."""
    study, series = uid(), uid()
    first, second = post(v2, uid, study, series), post(v2, uid, study, series)
    assert_metadata(v2.metadata(series_path(first)), first, second)


@METADATA_BULK_DATA
def test_given_series_metadata_when_series_updated_and_previous_etag_used_then_new_metadata(v2, uid):
    """GivenRetrieveSeriesMetadataRequest_WhenSeriesIsUpdatedAndPreviousETagIsUsed_ThenResponseMetadataIsReturnedWithNewETag."""
    study, series = uid(), uid()
    first = post(v2, uid, study, series)
    tag = etag(v2.metadata(series_path(first)))
    second = post(v2, uid, study, series)
    assert_metadata(v2.metadata(series_path(first), tag), first, second)


@METADATA_BULK_DATA
def test_given_series_metadata_when_instance_deleted_and_previous_etag_used_then_new_metadata(v2, uid):
    """GivenRetrieveSeriesMetadataRequest_WhenInstanceIsDeletedInSeriesAndPreviousETagIsUsed_ThenResponseMetadataIsReturnedWithNewETag."""
    study, series = uid(), uid()
    first = post(v2, uid, study, series, uid())
    second = post(v2, uid, study, series)
    tag = etag(v2.metadata(series_path(first)))
    v2.delete(instance_path(first))
    assert_metadata(v2.metadata(series_path(first), tag), second)


@METADATA_ETAG
def test_given_instance_metadata_when_if_none_match_matches_etag_then_not_modified(v2, uid):
    """GivenRetrieveInstanceMetadataRequest_WhenIfNoneMatchMatchesETag_ThenNotModifiedResponseIsReturned."""
    ds = post(v2, uid, uid(), uid(), uid())
    tag = etag(v2.metadata(instance_path(ds)))
    assert_not_modified(v2.metadata(instance_path(ds), tag))


@METADATA_BULK_DATA
def test_given_instance_metadata_when_if_none_match_does_not_match_then_metadata_with_new_etag(v2, uid):
    """GivenRetrieveInstanceMetadataRequest_WhenIfNoneMatchDoesnotMatchETag_ThenResponseMetadataIsReturnedWithNewETag:
    as in the C# test, the ETag is taken from the series metadata (asked with the SOP Instance UID as its
    If-None-Match), then "1" + it is sent for the instance."""
    ds = post(v2, uid, uid(), uid(), uid())
    tag = etag(v2.metadata(series_path(ds), ds.SOPInstanceUID))
    assert_metadata(v2.metadata(instance_path(ds), "1" + tag if tag else None), ds)


@METADATA_BULK_DATA
def test_given_instance_metadata_when_if_none_match_absent_then_metadata_with_etag(v2, uid):
    """GivenRetrieveInstanceMetadataRequest_WhenIfNoneMatchIsNotPresent_ThenResponseMetadataIsReturnedWithETag."""
    ds = post(v2, uid, uid(), uid(), uid())
    assert_metadata(v2.metadata(instance_path(ds)), ds)
