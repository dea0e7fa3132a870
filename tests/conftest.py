"""Shared test fixtures. The plugin (mockservers.pytest_plugin) provides mock_app, mock_server, vendor_session,
mock_client. Tests written against `client` run twice in `make test`: in-process, and with --mock-live against a
live server (a namespace per test)."""
from __future__ import annotations

import pytest


@pytest.fixture
def client(mock_client):
    return mock_client


@pytest.fixture
def host_url(client):
    """The scheme and host the mock sees for `client` (RetrieveURLs and the like are built from it)."""
    return getattr(client, "base_url", "http://localhost")
