"""CAD4TB is a Django service: its JSON is json.dumps' (JsonResponse: ', ' and ': ', keys in the order the view
built them, ASCII only, no trailing newline), and a call without its trailing slash is redirected by
CommonMiddleware's APPEND_SLASH (301 to the slash URL, query string kept)."""

import io
import json

import pytest

from mockservers.cad4tb.backend import CALL_PERMISSIONS
from mockservers.dicom.synthetic import dx_file
from tests.cad4tb.conftest import API, DOC_PATIENT, OWNER, SCOPE, assert_error, keys


def django_json(response) -> str:
    """The body, checked to be exactly what JsonResponse makes of the data it holds."""
    text = response.get_data(as_text=True)
    assert response.headers["Content-Type"] == "application/json"
    assert text == json.dumps(json.loads(text)), text
    return text


def test_the_documents_get_patient_example_prints_byte_for_byte(api):
    api.uploaded(dx_file(0, 0, **DOC_PATIENT))
    response = api.get("patient/get", PatientID="12345")
    assert response.status_code == 200
    assert response.get_data() == (
        b'{"PatientName": "Anonymous", "PatientID": "12345", "PatientSex": "M", "PatientBirthDate": "1900-01-01"}'
    )


def test_the_documents_results_example_has_its_key_order_and_spacing(api):
    ids = api.uploaded(dx_file(0, 0, **DOC_PATIENT))
    api.advance(10)
    response = api.get("series/results", **keys(ids), Type="cad4tb", Results="CAD4TB 5")
    text = django_json(response)
    value = json.loads(text)[0]["value"]
    assert text == f'[{{"name": "CAD4TB 5", "algorithm": "CAD4TB", "value": {json.dumps(value)}}}]'


def test_every_json_answer_is_json_dumps(api):
    ids = api.uploaded(dx_file(0, 0, **DOC_PATIENT))
    api.advance(10)
    assert api.add_form(ids).status_code == 200
    for command, level in [
        ("patient/get", "patient"),
        ("study/get", "study"),
        ("patient/studies/list", "patient"),
        ("series/get", "series"),
        ("patient/study/series/list", "study"),
        ("patient/study/series/forms/list", "series"),
    ]:
        response = api.get(command, **keys(ids, level))
        assert response.status_code == 200
        django_json(response)
    django_json(api.upload(dx_file(0, 0, **DOC_PATIENT)))
    django_json(api.add_form(ids))
    django_json(api.get("series/delete", **keys(ids)))


def test_non_ascii_is_escaped_as_json_dumps_does(api):
    ids = api.uploaded(dx_file(0, 0, PatientID="é1", PatientName="Müller^Zoë"))
    text = django_json(api.get("patient/get", **keys(ids, "patient")))
    assert '"PatientName": "M\\u00fcller^Zo\\u00eb"' in text and '"PatientID": "\\u00e91"' in text


def test_errors_are_json_dumps_too(api):
    response = api.get("patient/get", PatientID="nobody")
    assert_error(response, 404, "object_not_found", "patient_not_found")
    assert response.get_data() == (
        b'{"status": "Error", "error": "object_not_found", "suberror": "patient_not_found", '
        b'"message": "Patient not found"}'
    )
    django_json(api.c.get(f"{API}/nothing/", headers=OWNER))  # a bare 404
    django_json(api.c.put(f"{API}/patient/get/", headers=OWNER))  # a bare 405
    django_json(api.get("patient/get", headers={}, PatientID="x"))  # credentials


# ---- APPEND_SLASH ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", list(CALL_PERMISSIONS))
def test_a_get_without_the_trailing_slash_is_redirected_301_to_the_slash_url(api, command):
    response = api.c.get(f"{API}/{command}", query_string={**SCOPE, "PatientID": "1 2"}, headers=OWNER)
    assert response.status_code == 301
    assert response.headers["Location"] == f"{API}/{command}/?Project=some-project&Archive=some-archive&PatientID=1+2"
    assert response.get_data() == b""
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_the_redirect_keeps_the_query_string_as_sent_and_needs_no_credentials(api):
    response = api.c.get(f"{API}/patient/get?PatientID=a%2Fb&Results=CAD4TB%205&x", headers={})
    assert response.status_code == 301
    assert response.headers["Location"] == f"{API}/patient/get/?PatientID=a%2Fb&Results=CAD4TB%205&x"
    assert api.c.get(f"{API}/patient/get").headers["Location"] == f"{API}/patient/get/"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def test_every_method_is_redirected_as_django_does_outside_debug(api, method):
    response = api.c.open(f"{API}/instance/upload", method=method, headers=OWNER, data=b"x")
    assert response.status_code == 301
    assert response.headers["Location"] == f"{API}/instance/upload/"


def test_a_redirected_post_changes_nothing(api, dx):
    response = api.c.post(f"{API}/instance/upload", data={**SCOPE, "file": (io.BytesIO(dx), "a.dcm")}, headers=OWNER)
    assert response.status_code == 301
    assert_error(api.get("patient/get", PatientID="12345"), 404, "object_not_found", "patient_not_found")


def test_following_the_redirect_answers_the_call(api, dx):
    api.uploaded(dx)
    response = api.c.get(f"{API}/patient/get", query_string={**SCOPE, "PatientID": "12345"}, headers=OWNER)
    followed = api.c.get(response.headers["Location"], headers=OWNER)
    assert followed.status_code == 200 and followed.json["PatientID"] == "12345"


@pytest.mark.parametrize("path", [f"{API}/nothing", f"{API}/patient", "/cad4tb/api/v2/patient/get", "/cad4tb"])
def test_a_path_that_is_no_call_with_a_slash_either_stays_unknown(api, path):
    assert_error(api.c.get(path, headers=OWNER), 404, "object_not_found", None, "Unknown API call")


def test_a_double_slash_is_collapsed_before_the_slash_is_appended(api):
    response = api.c.get("/cad4tb/api/v1//series/results?Type=cad4tb", headers=OWNER)
    assert response.status_code == 301
    assert response.headers["Location"] == f"{API}/series/results/?Type=cad4tb"


def test_the_redirect_is_journaled(api):
    api.c.get(f"{API}/patient/get?PatientID=7", headers=OWNER)
    entries = api.c.get("/__admin/requests", query_string={"vendor": "cad4tb", "status": 301}).json["requests"]
    assert [e["path"] for e in entries] == [f"{API}/patient/get"]
