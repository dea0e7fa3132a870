import io
import zipfile

import pydicom
import pytest

from mockservers.cad4tb.backend import clean_filename
from mockservers.dicom.synthetic import dx_dataset, dx_file, to_part10
from tests.cad4tb.conftest import API, OWNER, RETINA, SCOPE, assert_error, keys


def _zip_names(response):
    return zipfile.ZipFile(io.BytesIO(response.data)).namelist()


def test_upload_returns_the_uids_from_the_files_own_headers(api, dx):
    ds = pydicom.dcmread(io.BytesIO(dx))
    response = api.upload(dx)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.json == {
        "PatientID": "12345",
        "StudyInstanceUID": ds.StudyInstanceUID,
        "SeriesInstanceUID": ds.SeriesInstanceUID,
        "SOPInstanceUID": ds.SOPInstanceUID,
    }
    assert list(response.json) == ["PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"]


def test_uids_are_returned_as_stored_without_padding(api):
    data = dx_file(0, 1, PatientID=" 777 ")  # DICOM pads; the database keeps the value
    assert api.uploaded(data)["PatientID"] == "777"
    assert api.get("patient/get", PatientID="777").status_code == 200


def test_retina_image_uses_its_sop_instance_uid_as_the_series_uid(api):
    data = dx_file(0, 2, **RETINA)
    ds = pydicom.dcmread(io.BytesIO(data))
    ids = api.uploaded(data)
    assert ids["SeriesInstanceUID"] == ds.SOPInstanceUID != ds.SeriesInstanceUID
    assert api.get("series/get", **keys(ids)).json["SeriesInstanceUID"] == ds.SOPInstanceUID
    assert_error(
        api.get("series/get", **{**keys(ids), "SeriesInstanceUID": ds.SeriesInstanceUID}),
        404,
        "object_not_found",
        "series_not_found",
    )


def test_two_retina_images_of_one_dicom_series_are_two_series(api):
    shared = {**RETINA, "StudyInstanceUID": "1.2.3", "SeriesInstanceUID": "1.2.3.4", "PatientID": "R1"}
    first, second = api.uploaded(dx_file(0, 3, **shared)), api.uploaded(dx_file(0, 4, **shared))
    assert first["SeriesInstanceUID"] != second["SeriesInstanceUID"]
    assert len(api.get("patient/study/series/list", PatientID="R1", StudyInstanceUID="1.2.3").json) == 2


def test_op_modality_alone_makes_a_retina_image(api):
    data = dx_file(0, 5, Modality="OP")
    ids = api.uploaded(data)
    assert ids["SeriesInstanceUID"] == ids["SOPInstanceUID"]


def test_instances_of_one_series_share_it(api):
    shared = {"StudyInstanceUID": "1.2.3", "SeriesInstanceUID": "1.2.3.4", "PatientID": "P1"}
    a, b = api.uploaded(dx_file(0, 6, **shared)), api.uploaded(dx_file(0, 7, **shared))
    assert a["SeriesInstanceUID"] == b["SeriesInstanceUID"] == "1.2.3.4"
    assert a["SOPInstanceUID"] != b["SOPInstanceUID"]
    assert len(_zip_names(api.get("dicom/get", **keys(a)))) == 2


@pytest.mark.parametrize(
    "sent, stored",
    [
        ("chest.dcm", "chest.dcm"),
        ("my chest (1).dcm", "my_chest_1.dcm"),
        ("C:\\Users\\demo\\x-ray #2.dcm", "x-ray_2.dcm"),
        ("/tmp/a/b_c-d.DCM", "b_c-d.DCM"),
        ("ümlaut.dcm", "mlaut.dcm"),
        ("(((.dcm", ".dcm"),
        ("()", "file"),
        ("", "file"),
    ],
)
def test_file_names_are_cleaned(sent, stored):
    assert clean_filename(sent) == stored


def test_the_cleaned_name_is_the_name_in_the_dicom_zip(api, dx):
    ids = api.uploaded(dx, filename="my chest (1).dcm")
    assert _zip_names(api.get("dicom/get", **keys(ids))) == ["my_chest_1.dcm"]


def test_two_files_with_one_name_in_a_series_both_survive(api):
    shared = {"StudyInstanceUID": "1.2.3", "SeriesInstanceUID": "1.2.3.4", "PatientID": "P1"}
    api.uploaded(dx_file(0, 6, **shared), "x.dcm")
    ids = api.uploaded(dx_file(0, 7, **shared), "x.dcm")
    assert _zip_names(api.get("dicom/get", **keys(ids))) == ["x.dcm", "x_1.dcm"]


def test_uploading_the_same_instance_again_replaces_it(api, dx):
    api.uploaded(dx, "first.dcm")
    ids = api.uploaded(dx, "second.dcm")
    response = api.get("dicom/get", **keys(ids))
    assert _zip_names(response) == ["first.dcm"]
    assert zipfile.ZipFile(io.BytesIO(response.data)).read("first.dcm") == dx


def test_a_multipart_body_labelled_application_json_is_still_read(api, app, dx):
    """A client with a session-wide JSON Content-Type sends its multipart upload labelled so."""
    import requests

    prepared = requests.Request("POST", "http://x/", data=SCOPE, files={"file": ("a.dcm", dx)}).prepare()
    response = app.test_client().post(
        f"{API}/instance/upload/", data=prepared.body, headers={**OWNER, "Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.json
    assert response.json["PatientID"] == "12345"


def test_extra_form_fields_are_ignored(api, dx):
    assert api.upload(dx, Unrelated="x", PatientID="ignored").json["PatientID"] == "12345"


def _nothing_stored(api):
    assert_error(api.get("patient/get", PatientID="12345"), 404, "object_not_found", "patient_not_found")


@pytest.mark.parametrize("data", [None, b""])
def test_no_file_is_no_data_submitted(api, data):
    response = api.upload(data)
    assert_error(response, 400, "invalid_post_value", "no_data_submitted", "No data submitted")


def test_a_file_under_another_field_name_is_no_data_submitted(api, app, dx):
    response = app.test_client().post(
        f"{API}/instance/upload/", headers=OWNER, data={**SCOPE, "dicom": (io.BytesIO(dx), "a.dcm")}
    )
    assert_error(response, 400, "invalid_post_value", "no_data_submitted")
    _nothing_stored(api)


def test_an_empty_post_is_no_data_submitted(api, app):
    response = app.test_client().post(f"{API}/instance/upload/", headers=OWNER)
    assert_error(response, 400, "invalid_post_value", "no_data_submitted")


@pytest.mark.parametrize(
    "data, message",
    [
        (b"not a dicom file at all", "The submitted file is not a valid DICOM file"),
        (b"\0" * 128 + b"DICM" + b"\x02\x00", "The submitted file is not a valid DICOM file"),
    ],
)
def test_a_file_that_is_not_dicom_is_an_invalid_post_value(api, data, message):
    assert_error(api.upload(data), 400, "invalid_post_value", None, message)


def test_a_truncated_dicom_file_is_an_invalid_post_value(api, dx):
    assert_error(api.upload(dx[:400]), 400, "invalid_post_value", None)
    _nothing_stored(api)


@pytest.mark.parametrize("keyword", ["PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID"])
def test_a_file_without_a_required_uid_is_an_invalid_post_value(api, keyword):
    ds = dx_dataset(0, 8, PatientID="12345")
    setattr(ds, keyword, "")
    if keyword == "SOPInstanceUID":
        ds.SOPInstanceUID = "1.2.3.4.5"  # the file meta needs one; blank it after writing
        data = to_part10(ds)
        data = data.replace(b"1.2.3.4.5\x00", b"\x00" * 10)
    else:
        data = to_part10(ds)
    assert_error(api.upload(data), 400, "invalid_post_value", None, f"The submitted file has no {keyword}")
    _nothing_stored(api)


@pytest.mark.parametrize("field", ["Project", "Archive"])
def test_missing_project_or_archive_is_an_invalid_post_value(api, dx, field):
    response = api.upload(dx, **{field: ""})
    assert_error(response, 400, "invalid_post_value", None, f"{field} is required")
    _nothing_stored(api)


@pytest.mark.parametrize(
    "scope",
    [
        {"Project": "other-project", "Archive": "other-archive"},
        {"Project": "some-project", "Archive": "other-archive"},
        {"Project": "nope", "Archive": "some-archive"},
    ],
)
def test_uploading_outside_the_users_projects_is_not_allowed(api, dx, scope):
    assert_error(api.upload(dx, **scope), 403, "api_call_not_allowed")
    _nothing_stored(api)


def test_get_on_upload_is_method_not_allowed(api, app):
    response = app.test_client().get(f"{API}/instance/upload/", headers=OWNER)
    assert_error(response, 405, "method_not_allowed", None, "Method not allowed")
    assert "POST" in response.headers["Allow"]


@pytest.mark.filterwarnings("ignore::UserWarning")  # pydicom warns about the bad value, as it should
def test_a_malformed_header_value_is_stored_as_null_or_refused_never_a_500(api):
    raw = b"ab  "  # not an IS
    data = dx_file(0, 9, SeriesNumber=4242, PatientID="M1")
    assert data.count(b"4242") == 1
    response = api.upload(data.replace(b"4242", raw))
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 200:
        assert api.get("series/get", **keys(response.json)).json["SeriesNumber"] is None
    else:
        assert_error(response, 400, "invalid_post_value", None)


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("multipart/form-data; boundary=xyz", b"--xyz\r\ngarbage without headers"),
        ("multipart/form-data", b"no boundary at all"),
        ("application/json", b"--\r\n\r\n"),
        ("application/json", b'{"Project": "some-project"}'),
        ("application/octet-stream", b"\x00\x01"),
    ],
)
def test_a_malformed_upload_body_is_no_data_submitted(api, app, content_type, body):
    response = app.test_client().post(
        f"{API}/instance/upload/", data=body, headers={**OWNER, "Content-Type": content_type}
    )
    assert_error(response, 400, "invalid_post_value", "no_data_submitted")
