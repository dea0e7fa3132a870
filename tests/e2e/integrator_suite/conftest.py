"""An integrator's suite: each test works in a namespace of its own (the plugin's `mock_server` gives one per test
with --mock-server-url), so the tests can share one server in parallel.

Run it against one server with several workers:

    mockservers serve --port 8090 --state memory --clock virtual &
    pytest -n 4 tests/e2e/integrator_suite --mock-server-url http://127.0.0.1:8090
"""

import pytest


@pytest.fixture(autouse=True)
def no_stray_requests(mock_server):
    yield
    mock_server.assert_no_unmatched()


@pytest.fixture
def receiver(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_json({"code": 0})
    return httpserver.url_for("/hook")
