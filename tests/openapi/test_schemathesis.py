"""schemathesis against each REST vendor's OpenAPI document: no 5xx, every answer as documented."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

from mockservers.app import create_app
from mockservers.pytest_plugin import test_settings

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
APP = create_app(test_settings(), start_background=False)
sigma = schemathesis.openapi.from_wsgi("/sigma/openapi.json", APP)


@sigma.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_sigma(case):
    case.call_and_validate(checks=CHECKS)


aliyun = schemathesis.openapi.from_wsgi("/aliyun/openapi.json", APP)


@aliyun.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_aliyun(case):
    case.call_and_validate(checks=CHECKS)


@aliyun.parametrize()
@settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_aliyun_with_the_demo_identity(case):
    """Past the tokenId/namespace check, so the generated bodies and queries reach the schemas and the backend."""
    case.call_and_validate(checks=CHECKS, headers={"tokenId": "demo", "namespace": "demo"})
