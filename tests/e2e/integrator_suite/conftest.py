"""An integrator's suite: each test gets a namespace of its own, so the tests can share one server in parallel.

Run it against one server with several workers:

    mockservers serve --port 8090 --state memory --clock virtual &
    pytest -n 4 tests/e2e/integrator_suite --mock-server-url http://127.0.0.1:8090
"""

import hashlib
import os

import pytest


@pytest.fixture
def ns(request, mock_server):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{worker}-{hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:12]}"
    namespace = mock_server.namespace(name)
    namespace.admin.reset()
    yield namespace
    namespace.admin.assert_no_unmatched()
    mock_server.admin.delete_namespace(name)  # a server holds at most max_namespaces (100 by default)


@pytest.fixture
def receiver(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_json({"code": 0})
    return httpserver.url_for("/hook")
