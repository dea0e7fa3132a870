"""What the RetrieveTransactionResourceTests partial classes share: RetrieveTransactionResourceTests.Common.cs
and the rows the Study, Series, Instance and Frame files repeat."""

from __future__ import annotations

import pydicom
import pytest

from tests.msdicom.conformance.conftest import files_of
from tests.msdicom.conformance.samples import EXPLICIT, J2K, MPEG2, as_jpeg2000, eight_bit_image, part10, rgb_image

# RetrieveTransactionResourceTests.Common: the three TestFiles folders, made small (32x32 RGB in place of 256x256)
ORIGINAL = "RequestOriginalContent"
J2K_TO_EXPLICIT = "FromJPEG2000LosslessToExplicitVRLittleEndian"
EXPLICIT_TO_J2K = "FromExplicitVRLittleEndianToJPEG2000Lossless"
IGNORED_IN_COMPARISON = {0x00020000, 0x00020012, 0x00020013, 0x0020000D, 0x0020000E, 0x00080018}


def transcoder_case(folder: str, uid) -> tuple[pydicom.Dataset, pydicom.Dataset]:
    """(Input.dcm, ExpectedOutput.dcm) of a TestFiles folder, with fresh UIDs (RandomizeInstanceIdentifier)."""
    native = rgb_image(uid)
    compressed = as_jpeg2000(native)
    return {
        ORIGINAL: (compressed, compressed),
        J2K_TO_EXPLICIT: (compressed, native),
        EXPLICIT_TO_J2K: (native, compressed),
    }[folder]


def assert_same_file(expected: pydicom.Dataset, actual: pydicom.Dataset):
    """DicomFileEqualityComparer with the suite's ignored set (group length, implementation UID and name, the
    three instance UIDs). Pixel data compressed by another JPEG 2000 encoder than fo-dicom's differs in bytes, so
    a JPEG 2000 answer is compared by its decoded pixels; a native one byte for byte."""
    assert actual.file_meta.TransferSyntaxUID == expected.file_meta.TransferSyntaxUID
    for elem in list(expected.file_meta) + list(expected):
        if elem.tag in IGNORED_IN_COMPARISON or elem.tag == 0x7FE00010:
            continue
        assert elem.tag in actual or elem.tag in actual.file_meta, elem
        got = actual.file_meta[elem.tag] if elem.tag.group == 2 else actual[elem.tag]
        assert got.value == elem.value, (elem, got)
    assert len(actual) == len(expected)
    if expected.file_meta.TransferSyntaxUID.is_encapsulated:
        assert (actual.pixel_array == expected.pixel_array).all()
    else:
        assert actual.PixelData == expected.PixelData


# The InlineData rows of GivenSupportedAcceptHeaders_WhenRetrieve{Study,Series} and
# GivenSinglePartAcceptHeader_WhenRetrieveInstance: (TestFiles folder, transfer syntax asked for)
TRANSCODING_ROWS = [
    (ORIGINAL, "*"),
    (J2K_TO_EXPLICIT, None),
    (J2K_TO_EXPLICIT, EXPLICIT),
    (EXPLICIT_TO_J2K, J2K),
]

# GetUnsupportedAcceptHeadersForStudiesAndSeries: single part, octet-stream, MPEG2
UNSUPPORTED_FOR_STUDIES_AND_SERIES = [
    pytest.param('application/dicom;transfer-syntax="*"', id="single-part application/dicom"),
    pytest.param('multipart/related; type="application/octet-stream";transfer-syntax="*"', id="octet-stream"),
    pytest.param(f'multipart/related; type="application/dicom";transfer-syntax="{MPEG2}"', id="MPEG2"),
]


def assert_multipart_of(response, expected: pydicom.Dataset):
    """200, multipart/related, and every part the expected file."""
    assert response.status_code == 200
    assert response.mimetype == "multipart/related"
    for actual in files_of(response):
        assert_same_file(expected, actual)


def retrieved(response) -> list[bytes]:
    """The parts of a multipart answer, as PS3.10 bytes."""
    return [part10(ds) for ds in files_of(response)]


def mixed_transfer_syntaxes(uid, study: str, series) -> list[pydicom.Dataset]:
    """The two files of the ...WithMixTransferSyntax tests: explicit VR little endian, and MPEG2 not encoded;
    `series` gives each its series UID."""
    return [eight_bit_image(uid, study, series()), eight_bit_image(uid, study, series(), transfer_syntax=MPEG2)]
