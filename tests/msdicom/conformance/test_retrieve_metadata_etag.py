"""DicomRetrieveMetadataETagTests.cs (the C# fixture's client is Latest: /v2): If-None-Match on metadata. The C#
file repeats each study test for the series; here both call one body with the level."""

from __future__ import annotations

from tests.msdicom.conformance.conftest import instance_path, series_path, study_path
from tests.msdicom.conformance.metadata_common import assert_metadata, post, two_stored


def etag(response) -> str | None:
    """GetEtagFromResponse: the ETag header, if any."""
    return response.headers.get("ETag")


def assert_not_modified(response):
    """304 and ValidateNoContent: Content-Length 0."""
    assert response.status_code == 304
    assert response.get_data() == b""
    assert response.headers.get("Content-Length", "0") == "0"


def matching_etag_is_not_modified(v2, uid, level: str):
    """...WhenIfNoneMatchMatchesETag_ThenNotModifiedResponseIsReturned (one instance stored)."""
    ds = post(v2, uid, uid(), uid() if level == "series" else None)
    path = series_path(ds) if level == "series" else study_path(ds)
    assert_not_modified(v2.metadata(path, etag(v2.metadata(path))))


def other_etag_gives_metadata(v2, uid, level: str):
    """...WhenIfNoneMatchDoesnotMatchETag_ThenResponseMetadataIsReturnedWithNewETag: "1" + the ETag."""
    first, second, path = two_stored(v2, uid, level)
    tag = etag(v2.metadata(path))
    assert_metadata(v2.metadata(path, "1" + tag if tag else None), first, second)


def no_if_none_match_gives_metadata(v2, uid, level: str):
    """...WhenIfNoneMatchIsNotPresent_ThenResponseMetadataIsReturnedWithETag."""
    first, second, path = two_stored(v2, uid, level)
    assert_metadata(v2.metadata(path), first, second)


def etag_before_a_new_instance_gives_metadata(v2, uid, level: str):
    """...When{Study,Series}IsUpdatedAndPreviousETagIsUsed_ThenResponseMetadataIsReturnedWithNewETag."""
    study, series = uid(), (uid() if level == "series" else None)
    first = post(v2, uid, study, series)
    path = series_path(first) if series else study_path(first)
    tag = etag(v2.metadata(path))
    second = post(v2, uid, study, series)
    assert_metadata(v2.metadata(path, tag), first, second)


def etag_before_a_deletion_gives_metadata(v2, uid, level: str):
    """...WhenInstanceIsDeletedIn{Study,Series}AndPreviousETagIsUsed_ThenResponseMetadataIsReturnedWithNewETag."""
    study, series = uid(), (uid() if level == "series" else None)
    first = post(v2, uid, study, series or uid(), uid())
    second = post(v2, uid, study, series)
    path = series_path(first) if series else study_path(first)
    tag = etag(v2.metadata(path))
    v2.delete(instance_path(first))
    assert_metadata(v2.metadata(path, tag), second)


def test_given_study_metadata_when_if_none_match_matches_etag_then_not_modified(v2, uid):
    """GivenRetrieveStudyMetadataRequest_WhenIfNoneMatchMatchesETag_ThenNotModifiedResponseIsReturned."""
    matching_etag_is_not_modified(v2, uid, "study")


def test_given_study_metadata_when_if_none_match_does_not_match_then_metadata_with_new_etag(v2, uid):
    """GivenRetrieveStudyMetadataRequest_WhenIfNoneMatchDoesnotMatchETag_ThenResponseMetadataIsReturnedWithNewETag."""
    other_etag_gives_metadata(v2, uid, "study")


def test_given_study_metadata_when_if_none_match_absent_then_metadata_with_etag(v2, uid):
    """GivenRetrieveStudyMetadataRequest_WhenIfNoneMatchIsNotPresent_ThenResponseMetadataIsReturnedWithETag."""
    no_if_none_match_gives_metadata(v2, uid, "study")


def test_given_study_metadata_when_study_updated_and_previous_etag_used_then_new_metadata(v2, uid):
    """GivenRetrieveStudyMetadataRequest_WhenStudyIsUpdatedAndPreviousETagIsUsed_ThenResponseMetadataIsReturnedWithNewETag."""
    etag_before_a_new_instance_gives_metadata(v2, uid, "study")


def test_given_study_metadata_when_instance_deleted_and_previous_etag_used_then_new_metadata(v2, uid):
    """GivenRetrieveStudyMetadataRequest_WhenInstanceIsDeletedInStudyAndPreviousETagIsUsed_ThenResponseMetadataIsReturnedWithNewETag."""
    etag_before_a_deletion_gives_metadata(v2, uid, "study")


def test_given_series_metadata_when_if_none_match_matches_etag_then_not_modified(v2, uid):
    """GivenRetrieveSeriesMetadataRequest_WhenIfNoneMatchMatchesETag_ThenNotModifiedResponseIsReturned."""
    matching_etag_is_not_modified(v2, uid, "series")


def test_given_series_metadata_when_if_none_match_does_not_match_then_metadata_with_new_etag(v2, uid):
    """GivenRetrieveSeriesMetadataRequest_WhenIfNoneMatchDoesnotMatchETag_ThenResponseMetadataIsReturnedWithNewETag."""
    other_etag_gives_metadata(v2, uid, "series")


def test_given_series_metadata_when_if_none_match_absent_then_metadata_with_etag(v2, uid):
    """GivenRetrieveSeriesMetadataRequest_WhenIfNoneMatchIsNotPresent_ThenResponseMetadataIsReturnedWithETag."""
    no_if_none_match_gives_metadata(v2, uid, "series")


def test_given_series_metadata_when_series_updated_and_previous_etag_used_then_new_metadata(v2, uid):
    """GivenRetrieveSeriesMetadataRequest_WhenSeriesIsUpdatedAndPreviousETagIsUsed_ThenResponseMetadataIsReturnedWithNewETag."""
    etag_before_a_new_instance_gives_metadata(v2, uid, "series")


def test_given_series_metadata_when_instance_deleted_and_previous_etag_used_then_new_metadata(v2, uid):
    """GivenRetrieveSeriesMetadataRequest_WhenInstanceIsDeletedInSeriesAndPreviousETagIsUsed_ThenResponseMetadataIsReturnedWithNewETag."""
    etag_before_a_deletion_gives_metadata(v2, uid, "series")


def test_given_instance_metadata_when_if_none_match_matches_etag_then_not_modified(v2, uid):
    """GivenRetrieveInstanceMetadataRequest_WhenIfNoneMatchMatchesETag_ThenNotModifiedResponseIsReturned."""
    ds = post(v2, uid, uid(), uid(), uid())
    assert_not_modified(v2.metadata(instance_path(ds), etag(v2.metadata(instance_path(ds)))))


def test_given_instance_metadata_when_if_none_match_does_not_match_then_metadata_with_new_etag(v2, uid):
    """GivenRetrieveInstanceMetadataRequest_WhenIfNoneMatchDoesnotMatchETag_ThenResponseMetadataIsReturnedWithNewETag:
    as in the C# test, the ETag is taken from the series metadata (asked with the SOP Instance UID as its
    If-None-Match), then "1" + it is sent for the instance."""
    ds = post(v2, uid, uid(), uid(), uid())
    tag = etag(v2.metadata(series_path(ds), ds.SOPInstanceUID))
    assert_metadata(v2.metadata(instance_path(ds), "1" + tag if tag else None), ds)


def test_given_instance_metadata_when_if_none_match_absent_then_metadata_with_etag(v2, uid):
    """GivenRetrieveInstanceMetadataRequest_WhenIfNoneMatchIsNotPresent_ThenResponseMetadataIsReturnedWithETag."""
    ds = post(v2, uid, uid(), uid(), uid())
    assert_metadata(v2.metadata(instance_path(ds)), ds)
