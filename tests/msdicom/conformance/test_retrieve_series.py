"""RetrieveTransactionResourceTests.Series.cs (the C# fixture's client is Latest: /v2)."""
from __future__ import annotations

import pytest

from tests.msdicom.conformance.conftest import (
    EXPLICIT_TO_J2K,
    J2K_TO_EXPLICIT,
    ORIGINAL,
    TO_JPEG2000,
    TRANSCODE_KEEPS_SOP_UID,
    assert_same_file,
    files_of,
    parts,
    series_path,
    transcoder_case,
)
from tests.msdicom.conformance.samples import EXPLICIT, J2K, MPEG2, eight_bit_image, part10, random_instance
from tests.msdicom.conformance.test_retrieve_study import UNSUPPORTED


@pytest.mark.parametrize("folder,transfer_syntax", [
    (ORIGINAL, "*"), pytest.param(J2K_TO_EXPLICIT, None, marks=TRANSCODE_KEEPS_SOP_UID),
    pytest.param(J2K_TO_EXPLICIT, EXPLICIT, marks=TRANSCODE_KEEPS_SOP_UID),
    pytest.param(EXPLICIT_TO_J2K, J2K, marks=TO_JPEG2000)])
def test_given_supported_accept_headers_when_retrieve_series_then_expected_content(v2, uid, folder,
                                                                                  transfer_syntax):
    """GivenSupportedAcceptHeaders_WhenRetrieveSeries_ThenServerShouldReturnExpectedContent, its four rows."""
    given, expected = transcoder_case(folder, uid)
    v2.store_many([given])
    response = v2.retrieve(series_path(given), transfer_syntax)
    assert response.status_code == 200
    assert response.mimetype == "multipart/related"
    for actual in files_of(response):
        assert_same_file(expected, actual)


@pytest.mark.parametrize("accept", UNSUPPORTED)
def test_given_unsupported_accept_headers_when_retrieve_series_then_not_acceptable(v2, uid, accept):
    """GivenUnsupportedAcceptHeaders_WhenRetrieveSeries_ThenServerShouldReturnNotAcceptable, its three rows
    (GetUnsupportedAcceptHeadersForStudiesAndSeries), on a series that does not exist."""
    assert v2.get(f"/studies/{uid()}/series/{uid()}", accept).status_code == 406


def test_given_multiple_instances_when_retrieve_series_then_expected_instances(v2, uid):
    """GivenMultipleInstances_WhenRetrieveSeries_ThenServerShouldReturnExpectedInstances."""
    study, series = uid(), uid()
    files = [eight_bit_image(uid, study, series), eight_bit_image(uid, study, series),
             eight_bit_image(uid, study, uid())]
    v2.store_many(files)
    got = [part10(ds) for ds in files_of(v2.retrieve(f"/studies/{study}/series/{series}"))]
    assert len(got) == 2
    assert part10(files[0]) in got and part10(files[1]) in got


def test_given_mixed_transfer_syntaxes_when_retrieve_series_then_not_acceptable(v2, uid):
    """GivenMultipleInstancesWithMixTransferSyntax_WhenRetrieveSeries_ThenServerShouldReturnNotAcceptable."""
    study, series = uid(), uid()
    v2.store_many([eight_bit_image(uid, study, series), eight_bit_image(uid, study, series, transfer_syntax=MPEG2)])
    assert v2.retrieve(f"/studies/{study}/series/{series}", EXPLICIT).status_code == 406


def test_given_mixed_transfer_syntaxes_when_retrieve_series_as_stored_then_original_contents(v2, uid):
    """GivenMultipleInstancesWithMixTransferSyntax_WhenRetrieveSeriesWithOriginalTransferSyntax_ThenServerShouldReturnOrignialContents:
    each part's Content-Type names its own transfer syntax."""
    study, series = uid(), uid()
    files = [eight_bit_image(uid, study, series), eight_bit_image(uid, study, series, transfer_syntax=MPEG2)]
    v2.store_many(files)
    response = v2.retrieve(f"/studies/{study}/series/{series}", "*")
    types = [content_type for content_type, _ in parts(response)]
    assert f"application/dicom; transfer-syntax={EXPLICIT}" in types
    assert f"application/dicom; transfer-syntax={MPEG2}" in types
    got = [part10(ds) for ds in files_of(response)]
    assert len(got) == 2 and all(part10(ds) in got for ds in files)


def test_given_non_existing_series_when_retrieve_series_then_not_found(v2, uid):
    """GivenNonExistingSeries_WhenRetrieveSeries_ThenServerShouldReturnNotFound."""
    assert v2.retrieve(f"/studies/{uid()}/series/{uid()}").status_code == 404


def test_given_instance_without_pixel_data_when_retrieve_series_then_expected_content(v2, uid):
    """GivenInstanceWithoutPixelData_WhenRetrieveSeries_ThenServerShouldReturnExpectedContent."""
    ds = random_instance(uid, study=uid(), series=uid())
    v2.store_many([ds])
    assert [part10(got) for got in files_of(v2.retrieve(series_path(ds), "*"))] == [part10(ds)]
