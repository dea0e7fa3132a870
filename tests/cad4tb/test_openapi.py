"""Real answers, happy paths included (schemathesis rarely reaches them), fit the OpenAPI document."""

import jsonschema
import pytest

from mockservers.cad4tb.vendor import Cad4tbVendor
from mockservers.core import openapi
from mockservers.dicom.synthetic import dx_file
from tests.cad4tb.conftest import RETINA, keys

DOCUMENT = openapi.build(Cad4tbVendor())


def fits(method: str, command: str, response) -> None:
    declared = DOCUMENT["paths"][f"/api/v1/{command}/"][method]["responses"][str(response.status_code)]
    [(media, content)] = declared["content"].items()
    assert response.mimetype == media
    if media == "application/json":
        schema = {**content["schema"], "components": DOCUMENT["components"]}
        jsonschema.Draft202012Validator(schema).validate(response.json)


@pytest.fixture
def ids(api):
    ids = api.uploaded(dx_file(0, 0))
    api.advance(5)
    assert api.add_form(ids).status_code == 200
    return ids


GETS = [
    "patient/get",
    "study/get",
    "patient/studies/list",
    "series/get",
    "patient/study/series/list",
    "patient/study/series/forms/list",
    "dicom/get",
]


@pytest.mark.parametrize("command", GETS)
def test_lookups_fit_the_document(api, ids, command):
    response = api.get(command, **keys(ids))
    assert response.status_code == 200
    fits("get", command, response)


def test_upload_forms_add_results_and_errors_fit_the_document(api, ids):
    upload = api.upload(dx_file(0, 1))
    fits("post", "instance/upload", upload)
    fits("post", "patient/study/series/forms/add", api.add_form(ids))
    scores = api.get("series/results", **keys(ids), Type="cad4tb", Results="CAD4TB 5,Image quality")
    assert [r["name"] for r in scores.json] == ["CAD4TB 5", "Image quality"]
    fits("get", "series/results", scores)
    retina = api.uploaded(dx_file(0, 2, **RETINA))
    api.advance(5)
    fits("get", "series/results", api.get("series/results", **keys(retina), Type="retina", Results="DR grade"))
    fits("get", "series/get", api.get("series/get", **keys(upload.json)))  # still processing
    for response in (
        api.get("series/get", **keys(ids, "study"), SeriesInstanceUID="9.9"),
        api.upload(None),
        api.get(
            "patient/get",
            **keys(ids, "patient"),
            headers={"X-USERNAME": "no-permissions", "X-PASSWORD": "no-permissions"},
        ),
    ):
        assert response.status_code in (400, 403, 404)
        fits("get", "series/get", response)
    fits("get", "series/delete", api.get("series/delete", **keys(ids)))
