"""await_callback, expect_requests, assert_no_unmatched: return as soon as the condition holds, else explain."""

import base64

import pytest
import requests

from mockservers.dicom.synthetic import dx_file
from mockservers.sigma.client import SigmaClient


@pytest.fixture
def job_with_callback(mock_server, httpserver):
    httpserver.expect_request("/hook").respond_with_data("ok")
    client = SigmaClient(mock_server.url("sigma"))
    client.login()
    ids = client.upload_dicom(dx_file(index=8))
    job_id = client.new_job(
        ids["study_id"],
        ids["series_id"],
        ids["patient_id"],
        ids["filename"],
        notify_url=httpserver.url_for("/hook"),
        notify_info={"n": 1},
    )
    return job_id


def test_await_callback_advances_the_clock_until_delivered(mock_server, job_with_callback):
    cb = mock_server.await_callback("sigma", match={"job_id": job_with_callback}, advance=1, timeout=30)
    assert cb["state"] == "delivered" and cb["body"]["notify_info"] == {"n": 1}


def test_await_callback_with_a_predicate(mock_server, job_with_callback):
    mock_server.admin.advance(60)
    cb = mock_server.await_callback("sigma", match=lambda body: body["status"] == "success", timeout=1)
    assert cb["body"]["job_id"] == job_with_callback


def test_await_callback_lists_the_near_misses(mock_server, job_with_callback):
    mock_server.admin.advance(60)
    with pytest.raises(AssertionError) as err:
        mock_server.await_callback("sigma", match={"job_id": "job-other"}, timeout=0)
    message = str(err.value)
    assert "no delivered sigma callback matching" in message and job_with_callback in message
    assert "delivered to http://" in message


def test_expect_requests(mock_server):
    requests.get(mock_server.url("sigma") + "/login", timeout=10)
    [entry] = mock_server.expect_requests(vendor="sigma", method="GET", path="/sigma/login", status=400, count=1)
    assert entry["explain"].startswith("account_name")
    with pytest.raises(AssertionError) as err:
        mock_server.expect_requests(vendor="sigma", method="DELETE")
    assert "GET /sigma/login -> 400" in str(err.value)


def test_expect_requests_count_zero(mock_server):
    """count=0 asserts that no request matched: it returns the empty list rather than failing."""
    assert mock_server.expect_requests(vendor="sigma", method="DELETE", count=0) == []
    requests.delete(mock_server.url("sigma") + "/logout", timeout=10)
    with pytest.raises(AssertionError, match="expected 0 request"):
        mock_server.expect_requests(vendor="sigma", method="DELETE", count=0)


def test_assert_no_unmatched(mock_server):
    password = base64.urlsafe_b64encode(b"123456").decode()
    requests.get(mock_server.url("sigma") + f"/login?account_name=sigma&user_name=test&password={password}", timeout=10)
    mock_server.assert_no_unmatched()
    requests.get(mock_server.url("sigma") + "/accounts/sigma/jobs", timeout=10)
    with pytest.raises(AssertionError) as err:
        mock_server.assert_no_unmatched()
    assert "GET /sigma/accounts/sigma/jobs -> 404" in str(err.value)
