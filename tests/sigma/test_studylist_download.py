import json

import pytest

from mockservers.dicom.synthetic import dx_dataset, to_part10
from tests.sigma.conftest import assert_error


@pytest.fixture
def two_studies(sigma):
    a = dx_dataset(
        seed=0,
        index=21,
        PatientID="P1",
        PatientName="Wang^Li",
        AccessionNumber="A1",
        StudyDate="20240110",
        StudyDescription="Chest PA",
        PatientAge="045Y",
    )
    b = dx_dataset(
        seed=0,
        index=22,
        PatientID="P2",
        PatientName="Zhao^Min",
        AccessionNumber="A2",
        StudyDate="20240305",
        StudyDescription="Thorax",
        PatientAge="030Y",
    )
    for ds in (a, b):
        sigma.upload(to_part10(ds))
        assert sigma.new_job(ds).status_code == 200
    return a, b


def study_list(sigma, client, **params):
    return client.get("/sigma/accounts/sigma/jobs/studylist/", query_string=params, headers=sigma.headers)


def test_study_list_is_built_from_the_dicom_headers(sigma, client, two_studies):
    _a, b = two_studies
    response = study_list(sigma, client)
    assert response.json["message"] == "list jobs successfully!"
    data = response.json["data"]
    assert data["total_study_count"] == 2
    newest = data["studies"][0]
    assert newest["StudyInstanceUID"] == b.StudyInstanceUID and newest["PatientAge"] == 30
    assert newest["account"] == "sigma" and newest["job_type"] == ["lung_dr_detection"]
    key = b.SeriesInstanceUID.replace(".", "_")
    series = newest["series"][key]
    assert series["SeriesInstanceUID"] == b.SeriesInstanceUID and series["quantity"] == 1
    assert series["SOPClassUID"] == "Digital X-Ray Image Storage - For Presentation"
    assert series["WindowCenter"] == [2048.0] and series["Rows"] == 128 and isinstance(series["SeriesNumber"], int)
    assert series["ImageType"] == "['ORIGINAL', 'PRIMARY']" and series["SliceThickness"] == ""
    assert series["job"]["status"] == "waiting" and series["job"]["priority"] == 2


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"patient_id": "P1"}, ["P1"]),
        ({"patient_name": "zhao"}, ["P2"]),
        ({"accession_number": "A2"}, ["P2"]),
        ({"study_description": "chest"}, ["P1"]),
        ({"study_start": "20240201"}, ["P2"]),
        ({"study_end": "20240201"}, ["P1"]),
        ({"study_start": "20240101", "study_end": "20241231"}, ["P2", "P1"]),
        ({"job_type": "lung_dr_detection"}, ["P2", "P1"]),
        ({"job_type": "other"}, []),
        ({"start_time": "1767225600", "end_time": "1767225600"}, ["P2", "P1"]),
        ({"start_time": "1767225601"}, []),
    ],
)
def test_study_list_filters(sigma, client, two_studies, params, expected):
    data = study_list(sigma, client, **params).json["data"]
    assert [s["PatientID"] for s in data["studies"]] == expected
    assert data["total_study_count"] == len(expected)


def test_study_list_filter_by_study_uid(sigma, client, two_studies):
    a, _ = two_studies
    data = study_list(sigma, client, study_id=a.StudyInstanceUID).json["data"]
    assert [s["StudyInstanceUID"] for s in data["studies"]] == [a.StudyInstanceUID]


@pytest.mark.parametrize("params", [{"study_start": "2024-01-01"}, {"study_end": "x"}, {"start_time": "yesterday"}])
def test_malformed_filter_is_the_documented_list_study_list_error(sigma, client, params):
    """当前API特有的ERROR_MESSAGE: HTTP 500, ListStudyListError; the failure example's message and empty message_chs."""
    response = study_list(sigma, client, **params)
    assert_error(response, 500, "ListStudyListError", "list study failed!", "")
    assert response.headers["X-Mock-Explain"].startswith(next(iter(params)) + ": ")


def test_download_result_json_after_success(sigma, client, dx):
    ds = sigma.upload(dx)
    job_id = sigma.new_job(ds).json["data"]["job_id"]
    name = f"{ds.SeriesInstanceUID}.json"
    early = client.get("/sigma/accounts/sigma/store/downloads/", query_string={"filename": name}, headers=sigma.headers)
    assert_error(
        early,
        404,
        "InternalServerError",
        "An internal exception is raised, message: download file failed, the file is not exist or deleted.",
    )
    sigma.advance(60)
    response = client.get(
        "/sigma/accounts/sigma/store/downloads/", query_string={"filename": name}, headers=sigma.headers
    )
    assert response.status_code == 200 and response.mimetype == "application/json"
    result = json.loads(response.data)
    assert result["job_id"] == job_id and result["series_id"] == ds.SeriesInstanceUID
    for finding in result["findings"]:
        x1, y1, x2, y2 = finding["bbox"]
        assert 0 <= x1 < x2 <= ds.Columns and 0 <= y1 < y2 <= ds.Rows
        assert 0.5 <= finding["score"] <= 0.99 and finding["label_chs"]


def test_results_are_deterministic_for_the_same_image(client):
    from mockservers.app import create_app
    from mockservers.dicom.synthetic import dx_file
    from tests.machinery import test_settings
    from tests.sigma.conftest import Sigma

    def run(seed):
        app = create_app(test_settings(seed=seed), start_background=False)
        s = Sigma(app.test_client())
        s.login()
        ds = s.upload(dx_file(index=3))
        s.new_job(ds)
        s.advance(60)
        r = s.c.get(
            "/sigma/accounts/sigma/store/downloads/",
            query_string={"filename": f"{ds.SeriesInstanceUID}.json"},
            headers=s.headers,
        )
        return json.loads(r.data)["findings"]

    assert run(0) == run(0)
    assert any(run(0) != run(s) for s in (1, 2, 3))


def test_download_with_group_name(sigma, client, dx):
    ds = sigma.upload(dx, name="x.dcm")
    ok = client.get(
        "/sigma/accounts/sigma/store/downloads/",
        query_string={"filename": "x.dcm", "group_name": ds.SeriesInstanceUID},
        headers=sigma.headers,
    )
    assert ok.data == dx and ok.mimetype == "application/dicom"
    other = client.get(
        "/sigma/accounts/sigma/store/downloads/",
        query_string={"filename": "x.dcm", "group_name": "1.2"},
        headers=sigma.headers,
    )
    assert_error(other, 404, "InternalServerError")


def test_download_needs_filename(sigma, client):
    response = client.get("/sigma/accounts/sigma/store/downloads/", headers=sigma.headers)
    assert_error(response, 400, "InvalidParameter", "Invalid input, the parameter filename is required!")
