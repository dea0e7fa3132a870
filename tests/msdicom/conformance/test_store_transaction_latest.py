"""StoreTransactionTestsLatest.cs: the tests only the Latest (v2) subclass has."""

from __future__ import annotations

from tests.msdicom.conformance.conftest import (
    ERROR_COMMENT,
    FAILED_ATTRIBUTES_SEQUENCE,
    REFERENCED_SOP_SEQUENCE,
    assert_failed_sop,
    body_json,
    instance_path,
    sequence,
    study_path,
    value,
)
from tests.msdicom.conformance.samples import (
    EXPLICIT,
    VALIDATION_FAILED,
    random_file_with_pixels,
    random_instance,
    read,
    set_raw,
)


def only_failed_attributes(response) -> list[dict]:
    """The one ReferencedSOPSequence item's FailedAttributesSequence (the C# GetSequence: it must be there)."""
    (item,) = sequence(body_json(response), REFERENCED_SOP_SEQUENCE)
    attributes = sequence(item, FAILED_ATTRIBUTES_SEQUENCE)
    assert attributes is not None, item
    return attributes


def study_metadata(v2, ds) -> dict:
    """ResponseHelper.GetMetadata: the study's metadata, one instance."""
    response = v2.metadata(study_path(ds))
    assert response.status_code == 200
    (item,) = body_json(response)
    return item


def instances_matching(v2, ds, keyword: str, wanted: str) -> list[dict]:
    """StoreTransactionTests.GetInstanceByAttribute: QIDO on all instances, kept to this study."""
    response = v2.query("/instances", f"{keyword}={wanted}")
    assert response.status_code in (200, 204), response.get_data(as_text=True)
    found = body_json(response) or []
    return [item for item in found if value(item, "0020000D") == ds.StudyInstanceUID]


def test_given_invalid_indexable_attribute_when_stored_then_dropped_and_valid_data_written(v2, uid):
    """GivenInstanceWithAnInvalidIndexableAttribute_WhenEnableDropInvalidDicomJsonMetadata_ThenInvalidDataDroppedAndValidDataWritten:
    the bad StudyDate stays in the file but leaves the metadata and the index, with one warning."""
    ds = random_instance(uid, study=uid(), series=uid(), sop=uid())
    ds.StudyDate = "NotAValidStudyDate"
    ds.PatientBirthDate = "20220315"
    response = v2.store_one(ds)
    stored = read(v2.retrieve_instance(instance_path(ds), "*").get_data())
    assert stored.PatientBirthDate == "20220315"
    metadata = study_metadata(v2, ds)
    assert metadata["00100030"]["Value"] == ["20220315"]
    assert len(instances_matching(v2, ds, "PatientBirthDate", "20220315")) == 1
    assert "00080020" not in metadata
    bad_query = v2.query("/instances", "StudyDate=NotAValidStudyDate")
    assert bad_query.status_code == 400
    assert (
        "Invalid query: specified Date value 'NotAValidStudyDate' is invalid for attribute 'StudyDate'. Date "
        "should be valid and formatted as yyyyMMdd."
    ) in bad_query.get_data(as_text=True)
    (warning,) = only_failed_attributes(response)
    assert value(warning, ERROR_COMMENT) == (
        'DICOM100: (0008,0020) - Content "NotAValidStudyDate" does not '
        "validate VR DA: one of the date values does not match the pattern "
        "YYYYMMDD"
    )


def test_given_indexable_tag_with_null_as_invalid_char_when_stored_then_dicom100_and_accepted(v2, uid):
    """GivenInstanceWithIndexableTagWithNullAsInvalidChar_WhenStoreInstance_ThenExpectDicom100ErrorAndAcceptedStatus:
    Modality "X\\0X"."""
    ds = random_instance(uid)
    set_raw(ds, "Modality", "X\0X")
    response = v2.store_one(ds)
    assert response.status_code == 202
    assert "does not validate VR CS: value contains invalid character" in value(
        only_failed_attributes(response)[0], ERROR_COMMENT
    )


def test_given_indexable_tag_with_null_padding_when_stored_then_ok_and_no_warning(v2, uid):
    """GivenInstanceWithIndexableTagWithNullPadding_WhenStoreInstance_ThenOkAndNoWarning: Modality "X\\0" is kept
    as it is in the file and the metadata, and found by X\\0, X%00 and X."""
    ds = random_instance(uid)
    set_raw(ds, "Modality", "X\0")
    response = v2.store_one(ds)
    assert response.status_code == 200
    assert only_failed_attributes(response) == []
    stored = read(v2.retrieve_instance(instance_path(ds), "*").get_data())
    assert stored.get_item("Modality").value == b"X\0"  # as written: fo-dicom keeps the null, pydicom would not
    assert study_metadata(v2, ds)["00080060"]["Value"] == ["X\0"]
    assert len(instances_matching(v2, ds, "Modality", "X%00")) == 1
    for wanted in ("X%00", "X"):
        found = v2.query("/instances", f"Modality={wanted}")
        assert found.status_code == 200
        assert len(body_json(found)) == 1


def test_given_study_uid_with_null_padding_when_stored_then_ok_and_no_warnings(v2, uid):
    """GivenInstanceWithStudyUIDValidWithNullPadding_WhenStoreInstanceWithPartialValidation_ThenExpectOkAndNoWarnings:
    stored to /studies/{uid} with the file's UID padded by a null; found by the bare UID."""
    study = uid()
    ds = random_instance(uid, study=study + "\0")
    response = v2.store_one(ds, study=study)
    assert response.status_code == 200
    assert only_failed_attributes(response) == []
    metadata = v2.metadata(f"/studies/{study}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}")
    assert metadata.status_code == 200
    assert len(body_json(metadata)) == 1


def test_given_patient_id_with_null_padding_when_stored_then_ok_and_no_warnings(v2, uid):
    """GivenInstanceWithPatientIdValidWithNullPadding_WhenStoreInstanceWithPartialValidation_ThenExpectOkAndNoWarnings."""
    response = v2.store_one(random_instance(uid, patient_id="123\0"))
    assert response.status_code == 200
    assert only_failed_attributes(response) == []


def test_given_patient_id_invalid_with_null_padding_when_stored_then_conflict(v2, uid):
    """GivenInstanceWithPatientIdInvalidWithNullPadding_WhenStoreInstanceWithPartialValidation_ThenExpectConflict:
    PatientID "\\0123\\0"."""
    ds = random_instance(uid, patient_id="\0123\0")
    response = v2.store_one(ds)
    assert response.status_code == 409
    body = body_json(response)
    assert REFERENCED_SOP_SEQUENCE not in body
    assert_failed_sop(body, (ds, VALIDATION_FAILED))


def patient_id_of_study(v2, study: str):
    """StoreTransactionTests.VerifyPatientId: QIDO by StudyInstanceUID, its PatientID or None."""
    response = v2.query("/studies", f"StudyInstanceUID={study}")
    assert response.status_code == 200
    assert response.mimetype == "application/dicom+json"
    (item,) = body_json(response)
    return value(item, "00100020")


def test_given_initial_instance_with_null_patient_id_then_patient_id_updated(v2, uid):
    """GivenStoringMultipleInstanceInStudy_WhenInitialInstanceHasNullPatientId_ThenExpectPatientIdCorrectlyUpdated:
    an empty PatientID is a warning (202); a later "123" fills the study's; a later empty one leaves it."""
    missing = "DICOM100: (0010,0020) - The required tag '(0010,0020)' is missing."
    first = random_instance(uid, patient_id="")
    response = v2.store_one(first)
    assert response.status_code == 202
    assert missing in value(only_failed_attributes(response)[0], ERROR_COMMENT)
    study = first.StudyInstanceUID
    assert patient_id_of_study(v2, study) is None

    response = v2.store_one(random_instance(uid, study=study, patient_id="123"))
    assert response.status_code == 200
    assert only_failed_attributes(response) == []
    assert patient_id_of_study(v2, study) == "123"

    response = v2.store_one(random_instance(uid, study=study, patient_id=""))
    assert response.status_code == 202
    assert missing in value(only_failed_attributes(response)[0], ERROR_COMMENT)
    assert patient_id_of_study(v2, study) == "123"


def test_given_dataset_with_invalid_vr_value_when_storing_then_accepted(v2, uid):
    """GivenDatasetWithInvalidVrValue_WhenStoring_TheServerShouldReturnAccepted: Modality of 20 characters (CS
    allows 16)."""
    ds = random_instance(uid, study=uid())
    ds.Modality = "123456789ABCDEFGHIJK"
    assert v2.store_one(ds).status_code == 202


def test_given_large_single_part_request_when_storing_then_ok(v2, uid):
    """GivenLargeSinglePartRequest_WhenStoring_ThenServerShouldReturnOk: 42724x42724 there (~1.7 GB), 1024x1024
    here."""
    assert v2.store_one(random_file_with_pixels(uid, rows=1024, columns=1024)).status_code == 200


def test_given_large_multipart_request_when_storing_then_ok(v2, uid):
    """GivenLargeMultiPartRequest_WhenStoring_ThenServerShouldReturnOK: one large file in a multipart body
    (1024x1024 here)."""
    ds = random_file_with_pixels(uid, study=uid(), rows=1024, columns=1024, transfer_syntax=EXPLICIT)
    assert v2.store_many([ds]).status_code == 200
