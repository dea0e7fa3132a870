"""RetrieveTransactionResourceTests.Frame.cs (the C# fixture's client is Latest: /v2)."""

from __future__ import annotations

import io

import pytest

from tests.msdicom.conformance.conftest import instance_path, parts, single_accept
from tests.msdicom.conformance.retrieve_common import EXPLICIT_TO_J2K, J2K_TO_EXPLICIT, ORIGINAL, transcoder_case
from tests.msdicom.conformance.samples import (
    EXPLICIT,
    HEVC_MAIN10,
    J2K,
    eight_bit_image,
    frame_bytes,
    jpeg_baseline,
    part10,
    random_file_with_pixels,
    read,
    rgb_image,
)

OCTET = "application/octet-stream"
JP2 = "image/jp2"


def decoded(codestream: bytes, like):
    """The pixels of a JPEG 2000 frame (the C# test compares fo-dicom's own encoding byte for byte; another
    encoder's bytes differ, its pixels do not)."""
    from openjpeg import decode

    return decode(io.BytesIO(codestream)).reshape(like.shape)


@pytest.mark.parametrize(
    "folder,media_type,transfer_syntax",
    [
        (J2K_TO_EXPLICIT, OCTET, None),
        (J2K_TO_EXPLICIT, OCTET, EXPLICIT),
        (ORIGINAL, OCTET, "*"),
        (EXPLICIT_TO_J2K, JP2, None),
        (EXPLICIT_TO_J2K, JP2, J2K),
    ],
)
def test_given_supported_accept_headers_when_retrieve_frame_then_expected_content(
    v2, uid, folder, media_type, transfer_syntax
):
    """GivenSupportedAcceptHeaders_WhenRetrieveFrame_ThenServerShouldReturnExpectedContent, its five rows: frame
    1 as the expected file holds it."""
    given, expected = transcoder_case(folder, uid)
    v2.store_one(given)
    response = v2.retrieve_frames(instance_path(given), [1], media_type, transfer_syntax)
    assert response.status_code == 200
    frames = parts(response)
    assert len(frames) == 1
    if media_type == JP2:
        assert (decoded(frames[0][1], expected.pixel_array) == expected.pixel_array).all()
    else:
        assert frames[0][1] == frame_bytes(expected)


def test_given_unsupported_transfer_syntax_when_retrieve_frame_as_stored_then_original_content(v2, uid):
    """GivenUnsupportedTransferSyntax_WhenRetrieveFrameWithOriginalTransferSyntax_ThenOriginalContentReturned:
    an HEVC fragment comes back as it is."""
    ds = eight_bit_image(uid, uid(), uid(), uid(), transfer_syntax=HEVC_MAIN10)
    v2.store_one(ds)
    response = v2.retrieve_frames(instance_path(ds), [1], transfer_syntax="*")
    assert [content for _, content in parts(response)] == [frame_bytes(read(part10(ds)))]


def test_given_any_media_type_when_retrieve_frame_as_stored_then_original_content(v2, uid):
    """GivenAnyMediaType_WhenRetrieveFrameWithOriginalTransferSyntax_ThenOriginalContentReturned: type="*/*"."""
    ds = eight_bit_image(uid, uid(), uid(), uid())
    v2.store_one(ds)
    response = v2.retrieve_frames(instance_path(ds), [1], media_type="*/*")
    assert response.status_code == 200
    assert [content for _, content in parts(response)] == [frame_bytes(ds)]


def test_given_unsupported_transfer_syntax_when_retrieve_frame_then_not_acceptable(v2, uid):
    """GivenUnsupportedTransferSyntax_WhenRetrieveFrame_ThenServerShouldReturnNotAcceptable: HEVC to JPEG 2000."""
    ds = eight_bit_image(uid, uid(), uid(), uid(), transfer_syntax=HEVC_MAIN10)
    v2.store_one(ds)
    assert v2.retrieve_frames(instance_path(ds), [1], transfer_syntax=J2K).status_code == 406


def test_given_multiple_frames_when_retrieve_frame_then_expected_content(v2, uid):
    """GivenMultipleFrames_WhenRetrieveFrame_ThenServerShouldReturnExpectedContent: frames 1 and 2 of 3."""
    ds = random_file_with_pixels(uid, study=uid(), frames=3)
    v2.store_one(ds)
    response = v2.retrieve_frames(instance_path(ds), [1, 2], transfer_syntax="*")
    assert response.status_code == 200
    assert response.mimetype == "multipart/related"
    assert [content for _, content in parts(response)] == [frame_bytes(ds, 0), frame_bytes(ds, 1)]


def test_given_instance_with_frames_when_retrieve_single_part_one_frame_then_expected_content(v2, uid):
    """GivenInstanceWithFrames_WhenRetrieveSinglePartOneFrame_ThenServerShouldReturnExpectedContent:
    RetrieveSingleFrameAsync, Accept application/octet-stream;transfer-syntax="*"."""
    ds = random_file_with_pixels(uid, study=uid(), frames=3)
    v2.store_one(ds)
    response = v2.get(instance_path(ds) + "/frames/1", single_accept(OCTET, "*"))
    assert response.status_code == 200
    assert response.mimetype == OCTET
    assert response.get_data()


def test_given_non_existing_frames_when_retrieve_frame_then_not_found(v2, uid):
    """GivenNonExistingFrames_WhenRetrieveFrame_ThenServerShouldReturnNotFound: frame 4 of 2."""
    ds = random_file_with_pixels(uid, frames=2)
    v2.store_one(ds)
    assert v2.retrieve_frames(instance_path(ds), [4], transfer_syntax="*").status_code == 404


@pytest.mark.parametrize("frames", [[0], [-1], [1, -1], [0, 1]], ids=["0", "-1", "1,-1", "0,1"])
def test_given_invalid_frames_when_retrieving_frame_then_bad_request(v2, uid, frames):
    """GivenInvalidFrames_WhenRetrievingFrame_TheServerShouldReturnBadRequest, rows (0), (-1), (1, -1), (0, 1)."""
    path = f"/studies/{uid()}/series/{uid()}/instances/{uid()}"
    assert v2.retrieve_frames(path, frames, transfer_syntax="*").status_code == 400


def test_given_pathology_file_with_original_get_then_successful(v2, uid):
    """GivenPathologyFile_WithOriginalGet_IsSuccessful: the C# Resources/layer9.dcm, a VL Whole Slide Microscopy
    level of one RGB frame in JPEG baseline (512x512 there, 32x32 here), with its UIDs; frame 1 as stored."""
    study, series, sop = "1.2.3.4.3", "1.2.3.4.3.9423673", "1.3.6.1.4.1.45096.10.296485376.2210.1633373144.864450"
    ds = jpeg_baseline(rgb_image(uid))
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID = study, series, sop
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.77.1.6"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "VOLUME", "RESAMPLED"]
    v2.store_one(ds)
    try:
        assert v2.retrieve_frames(instance_path(ds), [1]).status_code == 200
    finally:
        v2.delete(instance_path(ds))
