"""Fixtures for the port of Microsoft's end-to-end tests (microsoft/dicom-server at eeefbe4d,
test/Microsoft.Health.Dicom.Web.Tests.E2E/Rest/). `Dicomweb` sends what the C# DicomWebClient sends,
header for header, through the `client` fixture (in-process, and live with --mock-live)."""

from __future__ import annotations

import json
import uuid

import pydicom
import pytest
import requests
from dicomweb_client.api import DICOMwebClient

from mockservers.pytest_plugin import InProcessAdapter
from tests.dicom.files import multipart, split_multipart
from tests.msdicom.conformance.samples import part10, read

DICOM_JSON = "application/dicom+json"

REFERENCED_SOP_SEQUENCE = "00081199"
FAILED_SOP_SEQUENCE = "00081198"
RETRIEVE_URL = "00081190"
FAILURE_REASON = "00081197"
REFERENCED_SOP_CLASS = "00081150"
REFERENCED_SOP_INSTANCE = "00081155"
FAILED_ATTRIBUTES_SEQUENCE = "00741048"
ERROR_COMMENT = "00000902"


def multipart_accept(part_type: str, transfer_syntax: str | None) -> str:
    """DicomWebClient.CreateAcceptHeader(CreateMultipartMediaTypeHeader(type), ts), character for character."""
    return f'multipart/related; type="{part_type}"' + (
        f';transfer-syntax="{transfer_syntax}"' if transfer_syntax is not None else ""
    )


def single_accept(media_type: str, transfer_syntax: str | None) -> str:
    return media_type + (f';transfer-syntax="{transfer_syntax}"' if transfer_syntax is not None else "")


class Dicomweb:
    """The C# IDicomWebClient's calls, as raw HTTP against /msdicom/v{version}."""

    def __init__(self, client, version: str):
        self.c = client
        self.version = version
        self.base = f"/msdicom/v{version}"

    # STOW-RS
    def store_one(self, ds, study: str | None = None):
        """StoreAsync(DicomFile[, study]): one application/dicom body, not multipart."""
        data = ds if isinstance(ds, bytes) else part10(ds)
        return self.post_studies(data, "application/dicom", study)

    def store_many(self, datasets, study: str | None = None, boundary: str = "e2e-boundary"):
        """StoreAsync(IEnumerable<DicomFile>[, study]): multipart/related; type="application/dicom"."""
        parts = [d if isinstance(d, bytes) else part10(d) for d in datasets]
        return self.post_studies(
            multipart(parts, boundary), f'multipart/related; type="application/dicom"; boundary="{boundary}"', study
        )

    def post_studies(
        self, body: bytes, content_type: str | None, study: str | None = None, accept: str | None = DICOM_JSON
    ):
        headers = {}
        if content_type is not None:
            headers["Content-Type"] = content_type
        if accept is not None:
            headers["Accept"] = accept
        path = self.base + "/studies" + (f"/{study}" if study else "")
        return self.c.post(path, data=body, headers=headers)

    # WADO-RS
    def get(self, path: str, accept: str | None = None, query: str | None = None, **headers):
        if accept is not None:
            headers["Accept"] = accept
        return self.c.get(self.base + path, headers=headers, query_string=query)

    def retrieve(self, path: str, transfer_syntax: str | None = "*"):
        """RetrieveStudyAsync / RetrieveSeriesAsync (the C# default transfer syntax is "*")."""
        return self.get(path, multipart_accept("application/dicom", transfer_syntax))

    def retrieve_instance(self, path: str, transfer_syntax: str | None = "*"):
        """RetrieveInstanceAsync: a single part application/dicom."""
        return self.get(path, single_accept("application/dicom", transfer_syntax))

    def retrieve_frames(
        self, path: str, frames, media_type: str = "application/octet-stream", transfer_syntax: str | None = "*"
    ):
        return self.get(
            f"{path}/frames/{'%2C'.join(str(f) for f in frames)}", multipart_accept(media_type, transfer_syntax)
        )

    def metadata(self, path: str, if_none_match: str | None = None):
        headers = {"If-None-Match": if_none_match} if if_none_match else {}
        return self.get(path + "/metadata", DICOM_JSON, **headers)

    # QIDO-RS
    def query(self, path: str, query: str = ""):
        return self.get(path, DICOM_JSON, query=query or None)

    # DELETE
    def delete(self, path: str):
        return self.c.delete(self.base + path)


def body_json(response):
    data = response.get_data()
    return json.loads(data) if data else None


def parts(response) -> list[tuple[str, bytes]]:
    assert response.headers["Content-Type"].startswith("multipart/related"), response.headers["Content-Type"]
    return split_multipart(response)


def files_of(response) -> list[pydicom.Dataset]:
    return [read(content) for _, content in parts(response)]


def value(item: dict, tag: str, default=None):
    element = item.get(tag)
    if not element or "Value" not in element:
        return default
    return element["Value"][0]


def sequence(item: dict, tag: str) -> list[dict] | None:
    element = item.get(tag)
    if element is None:
        return None
    return element.get("Value", [])


def study_path(ds) -> str:
    return f"/studies/{ds.StudyInstanceUID}"


def series_path(ds) -> str:
    return f"{study_path(ds)}/series/{ds.SeriesInstanceUID}"


def instance_path(ds) -> str:
    return f"{series_path(ds)}/instances/{ds.SOPInstanceUID}"


def assert_failed_sop(body: dict, *expected: tuple[pydicom.Dataset, int]):
    """ValidationHelpers.ValidateFailedSopSequence: one entry per instance, its UIDs and FailureReason, and a
    non-empty ErrorComment when the reason is 43264 (validation failed)."""
    failed = sequence(body, FAILED_SOP_SEQUENCE)
    assert failed is not None and len(failed) == len(expected), body
    for item, (ds, reason) in zip(failed, expected, strict=False):
        assert value(item, REFERENCED_SOP_INSTANCE) == ds.SOPInstanceUID
        assert value(item, REFERENCED_SOP_CLASS) == ds.SOPClassUID
        assert value(item, FAILURE_REASON) == reason
        if reason == 43264:
            attributes = sequence(item, FAILED_ATTRIBUTES_SEQUENCE)
            assert attributes, item
            assert value(attributes[0], ERROR_COMMENT)


def assert_referenced_sop(response, base_url: str, version: str, *datasets: pydicom.Dataset):
    """ResponseHelper.ValidateReferencedSopSequenceAsync: the answer is DICOM JSON; UIDs and RetrieveURL."""
    assert response.mimetype == DICOM_JSON
    body = body_json(response)
    referenced = sequence(body, REFERENCED_SOP_SEQUENCE)
    assert referenced is not None and len(referenced) == len(datasets), body
    for item, ds in zip(referenced, datasets, strict=False):
        assert value(item, REFERENCED_SOP_INSTANCE) == ds.SOPInstanceUID
        assert value(item, REFERENCED_SOP_CLASS) == ds.SOPClassUID
        assert value(item, RETRIEVE_URL) == f"{base_url}/msdicom/v{version}{instance_path(ds)}"


@pytest.fixture
def uid(request):
    """TestUidGenerator.Generate (fo-dicom's DicomUID.Generate: "2.25." and a GUID as a number, 44 characters at
    most, so a padded UID stays within 64), deterministic: the n-th UID of this test."""
    counter = iter(range(1, 10_000))
    return lambda: f"2.25.{uuid.uuid5(uuid.NAMESPACE_OID, f'{request.node.nodeid}/{next(counter)}').int}"


@pytest.fixture
def v1(client):
    return Dicomweb(client, "1")


@pytest.fixture
def v2(client):
    """DicomApiVersions.Latest, which is v2 at eeefbe4d."""
    return Dicomweb(client, "2")


@pytest.fixture(params=["1", "2"], ids=["V1", "Latest"])
def versioned(request, client):
    """The C# abstract classes (StoreTransactionTests, QueryTransactionTests) run once per subclass:
    ...V1 against /v1 and ...Latest against /v2."""
    return Dicomweb(client, request.param)


@pytest.fixture
def dwc(client):
    """The real dicomweb-client against /msdicom/v2, in-process or over HTTP as `client` is."""
    if hasattr(client, "http"):  # LiveClient: its session carries the test's namespace
        return DICOMwebClient(client.base_url + "/msdicom/v2", session=client.http)
    session = requests.Session()
    session.mount("http://msdicom.test/", InProcessAdapter(client.application, ""))
    return DICOMwebClient("http://msdicom.test/msdicom/v2", session=session)
