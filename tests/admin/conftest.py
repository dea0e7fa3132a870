"""The read-only DICOMweb view (/__admin/dicomweb): dicomweb-client on it, and what is stored through each vendor."""

from __future__ import annotations

import io

import pydicom
import pytest
import requests
from dicomweb_client.api import DICOMwebClient

from mockservers.pytest_plugin import InProcessAdapter
from tests.cad4tb.conftest import Cad4tb
from tests.sigma.conftest import Sigma

VIEW = "/__admin/dicomweb"


def dicomweb(client, path: str, namespace: str | None = None) -> DICOMwebClient:
    """The real dicomweb-client on `path`, in-process or over HTTP as `client` is."""
    if hasattr(client, "http"):  # LiveClient: its session carries the test's namespace
        session = requests.Session()
        session.headers.update(client.http.headers)
        if client.admin_token:
            session.headers["Authorization"] = f"Bearer {client.admin_token}"
        base = client.base_url
    else:
        session = requests.Session()
        session.mount("http://view.test/", InProcessAdapter(client.application, ""))
        base = "http://view.test"
    if namespace:
        session.headers["X-Mock-Namespace"] = namespace
    return DICOMwebClient(base + path, session=session)


@pytest.fixture
def view(client) -> DICOMwebClient:
    return dicomweb(client, VIEW)


def header(data: bytes) -> pydicom.Dataset:
    return pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)


def value(item: dict, tag: str):
    return item[tag]["Value"][0] if item.get(tag, {}).get("Value") else None


def sigma_findings(client, indices=(2, 3, 4, 5)) -> list[pydicom.Dataset]:
    """Sigma jobs on chest images, finished: some have findings (they depend on the seed)."""
    from mockservers.dicom.synthetic import dx_file

    s = Sigma(client)
    s.login()
    uploaded = []
    for index in indices:
        ds = s.upload(dx_file(index=index, rows=256, columns=256))
        s.new_job(ds)
        uploaded.append(ds)
    s.advance(60)
    return uploaded


def cad4tb_upload(client, data: bytes) -> dict:
    api = Cad4tb(client)
    ids = api.uploaded(data)
    api.advance(10)
    return ids
