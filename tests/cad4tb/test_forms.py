import json

import pytest

from mockservers.dicom.synthetic import dx_file
from tests.cad4tb.conftest import API, OWNER, SCOPE, Cad4tb, assert_error, keys, make_app


@pytest.fixture
def ids(api):
    return api.uploaded(dx_file(0, 0))


def test_add_then_list_a_reporting(api, ids):
    response = api.add_form(
        ids,
        submission=json.dumps({"tb_suspected": True, "conclusion": "abnormal, TB suspected", "comment": "upper left"}),
    )
    assert response.status_code == 200, response.json
    listed = api.get("patient/study/series/forms/list", **keys(ids)).json
    assert listed == [response.json]
    [entry] = listed
    assert list(entry) == ["id", "entry", "entry_formatted", "user", "series", "form"]
    assert entry["entry"] == {"tb_suspected": True, "conclusion": "abnormal, TB suspected", "comment": "upper left"}
    assert entry["entry_formatted"] == "TB suspected: Yes\nConclusion: abnormal, TB suspected\nComment: upper left"
    assert entry["user"] == "some-username@example.org"
    assert entry["series"] == ids["SeriesInstanceUID"] and entry["form"] == "TB report"
    assert isinstance(entry["id"], int)


def test_reportings_list_in_order_and_the_series_shows_the_latest_per_form(api, ids):
    api.add_form(ids, submission='{"tb_suspected": false, "conclusion": "normal"}')
    api.add_form(ids, submission='{"tb_suspected": true, "conclusion": "abnormal, other"}')
    api.add_form(ids, form="Retina report", submission='{"dr_grade": 2}')
    listed = api.get("patient/study/series/forms/list", **keys(ids)).json
    assert [e["form"] for e in listed] == ["TB report", "TB report", "Retina report"]
    assert listed[0]["id"] < listed[1]["id"] < listed[2]["id"]
    series = api.get("series/get", **keys(ids)).json
    assert series["form_1"] == {"tb_suspected": True, "conclusion": "abnormal, other"}
    assert series["form_2"] == {"dr_grade": 2}
    assert api.get("patient/study/series/list", **keys(ids, "study")).json == [series]


def test_an_empty_list_without_reportings(api, ids):
    assert api.get("patient/study/series/forms/list", **keys(ids)).json == []


def test_form_submission_may_be_a_json_object_or_form_encoded(api, app, ids):
    body = {**SCOPE, **keys(ids), "FormName": "TB report"}
    as_object = app.test_client().post(
        f"{API}/patient/study/series/forms/add/",
        headers=OWNER,
        json={**body, "FormSubmission": {"tb_suspected": "true", "conclusion": "normal"}},
    )
    assert as_object.status_code == 200 and as_object.json["entry"]["tb_suspected"] is True
    as_form = app.test_client().post(
        f"{API}/patient/study/series/forms/add/",
        headers=OWNER,
        data={**body, "FormSubmission": '{"tb_suspected": false, "conclusion": "normal"}'},
    )
    assert as_form.status_code == 200 and as_form.json["entry"]["tb_suspected"] is False


def test_unknown_form_is_form_not_found(api, ids):
    assert_error(api.add_form(ids, form="No such form"), 404, "object_not_found", "form_not_found", "Form not found")
    assert_error(api.add_form(ids, form=""), 404, "object_not_found", "form_not_found")


def test_a_form_of_another_project_is_not_found():
    app = make_app(forms=[{"id": 7, "name": "Local form", "project": "other-project", "fields": []}])
    api = Cad4tb(app.test_client())
    ids = api.uploaded(dx_file(0, 0))
    assert_error(api.add_form(ids, form="Local form", submission="{}"), 404, "object_not_found", "form_not_found")
    app.extensions["mockservers"].close()


def test_two_forms_with_one_name_are_multiple_objects_found():
    same = {"name": "Report", "project": None, "fields": [{"name": "x", "type": "text"}]}
    app = make_app(forms=[{"id": 1, **same}, {"id": 2, **same}])
    api = Cad4tb(app.test_client())
    ids = api.uploaded(dx_file(0, 0))
    response = api.add_form(ids, form="Report", submission='{"x": "y"}')
    assert_error(response, 409, "multiple_objects_found", None, "Multiple forms found with name Report")
    assert api.get("patient/study/series/forms/list", **keys(ids)).json == []
    app.extensions["mockservers"].close()


@pytest.mark.parametrize(
    "submission, message",
    [
        ("{not json", "FormSubmission is not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "FormSubmission is not valid JSON"),
        ("[1, 2]", "FormSubmission must be a JSON object"),
        ('"text"', "FormSubmission must be a JSON object"),
        ('{"conclusion": "normal"}', "Invalid value for tb_suspected: Missing data for required field."),
        ('{"tb_suspected": "perhaps", "conclusion": "normal"}', "Invalid value for tb_suspected: Not a valid boolean."),
        (
            '{"tb_suspected": true, "conclusion": "maybe"}',
            "Invalid value for conclusion: Must be one of: normal, abnormal, TB suspected, abnormal, other.",
        ),
        ('{"tb_suspected": true, "conclusion": "normal", "extra": 1}', "Invalid value for extra: Unknown field."),
    ],
)
def test_a_submission_that_does_not_fit_its_form_is_an_invalid_post_value(api, ids, submission, message):
    assert_error(api.add_form(ids, submission=submission), 400, "invalid_post_value", None, message)
    assert api.get("patient/study/series/forms/list", **keys(ids)).json == []


def test_an_integer_field_takes_only_integers(api, ids):
    response = api.add_form(ids, form="Retina report", submission='{"dr_grade": "2"}')
    assert_error(response, 400, "invalid_post_value", None, "Invalid value for dr_grade: Not a valid integer.")


@pytest.mark.parametrize("submission", [None, ""])
def test_a_missing_submission_is_no_data_submitted(api, ids, submission):
    assert_error(api.add_form(ids, submission=submission), 400, "invalid_post_value", "no_data_submitted")


def test_the_series_must_exist_before_the_form(api, ids):
    response = api.add_form({**ids, "SeriesInstanceUID": "9.9"}, form="No such form")
    assert_error(response, 404, "object_not_found", "series_not_found")


def test_get_on_forms_add_and_post_on_forms_list_are_method_not_allowed(api, ids):
    assert_error(api.get("patient/study/series/forms/add", **keys(ids)), 405, "method_not_allowed")
    response = api.c.post(f"{API}/patient/study/series/forms/list/", json={**SCOPE, **keys(ids)}, headers=OWNER)
    assert_error(response, 405, "method_not_allowed")


def test_a_form_encoded_body_labelled_json_is_read_as_a_form(api, app, ids):
    from urllib.parse import urlencode

    body = urlencode(
        {
            **SCOPE,
            **keys(ids),
            "FormName": "TB report",
            "FormSubmission": '{"tb_suspected": true, "conclusion": "normal"}',
        }
    )
    response = app.test_client().post(
        f"{API}/patient/study/series/forms/add/", data=body, headers={**OWNER, "Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.json
    assert response.json["entry"] == {"tb_suspected": True, "conclusion": "normal"}


def test_a_json_body_that_is_not_an_object_finds_no_series(api, app, ids):
    response = app.test_client().post(
        f"{API}/patient/study/series/forms/add/", data="[1, 2]", headers={**OWNER, "Content-Type": "application/json"}
    )
    assert_error(response, 404, "object_not_found", "series_not_found")
