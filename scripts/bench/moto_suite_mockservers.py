"""An integrator-style suite against the mock (run by moto_suites.py, not collected by the project's tests):
50 tests, each on a server reset before it (the plugin's `mock_server`), a login and a call."""

import pytest
import requests


@pytest.mark.parametrize("n", range(50))
def test_login_and_list_jobs(mock_server, n):
    sigma = mock_server.url("sigma")
    login = requests.get(
        f"{sigma}/login", params={"account_name": "sigma", "user_name": "test", "password": "MTIzNDU2"}, timeout=30
    ).json()
    token = login["data"]["user_info"]["token"]
    jobs = requests.get(
        f"{sigma}/accounts/sigma/jobs/list/",
        params={"unique_id": f"1.2.{n}"},
        headers={"Sigma-Token": token},
        timeout=30,
    )
    assert jobs.status_code == 200
    assert jobs.json()["error"]["code"] == ""
