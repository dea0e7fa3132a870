"""Shared test fixtures. The plugin (mockservers.pytest_plugin) provides mock_app, mock_server, vendor_session."""
from __future__ import annotations

import pytest


@pytest.fixture
def client(mock_app):
    return mock_app.test_client()
