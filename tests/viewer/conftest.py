"""An app built from the settings a test names (viewer_dir, cors_origins, vendors), a stand-in OHIF build, and for
the browser tests a Chromium and its pages' contexts."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from mockservers.app import create_app
from mockservers.viewer import MARKER
from tests.machinery import test_settings

ROOT = Path(__file__).resolve().parents[2]
INDEX = '<!doctype html><script>window.PUBLIC_URL="/viewer/"</script><div id="root"></div>'
BUNDLE = 'console.log("app bundle");'


@pytest.fixture
def build(tmp_path):
    """A folder laid out like an installed build: index.html, a bundle, an asset, the marker install.py writes."""
    folder = tmp_path / "viewer"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX)
    (folder / "app.bundle.0f6159c5.js").write_text(BUNDLE)
    (folder / "assets" / "favicon.ico").write_bytes(b"\x00\x00\x01\x00icon")
    (folder / MARKER).write_text("3.13.2\n")
    return folder


class BufferedClient(FlaskClient):
    """Reads each answer whole, so that a file sent from the build is closed at once."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture
def make_client():
    """make_client(**settings): a test client of an app built from test_settings(**settings)."""
    apps = []

    def make(**settings):
        app = create_app(test_settings(**settings), start_background=False)
        app.test_client_class = BufferedClient
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        app.extensions["mockservers.namespaces"].close()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium for a module's browser tests; screenshots go to tests/artifacts/viewer/."""
    from tests.browser import chromium

    (ROOT / "tests" / "artifacts" / "viewer").mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        yield browser


def watched_context(browser, server):
    """A browser context whose `elsewhere` lists every request leaving for anywhere but the mock `server`."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.elsewhere = []
    context.on(
        "request",
        lambda r: None if r.url.startswith((server.url() + "/", "data:", "blob:")) else context.elsewhere.append(r.url),
    )
    return context
