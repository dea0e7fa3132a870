"""With --mock-server-url, each test works in a namespace of its own on the shared server, even with a client that
is only handed a base URL; the namespace is gone after the test. Run against a `mockservers serve` subprocess."""

from __future__ import annotations

import textwrap

import pytest
import requests

pytestmark = pytest.mark.no_postgres_pass  # the server picks its own state

SUITE = textwrap.dedent(
    """
    import anyio
    import httpx
    import requests

    from mockservers.pytest_plugin import test_namespace_name


    def test_the_namespace_is_this_tests_own(mock_server, request):
        assert mock_server.name == test_namespace_name(request.node.nodeid)
        assert mock_server.name.startswith("t-") and mock_server.name in mock_server.admin.namespaces()
        assert mock_server.admin.clock()["iso"] == "2026-01-01T00:00:00Z"


    def test_a_client_handed_a_plain_url_works_in_it(mock_server):
        login = mock_server.url("sigma") + "/login"
        assert requests.get(login, timeout=10).status_code == 400
        with httpx.Client() as client:
            assert client.get(login).status_code == 400
        assert mock_server.session.get(login, timeout=10).status_code == 400

        async def from_async_httpx():
            async with httpx.AsyncClient() as client:
                return (await client.get(login)).status_code

        assert anyio.run(from_async_httpx) == 400
        assert [e["path"] for e in mock_server.admin.requests(vendor="sigma")] == ["/sigma/login"] * 4
        mock_server.expect_requests(vendor="sigma", path="/sigma/login", count=4)


    def test_a_request_that_names_a_namespace_keeps_it(mock_server):
        other = mock_server.namespace(mock_server.name + "-other")
        named = requests.get(other.url("sigma") + "/login", headers={"X-Mock-Namespace": other.name}, timeout=10)
        assert named.status_code == 400
        assert other.session.get(other.url("sigma") + "/login", timeout=10).status_code == 400
        assert mock_server.admin.requests(vendor="sigma") == []
        assert len(other.admin.requests(vendor="sigma")) == 2
        mock_server.admin.delete_namespace(other.name)
        other.close()


    def test_other_hosts_and_ports_get_no_header(mock_server, httpserver):
        httpserver.expect_request("/elsewhere").respond_with_data("ok")
        requests.get(httpserver.url_for("/elsewhere"), timeout=10)
        with httpx.Client() as client:
            client.get(httpserver.url_for("/elsewhere"))
        assert [request.headers.get("X-Mock-Namespace") for request, _ in httpserver.log] == [None, None]


    def test_the_clock_is_this_tests_own(mock_server):
        assert mock_server.admin.advance(3)["iso"] == "2026-01-01T00:00:03Z"
    """
)


def test_each_test_works_in_a_namespace_of_its_own(pytester, served_url):
    pytester.makepyfile(test_integrator=SUITE)
    result = pytester.runpytest("-p", "no:cacheprovider", "--mock-server-url", served_url)
    result.assert_outcomes(passed=5)
    admin = served_url + "/__admin"
    assert requests.get(admin + "/requests", params={"vendor": "sigma"}, timeout=10).json()["requests"] == []
    assert requests.get(admin + "/clock", timeout=10).json()["iso"] == "2026-01-01T00:00:00Z"
    assert requests.get(admin + "/namespaces", timeout=10).json()["namespaces"] == ["default"]


def test_after_the_test_requests_reach_the_default_namespace_again(pytester, served_url):
    """The header is added for the test's duration only."""
    pytester.makepyfile(
        test_one="def test_it(mock_server):\n    mock_server.admin.advance(1)\n",
    )
    pytester.runpytest("-p", "no:cacheprovider", "--mock-server-url", served_url).assert_outcomes(passed=1)
    requests.get(served_url + "/sigma/login", timeout=10)
    journal = requests.get(served_url + "/__admin/requests", params={"vendor": "sigma"}, timeout=10).json()
    assert [e["path"] for e in journal["requests"]] == ["/sigma/login"]
    requests.post(served_url + "/__admin/reset", timeout=10)
