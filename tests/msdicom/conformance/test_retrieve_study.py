"""RetrieveTransactionResourceTests.Study.cs (the C# fixture's client is Latest: /v2)."""
from __future__ import annotations

import pytest

from tests.msdicom.conformance.conftest import (
    ACCEPT_BEFORE_EXISTENCE,
    EXPLICIT_TO_J2K,
    J2K_TO_EXPLICIT,
    ORIGINAL,
    TO_JPEG2000,
    TRANSCODE_KEEPS_SOP_UID,
    assert_same_file,
    files_of,
    study_path,
    transcoder_case,
)
from tests.msdicom.conformance.samples import EXPLICIT, J2K, MPEG2, eight_bit_image, part10, random_instance

# RetrieveTransactionResourceTests.GetUnsupportedAcceptHeadersForStudiesAndSeries
UNSUPPORTED = [
    pytest.param('application/dicom;transfer-syntax="*"', id="single-part application/dicom"),
    pytest.param('multipart/related; type="application/octet-stream";transfer-syntax="*"', id="octet-stream"),
    pytest.param(f'multipart/related; type="application/dicom";transfer-syntax="{MPEG2}"', id="MPEG2",
                 marks=ACCEPT_BEFORE_EXISTENCE),
]


@pytest.mark.parametrize("folder,transfer_syntax", [
    (ORIGINAL, "*"), pytest.param(J2K_TO_EXPLICIT, None, marks=TRANSCODE_KEEPS_SOP_UID),
    pytest.param(J2K_TO_EXPLICIT, EXPLICIT, marks=TRANSCODE_KEEPS_SOP_UID),
    pytest.param(EXPLICIT_TO_J2K, J2K, marks=TO_JPEG2000)])
def test_given_supported_accept_headers_when_retrieve_study_then_expected_content(v2, uid, folder,
                                                                                 transfer_syntax):
    """GivenSupportedAcceptHeaders_WhenRetrieveStudy_ThenServerShouldReturnExpectedContent, its four rows."""
    given, expected = transcoder_case(folder, uid)
    v2.store_one(given)
    response = v2.retrieve(study_path(given), transfer_syntax)
    assert response.status_code == 200
    assert response.mimetype == "multipart/related"
    for actual in files_of(response):
        assert_same_file(expected, actual)


@pytest.mark.parametrize("accept", UNSUPPORTED)
def test_given_unsupported_accept_headers_when_retrieve_study_then_not_acceptable(v2, uid, accept):
    """GivenUnsupportedAcceptHeaders_WhenRetrieveStudy_ThenServerShouldReturnNotAcceptable, its three rows: the
    study does not exist, the Accept is judged first."""
    assert v2.get(f"/studies/{uid()}", accept).status_code == 406


def test_given_multiple_instances_when_retrieve_study_then_expected_instances(v2, uid):
    """GivenMultipleInstances_WhenRetrieveStudy_ThenServerShouldReturnExpectedInstances: two of the three files
    are in the study; the C# default transfer syntax "*" returns them as stored."""
    study, other = uid(), uid()
    files = [eight_bit_image(uid, study, uid()), eight_bit_image(uid, study, uid()), eight_bit_image(uid, other, uid())]
    v2.store_many(files)
    response = v2.retrieve(f"/studies/{study}")
    got = [part10(ds) for ds in files_of(response)]
    assert len(got) == 2
    assert part10(files[0]) in got and part10(files[1]) in got


def test_given_mixed_transfer_syntaxes_when_retrieve_study_then_not_acceptable(v2, uid):
    """GivenMultipleInstancesWithMixTransferSyntax_WhenRetrieveStudy_ThenServerShouldReturnNotAcceptable."""
    study = uid()
    v2.store_many([eight_bit_image(uid, study, uid()), eight_bit_image(uid, study, uid(), transfer_syntax=MPEG2)])
    assert v2.retrieve(f"/studies/{study}", EXPLICIT).status_code == 406


def test_given_mixed_transfer_syntaxes_when_retrieve_study_as_stored_then_original_contents(v2, uid):
    """GivenMultipleInstancesWithMixTransferSyntax_WhenRetrieveStudyWithOriginalTransferSyntax_ThenServerShouldReturnOrignialContents."""
    study = uid()
    files = [eight_bit_image(uid, study, uid()), eight_bit_image(uid, study, uid(), transfer_syntax=MPEG2)]
    v2.store_many(files)
    got = [part10(ds) for ds in files_of(v2.retrieve(f"/studies/{study}", "*"))]
    assert len(got) == 2
    assert all(part10(ds) in got for ds in files)


def test_given_non_existing_study_when_retrieve_study_then_not_found(v2, uid):
    """GivenNonExistingStudy_WhenRetrieveStudy_ThenServerShouldReturnNotFound."""
    assert v2.retrieve(f"/studies/{uid()}").status_code == 404


def test_given_instance_without_pixel_data_when_retrieve_study_then_expected_content(v2, uid):
    """GivenInstanceWithoutPixelData_WhenRetrieveStudy_ThenThenServerShouldReturnExpectedContent."""
    ds = random_instance(uid, study=uid())
    v2.store_one(ds)
    response = v2.retrieve(study_path(ds), "*")
    assert [part10(got) for got in files_of(response)] == [part10(ds)]
