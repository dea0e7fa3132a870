from __future__ import annotations

import pytest

from tests.dicom.files import multipart, study_files

JSON = "application/dicom+json"


class MsDicom:
    """Drives /msdicom/v{n} through the Flask test client, the way the document's requests code does."""

    def __init__(self, client, version: str = "2"):
        self.c = client
        self.base = f"/msdicom/v{version}"

    def stow(self, parts: list[bytes], study: str | None = None, boundary: str = "b0und4ry", **headers):
        path = self.base + "/studies" + (f"/{study}" if study else "")
        content_type = headers.pop("content_type", f'multipart/related; type="application/dicom"; boundary={boundary}')
        return self.c.post(
            path, data=multipart(parts, boundary), headers={"Content-Type": content_type, "Accept": JSON, **headers}
        )

    def get(self, path: str, accept: str | None = JSON, **params):
        headers = {"Accept": accept} if accept is not None else {}
        return self.c.get(self.base + path, headers=headers, query_string=params)

    def search(self, path: str, **params):
        return self.get(path, **params)


@pytest.fixture
def files():
    return study_files()


@pytest.fixture
def ms(client):
    return MsDicom(client, "2")


@pytest.fixture
def ms1(client):
    return MsDicom(client, "1")


@pytest.fixture
def stored(ms, files):
    response = ms.stow([files["ct1"], files["ct2"], files["mr"], files["other"]])
    assert response.status_code == 200, response.get_data(as_text=True)
    return files


def text_error(response, status: int, message: str | None = None) -> str:
    """The server's error: its status and a plain-text reason (never HTML, never a traceback)."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "text/plain"
    body = response.get_data(as_text=True)
    assert body and "Traceback" not in body and "<html" not in body.lower()
    if message is not None:
        assert body == message
    return body
