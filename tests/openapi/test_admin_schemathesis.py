"""schemathesis against the control plane's OpenAPI document: no 5xx, every answer (errors included: JSON) as the
document says."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from mockservers.app import create_app
from mockservers.core.demo import seed_demo
from mockservers.core.http import runtime_of
from tests.machinery import test_settings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
APP = create_app(test_settings(), start_background=False)
with APP.app_context():
    seed_demo(runtime_of(APP), 2, lambda done: None)  # jobs, studies and files for the listings and the export

admin = schemathesis.openapi.from_wsgi("/__admin/openapi.json", APP)


@admin.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_admin(case):
    case.call_and_validate(checks=CHECKS)


TOKEN = "admin-secret"
GUARDED = create_app(test_settings(admin_token=TOKEN), start_background=False)
guarded = schemathesis.openapi.from_wsgi("/__admin/openapi.json", GUARDED, headers={"Authorization": f"Bearer {TOKEN}"})


@guarded.parametrize()
@settings(max_examples=5, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_admin_without_the_token(case):
    """A server with an admin token: every route but /health and the dashboard's files answers the documented 401,
    in JSON."""
    response = case.call()
    case.validate_response(response, checks=CHECKS)
    open_route = case.operation.path in ("/health", "/ui/static/{name}")
    assert open_route or response.status_code == 401, (case.operation.label, response.status_code)


@guarded.parametrize()
@settings(max_examples=5, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_admin_with_the_token(case):
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, checks=CHECKS)
