"""Each SigmaCloud DR endpoint is declared once (core.endpoints): the declaration serves the route, validates the
request before the backend runs, and is what the OpenAPI document and the fidelity ledger read."""

from __future__ import annotations

from collections import Counter

import pytest

from mockservers.core import openapi
from mockservers.sigma import backend, routes
from mockservers.sigma.vendor import SigmaVendor
from tests.sigma.conftest import assert_error


def test_every_served_route_has_exactly_one_declaration(mock_app):
    served = Counter()
    for rule in mock_app.url_map.iter_rules():
        if rule.endpoint.split(".", 1)[0] != "sigma":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served[(rule.endpoint.split(".", 1)[1], method, openapi.flask_rule_to_path(rule.rule, "/sigma"))] += 1
    declared = Counter(
        (d.endpoint, d.operation.method, openapi.openapi_path_shape(d.operation.path)) for d in routes.api.declared
    )
    assert served and served == declared and set(declared.values()) == {1}
    assert len({d.operation.name for d in routes.api.declared}) == len(routes.api.declared)


def test_the_vendor_documents_what_is_declared():
    vendor = SigmaVendor()
    assert vendor.endpoints() == [routes.api] and vendor.blueprint() is routes.api.blueprint
    assert vendor.operations() == routes.api.operations()


@pytest.fixture
def backend_calls(client, monkeypatch):
    """The backend's new_job, recorded (in-process only: a live server runs in another process)."""
    calls = []
    if hasattr(client, "base_url"):
        return None
    real = backend.SigmaBackend.new_job
    monkeypatch.setattr(backend.SigmaBackend, "new_job", lambda self, *args: calls.append(args) or real(self, *args))
    return calls


def jobs_of(sigma, series_id):
    response = sigma.c.get(
        "/sigma/accounts/sigma/jobs/list/", query_string={"unique_id": series_id}, headers=sigma.headers
    )
    assert response.status_code == 200
    return response.json["data"]["total_number"]


@pytest.mark.parametrize(
    "overrides, message, message_chs",
    [
        (
            {"priority": "9"},
            "Invalid input, the input priority is invalid!",
            "输入错误，输入的优先级（priority）参数非法!",
        ),
        (
            {"study_id": None},
            "Invalid input, the input study id is invalid!",
            "输入错误，输入的检查ID（study_id）参数非法!",
        ),
    ],
)
def test_a_bad_parameter_is_refused_before_the_backend_runs(sigma, dx, backend_calls, overrides, message, message_chs):
    ds = sigma.upload(dx)
    assert_error(sigma.new_job(ds, **overrides), 400, "InvalidParameter", message, message_chs)
    assert backend_calls in ([], None)
    assert jobs_of(sigma, ds.SeriesInstanceUID) == 0
    assert sigma.new_job(ds).status_code == 200
    assert backend_calls is None or len(backend_calls) == 1
    assert jobs_of(sigma, ds.SeriesInstanceUID) == 1


def test_a_missing_parameter_says_it_is_required_before_the_backend_runs(sigma, dx, backend_calls):
    ds = sigma.upload(dx)
    body = sigma.job_body(ds)
    del body["job_type"]
    response = sigma.c.post("/sigma/accounts/sigma/jobs/", json=body, headers=sigma.headers)
    assert_error(
        response,
        400,
        "InvalidParameter",
        "Invalid input, the parameter job_type is required!",
        "输入错误，缺少必选参数作业类型（job_type）!",
    )
    assert response.headers["X-Mock-Explain"] == "job_type: missing, it is required"
    assert backend_calls in ([], None)
    assert jobs_of(sigma, ds.SeriesInstanceUID) == 0


def test_credentials_are_checked_before_parameters(sigma, dx, backend_calls):
    ds = sigma.upload(dx)
    response = sigma.c.post(
        "/sigma/accounts/sigma/jobs/", json=sigma.job_body(ds, priority="9"), headers={"Sigma-Token": "nope"}
    )
    assert_error(response, 401, "InvalidToken")
    assert backend_calls in ([], None)
