"""RetrieveTransactionResourceTests.Instance.cs (the C# fixture's client is Latest: /v2)."""

from __future__ import annotations

import pytest

from tests.msdicom.conformance.conftest import (
    body_json,
    instance_path,
    multipart_accept,
    single_accept,
)
from tests.msdicom.conformance.retrieve_common import (
    J2K_TO_EXPLICIT,
    ORIGINAL,
    TRANSCODING_ROWS,
    assert_same_file,
    transcoder_case,
)
from tests.msdicom.conformance.samples import (
    EXPLICIT,
    MPEG2,
    eight_bit_image,
    part10,
    random_file_with_pixels,
    random_instance,
    raw_text,
    read,
)


@pytest.mark.parametrize("folder,transfer_syntax", TRANSCODING_ROWS)
def test_given_single_part_accept_when_retrieve_instance_then_expected_content(v2, uid, folder, transfer_syntax):
    """GivenSinglePartAcceptHeader_WhenRetrieveInstance_ThenServerShouldReturnExpectedContent, its four rows."""
    given, expected = transcoder_case(folder, uid)
    v2.store_one(given)
    response = v2.retrieve_instance(instance_path(given), transfer_syntax)
    assert response.status_code == 200
    assert response.mimetype == "application/dicom"
    assert_same_file(expected, read(response.get_data()))


@pytest.mark.parametrize(
    "folder,transfer_syntax", [(ORIGINAL, "*"), (J2K_TO_EXPLICIT, None), (J2K_TO_EXPLICIT, EXPLICIT)]
)
def test_given_multipart_accept_when_retrieve_instance_then_ok(v2, uid, folder, transfer_syntax):
    """GivenMultipartAcceptHeader_WhenRetrieveInstance_ThenServerShouldReturnExpectedContent, its three rows
    (GetAcceptHeadersForInstances)."""
    given, _ = transcoder_case(folder, uid)
    v2.store_many([given])
    response = v2.get(instance_path(given), multipart_accept("application/dicom", transfer_syntax))
    assert response.status_code == 200


@pytest.mark.parametrize(
    "accept",
    [
        pytest.param('application/octet-stream;transfer-syntax="*"', id="octet-stream"),
        pytest.param(f'application/dicom;transfer-syntax="{MPEG2}"', id="MPEG2"),
    ],
)
def test_given_unsupported_accept_headers_when_retrieve_instance_then_not_acceptable(v2, uid, accept):
    """GivenUnsupportedAcceptHeaders_WhenRetrieveInstance_ThenServerShouldReturnNotAcceptable, its two rows
    (GeUnsupportedAcceptHeadersForInstances), on an instance that does not exist."""
    assert v2.get(f"/studies/{uid()}/series/{uid()}/instances/{uid()}", accept).status_code == 406


def test_given_unsupported_internal_transfer_syntax_when_retrieve_instance_then_not_acceptable(v2, uid):
    """GivenUnsupportedInternalTransferSyntax_WhenRetrieveInstance_ThenServerShouldReturnNotAcceptable: MPEG2
    cannot be decoded."""
    ds = eight_bit_image(uid, uid(), uid(), uid(), transfer_syntax=MPEG2)
    v2.store_many([ds])
    assert v2.retrieve_instance(instance_path(ds), EXPLICIT).status_code == 406


def test_given_unsupported_internal_transfer_syntax_when_retrieve_instance_as_stored_then_original(v2, uid):
    """GivenUnsupportedInternalTransferSyntax_WhenRetrieveInstanceWithOriginalTransferSyntax_ThenServerShouldReturnOriginalContent."""
    ds = eight_bit_image(uid, uid(), uid(), uid(), transfer_syntax=MPEG2)
    v2.store_many([ds])
    assert v2.retrieve_instance(instance_path(ds), "*").get_data() == part10(ds)


def test_given_non_existing_instance_when_retrieve_instance_then_not_found(v2, uid):
    """GivenNonExistingInstance_WhenRetrieveInstance_ThenServerShouldReturnNotFound."""
    assert v2.retrieve_instance(f"/studies/{uid()}/series/{uid()}/instances/{uid()}").status_code == 404


def test_given_instance_without_pixel_data_when_retrieve_instance_then_expected_content(v2, uid):
    """GivenInstanceWithoutPixelData_WhenRetrieveInstance_ThenServerShouldReturnExpectedContent."""
    ds = random_instance(uid, uid(), uid(), uid())
    v2.store_many([ds])
    assert v2.retrieve_instance(instance_path(ds), "*").get_data() == part10(ds)


@pytest.mark.parametrize(
    "query_padding,save_padding",
    [
        (" ", " "),
        ("", " "),
        (" ", ""),
        ("     ", " "),
    ],
)
def test_given_padded_study_uid_when_retrieve_instance_then_expected_content(v2, uid, query_padding, save_padding):
    """GivenInstanceWithPaddedStudyInstanceUID_WhenRetrieveInstance_ThenServerShouldReturnExpectedContent, rows
    (" ", " "), ("", " "), (" ", ""), ("     ", " "): stored with or without a trailing space, found with or
    without trailing spaces in the path, and returned as stored."""
    study = uid()
    ds = random_instance(uid, study=study + save_padding, series=uid(), sop=uid())
    v2.store_many([ds])
    response = v2.retrieve_instance(
        f"/studies/{study + query_padding}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}", "*"
    )
    assert response.status_code == 200
    got = raw_text(read(response.get_data()), "StudyInstanceUID")
    assert got == study + save_padding
    assert got.rstrip() == (study + query_padding).rstrip()


def test_given_existing_instance_when_retrieving_instance_metadata_and_frame_then_expected_content(v2, uid):
    """GivenExistingInstance_WhenRetrievingInstanceAndMetadataAndFrame_ThenServerShouldReturnExpectedContent: the
    C# test's fixed UIDs, stored if not there yet."""
    study, series, sop = (
        "2.25.81807007645997311198377430799026916602",
        "2.25.250753924732793947834686260446683374093",
        "2.25.107991042123998946672148230267983649341",
    )
    ds = random_file_with_pixels(uid, study, series, sop)
    if v2.retrieve_instance(instance_path(ds), "*").status_code == 404:
        v2.store_one(ds)
    instance = v2.retrieve_instance(instance_path(ds), "*")
    assert instance.status_code == 200 and instance.get_data()
    metadata = v2.metadata(instance_path(ds))
    assert metadata.status_code == 200 and body_json(metadata)[0]
    frame = v2.get(instance_path(ds) + "/frames/1", single_accept("application/octet-stream", "*"))
    assert frame.status_code == 200 and frame.get_data()
