import json

import pytest

from mockservers.dicom.synthetic import dx_dataset, to_part10
from tests.sigma.conftest import FAIL_NEXT_JOB, assert_error


@pytest.fixture
def uploaded(sigma, dx):
    return sigma.upload(dx)


def test_new_job_answers_a_job_id(sigma, uploaded):
    response = sigma.new_job(uploaded)
    assert response.status_code == 200
    assert response.json["message"] == "new job successfully!"
    assert response.json["message_chs"] == "新建作业成功！"
    job_id = response.json["data"]["job_id"]
    assert job_id.startswith("job-") and len(job_id) == 40


def test_job_moves_waiting_running_success_on_the_clock(sigma, uploaded):
    job_id = sigma.new_job(uploaded).json["data"]["job_id"]
    job = sigma.get_job(job_id).json
    assert job["message"] == "get job information successfully!" and job["message_chs"] == "获取作业信息成功!"
    data = job["data"]
    assert list(data) == ["status", "tasks", "job_id", "end_ts", "start_ts", "user_name", "account_name"]
    assert data["status"] == "waiting" and data["end_ts"] is None
    assert data["tasks"][0]["task_id"].startswith("task-") and data["tasks"][0]["status"] == "waiting"
    start = data["start_ts"]
    sigma.advance(1)
    assert sigma.get_job(job_id).json["data"]["status"] == "running"
    sigma.advance(4.5)
    assert sigma.get_job(job_id).json["data"]["status"] == "running"
    sigma.advance(0.5)
    done = sigma.get_job(job_id).json["data"]
    assert done["status"] == "success" and done["end_ts"] == start + 6
    assert done["tasks"][0]["status"] == "success"


def test_job_durations_are_configurable():
    from mockservers.app import create_app
    from mockservers.dicom.synthetic import dx_file
    from tests.machinery import test_settings
    from tests.sigma.conftest import Sigma

    app = create_app(
        test_settings(vendor_config={"sigma": {"queue_seconds": 0, "run_seconds": 60}}), start_background=False
    )
    s = Sigma(app.test_client())
    s.login()
    ds = s.upload(dx_file())
    job_id = s.new_job(ds).json["data"]["job_id"]
    s.advance(59)
    assert s.get_job(job_id).json["data"]["status"] == "running"
    s.advance(1)
    assert s.get_job(job_id).json["data"]["status"] == "success"


def test_list_jobs_by_series(sigma, uploaded, client):
    first = sigma.new_job(uploaded).json["data"]["job_id"]
    second = sigma.new_job(uploaded).json["data"]["job_id"]
    response = client.get(
        "/sigma/accounts/sigma/jobs/list/",
        query_string={"unique_id": uploaded.SeriesInstanceUID},
        headers=sigma.headers,
    )
    assert response.json["message"] == "list jobs successfully!" and response.json["message_chs"] == "获取作业列表成功!"
    data = response.json["data"]
    assert data["total_number"] == 2 and [j["job_id"] for j in data["jobs"]] == [first, second]
    assert set(data["jobs"][0]) == {
        "status",
        "job_id",
        "job_type",
        "end_ts",
        "start_ts",
        "patient_id",
        "series_id",
        "study_id",
        "user_name",
        "account_name",
    }
    other = client.get("/sigma/accounts/sigma/jobs/list/", query_string={"unique_id": "9.9"}, headers=sigma.headers)
    assert other.json["data"] == {"jobs": [], "total_number": 0}


def test_list_jobs_needs_unique_id(sigma, client):
    response = client.get("/sigma/accounts/sigma/jobs/list/", headers=sigma.headers)
    assert_error(response, 400, "InvalidParameter", "Invalid input, the parameter unique_id is required!")


def test_unknown_job_is_the_documented_not_exist_error(sigma):
    response = sigma.get_job("job-00000000-0000-0000-0000-000000000000")
    assert_error(
        response,
        404,
        "InternalServerError",
        "An internal exception is raised, message: get job information failed, the job is not exist or deleted.",
        "服务内部错误",
    )


def test_invalid_job_type_is_the_documented_error(sigma, uploaded):
    response = sigma.new_job(uploaded, job_type="ct_lung")
    assert_error(
        response,
        400,
        "InvalidParameter",
        "Invalid input, the input job type is invalid!",
        "输入错误，输入的作业类型（job_type）参数非法!",
    )


@pytest.mark.parametrize(
    "field",
    [
        "account_name",
        "user_name",
        "study_id",
        "series_id",
        "patient_id",
        "format",
        "filename",
        "job_type",
        "priority",
        "type",
    ],
)
def test_every_required_field(sigma, uploaded, client, field):
    body = sigma.job_body(uploaded)
    del body[field]
    response = client.post("/sigma/accounts/sigma/jobs/", data=json.dumps(body), headers=sigma.headers)
    assert_error(response, 400, "InvalidParameter", f"Invalid input, the parameter {field} is required!")


@pytest.mark.parametrize(
    "field, value",
    [
        ("format", "nii"),
        ("type", "folder"),
        ("priority", "9"),
        ("priority", "high"),
        ("notify", "2"),
        ("notify_url", "not a url"),
        ("notify_info", "text"),
        ("account_name", "other"),
        ("user_name", "other"),
        ("filename", "missing.dcm"),
        ("series_id", "1.2.3"),
    ],
)
def test_invalid_values(sigma, uploaded, field, value):
    response = sigma.new_job(uploaded, **{field: value})
    expected_field = "filename" if field == "series_id" else field
    words = expected_field.replace("_", " ")
    assert_error(response, 400, "InvalidParameter", f"Invalid input, the input {words} is invalid!")


def test_notify_needs_notify_url(sigma, uploaded):
    response = sigma.new_job(uploaded, notify="1")
    assert_error(
        response,
        400,
        "InvalidParameter",
        "Invalid input, the parameter notify_url is required!",
        "输入错误，缺少必选参数通知地址（notify_url）!",
    )


def test_sdk_types_are_accepted(sigma, uploaded):
    response = sigma.new_job(uploaded, priority=2, patient_id="", notify=0)
    assert response.status_code == 200


def test_rejected_job_changes_nothing(sigma, uploaded, client):
    sigma.new_job(uploaded, job_type="bad")
    listed = client.get(
        "/sigma/accounts/sigma/jobs/list/",
        query_string={"unique_id": uploaded.SeriesInstanceUID},
        headers=sigma.headers,
    )
    assert listed.json["data"]["total_number"] == 0
    assert client.post("/__admin/clock/advance", json={"seconds": 100}).json["events_run"] == 0


def test_image_without_pixels_fails_the_job(sigma, client):
    ds = dx_dataset(seed=0, index=11)
    del ds.PixelData
    sigma.upload(to_part10(ds))
    job_id = sigma.new_job(ds).json["data"]["job_id"]
    sigma.advance(60)
    data = sigma.get_job(job_id).json["data"]
    assert data["status"] == "failed"
    assert data["error"]["code"] == "InternalServerError"


def test_fail_job_fault(sigma, uploaded, client):
    rule = client.post("/__admin/faults", json=FAIL_NEXT_JOB)
    assert rule.status_code == 201
    failing = sigma.new_job(uploaded).json["data"]["job_id"]
    passing = sigma.new_job(uploaded).json["data"]["job_id"]
    sigma.advance(60)
    assert sigma.get_job(failing).json["data"]["status"] == "failed"
    assert sigma.get_job(passing).json["data"]["status"] == "success"


def test_jobs_of_another_account_are_invisible():
    from mockservers.app import create_app
    from mockservers.dicom.synthetic import dx_file
    from tests.machinery import test_settings
    from tests.sigma.conftest import PASSWORD_B64, Sigma

    app = create_app(
        test_settings(vendor_config={"sigma": {"accounts": {"other": {"users": {"bob": {"password": "123456"}}}}}}),
        start_background=False,
    )
    c = app.test_client()
    s = Sigma(c)
    s.login()
    job_id = s.new_job(s.upload(dx_file())).json["data"]["job_id"]
    bob = Sigma(c)
    bob.login(account_name="other", user_name="bob", password=PASSWORD_B64)
    response = c.get(f"/sigma/accounts/other/jobs/{job_id}/", headers=bob.headers)
    assert_error(response, 404, "InternalServerError")
    cross = c.get(f"/sigma/accounts/sigma/jobs/{job_id}/", headers=bob.headers)
    assert_error(
        cross,
        403,
        "AccessDenied",
        "Access denied, the user does not belong to the account!",
        "拒绝访问，用户不属于该账户!",
    )


def _upload_as_the_sdk_does(sigma, ds, converted="1"):
    """The SDK uploads each file under its SOP Instance UID, then asks for a job on the series."""
    body = {"quantity": 1, "converted": converted, "overwrite": 1}
    upload_id = sigma.c.post(
        f"/sigma/accounts/sigma/store/uploads/{ds.SeriesInstanceUID}/", data=json.dumps(body), headers=sigma.headers
    ).json["data"]["upload_id"]
    assert sigma.put(f"{ds.SOPInstanceUID}.dcm", to_part10(ds), upload_id).status_code == 200


@pytest.mark.parametrize("fmt", ["dcm", "nii"])
def test_new_job_on_the_series_form_of_filename(sigma, client, fmt):
    """filename `<series_id>.<format>`, as the document's example (222.222.222 / 222.222.222.dcm) and the SDK send
    it."""
    ds = dx_dataset(seed=0, index=41)
    _upload_as_the_sdk_does(sigma, ds)
    response = sigma.new_job(ds, format=fmt, filename=f"{ds.SeriesInstanceUID}.{fmt}")
    assert response.status_code == 200, response.json
    job_id = response.json["data"]["job_id"]
    sigma.advance(60)
    assert sigma.get_job(job_id).json["data"]["status"] == "success"
    result = client.get(
        "/sigma/accounts/sigma/store/downloads/",
        query_string={"filename": f"{ds.SeriesInstanceUID}.json"},
        headers=sigma.headers,
    ).json
    assert result["job_id"] == job_id and result["image"]["filename"] == f"{ds.SOPInstanceUID}.dcm"


@pytest.mark.parametrize(
    "fmt, filename, converted",
    [
        ("dcm", "{other}.dcm", "1"),  # another series
        ("dcm", "{series}.nii", "1"),  # not <series_id>.<format>
        ("nii", "{series}.nii", "0"),  # the series was not converted (converted "0")
        ("dcm", "{series}", "1"),
    ],
)
def test_new_job_on_a_file_that_is_neither_uploaded_nor_the_series_is_refused(sigma, client, fmt, filename, converted):
    ds = dx_dataset(seed=0, index=42)
    _upload_as_the_sdk_does(sigma, ds, converted=converted)
    name = filename.format(series=ds.SeriesInstanceUID, other="1.2.3.4")
    response = sigma.new_job(ds, format=fmt, filename=name)
    assert_error(
        response,
        400,
        "InvalidParameter",
        "Invalid input, the input filename is invalid!",
        "输入错误，输入的文件名（filename）参数非法!",
    )
    assert (
        client.get(
            "/sigma/accounts/sigma/jobs/list/", query_string={"unique_id": ds.SeriesInstanceUID}, headers=sigma.headers
        ).json["data"]["total_number"]
        == 0
    )


def test_format_is_dcm_or_nii(sigma, uploaded):
    assert_error(
        sigma.new_job(uploaded, format="png"), 400, "InvalidParameter", "Invalid input, the input format is invalid!"
    )
