"""Odd values in every parameter of every call: always the error body with a 4xx (or a 200), never a 500."""
import json

import pytest

from mockservers.cad4tb.backend import CALL_PERMISSIONS
from mockservers.dicom.synthetic import dx_file
from tests.cad4tb.conftest import API, OWNER, SCOPE, keys

ODD = ["", " ", "\x00", "a\x00b", "é漢字", "x" * 5000, "../../etc/passwd", "1.2.3.4.5,6", "%00", "null", "[]",
       "{\"$ne\": null}", "' OR 1=1 --", "\\"]
PARAMS = ["Project", "Archive", "PatientID", "StudyInstanceUID", "SeriesInstanceUID", "Type", "Results", "FormName",
          "FormSubmission"]


@pytest.fixture
def ids(api):
    ids = api.uploaded(dx_file(0, 0))
    api.advance(5)
    return ids


@pytest.mark.parametrize("command", [c for c in CALL_PERMISSIONS if c != "instance/upload"])
def test_odd_values_never_make_a_500(api, ids, command):
    method = "POST" if command.endswith("forms/add") else "GET"
    good = {**SCOPE, **keys(ids), "Type": "cad4tb", "Results": "CAD4TB 5", "FormName": "TB report",
            "FormSubmission": '{"tb_suspected": true, "conclusion": "normal"}'}
    for name in PARAMS:
        for value in ODD:
            params = {**good, name: value}
            if method == "GET":
                response = api.c.get(f"{API}/{command}/", query_string=params, headers=OWNER)
            else:
                response = api.c.post(f"{API}/{command}/", data=json.dumps(params),
                                      headers={**OWNER, "Content-Type": "application/json"})
            assert response.status_code < 500, (name, value, response.get_data(as_text=True))
            assert response.mimetype in ("application/json", "application/zip")
            if response.status_code >= 400:
                assert set(response.json) == {"status", "error", "suberror", "message"}
    assert api.get("series/get", **keys(ids)).status_code == 200 or command.endswith("delete")


@pytest.mark.parametrize("value", [1, 1.5, True, None, [], {}, ["a"], {"a": 1}])
def test_non_string_json_values_in_forms_add_are_4xx(api, ids, value):
    for name in PARAMS:
        body = {**SCOPE, **keys(ids), "FormName": "TB report",
                "FormSubmission": '{"tb_suspected": true, "conclusion": "normal"}', name: value}
        response = api.c.post(f"{API}/patient/study/series/forms/add/", data=json.dumps(body),
                              headers={**OWNER, "Content-Type": "application/json"})
        assert response.status_code < 500, (name, value, response.get_data(as_text=True))
