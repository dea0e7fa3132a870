import pytest

from mockservers.cad4tb.backend import CALL_PERMISSIONS
from mockservers.cad4tb.errors import CATALOG, SUBERRORS, Cad4tbError
from mockservers.cad4tb.vendor import Cad4tbVendor
from tests.cad4tb.conftest import API, OWNER, SCOPE, assert_error

POSTS = {"instance/upload", "patient/study/series/forms/add"}


@pytest.mark.parametrize("command", list(CALL_PERMISSIONS))
def test_a_wrong_method_is_method_not_allowed_on_every_call(api, command):
    for method in ("GET", "POST", "PUT", "DELETE", "PATCH"):
        if (method == "POST") == (command in POSTS) and method in ("GET", "POST"):
            continue
        response = api.c.open(f"{API}/{command}/", method=method, headers=OWNER, query_string=SCOPE)
        assert_error(response, 405, "method_not_allowed", None, "Method not allowed")


def test_method_is_checked_before_credentials(api):
    assert_error(api.c.post(f"{API}/patient/get/"), 405, "method_not_allowed")


@pytest.mark.parametrize("path", [f"{API}/nothing/", f"{API}/nothing", "/cad4tb/api/v2/patient/get/", "/cad4tb/"])
def test_an_unknown_url_is_object_not_found_in_the_error_body(api, path):
    response = api.c.get(path, headers=OWNER)
    assert_error(response, 404, "object_not_found", None, "Unknown API call")


def test_every_error_type_has_one_status(api):
    assert {k: v[0] for k, v in CATALOG.items()} == {
        "invalid_post_value": 400,
        "api_call_not_allowed": 403,
        "object_not_found": 404,
        "method_not_allowed": 405,
        "multiple_objects_found": 409,
        "internal_error": 500,
    }
    for suberror, (error, _) in SUBERRORS.items():
        assert Cad4tbError(error, suberror).status == CATALOG[error][0]


@pytest.mark.parametrize(
    "code, status, error, suberror",
    [
        ("object_not_found", 404, "object_not_found", None),
        ("patient_not_found", 404, "object_not_found", "patient_not_found"),
        ("no_data_submitted", 400, "invalid_post_value", "no_data_submitted"),
        ("api_call_not_allowed", 403, "api_call_not_allowed", None),
        ("multiple_objects_found", 409, "multiple_objects_found", None),
    ],
)
def test_a_fault_rule_error_is_rendered_in_the_error_body(api, code, status, error, suberror):
    rule = {"vendor": "cad4tb", "path": f"{API}/patient/get/", "times": 1, "action": {"error": code}}
    assert api.c.post("/__admin/faults", json=rule).status_code in (200, 201)
    assert_error(api.get("patient/get", PatientID="x"), status, error, suberror)
    assert_error(api.get("patient/get", PatientID="x"), 404, "object_not_found", "patient_not_found")


def test_an_unknown_fault_code_is_refused():
    with pytest.raises(KeyError):
        Cad4tbVendor().error_for_code("NoSuchCode")


def test_an_oversized_body_is_an_invalid_post_value():
    from mockservers.app import create_app
    from tests.machinery import test_settings

    app = create_app(test_settings(vendors=["cad4tb"], max_body_mb=1), start_background=False)
    response = app.test_client().post(
        f"{API}/instance/upload/", headers=OWNER, data=b"x" * (2 * 1024 * 1024), content_type="application/octet-stream"
    )
    assert_error(response, 400, "invalid_post_value", None, "The submitted data is too large")
    app.extensions["mockservers"].close()


def test_an_unexpected_failure_is_the_error_body_not_a_traceback(api, app, monkeypatch):
    from mockservers.cad4tb import backend

    def broken(self, user, params):
        raise RuntimeError("boom")

    monkeypatch.setattr(backend.Cad4tbBackend, "get_patient", broken)
    api.c.application.testing = False
    response = api.get("patient/get", PatientID="x")
    assert_error(response, 500, "internal_error")


def test_an_error_says_why_in_x_mock_explain(api):
    response = api.get("patient/get", PatientID="nobody")
    assert_error(response, 404, "object_not_found", "patient_not_found")
    assert "PatientID 'nobody'" in response.headers["X-Mock-Explain"]
    response = api.get("patient/get", headers={"X-USERNAME": "no-permissions", "X-PASSWORD": "no-permissions"})
    assert "api_get_patient" in response.headers["X-Mock-Explain"]
