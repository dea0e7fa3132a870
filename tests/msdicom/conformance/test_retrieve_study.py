"""RetrieveTransactionResourceTests.Study.cs (the C# fixture's client is Latest: /v2)."""

from __future__ import annotations

import pytest

from tests.msdicom.conformance.conftest import study_path
from tests.msdicom.conformance.retrieve_common import (
    TRANSCODING_ROWS,
    UNSUPPORTED_FOR_STUDIES_AND_SERIES,
    assert_multipart_of,
    mixed_transfer_syntaxes,
    retrieved,
    transcoder_case,
)
from tests.msdicom.conformance.samples import EXPLICIT, eight_bit_image, part10, random_instance


@pytest.mark.parametrize("folder,transfer_syntax", TRANSCODING_ROWS)
def test_given_supported_accept_headers_when_retrieve_study_then_expected_content(v2, uid, folder, transfer_syntax):
    """GivenSupportedAcceptHeaders_WhenRetrieveStudy_ThenServerShouldReturnExpectedContent, its four rows."""
    given, expected = transcoder_case(folder, uid)
    v2.store_one(given)
    assert_multipart_of(v2.retrieve(study_path(given), transfer_syntax), expected)


@pytest.mark.parametrize("accept", UNSUPPORTED_FOR_STUDIES_AND_SERIES)
def test_given_unsupported_accept_headers_when_retrieve_study_then_not_acceptable(v2, uid, accept):
    """GivenUnsupportedAcceptHeaders_WhenRetrieveStudy_ThenServerShouldReturnNotAcceptable, its three rows: the
    study does not exist, the Accept is judged first."""
    assert v2.get(f"/studies/{uid()}", accept).status_code == 406


def test_given_multiple_instances_when_retrieve_study_then_expected_instances(v2, uid):
    """GivenMultipleInstances_WhenRetrieveStudy_ThenServerShouldReturnExpectedInstances: two of the three files
    are in the study; the C# default transfer syntax "*" returns them as stored."""
    study = uid()
    files = [eight_bit_image(uid, study, uid()), eight_bit_image(uid, study, uid()), eight_bit_image(uid, uid(), uid())]
    v2.store_many(files)
    assert sorted(retrieved(v2.retrieve(f"/studies/{study}"))) == sorted(part10(ds) for ds in files[:2])


def test_given_mixed_transfer_syntaxes_when_retrieve_study_then_not_acceptable(v2, uid):
    """GivenMultipleInstancesWithMixTransferSyntax_WhenRetrieveStudy_ThenServerShouldReturnNotAcceptable."""
    study = uid()
    v2.store_many(mixed_transfer_syntaxes(uid, study, uid))
    assert v2.retrieve(f"/studies/{study}", EXPLICIT).status_code == 406


def test_given_mixed_transfer_syntaxes_when_retrieve_study_as_stored_then_original_contents(v2, uid):
    """GivenMultipleInstancesWithMixTransferSyntax_WhenRetrieveStudyWithOriginalTransferSyntax_ThenServerShouldReturnOrignialContents."""
    study = uid()
    files = mixed_transfer_syntaxes(uid, study, uid)
    v2.store_many(files)
    assert sorted(retrieved(v2.retrieve(f"/studies/{study}", "*"))) == sorted(part10(ds) for ds in files)


def test_given_non_existing_study_when_retrieve_study_then_not_found(v2, uid):
    """GivenNonExistingStudy_WhenRetrieveStudy_ThenServerShouldReturnNotFound."""
    assert v2.retrieve(f"/studies/{uid()}").status_code == 404


def test_given_instance_without_pixel_data_when_retrieve_study_then_expected_content(v2, uid):
    """GivenInstanceWithoutPixelData_WhenRetrieveStudy_ThenThenServerShouldReturnExpectedContent."""
    ds = random_instance(uid, study=uid())
    v2.store_one(ds)
    assert retrieved(v2.retrieve(study_path(ds), "*")) == [part10(ds)]
