"""StoreTransactionTests.cs: the abstract class, run as its two subclasses (StoreTransactionTestsV1 on /v1,
StoreTransactionTestsLatest on /v2): the `versioned` fixture runs every test once per version."""

from __future__ import annotations

import pytest
from pydicom.dataelem import DataElement
from pydicom.tag import Tag

from tests.msdicom.conformance.conftest import (
    DICOM_JSON,
    EMPTY_MULTIPART_STOW,
    FAILED_SOP_SEQUENCE,
    REFUSED_WITHOUT_FAILED_ATTRIBUTES,
    RETRIEVE_URL,
    RETRIEVE_URL_WHEN_NOTHING_STORED,
    STUDY_MISMATCH_CODE,
    assert_failed_sop,
    assert_referenced_sop,
    body_json,
    instance_path,
    value,
)
from tests.msdicom.conformance.samples import (
    ALREADY_EXISTS,
    EXPLICIT,
    IMPLICIT,
    VALIDATION_FAILED,
    part10,
    random_file_with_pixels,
    random_instance,
    raw_text,
    read,
    set_raw,
)

EMPTY_RELATED = 'multipart/related; boundary="e2e"; type="application/dicom"'


def test_given_empty_content_when_storing_then_conflict(versioned):
    """GivenEmptyContent_WhenStoring_TheServerShouldReturnConflict: StoreAsync(Stream.Null), one empty
    application/dicom body."""
    assert versioned.store_one(b"").status_code == 409


def test_given_invalid_study_instance_uid_when_storing_then_bad_request(versioned):
    """GivenARequestWithInvalidStudyInstanceUID_WhenStoring_TheServerShouldReturnBadRequest: 65 characters."""
    assert versioned.store_many([b""], study="b" * 65).status_code == 400


@pytest.mark.parametrize("accept", ["application/dicom", "application/data"])
def test_given_incorrect_accept_header_when_storing_then_not_acceptable(versioned, accept):
    """GivenAnIncorrectAcceptHeader_WhenStoring_TheServerShouldReturnNotAcceptable, rows "application/dicom" and
    "application/data" (GetIncorrectAcceptHeaders). The C# test posts to Latest (v2) from either subclass, with
    no body."""
    response = versioned.c.post("/msdicom/v2/studies", headers={"Accept": accept})
    assert response.status_code == 406


def test_given_non_multipart_request_when_storing_then_unsupported_media_type(versioned):
    """GivenAnNonMultipartRequest_WhenStoring_TheServerShouldReturnUnsupportedMediaType: .NET's
    MultipartContent("form"), so multipart/form, with no part (posted to Latest, as the C# test does)."""
    response = versioned.c.post(
        "/msdicom/v2/studies",
        data=b"--e2e\r\n\r\n--e2e--\r\n",
        headers={"Accept": DICOM_JSON, "Content-Type": 'multipart/form; boundary="e2e"; type="application/dicom"'},
    )
    assert response.status_code == 415


@EMPTY_MULTIPART_STOW
def test_given_multipart_request_with_no_content_when_storing_then_no_content(versioned):
    """GivenAMultipartRequestWithNoContent_WhenStoring_TheServerShouldReturnNoContent: a multipart/related body
    with no part at all."""
    response = versioned.post_studies(b"--e2e\r\n\r\n--e2e--\r\n", EMPTY_RELATED)
    assert response.status_code == 204


def test_given_multipart_request_with_empty_content_when_storing_then_conflict(versioned):
    """GivenAMultipartRequestWithEmptyContent_WhenStoring_TheServerShouldReturnConflict: one empty part."""
    response = versioned.post_studies(b"--e2e\r\nContent-Type: application/dicom\r\n\r\n\r\n--e2e--\r\n", EMPTY_RELATED)
    assert response.status_code == 409


def test_given_multipart_request_with_an_invalid_section_when_storing_then_accepted(versioned, uid, host_url):
    """GivenAMultipartRequestWithAnInvalidMultipartSection_WhenStoring_TheServerShouldReturnAccepted: an empty
    part, then a valid file; the valid one is in ReferencedSOPSequence."""
    valid = random_instance(uid, study=uid())
    body = (
        b"--e2e\r\nContent-Type: application/dicom\r\n\r\n\r\n--e2e\r\nContent-Type: application/dicom\r\n\r\n"
        + part10(valid)
        + b"\r\n--e2e--\r\n"
    )
    response = versioned.post_studies(body, EMPTY_RELATED)
    assert response.status_code == 202
    assert_referenced_sop(response, host_url, versioned.version, valid)


def test_given_type_parameter_and_first_section_without_content_type_when_storing_then_ok(versioned, uid, host_url):
    """GivenAMultipartRequestWithTypeParameterAndFirstSectionWithoutContentType_WhenStoring_TheServerShouldReturnOK:
    the part's type comes from the type parameter."""
    ds = random_instance(uid, study=uid())
    response = versioned.post_studies(b"--e2e\r\n\r\n" + part10(ds) + b"\r\n--e2e--\r\n", EMPTY_RELATED)
    assert response.status_code == 200
    assert_referenced_sop(response, host_url, versioned.version, ds)


@RETRIEVE_URL_WHEN_NOTHING_STORED
def test_given_all_different_study_uids_when_storing_with_study_uid_then_conflict(versioned, uid):
    """GivenAllDifferentStudyInstanceUIDs_WhenStoringWithProvidedStudyInstanceUID_TheServerShouldReturnConflict:
    the answer holds FailedSOPSequence alone, both instances failing with 43264."""
    first, second = random_instance(uid), random_instance(uid)
    response = versioned.store_many([first, second], study=uid())
    assert response.status_code == 409
    body = body_json(response)
    assert list(body) == [FAILED_SOP_SEQUENCE]
    assert_failed_sop(body, (first, VALIDATION_FAILED), (second, VALIDATION_FAILED))


@STUDY_MISMATCH_CODE
def test_given_one_different_study_uid_when_storing_with_study_uid_then_accepted(versioned, uid, host_url):
    """GivenOneDifferentStudyInstanceUID_WhenStoringWithProvidedStudyInstanceUID_TheServerShouldReturnAccepted:
    three attributes (RetrieveURL of the study, ReferencedSOPSequence, FailedSOPSequence); the refused instance
    is not stored."""
    study1, study2 = uid(), uid()
    first, second = random_instance(uid, study=study1), random_instance(uid, study=study2)
    response = versioned.store_many([first, second], study=study1)
    assert response.status_code == 202
    assert versioned.metadata(instance_path(second)).status_code == 404
    body = body_json(response)
    assert len(body) == 3
    assert value(body, RETRIEVE_URL).endswith(f"studies/{study1}")
    assert_referenced_sop(response, host_url, versioned.version, first)
    assert_failed_sop(body, (second, VALIDATION_FAILED))


def test_given_dataset_with_duplicate_identifiers_when_storing_then_accepted(versioned, uid):
    """GivenDatasetWithDuplicateIdentifiers_WhenStoring_TheServerShouldReturnAccepted: the series UID equals the
    study UID, and the file is sent twice."""
    study = uid()
    ds = random_instance(uid, study=study, series=study)
    assert versioned.store_many([ds, ds], study=study).status_code == 202


def test_given_existing_dataset_when_storing_then_conflict(versioned, uid, host_url):
    """GivenExistingDataset_WhenStoring_TheServerShouldReturnConflict: 200 and no FailedSOPSequence, then 409
    with 45070."""
    ds = random_instance(uid, study=uid())
    first = versioned.store_one(ds)
    assert first.status_code == 200
    assert_referenced_sop(first, host_url, versioned.version, ds)
    assert FAILED_SOP_SEQUENCE not in body_json(first)
    again = versioned.store_one(ds)
    assert again.status_code == 409
    assert_failed_sop(body_json(again), (ds, ALREADY_EXISTS))


@REFUSED_WITHOUT_FAILED_ATTRIBUTES
@pytest.mark.parametrize("study", ["abc.123", "11|"])
def test_given_dataset_with_invalid_uid_when_storing_then_conflict(versioned, uid, study):
    """GivenDatasetWithInvalidUid_WhenStoring_TheServerShouldReturnConflict, rows "abc.123" and "11|"."""
    ds = random_instance(uid, study=study)
    response = versioned.store_one(ds)
    assert response.status_code == 409
    body = body_json(response)
    assert "00081199" not in body
    assert_failed_sop(body, (ds, VALIDATION_FAILED))


def test_given_single_part_request_when_storing_then_ok(versioned, uid):
    """GivenSinglePartRequest_WhenStoring_ThenServerShouldReturnOK."""
    response = versioned.store_one(random_instance(uid))
    assert response.status_code == 200
    assert response.mimetype == DICOM_JSON


def test_given_single_part_request_when_storing_then_retrieves_equivalent_bytes(versioned, uid):
    """GivenSinglePartRequest_WhenStoring_ThenShouldRetrieveEquivalentBytes: 7240x7240 there (~50 MB), 512x512
    here; retrieved in explicit VR little endian, byte for byte."""
    ds = random_file_with_pixels(uid, rows=512, columns=512)
    data = part10(ds)
    assert versioned.store_one(data).status_code == 200
    wado = versioned.retrieve_instance(instance_path(ds), EXPLICIT)
    assert wado.status_code == 200
    assert len(data) > 512 * 512
    assert wado.get_data() == data


def test_given_single_part_request_when_storing_with_study_uid_then_ok(versioned, uid):
    """GivenSinglePartRequest_WhenStoringWithStudyUid_ThenServerShouldReturnOK."""
    response = versioned.store_one(random_instance(uid, study=uid()))
    assert response.status_code == 200
    assert response.mimetype == DICOM_JSON


def test_given_tag_with_multiple_values_when_storing_then_succeeds(versioned, uid):
    """GivenDicomTagWithMultipleValues_WhenStoring_ThenShouldSucceedWithWarning: StudyDescription (LO, VM 1) with
    two values; the C# test only asks that the store does not fail."""
    ds = random_instance(uid)
    ds.StudyDescription = ["Value1", "Value2"]
    assert versioned.store_one(ds).status_code in (200, 202)


def test_given_multipart_request_when_storing_then_retrieves_equivalent_bytes(versioned, uid):
    """GivenMultiPartRequest_WhenStoring_ThenShouldRetrieveEquivalentBytes: three files of one study, 4000x4000
    there, 128x128 here."""
    study = uid()
    files = [random_file_with_pixels(uid, study=study, rows=128, columns=128) for _ in range(3)]
    data = [part10(ds) for ds in files]
    assert versioned.store_many(data).status_code == 200
    for ds, original in zip(files, data, strict=False):
        wado = versioned.retrieve_instance(instance_path(ds), EXPLICIT)
        assert wado.status_code == 200
        assert wado.get_data() == original


def test_given_padded_study_uid_stored_when_storing_more_padded_then_conflict(versioned, uid):
    """GivenInstanceWithPaddedStudyInstanceUIDAlreadyStored_WhenStoreInstanceWithMorePaddedId_ThenExpectConflict:
    the study UID is kept with its trailing space; the same instance with more spaces is a conflict."""
    study = uid() + " "
    ds = random_instance(uid, study=study, series=uid(), sop=uid())
    versioned.store_one(ds)
    wado = versioned.retrieve_instance(
        f"/studies/{study}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}", "*"
    )
    assert wado.status_code == 200
    assert raw_text(read(wado.get_data()), "StudyInstanceUID") == study
    set_raw(ds, "StudyInstanceUID", study + "     ")
    assert versioned.store_one(ds).status_code == 409


def test_given_implicit_vr_private_tag_when_stored_then_removed_from_metadata(versioned, uid):
    """GivenInstanceWithImplicitVRPrivateTag_WhenStored_ThePrivateTagShouldBeRemovedFromMetadata: (0007,0008)
    stays in the file, but its VR is unknown, so it is not in the metadata."""
    ds = random_file_with_pixels(uid, transfer_syntax=IMPLICIT)
    ds.add(DataElement(Tag(0x0007, 0x0008), "LO", "Private Tag"))
    versioned.store_one(ds)
    wado = versioned.retrieve_instance(instance_path(ds), "*")
    assert Tag(0x0007, 0x0008) in read(wado.get_data())
    metadata = versioned.metadata(instance_path(ds))
    assert metadata.status_code == 200
    (item,) = body_json(metadata)
    assert "00070008" not in item
