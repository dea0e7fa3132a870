"""What the dashboard's browser tests share: Debian's Chromium, started once a module."""

import pytest

from tests.browser import chromium


@pytest.fixture(scope="module")
def browser():
    with chromium() as browser:
        yield browser
