"""RetrieveTransactionResourceTests.Series.cs (the C# fixture's client is Latest: /v2)."""

from __future__ import annotations

import pytest

from tests.msdicom.conformance.conftest import parts, series_path
from tests.msdicom.conformance.retrieve_common import (
    TRANSCODING_ROWS,
    UNSUPPORTED_FOR_STUDIES_AND_SERIES,
    assert_multipart_of,
    mixed_transfer_syntaxes,
    retrieved,
    transcoder_case,
)
from tests.msdicom.conformance.samples import EXPLICIT, MPEG2, eight_bit_image, part10, random_instance


@pytest.mark.parametrize("folder,transfer_syntax", TRANSCODING_ROWS)
def test_given_supported_accept_headers_when_retrieve_series_then_expected_content(v2, uid, folder, transfer_syntax):
    """GivenSupportedAcceptHeaders_WhenRetrieveSeries_ThenServerShouldReturnExpectedContent, its four rows (the
    file stored in a multipart body)."""
    given, expected = transcoder_case(folder, uid)
    v2.store_many([given])
    assert_multipart_of(v2.retrieve(series_path(given), transfer_syntax), expected)


@pytest.mark.parametrize("accept", UNSUPPORTED_FOR_STUDIES_AND_SERIES)
def test_given_unsupported_accept_headers_when_retrieve_series_then_not_acceptable(v2, uid, accept):
    """GivenUnsupportedAcceptHeaders_WhenRetrieveSeries_ThenServerShouldReturnNotAcceptable, its three rows, on a
    series that does not exist."""
    assert v2.get(f"/studies/{uid()}/series/{uid()}", accept).status_code == 406


def test_given_multiple_instances_when_retrieve_series_then_expected_instances(v2, uid):
    """GivenMultipleInstances_WhenRetrieveSeries_ThenServerShouldReturnExpectedInstances: two of the three files
    (same study) are in the series."""
    study, series = uid(), uid()
    files = [
        eight_bit_image(uid, study, series),
        eight_bit_image(uid, study, series),
        eight_bit_image(uid, study, uid()),
    ]
    v2.store_many(files)
    got = retrieved(v2.retrieve(f"/studies/{study}/series/{series}"))
    assert sorted(got) == sorted(part10(ds) for ds in files[:2])


def test_given_mixed_transfer_syntaxes_when_retrieve_series_then_not_acceptable(v2, uid):
    """GivenMultipleInstancesWithMixTransferSyntax_WhenRetrieveSeries_ThenServerShouldReturnNotAcceptable."""
    study, series = uid(), uid()
    v2.store_many(mixed_transfer_syntaxes(uid, study, lambda: series))
    assert v2.retrieve(f"/studies/{study}/series/{series}", EXPLICIT).status_code == 406


def test_given_mixed_transfer_syntaxes_when_retrieve_series_as_stored_then_original_contents(v2, uid):
    """GivenMultipleInstancesWithMixTransferSyntax_WhenRetrieveSeriesWithOriginalTransferSyntax_ThenServerShouldReturnOrignialContents:
    each part's Content-Type names its own transfer syntax."""
    study, series = uid(), uid()
    files = mixed_transfer_syntaxes(uid, study, lambda: series)
    v2.store_many(files)
    response = v2.retrieve(f"/studies/{study}/series/{series}", "*")
    types = [content_type for content_type, _ in parts(response)]
    assert f"application/dicom; transfer-syntax={EXPLICIT}" in types
    assert f"application/dicom; transfer-syntax={MPEG2}" in types
    assert sorted(retrieved(response)) == sorted(part10(ds) for ds in files)


def test_given_non_existing_series_when_retrieve_series_then_not_found(v2, uid):
    """GivenNonExistingSeries_WhenRetrieveSeries_ThenServerShouldReturnNotFound."""
    assert v2.retrieve(f"/studies/{uid()}/series/{uid()}").status_code == 404


def test_given_instance_without_pixel_data_when_retrieve_series_then_expected_content(v2, uid):
    """GivenInstanceWithoutPixelData_WhenRetrieveSeries_ThenServerShouldReturnExpectedContent."""
    ds = random_instance(uid, study=uid(), series=uid())
    v2.store_many([ds])
    assert retrieved(v2.retrieve(series_path(ds), "*")) == [part10(ds)]
