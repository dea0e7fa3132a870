"""Two `mockservers serve` processes with folders of their own (two hosts) on one PostgreSQL are one server: a file
stored through one is read through the other, byte for byte, and a callback fires once though both run schedulers."""

from __future__ import annotations

import contextlib
import os
from concurrent.futures import ThreadPoolExecutor

import oss2
import pytest
import requests

from mockservers.core.blobs import key_of
from mockservers.core.store import make_engine
from mockservers.dicom import multipart
from mockservers.dicom.synthetic import dx_dataset, to_part10
from mockservers.pytest_plugin import Admin
from mockservers.sigma.client import SigmaClient
from tests.core.test_blobs_postgres import postgres  # noqa: F401  (the fixture)
from tests.plugin.served import served

pytestmark = pytest.mark.no_postgres_pass  # it picks its own state


@pytest.fixture(scope="module")
def servers(postgres, tmp_path_factory):  # noqa: F811  (the imported fixture)
    """The two hosts (started once: a start takes seconds) and their folders."""
    schema = f"t_two_hosts_{os.getpid()}"
    folder = tmp_path_factory.mktemp("two-hosts")
    config = folder / "mock.yaml"
    config.write_text("vendor_config:\n  sigma:\n    queue_seconds: 0\n    run_seconds: 1\n")
    options = ("--state", postgres, "--config", str(config))
    try:
        with contextlib.ExitStack() as stack:
            with pytest.MonkeyPatch.context() as env:
                env.setenv("MOCKSERVERS_DB_SCHEMA", schema)  # for the servers started now
                a = stack.enter_context(served(*options, "--blobs", str(folder / "a")))
                b = stack.enter_context(served(*options, "--blobs", str(folder / "b")))
            yield (a, b), folder
    finally:
        engine = make_engine(postgres)
        with engine.begin() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        engine.dispose()


@pytest.fixture
def two_hosts(servers):
    """Their base URLs, the state they share reset."""
    Admin(servers[0][0]).reset()
    return servers[0]


def test_a_dicom_stored_through_one_host_is_retrieved_through_the_other_byte_for_byte(two_hosts, servers):
    a, b = two_hosts
    ds = dx_dataset(index=7, rows=1200, columns=1000)  # 2.4 MB: several rows of the database's blob table
    data = to_part10(ds)
    boundary = "two-hosts-boundary"
    stored = requests.post(
        f"{a}/msdicom/v2/studies",
        data=multipart.encode_related([("application/dicom", data)], boundary),
        headers={"Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}'},
        timeout=60,
    )
    assert stored.status_code == 200, stored.text
    key = key_of(data)
    assert not os.path.exists(servers[1] / "b" / "blobs" / key[:2] / key), "not on the other host's disk"
    url = f"{b}/msdicom/v2/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}"
    retrieved = requests.get(url, headers={"Accept": "application/dicom; transfer-syntax=*"}, timeout=60)
    assert retrieved.status_code == 200
    assert retrieved.content == data


def test_an_oss_object_put_through_one_host_is_read_through_the_other(two_hosts):
    a, b = two_hosts
    auth = oss2.Auth("mock-access-key-id", "mock-access-key-secret")
    oss2.Bucket(auth, a, "demo-bucket").put_object("two/hosts.bin", bytes(range(256)) * 4096)
    assert oss2.Bucket(auth, b, "demo-bucket").get_object("two/hosts.bin").read() == bytes(range(256)) * 4096
    oss2.Bucket(auth, b, "demo-bucket").delete_object("two/hosts.bin")
    with pytest.raises(oss2.exceptions.NoSuchKey):
        oss2.Bucket(auth, a, "demo-bucket").get_object("two/hosts.bin")


def test_a_sigma_upload_is_downloaded_and_called_back_once_through_either_host(two_hosts, httpserver):
    a, b = two_hosts
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    first = SigmaClient(a + "/sigma")
    first.login()
    second = SigmaClient(b + "/sigma")
    second.token = first.token  # a session opened through one host is live on the other
    data = to_part10(dx_dataset(index=60, rows=900, columns=800))
    ids = first.upload_dicom(data)
    assert second.download(ids["filename"]) == data
    job_id = second.new_job(
        ids["study_id"], ids["series_id"], ids["patient_id"], ids["filename"], notify_url=httpserver.url_for("/hook")
    )
    # Both hosts advance the one virtual clock at once, each answering once what fell due has run.
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda url: Admin(url).advance(1), [a, b, a, b]))
    assert [request.get_json()["job_id"] for request, _ in httpserver.log] == [job_id]
    callbacks = Admin(a).callbacks("sigma")
    assert [len(cb["attempts"]) for cb in callbacks] == [1]
