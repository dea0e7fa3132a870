import io
import zipfile
from xml.etree import ElementTree

import pytest
from PIL import Image

from mockservers.dicom.synthetic import dx_file
from tests.cad4tb.conftest import API, OWNER, RETINA, SCOPE, Cad4tb, assert_error, keys, make_app


def results(api, ids, names, kind="cad4tb"):
    return api.get("series/results", **keys(ids), Type=kind, Results=names)


@pytest.fixture
def done(api):
    ids = api.uploaded(dx_file(0, 0))
    api.advance(3)
    return ids


def test_no_result_yet_is_an_empty_list(api):
    ids = api.uploaded(dx_file(0, 0))
    for names in ("CAD4TB 5", "CAD4TB 5,Heatmap"):
        response = results(api, ids, names)
        assert response.status_code == 200 and response.json == []


def test_a_scalar_result_is_name_algorithm_value(api, done):
    response = results(api, done, "CAD4TB 5")
    assert response.status_code == 200 and response.mimetype == "application/json"
    [result] = response.json
    assert list(result) == ["name", "algorithm", "value"]
    assert result["name"] == "CAD4TB 5" and result["algorithm"] == "CAD4TB"
    assert isinstance(result["value"], float) and 0 <= result["value"] <= 100


def test_results_are_deterministic_per_series(api, app, done):  # two apps of the same seed
    first = results(api, done, "CAD4TB 5,CAD4TB 6").json
    assert results(api, done, "CAD4TB 6").json == [first[1]]
    assert first[0]["value"] != first[1]["value"]
    app2 = make_app()
    api2 = Cad4tb(app2.test_client())
    again = api2.uploaded(dx_file(0, 0))
    api2.advance(3)
    assert results(api2, again, "CAD4TB 5,CAD4TB 6").json == first
    other = api2.uploaded(dx_file(0, 1))
    api2.advance(3)
    assert results(api2, other, "CAD4TB 5").json != [first[0]]
    app2.extensions["mockservers"].close()


def test_results_split_on_commas_only_in_the_requested_order(api, done):
    answer = results(api, done, "Image quality, CAD4TB 7,CAD4TB 5").json
    assert [r["name"] for r in answer] == ["Image quality", "CAD4TB 7", "CAD4TB 5"]
    assert answer[0]["value"] in ("good", "acceptable", "poor")


def test_a_non_scalar_result_is_a_zip_with_an_xml_of_the_scalars(api, done):
    scalars = results(api, done, "CAD4TB 5,Image quality").json
    response = results(api, done, "CAD4TB 5,Heatmap,Image quality")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.namelist() == ["Heatmap.png", "results.xml"]
    image = Image.open(io.BytesIO(archive.read("Heatmap.png")))
    assert image.format == "PNG" and image.size == (128, 128)
    root = ElementTree.fromstring(archive.read("results.xml"))
    assert root.tag == "results"
    assert [{c.tag: c.text for c in node} for node in root] == [{k: str(v) for k, v in s.items()} for s in scalars]


def test_only_non_scalar_results_give_a_zip_without_xml(api, done):
    response = results(api, done, "Heatmap")
    assert zipfile.ZipFile(io.BytesIO(response.data)).namelist() == ["Heatmap.png"]
    assert response.data == results(api, done, "Heatmap").data


def test_retina_results_for_a_retina_series(api):
    ids = api.uploaded(dx_file(0, 3, **RETINA))
    api.advance(3)
    answer = results(api, ids, "DR,DR grade", kind="retina").json
    assert [r["algorithm"] for r in answer] == ["RetCAD", "RetCAD"]
    assert isinstance(answer[1]["value"], int) and 0 <= answer[1]["value"] <= 4
    assert_error(results(api, ids, "CAD4TB 5"), 404, "object_not_found", "result_not_found")


def test_type_is_case_insensitive(api, done):
    assert results(api, done, "CAD4TB 5", kind="CAD4TB").status_code == 200


@pytest.mark.parametrize(
    "kind, names, message",
    [
        ("cad4tb", "CAD4TB 99", "Result not found: CAD4TB 99"),
        ("cad4tb", "CAD4TB 5,nope", "Result not found: nope"),
        ("cad4tb", "cad4tb 5", "Result not found: cad4tb 5"),
        ("cad4tb", "", "Result not found"),
        ("cad4tb", " , ", "Result not found"),
        ("retina", "DR", "Result not found"),
        ("lungs", "CAD4TB 5", "Result not found"),
        ("", "CAD4TB 5", "Result not found"),
    ],
)
def test_unknown_results_are_result_not_found(api, done, kind, names, message):
    assert_error(results(api, done, names, kind), 404, "object_not_found", "result_not_found", message)


def test_an_unknown_result_is_not_found_even_while_processing(api):
    ids = api.uploaded(dx_file(0, 0))
    assert_error(results(api, ids, "nope"), 404, "object_not_found", "result_not_found")


def test_a_failed_series_has_no_results(api):
    rule = {
        "vendor": "cad4tb",
        "path": "/cad4tb/api/v1/instance/upload/",
        "action": {"fail_job": "Image could not be processed"},
    }
    assert api.c.post("/__admin/faults", json=rule).status_code in (200, 201)
    ids = api.uploaded(dx_file(0, 0))
    api.advance(3)
    series = api.get("series/get", **keys(ids)).json
    assert series["status"] == "error" and series["status_message"] == "Image could not be processed"
    assert_error(results(api, ids, "CAD4TB 5"), 404, "object_not_found", "result_not_found")


def test_the_documents_double_slash_url_works(api, done):
    response = api.c.get(
        f"{API}//series/results/",
        headers={**OWNER, "Content-Type": "application/json"},
        query_string={**SCOPE, **keys(done), "Type": "cad4tb", "Results": "CAD4TB 5"},
    )
    assert response.status_code == 200 and response.json[0]["name"] == "CAD4TB 5"


def test_results_given_as_a_repeated_parameter_are_one_list(api, done):
    response = api.c.get(
        f"{API}/series/results/",
        headers=OWNER,
        query_string=[
            *SCOPE.items(),
            *keys(done).items(),
            ("Type", "cad4tb"),
            ("Results", "CAD4TB 5"),
            ("Results", "CAD4TB 6"),
        ],
    )
    assert [r["name"] for r in response.json] == ["CAD4TB 5", "CAD4TB 6"]
