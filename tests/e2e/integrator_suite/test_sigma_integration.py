"""What an integrator's tests of their SigmaCloud DR client look like: faults, awaited callbacks, each test in a
namespace of its own. The client is handed only a base URL: the plugin puts its requests in the test's namespace."""

import pytest

from mockservers.dicom.synthetic import dx_file
from mockservers.sigma.client import SigmaAPIError, SigmaClient


def connect(mock_server):
    client = SigmaClient(mock_server.url("sigma"))
    client.login()
    return client


def submit(client, index, **kwargs):
    ids = client.upload_dicom(dx_file(index=index))
    return ids, client.new_job(ids["study_id"], ids["series_id"], ids["patient_id"], ids["filename"], **kwargs)


def test_job_result_arrives_by_callback(mock_server, receiver):
    client = connect(mock_server)
    ids, job_id = submit(client, 30, notify_url=receiver, notify_info={"case": "happy"})
    callback = mock_server.admin.await_callback("sigma", match={"job_id": job_id}, advance=1, timeout=30)
    assert callback["body"]["notify_info"] == {"case": "happy"}
    assert client.result(ids["series_id"])["job_id"] == job_id


def test_client_survives_a_flaky_study_list(mock_server):
    client = connect(mock_server)
    mock_server.admin.add_fault(
        {
            "vendor": "sigma",
            "path": "/sigma/accounts/*/jobs/studylist/",
            "times": 1,
            "action": {"error": "ListStudyListError"},
        }
    )
    with pytest.raises(SigmaAPIError) as err:
        client.study_list()
    assert err.value.code == "ListStudyListError"
    assert client.study_list()["total_study_count"] == 0
    mock_server.admin.expect_requests(vendor="sigma", path="/sigma/accounts/sigma/jobs/studylist/", count=2)


def test_failed_job_is_reported(mock_server, receiver):
    """By GetJob: the document calls notify_url after success only (unless sigma_notify_on_failure is set)."""
    client = connect(mock_server)
    mock_server.admin.add_fault(
        {
            "vendor": "sigma",
            "method": "POST",
            "path": "/sigma/accounts/*/jobs/",
            "times": 1,
            "action": {"fail_job": "InternalServerError"},
        }
    )
    _, job_id = submit(client, 31, notify_url=receiver)
    mock_server.admin.advance(60)
    job = client.get_job(job_id)
    assert job["status"] == "failed" and job["error"]["code"] == "InternalServerError"
    assert mock_server.admin.callbacks("sigma") == []


def test_callback_receiver_down_for_a_while(mock_server, receiver):
    client = connect(mock_server)
    mock_server.admin.add_fault(
        {"vendor": "sigma", "path": "/hook", "times": 2, "action": {"callback": {"fail": True}}}
    )
    _, job_id = submit(client, 32, notify_url=receiver)
    callback = mock_server.admin.await_callback("sigma", match={"job_id": job_id}, advance=2, timeout=30)
    assert len(callback["attempts"]) == 3 and callback["attempts"][-1]["status"] == 200


def test_token_revoked_by_a_second_login(mock_server):
    first = connect(mock_server)
    second = SigmaClient(mock_server.url("sigma"))
    second.login(force_new=True)
    with pytest.raises(SigmaAPIError) as err:
        first.list_jobs("1.2.3")
    assert err.value.code == "InvalidToken"
    assert second.list_jobs("1.2.3")["total_number"] == 0


def test_clock_is_this_tests_own(mock_server):
    client = connect(mock_server)
    _, job_id = submit(client, 33)
    assert client.get_job(job_id)["status"] == "waiting"
    mock_server.admin.advance(2)
    assert client.get_job(job_id)["status"] == "running"
    assert mock_server.admin.clock()["iso"] == "2026-01-01T00:00:02Z"


def test_uploads_are_invisible_to_other_namespaces(mock_server):
    client = connect(mock_server)
    ids, _ = submit(client, 34)
    stranger_ns = mock_server.namespace(mock_server.name + "-stranger")
    stranger = SigmaClient(stranger_ns.url("sigma"), session=stranger_ns.session)
    stranger.login()
    with pytest.raises(SigmaAPIError) as err:
        stranger.download(ids["filename"])
    assert err.value.code == "InternalServerError"
    mock_server.admin.delete_namespace(stranger_ns.name)
    stranger_ns.close()
