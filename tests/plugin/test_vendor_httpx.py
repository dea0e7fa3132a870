"""vendor_httpx and vendor_httpx_async: httpx, sync and async, reaches the in-process app at the vendors' real
hostnames and at http://mock, no socket."""

from __future__ import annotations

import base64
import io

import anyio
import httpx
import pytest

from mockservers.aliyun.client import OssSource
from mockservers.aliyun.oss.store import OssStore

SIGMA = "https://api.12sigma.ai"
LOGIN = {"account_name": "sigma", "user_name": "test", "password": base64.urlsafe_b64encode(b"123456").decode()}


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (300, 200), 100).save(buffer, format="PNG")
    return buffer.getvalue()


def test_sigma_login_and_list_at_its_real_host(vendor_httpx):
    login = vendor_httpx.get(SIGMA + "/login", params=LOGIN)
    assert login.status_code == 200 and login.headers["Content-Type"].startswith("application/json")
    token = login.json()["data"]["user_info"]["token"]
    listed = vendor_httpx.get(
        SIGMA + "/accounts/sigma/jobs/list/", params={"unique_id": "1.2.3"}, headers={"Sigma-Token": token}
    )
    assert listed.status_code == 200 and listed.json()["data"]["total_number"] == 0
    journal = vendor_httpx.get("/__admin/requests", params={"vendor": "sigma"}).json()["requests"]
    assert [e["path"] for e in journal] == ["/sigma/accounts/sigma/jobs/list/", "/sigma/login"]  # newest first


def test_a_vendor_error_arrives_in_its_envelope(vendor_httpx):
    refused = vendor_httpx.get(SIGMA + "/login")
    assert refused.status_code == 400 and refused.json()["error"]["code"]


def test_an_aliyun_analysis_of_an_oss_object(vendor_httpx, mock_app):
    runtime = mock_app.extensions["mockservers"]
    with runtime.store.transaction() as db:
        OssStore(runtime.context(db, "aliyun")).put("demo-bucket", "knee.png", _png())
    auth = {"tokenId": "demo", "namespace": "demo"}
    source = OssSource(
        "mock-access-key-id", "mock-access-key-secret", "http://127.0.0.1:8080", "demo-bucket", "knee.png"
    )
    started = vendor_httpx.post(
        "https://medical.aliyun.com/dicom/api/executeAnalysis",
        headers=auth,
        json={"studyInstanceUid": "knee", "studyType": 4, **source.fields()},
    )
    assert started.status_code == 200, started.text
    assert started.json()["data"] is True
    assert vendor_httpx.post("/__admin/clock/advance", json={"seconds": 3}).status_code == 200
    result = vendor_httpx.get(
        "https://medical.aliyun.com/dicom/api/getAnalysisResult",
        headers=auth,
        params={"studyInstanceUid": "knee", "studyType": 4},
    )
    assert result.json()["data"]["boxes"]
    stored = vendor_httpx.get("http://mock/demo-bucket/knee.png")  # the OSS store at the root: unsigned, refused
    assert stored.status_code == 403 and "<Code>AccessDenied</Code>" in stored.text


def test_a_dropped_connection_is_httpxs_own_error(vendor_httpx):
    rule = {"vendor": "sigma", "path": "/sigma/login", "times": 1, "action": {"drop": True}}
    assert vendor_httpx.post("/__admin/faults", json=rule).status_code == 201
    with pytest.raises(httpx.RemoteProtocolError, match="connection dropped by fault rule"):
        vendor_httpx.get(SIGMA + "/login", params=LOGIN)
    assert vendor_httpx.get(SIGMA + "/login", params=LOGIN).status_code == 200


def test_unrouted_hosts_are_left_alone(vendor_httpx):
    assert vendor_httpx._transport_for_url(httpx.URL("https://example.org/")) is vendor_httpx._transport


@pytest.mark.anyio
async def test_async_sigma_login_and_concurrent_lists(vendor_httpx_async):
    async with vendor_httpx_async as client:
        login = await client.get(SIGMA + "/login", params=LOGIN)
        token = login.json()["data"]["user_info"]["token"]
        answers: list[httpx.Response] = []

        async def list_jobs(series: str) -> None:
            answers.append(
                await client.get(
                    SIGMA + "/accounts/sigma/jobs/list/", params={"unique_id": series}, headers={"Sigma-Token": token}
                )
            )

        async with anyio.create_task_group() as group:
            for n in range(4):
                group.start_soon(list_jobs, f"1.2.{n}")
        assert [a.json()["data"]["total_number"] for a in answers] == [0, 0, 0, 0]
        journal = (await client.get("/__admin/requests", params={"vendor": "sigma"})).json()["requests"]
        assert len(journal) == 5


def test_the_async_client_is_closed_after_the_test(mock_app, vendor_httpx_async):
    """Used without `async with`: the fixture closes it."""

    async def login() -> int:
        return (await vendor_httpx_async.get(SIGMA + "/login", params=LOGIN)).status_code

    assert anyio.run(login) == 200
    assert not vendor_httpx_async.is_closed
