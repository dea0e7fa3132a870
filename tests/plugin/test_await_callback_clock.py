"""await_callback without advance= on a frozen virtual clock: the failure says the clock never moved, and how to move
it."""

import pytest

from mockservers.sigma.client import SigmaClient


@pytest.fixture
def job_id(mock_server, httpserver, sample_dicom):
    httpserver.expect_request("/hook").respond_with_data("ok")
    client = SigmaClient(mock_server.url("sigma"))
    client.login()
    ids = client.upload_dicom(str(sample_dicom))
    return client.new_job(
        **{k: ids[k] for k in ("study_id", "series_id", "patient_id", "filename")},
        notify_url=httpserver.url_for("/hook"),
    )


def test_without_advance_the_failure_says_the_clock_never_moved(mock_server, job_id):
    with pytest.raises(AssertionError) as err:
        mock_server.await_callback("sigma", match={"job_id": job_id}, timeout=0)
    assert str(err.value) == (
        f"no delivered sigma callback matching {{'job_id': {job_id!r}}} within 0s; callbacks seen:\n"
        "  (none)\n"
        "the virtual clock never moved (it stayed at 2026-01-01T00:00:00Z): a job's steps and its callbacks wait "
        "for it. Pass advance=1 to move it 1 second between polls, or move it yourself with "
        "mock_server.admin.advance(N)."
    )


def test_with_advance_there_is_no_such_hint(mock_server, job_id):
    with pytest.raises(AssertionError) as err:
        mock_server.await_callback("sigma", match={"job_id": job_id}, timeout=0, advance=1)
    assert str(err.value).endswith("callbacks seen:\n  (none)")


def test_the_hint_as_said_moves_it(mock_server, job_id):
    callback = mock_server.await_callback("sigma", match={"job_id": job_id}, advance=1)
    assert callback["state"] == "delivered" and callback["attempts"][-1]["status"] == 200
