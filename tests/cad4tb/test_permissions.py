"""The permission matrix: each call x a user with and without its permission x another project's data."""

import pytest

from mockservers.cad4tb.backend import CALL_PERMISSIONS, PERMISSIONS
from mockservers.dicom.synthetic import dx_file
from tests.cad4tb.conftest import API, OWNER, SCOPE, Cad4tb, assert_error, keys

pytestmark = pytest.mark.usefixtures("app")  # users beyond the defaults (EXTRA_USERS)


@pytest.fixture
def api(app):
    """The API on this module's own app alone: the conftest's `api` asks for `client` too, which builds a second
    app per test (a schema more on PostgreSQL) that these tests never call."""
    return Cad4tb(app.test_client())


LEVEL = {
    "patient/get": "patient",
    "patient/delete": "patient",
    "patient/studies/list": "patient",
    "study/get": "study",
    "study/delete": "study",
    "patient/study/series/list": "study",
    "series/get": "series",
    "series/delete": "series",
    "dicom/get": "series",
    "series/results": "series",
    "patient/study/series/forms/list": "series",
    "patient/study/series/forms/add": "series",
}
SUBERROR = {"patient": "patient_not_found", "study": "study_not_found", "series": "series_not_found"}
OTHER = {"X-USERNAME": "other-username", "X-PASSWORD": "other-password"}


def creds(user):
    if user == "some-username":
        return OWNER
    if user == "no-permissions":
        return {"X-USERNAME": "no-permissions", "X-PASSWORD": "no-permissions"}
    return {"X-USERNAME": user, "X-PASSWORD": "other-password" if user == "other-username" else "pw"}


def call(api, command, ids, headers, scope=SCOPE):
    if command == "instance/upload":
        return api.upload(dx_file(0, 1), headers=headers, **scope)
    if command == "patient/study/series/forms/add":
        return api.add_form(ids, headers=headers, **scope)
    return api.get(command, headers=headers, **scope, **keys(ids, LEVEL[command]), Type="cad4tb", Results="CAD4TB 5")


@pytest.fixture
def ids(api):
    ids = api.uploaded(dx_file(0, 0))
    api.advance(5)
    return ids


def test_every_documented_permission_guards_a_call():
    assert sorted({p for needed in CALL_PERMISSIONS.values() for p in needed}) == sorted(PERMISSIONS)
    assert len(CALL_PERMISSIONS) == 13


@pytest.mark.parametrize("command", list(CALL_PERMISSIONS))
@pytest.mark.parametrize("user", ["some-username", "only"])
def test_a_user_with_the_permission_may_call(api, ids, command, user):
    if user == "only":  # a user with this call's permission(s) and nothing else
        needed = CALL_PERMISSIONS[command]
        user = f"only-{needed[0]}" if len(needed) == 1 else "some-username"
    response = call(api, command, ids, creds(user))
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize("command, permission", [(c, p) for c, needed in CALL_PERMISSIONS.items() for p in needed])
def test_a_user_without_the_permission_is_not_allowed_and_changes_nothing(api, ids, command, permission):
    response = call(api, command, ids, creds(f"all-but-{permission}"))
    assert_error(response, 403, "api_call_not_allowed", None, "You are not allowed to do this API call")
    assert api.get("series/get", **keys(ids)).status_code == 200
    assert api.get("patient/study/series/forms/list", **keys(ids)).json == []
    assert len(api.get("patient/study/series/list", **keys(ids, "study")).json) == 1


@pytest.mark.parametrize("command", list(CALL_PERMISSIONS))
def test_a_user_with_no_permissions_is_not_allowed(api, ids, command):
    assert_error(call(api, command, ids, creds("no-permissions")), 403, "api_call_not_allowed")


@pytest.mark.parametrize("command", [c for c in CALL_PERMISSIONS if c != "instance/upload"])
@pytest.mark.parametrize(
    "scope",
    [
        SCOPE,  # the project is not the other user's
        {"Project": "some-project", "Archive": "other-archive"},  # their archive of the project: the data is elsewhere
        {"Project": "other-project", "Archive": "other-archive"},  # their own project
    ],
)
def test_another_projects_data_is_not_found_for_a_user_with_every_permission(api, ids, command, scope):
    response = call(api, command, ids, OTHER, scope)
    suberror = "result_not_found" if command == "series/results" else SUBERROR[LEVEL[command]]
    assert_error(response, 404, "object_not_found", suberror)
    assert api.get("series/get", **keys(ids)).status_code == 200


def test_another_projects_user_sees_only_their_own_patient_with_the_same_id(api, ids):
    """The same PatientID in two projects is two patients."""
    theirs = {"Project": "other-project", "Archive": "other-archive"}
    data = dx_file(0, 0, PatientName="Other^Patient")
    assert api.upload(data, headers=OTHER, **theirs).status_code == 200
    mine = api.get("patient/get", PatientID=ids["PatientID"]).json
    other = api.get("patient/get", headers=OTHER, **theirs, PatientID=ids["PatientID"]).json
    assert other["PatientName"] == "Other^Patient" != mine["PatientName"]
    api.get("patient/delete", headers=OTHER, **theirs, PatientID=ids["PatientID"])
    assert api.get("series/get", **keys(ids)).status_code == 200


def test_upload_needs_both_permissions(api):
    for user in ("only-upload_project", "only-api_instance_upload"):
        assert_error(api.upload(dx_file(0, 2), headers=creds(user)), 403, "api_call_not_allowed")


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-USERNAME": "some-username"},
        {"X-PASSWORD": "some-password"},
        {"X-USERNAME": "some-username", "X-PASSWORD": "wrong"},
        {"X-USERNAME": "nobody", "X-PASSWORD": "some-password"},
        {"X-USERNAME": "", "X-PASSWORD": ""},
        {"Authorization": "Basic c29tZS11c2VybmFtZTpzb21lLXBhc3N3b3Jk"},
    ],
)
@pytest.mark.parametrize("command", list(CALL_PERMISSIONS))
def test_bad_or_missing_credentials_are_not_allowed(api, ids, command, headers):
    response = call(api, command, ids, headers)
    assert_error(response, 403, "api_call_not_allowed", None, "Invalid username or password")


def test_header_names_are_case_insensitive(api, ids):
    response = api.c.get(
        f"{API}/patient/get/",
        query_string={**SCOPE, "PatientID": ids["PatientID"]},
        headers={"x-username": "some-username", "x-password": "some-password"},
    )
    assert response.status_code == 200
