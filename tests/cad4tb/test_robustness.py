"""Odd values in every parameter of every call: always the error body with a 4xx (or a 200), never a 500."""

import json

import pytest

from mockservers.cad4tb.backend import CALL_PERMISSIONS
from mockservers.dicom.synthetic import dx_file
from tests.cad4tb.conftest import API, OWNER, SCOPE, assert_error, keys

ODD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "é漢字",
    "x" * 5000,
    "../../etc/passwd",
    "1.2.3.4.5,6",
    "%00",
    "null",
    "[]",
    '{"$ne": null}',
    "' OR 1=1 --",
    "\\",
]
PARAMS = [
    "Project",
    "Archive",
    "PatientID",
    "StudyInstanceUID",
    "SeriesInstanceUID",
    "Type",
    "Results",
    "FormName",
    "FormSubmission",
]


@pytest.fixture
def ids(api):
    ids = api.uploaded(dx_file(0, 0))
    api.advance(5)
    return ids


@pytest.mark.parametrize("command", [c for c in CALL_PERMISSIONS if c != "instance/upload"])
def test_odd_values_never_make_a_500(api, ids, command):
    method = "POST" if command.endswith("forms/add") else "GET"
    good = {
        **SCOPE,
        **keys(ids),
        "Type": "cad4tb",
        "Results": "CAD4TB 5",
        "FormName": "TB report",
        "FormSubmission": '{"tb_suspected": true, "conclusion": "normal"}',
    }
    for name in PARAMS:
        for value in ODD:
            params = {**good, name: value}
            if method == "GET":
                response = api.c.get(f"{API}/{command}/", query_string=params, headers=OWNER)
            else:
                response = api.c.post(
                    f"{API}/{command}/", data=json.dumps(params), headers={**OWNER, "Content-Type": "application/json"}
                )
            assert response.status_code < 500, (name, value, response.get_data(as_text=True))
            assert response.mimetype in ("application/json", "application/zip")
            if response.status_code >= 400:
                assert set(response.json) == {"status", "error", "suberror", "message"}
    assert api.get("series/get", **keys(ids)).status_code == 200 or command.endswith("delete")


@pytest.mark.parametrize("value", [1, 1.5, True, None, [], {}, ["a"], {"a": 1}])
def test_non_string_json_values_in_forms_add_are_4xx(api, ids, value):
    for name in PARAMS:
        body = {
            **SCOPE,
            **keys(ids),
            "FormName": "TB report",
            "FormSubmission": '{"tb_suspected": true, "conclusion": "normal"}',
            name: value,
        }
        response = api.c.post(
            f"{API}/patient/study/series/forms/add/",
            data=json.dumps(body),
            headers={**OWNER, "Content-Type": "application/json"},
        )
        assert response.status_code < 500, (name, value, response.get_data(as_text=True))


@pytest.mark.parametrize("value", ["a\x00b", "\ud800"])
@pytest.mark.parametrize("name", ["PatientID", "Project", "SeriesInstanceUID", "Results"])
def test_text_no_database_can_hold_is_an_invalid_post_value(api, ids, name, value):
    """PostgreSQL refuses NUL, and a lone surrogate encodes nowhere: both are rejected before any lookup."""
    body = {**SCOPE, **keys(ids), "Type": "cad4tb", "Results": "CAD4TB 5", name: value}
    response = api.c.get(
        f"{API}/series/results/", data=json.dumps(body), headers={**OWNER, "Content-Type": "application/json"}
    )
    assert_error(response, 400, "invalid_post_value", None, f"Invalid value for {name}")
    assert name in response.headers["X-Mock-Explain"]


@pytest.mark.parametrize(
    "submission",
    [
        '{"tb_suspected": true, "conclusion": "normal", "comment": "a\\u0000b"}',
        '{"tb_suspected": true, "conclusion": "normal", "comment": "\\ud800"}',
    ],
)
def test_a_submission_no_database_can_hold_is_refused(api, ids, submission):
    response = api.add_form(ids, submission=submission)
    assert_error(
        response,
        400,
        "invalid_post_value",
        None,
        "Invalid value for comment: "
        + (
            "must not contain NUL characters" if "u0000" in submission else "must be valid Unicode (no lone surrogates)"
        ),
    )
    assert api.get("patient/study/series/forms/list", **keys(ids)).json == []


def test_a_line_break_in_a_submitted_key_is_explained_not_a_500(api, ids):
    """The explanation quotes the caller's key; a header may not hold a line break."""
    response = api.add_form(ids, submission=json.dumps({"tb_suspected": True, "conclusion": "normal", "a\r\nb": 1}))
    assert_error(response, 400, "invalid_post_value", None, "Invalid value for a\r\nb: Unknown field.")
    assert response.headers["X-Mock-Explain"] == "FormSubmission.a\\r\\nb: Unknown field."
