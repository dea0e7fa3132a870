"""STOW-RS on msdicom: multipart and single-part, the standard response, and every refusal."""

from __future__ import annotations

from mockservers.dicom.synthetic import image_dataset, to_part10
from tests.dicom.files import dataset, pydicom_file, uids
from tests.msdicom.conformance.samples import part10, random_instance, set_raw
from tests.msdicom.conftest import text_error

FAILED, REFERENCED, RETRIEVE_URL, REASON, WARNING = "00081198", "00081199", "00081190", "00081197", "00081196"
ATTRIBUTES, COMMENT = "00741048", "00000902"
MISMATCH = "DICOM100: (0020,000d) - The StudyInstanceUid in the payload does not match the specified StudyInstanceUid."


def items(body, key):
    return body.get(key, {}).get("Value", [])


def comments(item) -> list[str]:
    """The ErrorComments of an item's FailedAttributesSequence (which must be there)."""
    assert ATTRIBUTES in item, item
    return [a[COMMENT]["Value"][0] for a in items(item, ATTRIBUTES)]


def test_store_multipart_answers_referenced_sop_sequence(ms, files, host_url):
    r = ms.stow([files["ct1"], files["ct2"]])
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/dicom+json"
    body = r.json
    assert set(body) == {REFERENCED}  # empty sequences and the study RetrieveURL left out
    study, series, sop = uids(files["ct1"])
    first = items(body, REFERENCED)[0]
    assert first["00081150"] == {"vr": "UI", "Value": ["1.2.840.10008.5.1.4.1.1.2"]}
    assert first["00081155"] == {"vr": "UI", "Value": [sop]}
    assert first[RETRIEVE_URL]["Value"][0] == f"{host_url}/msdicom/v2/studies/{study}/series/{series}/instances/{sop}"


def test_store_to_study_adds_its_retrieve_url(ms, files, host_url):
    study, _, _ = uids(files["ct1"])
    r = ms.stow([files["ct1"]], study=study)
    assert r.status_code == 200
    assert r.json[RETRIEVE_URL] == {"vr": "UR", "Value": [f"{host_url}/msdicom/v2/studies/{study}"]}


def test_part_of_another_study_fails_alone_with_43264_and_its_error_comment(ms, files):
    """StoreDatasetValidator: a study other than the URL's is a validation failure (43264), not the conformance
    statement's 43265; the refused part is not stored."""
    study, _, _ = uids(files["ct1"])
    r = ms.stow([files["ct1"], files["other"]], study=study)
    assert r.status_code == 202
    (failed,) = items(r.json, FAILED)
    assert failed[REASON] == {"vr": "US", "Value": [43264]}
    assert failed["00081155"]["Value"] == [uids(files["other"])[2]]
    assert items(failed, ATTRIBUTES) == [{COMMENT: {"vr": "LO", "Value": [MISMATCH]}}]
    assert len(items(r.json, REFERENCED)) == 1
    assert len(ms.search("/instances").json) == 1


def test_duplicate_gives_409_with_45070(ms, files):
    assert ms.stow([files["ct1"]]).status_code == 200
    r = ms.stow([files["ct1"]])
    assert r.status_code == 409
    assert items(r.json, FAILED)[0][REASON] == {"vr": "US", "Value": [45070]}
    assert REFERENCED not in r.json


def test_same_instance_twice_in_one_request_is_45071(ms, files):
    r = ms.stow([files["ct1"], files["ct1"]])
    assert r.status_code == 202
    assert items(r.json, FAILED)[0][REASON]["Value"] == [45071]


def test_single_part_upload_then_409_conflict(ms, files):
    """The document's non-standard single-instance upload; the second time 'should be a 409 Conflict'."""
    headers = {"Content-Type": "application/dicom", "Accept": "application/dicom+json"}
    first = ms.c.post("/msdicom/v2/studies", data=files["ct1"], headers=headers)
    assert first.status_code == 200 and len(items(first.json, REFERENCED)) == 1
    again = ms.c.post("/msdicom/v2/studies", data=files["ct1"], headers=headers)
    assert again.status_code == 409
    assert items(again.json, FAILED)[0][REASON]["Value"] == [45070]


def test_documented_content_types_all_work(ms, files):
    """The document: these three Content-Type forms 'have been used successfully'."""
    for _i, (content_type, key) in enumerate(
        [
            ('multipart/related; type="application/dicom"; boundary=ABCD1234', "ct1"),
            ("multipart/related; boundary=ABCD1234", "ct2"),
            ("multipart/related", "other"),
        ]
    ):
        r = ms.stow([files[key]], boundary="ABCD1234", content_type=content_type)
        assert r.status_code == 200, (content_type, r.get_data(as_text=True))


def test_urllib3_form_data_body_of_the_document(ms, files):
    from urllib3.filepost import encode_multipart_formdata

    body, _ = encode_multipart_formdata({"file": ("dicomfile", files["ct1"], "application/dicom")}, "xyzzy")
    r = ms.c.post(
        "/msdicom/v2/studies",
        data=body,
        headers={"Content-Type": "multipart/related; boundary=xyzzy", "Accept": "application/dicom+json"},
    )
    assert r.status_code == 200


def test_not_dicom_part_is_272_and_the_good_part_is_kept(ms, files):
    r = ms.stow([b"this is not DICOM", files["ct1"]])
    assert r.status_code == 202
    failed = items(r.json, FAILED)
    assert failed[0][REASON]["Value"] == [272]
    assert len(items(r.json, REFERENCED)) == 1


def test_missing_patient_id_is_a_validation_failure(ms):
    ds = image_dataset(5, 0, "CT")
    del ds.PatientID
    r = ms.stow([to_part10(ds)])
    assert r.status_code == 409
    assert items(r.json, FAILED)[0][REASON]["Value"] == [43264]


def test_invalid_uid_in_file_is_a_validation_failure(ms):
    r = ms.stow([to_part10(image_dataset(5, 0, "CT", SeriesInstanceUID="1.2.abc"))])
    assert r.status_code == 409
    assert items(r.json, FAILED)[0][REASON]["Value"] == [43264]


def test_v1_fails_a_bad_searchable_value_v2_stores_it_without_it(ms, ms1):
    """v1 refuses an invalid searchable attribute (the server's minimum rule, its message); v2 stores the file,
    warns with WarningReason 1 and fo-dicom's message, and leaves the attribute out of metadata and index."""
    ds = image_dataset(6, 0, "CT", StudyDate="2024-01-01")
    data = to_part10(ds)
    v1 = ms1.stow([data])
    assert v1.status_code == 409
    (failed,) = items(v1.json, FAILED)
    assert failed[REASON]["Value"] == [43264]
    assert comments(failed) == [
        "DICOM100: (0008,0020) - Dicom element 'StudyDate' failed validation for VR 'DA': Value cannot be parsed as "
        "a valid date."
    ]
    v2 = ms.stow([data])
    assert v2.status_code == 202
    (stored,) = items(v2.json, REFERENCED)
    assert stored[WARNING] == {"vr": "US", "Value": [1]}
    assert comments(stored) == [
        'DICOM100: (0008,0020) - Content "2024-01-01" does not validate VR DA: value contains too many range '
        "separators '-'"
    ]
    assert ms.search("/studies", StudyDate="20240101").status_code == 204
    (meta,) = ms.get(f"/studies/{ds.StudyInstanceUID}/metadata").json
    assert "00080020" not in meta and meta["00100020"]["Value"] == [ds.PatientID]
    wado = ms.get(
        f"/studies/{ds.StudyInstanceUID}", accept='multipart/related; type="application/dicom"; transfer-syntax=*'
    )
    assert wado.status_code == 200 and b"2024-01-01" in wado.get_data()  # the file itself keeps it


def test_implicit_vr_is_stored_with_warning_on_v2_only(ms, ms1, client):
    data = pydicom_file("MR_small_implicit.dcm")
    v2 = ms.stow([data])
    assert v2.status_code == 202
    assert items(v2.json, REFERENCED)[0][WARNING]["Value"] == [45063]
    client.post("/__admin/reset")
    assert ms1.stow([data]).status_code == 200


def test_pydicom_test_files_store(ms):
    for name in ("CT_small.dcm", "MR_small_RLE.dcm", "JPEG2000.dcm", "SC_rgb_rle_2frame.dcm"):
        data = pydicom_file(name)
        if "PatientID" not in dataset(data):
            continue
        r = ms.stow([data])
        assert r.status_code == 200, (name, r.get_data(as_text=True))


def test_415_for_a_body_that_is_not_dicom_multipart(ms, files):
    r = ms.c.post("/msdicom/v2/studies", data=b"{}", headers={"Content-Type": "application/json"})
    text_error(
        r,
        415,
        "The content type 'application/json' is not supported: send multipart/related; type=\"application/dicom\".",
    )
    r = ms.stow([files["ct1"]], content_type='multipart/related; type="application/dicom+json"; boundary=b0und4ry')
    text_error(r, 415)


def test_400_for_an_unreadable_multipart_body(ms):
    r = ms.c.post(
        "/msdicom/v2/studies",
        data=b"garbage with no delimiter",
        headers={"Content-Type": 'multipart/related; type="application/dicom"; boundary=abc'},
    )
    text_error(r, 400, "The request body is not valid multipart/related: the boundary 'abc' does not occur in it.")


def test_406_for_an_xml_accept(ms, files):
    text_error(ms.stow([files["ct1"]], Accept="application/dicom+xml"), 406)
    assert ms.search("/instances").status_code == 204


# ---- the server's own STOW behaviour (microsoft/dicom-server at eeefbe4d, src/.../Features/Store) ----------

RELATED = 'multipart/related; type="application/dicom"; boundary=e2e'


def test_a_multipart_body_without_parts_is_204_and_stores_nothing(ms, client):
    """StoreResponseStatus.None is 204 (StoreResponseStatusExtensions.cs): what .NET's empty MultipartContent
    writes. sphere keeps its 400."""
    r = ms.c.post("/msdicom/v2/studies", data=b"--e2e\r\n\r\n--e2e--\r\n", headers={"Content-Type": RELATED})
    assert r.status_code == 204 and r.get_data() == b""
    assert ms.search("/instances").status_code == 204
    r = client.post("/sphere/stowrs/studies", data=b"--e2e\r\n\r\n--e2e--\r\n", headers={"Content-Type": RELATED})
    assert r.status_code == 400
    assert r.json == {"detail": "The request body is not valid multipart/related: it has no parts."}


def test_nothing_stored_for_a_study_means_no_study_retrieve_url(ms, files):
    """StoreResponseBuilder.BuildResponse: the study's RetrieveURL only with a stored instance."""
    r = ms.stow([files["other"]], study=uids(files["ct1"])[0])
    assert r.status_code == 409
    assert list(r.json) == [FAILED]
    assert comments(items(r.json, FAILED)[0]) == [MISMATCH]
    assert ms.search("/instances").status_code == 204


def test_v1_lists_every_failed_attribute_in_the_servers_order(ms1, files):
    """v1 (ValidateIndexedItemsAsync): the required tags' failure first, then each searchable attribute in
    QueryLimit.CoreFilterTags' order, each with its ElementValidationException message."""
    ds = image_dataset(7, 0, "CT", AccessionNumber="A" * 17, Modality="M" * 17)
    r = ms1.stow([to_part10(ds)], study=uids(files["ct1"])[0])
    assert r.status_code == 409
    assert comments(items(r.json, FAILED)[0]) == [
        MISMATCH,
        "DICOM100: (0008,0050) - Dicom element 'AccessionNumber' failed validation for VR 'SH': Value length exceeds "
        "maximum length of 16.",
        "DICOM100: (0008,0060) - Dicom element 'Modality' failed validation for VR 'CS': Value length exceeds "
        "maximum length of 16.",
    ]
    assert ms1.search("/instances").status_code == 204


def test_v2_refuses_an_instance_without_patient_id_and_says_so(ms):
    """StoreDatasetValidator.ValidatePatientId: v2 wants the attribute, even empty."""
    ds = image_dataset(7, 1, "CT")
    del ds.PatientID
    r = ms.stow([to_part10(ds)])
    assert r.status_code == 409
    assert comments(items(r.json, FAILED)[0]) == ["DICOM100: (0010,0020) - The required tag '(0010,0020)' is missing."]
    assert ms.search("/instances").status_code == 204


def test_v2_warns_of_too_many_values_and_drops_the_attribute(ms):
    """fo-dicom's DicomElement.Validate checks the value multiplicity; v2 warns (WarningReason 1) and leaves the
    attribute out of the metadata."""
    ds = image_dataset(7, 2, "CT")
    ds.StudyDescription = ["one", "two"]
    r = ms.stow([to_part10(ds)])
    assert r.status_code == 202
    (stored,) = items(r.json, REFERENCED)
    assert stored[WARNING]["Value"] == [1]
    assert comments(stored) == [
        'DICOM100: (0008,1030) - Content "(0008,1030) LO Study Description" does not validate VR LO: Number of '
        "items 2 does not match ValueMultiplicity 1"
    ]
    (meta,) = ms.get(f"/studies/{ds.StudyInstanceUID}/metadata").json
    assert "00081030" not in meta


def test_a_uid_with_leading_zeros_is_stored_v2_warns(ms, ms1, client):
    """UidValidation (the server's minimum rule) allows leading zeros; fo-dicom's own validation does not, so v2
    warns but keeps the UID (a required core tag is never dropped)."""
    ds = image_dataset(7, 3, "CT", SeriesInstanceUID="1.2.3.04")
    data = to_part10(ds)
    assert ms1.stow([data]).status_code == 200
    client.post("/__admin/reset")
    r = ms.stow([data])
    assert r.status_code == 202
    (stored,) = items(r.json, REFERENCED)
    assert comments(stored) == [
        'DICOM100: (0020,000e) - Content "1.2.3.04" does not validate VR UI: components must not have leading zeros'
    ]
    (found,) = ms.search("/instances", StudyInstanceUID=ds.StudyInstanceUID, includefield="SeriesInstanceUID").json
    assert found["0020000E"]["Value"] == ["1.2.3.04"]


def test_v1_warns_of_implicit_vr_with_a_200(ms1):
    """StoreService sets WarningReason 45063 for implicit VR in either version; only v2 makes a warning a 202."""
    r = ms1.stow([pydicom_file("MR_small_implicit.dcm")])
    assert r.status_code == 200
    assert items(r.json, REFERENCED)[0][WARNING] == {"vr": "US", "Value": [45063]}


def test_a_padded_study_uid_is_kept_in_the_file_and_found_without_its_spaces(ms):
    """The file keeps its UID as sent; the index (SQL Server compares without trailing spaces) finds it by the
    bare UID; the same instance sent again with more spaces is the same instance: 409, 45070."""
    ds = image_dataset(7, 4, "CT")
    study = ds.StudyInstanceUID
    padded = to_part10(ds).replace(study.encode() + b"\0", study.encode() + b" ", 1)  # UID padded with a space
    assert len(study) % 2 == 1, "the UID must be padded to even length"
    r = ms.stow([padded])
    assert r.status_code == 200, r.get_data(as_text=True)
    assert len(ms.search("/studies", StudyInstanceUID=study).json) == 1
    assert ms.get(f"/studies/{study}/metadata").status_code == 200
    again = ms.stow([padded])
    assert again.status_code == 409
    assert items(again.json, FAILED)[0][REASON]["Value"] == [45070]


def test_a_studys_indexed_values_follow_its_newest_instance(ms):
    """AddInstanceV6.sql, "Latest wins": a new instance's non-empty values replace the study's; empty ones
    leave them."""
    first = image_dataset(7, 5, "CT", PatientName="First^Name")
    second = image_dataset(7, 6, "CT", study=first, PatientName="Second^Name")
    third = image_dataset(7, 7, "CT", study=first, PatientName="")
    for ds in (first, second, third):
        assert ms.stow([to_part10(ds)]).status_code == 200
    (study,) = ms.search("/studies", StudyInstanceUID=first.StudyInstanceUID).json
    assert study["00100010"]["Value"] == [{"Alphabetic": "Second^Name"}]


def test_v2_keeps_a_null_padded_value_as_written_without_a_warning(ms, ms1):
    """The v2 conformance statement: a null-padded attribute "will be indexed when searchable and will be stored as
    is in dicom+json metadata. No validation warning will be provided." (v1 keeps pydicom's reading.)"""
    ds = random_instance(iter(f"1.2.3.{n}" for n in range(1, 99)).__next__)
    set_raw(ds, "Modality", "X\0")
    r = ms.stow([part10(ds)])
    assert r.status_code == 200
    (stored,) = items(r.json, REFERENCED)
    assert stored[ATTRIBUTES] == {"vr": "SQ"} and WARNING not in stored
    (meta,) = ms.get(f"/studies/{ds.StudyInstanceUID}/metadata").json
    assert meta["00080060"] == {"vr": "CS", "Value": ["X\0"]}
    assert len(ms.search("/instances", Modality="X").json) == 1


def test_a_series_modality_follows_its_newest_instance_and_so_does_the_study(ms):
    """AddInstanceV6.sql updates the series' Modality; ModalitiesInStudy is computed from the series."""
    first = image_dataset(7, 8, "CT")
    second = image_dataset(7, 9, "CT", study=first, series=first)
    second.Modality = "MR"
    for ds in (first, second):
        assert ms.stow([to_part10(ds)]).status_code == 200
    assert len(ms.search("/series", Modality="MR").json) == 1
    assert ms.search("/series", Modality="CT").status_code == 204
    assert len(ms.search("/studies", ModalitiesInStudy="MR").json) == 1
    assert ms.search("/studies", ModalitiesInStudy="CT").status_code == 204
