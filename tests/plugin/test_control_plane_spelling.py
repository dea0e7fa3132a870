"""The control plane lives on `mock_server.admin`; `mock_server.add_fault` and the like say so."""

import pytest
import requests

from mockservers.pytest_plugin import Admin, Namespace, Server

ADMIN_CALLS = ("add_fault", "requests", "callbacks", "advance", "clock", "reset", "redeliver", "faults")


@pytest.mark.parametrize("name", ADMIN_CALLS)
def test_an_admin_call_on_mock_server_names_the_right_spelling(mock_server, name):
    with pytest.raises(AttributeError) as err:
        getattr(mock_server, name)
    assert str(err.value) == (
        f"mock_server has no {name!r}: it is mock_server.admin.{name}(...) (every /__admin call is on .admin)"
    )
    assert not hasattr(mock_server, name)


def test_on_a_namespace_it_names_the_namespaces_admin(mock_server):
    space = mock_server.namespace("spelling")
    with pytest.raises(AttributeError) as err:
        space.add_fault({"vendor": "sigma", "action": {"status": 503}})
    assert str(err.value) == (
        "mock_server.namespace('spelling') has no 'add_fault': it is mock_server.namespace('spelling').admin."
        "add_fault(...) (every /__admin call is on .admin)"
    )
    assert mock_server.admin.faults() == [], "nothing was added"
    space.close()


def test_any_other_missing_attribute_is_the_usual_error(mock_server):
    with pytest.raises(AttributeError) as err:
        mock_server.no_such_thing  # noqa: B018
    assert str(err.value) == "'LiveServer' object has no attribute 'no_such_thing'"
    with pytest.raises(AttributeError) as err:
        Server("http://127.0.0.1:9")._private  # noqa: B018
    assert str(err.value) == "'Server' object has no attribute '_private'"


def test_the_admin_spelling_works(mock_server):
    rule = mock_server.admin.add_fault({"vendor": "sigma", "path": "/sigma/login", "action": {"status": 503}})
    assert mock_server.admin.faults() == [rule]
    assert requests.get(mock_server.url("sigma") + "/login", timeout=10).status_code == 503
    [entry] = mock_server.admin.requests(vendor="sigma")
    assert entry["status"] == 503
    assert mock_server.admin.callbacks("sigma") == []
    assert mock_server.admin.advance(5)["iso"] == "2026-01-01T00:00:05Z"


def test_the_waits_are_on_both(mock_server):
    """await_callback, expect_requests, assert_no_unmatched: on mock_server (its namespace) and on .admin."""
    for holder in (Server, Namespace, Admin):
        for name in ("await_callback", "expect_requests", "assert_no_unmatched"):
            assert callable(getattr(holder, name))
    assert mock_server.expect_requests(vendor="sigma", count=0) == []
    assert mock_server.admin.expect_requests(vendor="sigma", count=0) == []
