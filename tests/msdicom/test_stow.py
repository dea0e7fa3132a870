"""STOW-RS on msdicom: multipart and single-part, the standard response, and every refusal."""

from __future__ import annotations

from mockservers.dicom.synthetic import image_dataset, to_part10
from tests.dicom.files import dataset, pydicom_file, uids
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
