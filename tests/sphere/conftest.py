from __future__ import annotations

import pytest

from mockservers.app import create_app
from tests.dicom.files import multipart, study_files
from tests.machinery import test_settings

MULTIPART = 'multipart/related; type="application/dicom"; boundary=b0und4ry'


def stow(client, parts, study=None, **headers):
    path = "/sphere/stowrs/studies" + (f"/{study}" if study else "")
    return client.post(path, data=multipart(parts), headers={"Content-Type": MULTIPART, **headers})


@pytest.fixture
def files():
    return study_files()


@pytest.fixture
def stored(client, files):
    r = stow(client, [files["ct1"], files["ct2"], files["mr"], files["other"]])
    assert r.status_code == 200, r.get_data(as_text=True)
    return files


@pytest.fixture
def configured():
    """An in-process app with a sphere configuration (settings.yml keys); yields a function making clients."""
    apps = []

    def make(config: dict):
        app = create_app(test_settings(vendor_config={"sphere": config}), start_background=False)
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        app.extensions["mockservers"].close()


def detail(response, status: int, message: str | None = None) -> str:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json"
    text = response.json["detail"]
    assert list(response.json) == ["detail"] and text
    if message is not None:
        assert text == message
    return text
