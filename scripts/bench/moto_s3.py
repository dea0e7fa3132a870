"""Object PUT and GET of 1 KiB: the mock's OSS store beside moto's S3 server, the same wrk load on both.

mockservers runs `serve --workers 2` under each server `--server` offers; moto runs its own server (`moto_server`,
one process, as moto ships it). Each request is signed once (oss2's signer, botocore's SigV4) and replayed as it
is: OSS signature v1 covers neither the body nor a clock the mock checks, and moto does not check signatures (but
answers an unsigned request on a private object 403). Figures are requests/second in this run
on this machine; only their ratios mean anything (target: the faster server at least twice moto).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from email.utils import formatdate

import requests
from json_endpoints import BIN, SERVERS, Endpoint, free_port, start_mock, stop, wait_until_up, wrk

BODY = "x" * 1024  # 1 KiB
KEY = "bench/object-1k"
BUCKET = "demo-bucket"
ACCESS_KEY = ("mock-access-key-id", "mock-access-key-secret")  # the aliyun vendor's configured OSS key
TARGET = 2.0


def oss_requests(base: str) -> tuple[Endpoint, Endpoint]:
    """PUT and GET of KEY, signed with oss2's own signer, the object stored first so the GET finds it."""
    import oss2
    from oss2.http import Request

    auth = oss2.Auth(*ACCESS_KEY)
    signed = []
    for method in ("PUT", "GET"):
        headers = {"Date": formatdate(usegmt=True)}
        if method == "PUT":
            headers["Content-Type"] = "application/octet-stream"
        request = Request(method, f"{base}/{BUCKET}/{KEY}", headers=headers)
        auth._sign_request(request, BUCKET, KEY)
        signed.append(dict(request.headers))
    put = Endpoint("object PUT 1 KiB", "PUT", f"/{BUCKET}/{KEY}", signed[0], BODY)
    answer = requests.put(base + put.path, headers=put.headers, data=BODY, timeout=30)
    if answer.status_code != 200:
        raise RuntimeError(f"OSS PutObject: {answer.status_code} {answer.text}")
    return put, Endpoint("object GET 1 KiB", "GET", f"/{BUCKET}/{KEY}", signed[1])


def s3_signed(base: str, method: str, path: str, body: str = "") -> dict:
    """SigV4 headers by botocore's signer (moto answers an anonymous request on a private object 403)."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    headers = {"Content-Type": "application/octet-stream"} if method == "PUT" else {}
    request = AWSRequest(method=method, url=base + path, data=body, headers=headers)
    S3SigV4Auth(Credentials("testing", "testing"), "s3", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def start_moto(folder: str, procs: list) -> str:
    port = free_port()
    log = open(os.path.join(folder, "moto.log"), "w")
    procs.append(
        subprocess.Popen([os.path.join(BIN, "moto_server"), "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base + "/moto-api/")
    requests.put(f"{base}/{BUCKET}", headers=s3_signed(base, "PUT", f"/{BUCKET}"), timeout=30).raise_for_status()
    return base


def s3_requests(base: str) -> tuple[Endpoint, Endpoint]:
    """PUT and GET of KEY, signed once, the object stored first so the GET finds it."""
    path = f"/{BUCKET}/{KEY}"
    put = Endpoint("object PUT 1 KiB", "PUT", path, s3_signed(base, "PUT", path, BODY), BODY)
    answer = requests.put(base + path, headers=put.headers, data=BODY, timeout=30)
    if answer.status_code != 200:
        raise RuntimeError(f"moto PutObject: {answer.status_code} {answer.text}")
    return put, Endpoint("object GET 1 KiB", "GET", path, s3_signed(base, "GET", path))


def run(seconds: int = 5, connections: int = 32) -> dict:
    folder = tempfile.mkdtemp(prefix="mockservers-bench-moto-")
    procs: list = []
    try:
        mocks = {server: start_mock(server, folder, procs) for server in SERVERS}
        ours = {server: oss_requests(base) for server, base in mocks.items()}
        moto = start_moto(folder, procs)
        theirs = s3_requests(moto)
        rows = []
        for index in range(2):
            peers = {f"mockservers {server}": (mocks[server], ours[server][index]) for server in SERVERS}
            peers["moto"] = (moto, theirs[index])
            row: dict = {"request": theirs[index].name}
            for peer, (base, request) in peers.items():
                wrk(base, request, 1, connections, folder)  # warm-up
                row[peer] = wrk(base, request, seconds, connections, folder)
            best = max(row[f"mockservers {server}"] for server in SERVERS)
            row["vs moto (faster server)"] = round(best / row["moto"], 2)
            row["target"] = f">= {TARGET}"
            rows.append(row)
        return {"moto_s3": rows}
    finally:
        stop(procs, folder)


if __name__ == "__main__":
    import json

    print(json.dumps(run(seconds=int(os.environ.get("BENCH_SECONDS", "5"))), indent=2))
