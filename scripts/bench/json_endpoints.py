"""JSON endpoints: mockservers (serve --workers 2) beside a bare Flask app and WireMock answering the same JSON.

Each row is one request (a GET and a POST of each REST vendor), driven by wrk; the figures are requests/second
in this run on this machine, so only their ratios mean anything. mockservers and the bare Flask app run under
each server `serve --server` offers (gunicorn gthread, granian), with the same workers and threads.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)


@dataclass
class Endpoint:
    name: str
    method: str
    path: str  # with query
    headers: dict = field(default_factory=dict)
    body: str | None = None


def endpoints(base: str) -> list[Endpoint]:
    """A GET and a POST of each REST vendor, with what they need to succeed."""
    login = requests.get(
        base + "/sigma/login", params={"account_name": "sigma", "user_name": "test", "password": "MTIzNDU2"}, timeout=30
    ).json()
    token = {"Sigma-Token": login["data"]["user_info"]["token"]}
    rows = [
        Endpoint("sigma GET ListJobs", "GET", "/sigma/accounts/sigma/jobs/list/?unique_id=1.2.3", token),
        Endpoint(
            "sigma POST Upload",
            "POST",
            "/sigma/accounts/sigma/store/uploads/1.2.3/",
            token,
            '{"quantity": 1, "converted": "1", "overwrite": "1"}',
        ),
    ]
    vendors = requests.get(base + "/__admin/health", timeout=30).json()["vendors"]
    if "aliyun" in vendors:
        # A chest X-ray uploaded with oss2 and analysed, so the GET reads a result and the POST rates a real item.
        import oss2

        from mockservers.dicom.synthetic import dx_file

        oss = {
            "accessKeyId": "mock-access-key-id",
            "accessKeySecret": "mock-access-key-secret",
            "securityToken": "",
            "endpoint": base,
            "bucketName": "demo-bucket",
            "key": "bench/study-1",
        }
        oss2.Bucket(oss2.Auth(oss["accessKeyId"], oss["accessKeySecret"]), base, oss["bucketName"]).put_object(
            "bench/study-1/0001.dcm", dx_file(seed=0, index=1)
        )
        aliyun = {"tokenId": "demo", "namespace": "demo", "Content-Type": "application/json"}
        study = {"studyInstanceUid": "bench-1", "studyType": 2}
        started = requests.post(
            base + "/aliyun/dicom/api/executeAnalysis", headers=aliyun, timeout=30, json={**study, **oss}
        ).json()
        if started["returnCode"] != "000000":
            raise RuntimeError(f"aliyun executeAnalysis: {started}")
        deadline = time.monotonic() + 30
        while True:  # the analysis takes analysis_seconds on the server's real clock
            answer = requests.get(
                base + "/aliyun/dicom/api/getAnalysisResult", params=study, headers=aliyun, timeout=30
            ).json()
            if answer["returnCode"] == "000000" or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        if answer["returnCode"] != "000000":
            raise RuntimeError(f"aliyun getAnalysisResult: {answer}")
        index_id = answer["data"]["xRayDataList"][0]["indexId"]
        rows += [
            Endpoint(
                "aliyun GET getAnalysisResult",
                "GET",
                "/aliyun/dicom/api/getAnalysisResult?studyInstanceUid=bench-1&studyType=2",
                aliyun,
            ),
            Endpoint(
                "aliyun POST submitAnalysisFeedback",
                "POST",
                "/aliyun/dicom/api/submitAnalysisFeedback",
                aliyun,
                json.dumps({**study, "data": [{"indexId": index_id, "credibility": "Y"}]}),
            ),
        ]
    if "cad4tb" in vendors:
        # A chest X-ray of patient P1 uploaded first, so the GET finds the patient and the POST reports on the series.
        from mockservers.dicom.synthetic import dx_file

        credentials = {"X-USERNAME": "some-username", "X-PASSWORD": "some-password"}
        scope = {"Project": "some-project", "Archive": "some-archive"}
        uploaded = requests.post(
            base + "/cad4tb/api/v1/instance/upload/",
            headers=credentials,
            data=scope,
            files={"file": ("bench.dcm", dx_file(seed=0, index=2, PatientID="P1"))},
            timeout=30,
        )
        if uploaded.status_code != 200:
            raise RuntimeError(f"cad4tb upload: {uploaded.status_code} {uploaded.text}")
        ids = uploaded.json()
        cad = {**credentials, "Content-Type": "application/json"}
        report = {
            **scope,
            "PatientID": ids["PatientID"],
            "StudyInstanceUID": ids["StudyInstanceUID"],
            "SeriesInstanceUID": ids["SeriesInstanceUID"],
            "FormName": "TB report",
            "FormSubmission": '{"tb_suspected": false, "conclusion": "normal"}',
        }
        rows += [
            Endpoint(
                "cad4tb GET patient/get",
                "GET",
                "/cad4tb/api/v1/patient/get/?Project=some-project&Archive=some-archive&PatientID=P1",
                cad,
            ),
            Endpoint(
                "cad4tb POST forms/add",
                "POST",
                "/cad4tb/api/v1/patient/study/series/forms/add/",
                cad,
                json.dumps(report),
            ),
        ]
    return rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or still importing
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def wrk(base: str, ep: Endpoint, seconds: int, connections: int, folder: str) -> float:
    script = os.path.join(folder, "request.lua")
    with open(script, "w") as fh:
        fh.write(f"wrk.method = {json.dumps(ep.method)}\n")
        for name, value in ep.headers.items():
            fh.write(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}\n")
        if ep.body is not None:
            fh.write(f"wrk.body = {json.dumps(ep.body)}\n")
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script, base + ep.path],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if not match:
        raise RuntimeError(f"wrk said: {out}")
    if non2xx:
        print(f"  note: {non2xx.group(1)} non-2xx answers for {ep.name} at {base}", file=sys.stderr)
    return float(match.group(1))


def record(base: str, eps: list[Endpoint]) -> dict:
    answers = {}
    for ep in eps:
        r = requests.request(ep.method, base + ep.path, headers=ep.headers, data=ep.body, timeout=30)
        key = f"{ep.method} {ep.path.split('?', 1)[0]}"
        answers[key] = {
            "status": r.status_code,
            "body": r.text,
            "content_type": r.headers.get("Content-Type", "application/json").split(";")[0],
        }
    return answers


def wiremock_jar() -> str | None:
    jars = [
        os.path.join(d, f)
        for d, _, files in os.walk(os.path.join(HERE, "node_modules", "wiremock"))
        for f in files
        if f.startswith("wiremock-standalone") and f.endswith(".jar")
    ]
    return jars[0] if jars else None


SERVERS = ("gunicorn", "granian")


def start_mock(server: str, folder: str, procs: list) -> str:
    port = free_port()
    state = os.path.join(folder, server)
    os.makedirs(state)
    log = open(os.path.join(state, "mockservers.log"), "w")
    procs.append(
        subprocess.Popen(
            [
                os.path.join(BIN, "mockservers"),
                "serve",
                "--workers",
                "2",
                "--server",
                server,
                "--port",
                str(port),
                "--state",
                f"sqlite:///{state}/state.db",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/__admin/health")
    except RuntimeError:
        raise RuntimeError(f"mockservers under {server} did not start:\n" + open(log.name).read()[-3000:]) from None
    return base


def start_bare_flask(server: str, answers_file: str, procs: list) -> str:
    port = free_port()
    if server == "granian":
        argv = [
            os.path.join(BIN, "granian"),
            "--interface",
            "wsgi",
            "--workers",
            "2",
            "--blocking-threads",
            "8",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--working-dir",
            HERE,
            "--log-level",
            "error",
            "bare_flask:app",
        ]
    else:
        argv = [
            os.path.join(BIN, "gunicorn"),
            "-w",
            "2",
            "-k",
            "gthread",
            "--threads",
            "8",
            "-b",
            f"127.0.0.1:{port}",
            "--chdir",
            HERE,
            "bare_flask:app",
        ]
    procs.append(
        subprocess.Popen(
            argv,
            env={**os.environ, "BENCH_ANSWERS": answers_file},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base + "/")
    return base


def start_wiremock(answers: dict, folder: str, procs: list) -> str | None:
    jar = wiremock_jar()
    if not (jar and shutil.which("java")):
        return None
    port = free_port()
    mappings = os.path.join(folder, "wiremock", "mappings")
    os.makedirs(mappings)
    for index, (key, answer) in enumerate(answers.items()):
        method, path = key.split(" ", 1)
        json.dump(
            {
                "request": {"method": method, "urlPath": path},
                "response": {
                    "status": answer["status"],
                    "body": answer["body"],
                    "headers": {"Content-Type": answer["content_type"]},
                },
            },
            open(os.path.join(mappings, f"{index}.json"), "w"),
        )
    procs.append(
        subprocess.Popen(
            [
                "java",
                "-jar",
                jar,
                "--port",
                str(port),
                "--bind-address",
                "127.0.0.1",
                "--root-dir",
                os.path.join(folder, "wiremock"),
                "--no-request-journal",
                "--disable-banner",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_up(base + "/__admin/mappings")
    return base


def run(seconds: int = 5, connections: int = 32) -> dict:
    folder = tempfile.mkdtemp(prefix="mockservers-bench-")
    procs: list = []
    try:
        mocks = {server: start_mock(server, folder, procs) for server in SERVERS}
        eps = {server: endpoints(base) for server, base in mocks.items()}  # each its own login and data
        answers = record(mocks[SERVERS[0]], eps[SERVERS[0]])
        answers_file = os.path.join(folder, "answers.json")
        json.dump(answers, open(answers_file, "w"))
        flasks = {server: start_bare_flask(server, answers_file, procs) for server in SERVERS}
        wiremock = start_wiremock(answers, folder, procs)
        rows = []
        for index, ep in enumerate(eps[SERVERS[0]]):
            peers = {}
            for server in SERVERS:
                peers[f"mockservers {server}"] = (mocks[server], eps[server][index])
                peers[f"Flask {server}"] = (flasks[server], ep)
            if wiremock:
                peers["WireMock"] = (wiremock, ep)
            row = {"endpoint": ep.name}
            for peer, (base, request) in peers.items():
                wrk(base, request, 1, connections, folder)  # warm-up
                row[peer] = wrk(base, request, seconds, connections, folder)
            for server in SERVERS:
                row[f"vs Flask ({server})"] = round(row[f"mockservers {server}"] / row[f"Flask {server}"], 2)
            if wiremock:
                best = max(SERVERS, key=lambda server: row[f"mockservers {server}"])
                row["vs WireMock"] = round(row[f"mockservers {best}"] / row["WireMock"], 2)
            rows.append(row)
            print(f"  {ep.name}: " + ", ".join(f"{k} {v}" for k, v in row.items() if k != "endpoint"), file=sys.stderr)
        return {
            "json_endpoints": rows,
            "targets": {"vs Flask": 0.8, "vs WireMock": 0.5},
            "settings": {
                "seconds": seconds,
                "connections": connections,
                "workers": 2,
                "threads": 8,
                "servers": list(SERVERS),
            },
        }
    finally:
        stop(procs, folder)


def stop(procs: list, folder: str) -> None:
    """End the peers started (SIGTERM, then SIGKILL after 20 s) and remove their folder."""
    for proc in procs:
        proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    shutil.rmtree(folder, ignore_errors=True)
