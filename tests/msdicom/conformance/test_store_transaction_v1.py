"""StoreTransactionTestsV1.cs: the tests only the V1 subclass has (v1 refuses what v2 accepts with a warning)."""

from __future__ import annotations

from tests.msdicom.conformance.conftest import (
    ERROR_COMMENT,
    FAILED_ATTRIBUTES_SEQUENCE,
    FAILED_SOP_SEQUENCE,
    REFERENCED_SOP_SEQUENCE,
    assert_failed_sop,
    body_json,
    sequence,
    value,
)
from tests.msdicom.conformance.samples import VALIDATION_FAILED, random_instance


def test_given_dataset_with_invalid_vr_value_when_storing_then_conflict(v1, uid):
    """GivenDatasetWithInvalidVrValue_WhenStoring_TheServerShouldReturnConflict: Modality of 20 characters."""
    ds = random_instance(uid, study=uid())
    ds.Modality = "123456789ABCDEFGHIJK"
    response = v1.store_one(ds)
    assert response.status_code == 409
    body = body_json(response)
    assert REFERENCED_SOP_SEQUENCE not in body
    assert_failed_sop(body, (ds, VALIDATION_FAILED))


def test_given_patient_id_with_invalid_chars_when_storing_then_dicom100_and_conflict(v1, uid):
    """GivenInstanceWithPatientIDWithInvalidChars_WhenStoreInstanceWithPartialValidation_ThenExpectDicom100ErrorAndConflictStatus."""
    response = v1.store_one(random_instance(uid, patient_id="Before Null Character, \0"))
    assert response.status_code == 409
    (failed,) = sequence(body_json(response), FAILED_SOP_SEQUENCE)
    attributes = sequence(failed, FAILED_ATTRIBUTES_SEQUENCE)
    assert attributes, failed
    assert value(attributes[0], ERROR_COMMENT) == (
        "DICOM100: (0010,0020) - Dicom element 'PatientID' failed "
        "validation for VR 'LO': Value contains invalid character."
    )
