"""One declaration per endpoint (cad4tb/routes.py): it is every route served, and it refuses a bad parameter in
CAD4TB's own error body before the backend runs, after the credentials and the call's permission."""

import json
from collections import Counter

import pytest

from mockservers.cad4tb import routes
from mockservers.cad4tb.backend import Cad4tbBackend
from mockservers.cad4tb.vendor import Cad4tbVendor
from mockservers.core import openapi
from mockservers.dicom.synthetic import dx_file
from tests.cad4tb.conftest import API, OWNER, SCOPE, Cad4tb, assert_error

pytestmark = pytest.mark.usefixtures("app")  # the backend is watched in this process


@pytest.fixture
def api(app):
    """The API on this module's own app alone: the conftest's `api` asks for `client` too, which builds a second
    app per test (a schema more on PostgreSQL) that these tests never call."""
    return Cad4tb(app.test_client())


# call -> the backend method that answers it
METHODS = {
    "instance/upload": "upload",
    "patient/get": "get_patient",
    "patient/delete": "delete_patient",
    "study/get": "get_study",
    "patient/studies/list": "list_studies",
    "study/delete": "delete_study",
    "series/get": "get_series",
    "patient/study/series/list": "list_series",
    "dicom/get": "dicom_zip",
    "series/delete": "delete_series",
    "series/results": "series_results",
    "patient/study/series/forms/list": "list_forms",
    "patient/study/series/forms/add": "add_form",
}
# a lookup's deepest parameter, and what a value of it that is not text finds: nothing, of its level
LEVELS = {
    "patient": ("PatientID", "patient_not_found", "Patient not found"),
    "study": ("StudyInstanceUID", "study_not_found", "Study not found"),
    "series": ("SeriesInstanceUID", "series_not_found", "Series not found"),
}
DEEPEST = {
    **dict.fromkeys(("patient/get", "patient/delete", "patient/studies/list"), LEVELS["patient"]),
    **dict.fromkeys(("study/get", "study/delete", "patient/study/series/list"), LEVELS["study"]),
    **dict.fromkeys(("series/get", "series/delete", "dicom/get", "patient/study/series/forms/list"), LEVELS["series"]),
    "series/results": ("Results", "result_not_found", "Result not found"),
    "patient/study/series/forms/add": ("FormName", "series_not_found", "Series not found"),
}
GOOD = {
    **SCOPE,
    "PatientID": "p",
    "StudyInstanceUID": "1.2",
    "SeriesInstanceUID": "1.2.3",
    "Type": "cad4tb",
    "Results": "CAD4TB 5",
    "FormName": "TB report",
    "FormSubmission": "{}",
}


@pytest.fixture
def backend_calls(monkeypatch):
    """The backend methods that ran."""
    ran = []
    for method in METHODS.values():
        monkeypatch.setattr(Cad4tbBackend, method, lambda self, *a, _m=method, **k: ran.append(_m))
    return ran


def send(api, command, fields, headers=OWNER):
    """The fields as a JSON body (a GET's too: CAD4TB reads a call's parameters wherever they are)."""
    method = "POST" if command == "patient/study/series/forms/add" else "GET"
    return api.c.open(
        f"{API}/{command}/",
        method=method,
        data=json.dumps(fields),
        headers={**headers, "Content-Type": "application/json"},
    )


def test_every_served_route_has_exactly_one_declaration(app):
    served = Counter()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] == "cad4tb":
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                served[(method, openapi.flask_rule_to_path(rule.rule, "/cad4tb"), rule.endpoint)] += 1
    declared = Counter((d.operation.method, d.operation.path, f"cad4tb.{d.endpoint}") for d in routes.api.declared)
    assert served == declared and set(declared.values()) == {1}
    assert len(declared) == len(METHODS)
    vendor = Cad4tbVendor()
    assert vendor.endpoints() == [routes.api] and vendor.blueprint() is routes.api.blueprint
    assert vendor.operations() == routes.api.operations()  # the OpenAPI document and the ledger read these


@pytest.mark.parametrize("command", list(DEEPEST))
def test_a_value_that_is_not_text_finds_nothing_before_the_backend_runs(api, backend_calls, command):
    name, suberror, message = DEEPEST[command]
    response = send(api, command, {**GOOD, name: ["x"]})
    assert_error(response, 404, "object_not_found", suberror, message)
    assert response.headers["X-Mock-Explain"] == f"{name}: Not a valid string."
    assert backend_calls == []


@pytest.mark.parametrize("command", list(DEEPEST))
def test_text_no_database_can_hold_is_refused_before_the_backend_runs(api, backend_calls, command):
    response = send(api, command, {**GOOD, "Archive": "a\x00b"})
    assert_error(response, 400, "invalid_post_value", None, "Invalid value for Archive")
    assert response.headers["X-Mock-Explain"] == "Archive: must not contain NUL characters"
    assert backend_calls == []


@pytest.mark.parametrize(
    "fields, data, message, suberror",
    [
        ({}, None, "No data submitted", "no_data_submitted"),
        ({"Project": "a\x00b"}, None, "No data submitted", "no_data_submitted"),  # the file is looked at first
        ({"Project": "a\x00b"}, dx_file(0, 0), "Invalid value for Project", None),
        ({"Archive": ""}, dx_file(0, 0), "Archive is required", None),
        ({"Project": "", "Archive": ""}, dx_file(0, 0), "Project is required", None),
    ],
)
def test_a_bad_upload_is_refused_before_the_backend_runs(api, backend_calls, fields, data, message, suberror):
    assert_error(api.upload(data, **fields), 400, "invalid_post_value", suberror, message)
    assert backend_calls == []


@pytest.mark.parametrize("command", list(METHODS))
@pytest.mark.parametrize(
    "headers, message",
    [
        ({"X-USERNAME": "some-username", "X-PASSWORD": "wrong"}, "Invalid username or password"),
        ({"X-USERNAME": "no-permissions", "X-PASSWORD": "no-permissions"}, "You are not allowed to do this API call"),
    ],
)
def test_credentials_then_the_permission_are_checked_before_any_parameter(
    api, backend_calls, command, headers, message
):
    if command == "instance/upload":
        response = api.upload(None, headers=headers, Project="a\x00b")
    else:
        response = send(api, command, {**GOOD, "Archive": "a\x00b"}, headers)
    assert_error(response, 403, "api_call_not_allowed", None, message)
    assert backend_calls == []
