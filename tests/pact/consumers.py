"""Consumer pacts, written with pact-python as an integrator's client suite writes them: each request as the
vendor's document shows it, run against pact's own mock server by a plain requests client, with matchers where a
value changes from call to call. `write(vendor, folder)` leaves the pact file in `folder`."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import requests
from pact import Pact, generate, match

SIGMA_TOKEN = match.type("a-token", generator=generate.provider_state("${token}"))
CAD4TB_USER = {"X-USERNAME": "some-username", "X-PASSWORD": "some-password"}
CAD4TB_SCOPE = {"Project": "some-project", "Archive": "some-archive"}


SIGMA_LOGIN = {"account_name": "sigma", "user_name": "test", "password": base64.urlsafe_b64encode(b"123456").decode()}


def sigma_login(pact: Pact, answer: dict) -> None:
    (
        pact.upon_receiving("a login")
        .given("user test exists in account sigma")
        .with_request("GET", "/sigma/login")
        .with_query_parameters(SIGMA_LOGIN)
        .will_respond_with(200)
        .with_body(answer)
    )


def sigma(pact: Pact) -> Callable[[str], None]:
    sigma_login(
        pact,
        {
            "message": "User login successfully.",
            "data": {"user_info": {"token": match.str("t0k3n"), "name": "test"}, "account_name": "sigma"},
            "error": {"code": "", "message": ""},
        },
    )
    (
        pact.upon_receiving("a finished job")
        .given("a finished job for series 222.222.222")
        .with_request(
            "GET",
            match.type(
                "/sigma/accounts/sigma/jobs/job-1/",
                generator=generate.provider_state("/sigma/accounts/sigma/jobs/${job_id}/"),
            ),
        )
        .with_header("Sigma-Token", SIGMA_TOKEN)
        .will_respond_with(200)
        .with_body(
            {
                "data": {
                    "status": "success",
                    "job_id": match.regex("job-00000000-0000-0000-0000-000000000000", regex=r"^job-[0-9a-f-]{36}$"),
                    "tasks": match.each_like({"status": "success", "task_id": match.str("task-1")}, min=1),
                },
                "error": {"code": ""},
            }
        )
    )

    def client(base: str) -> None:
        requests.get(f"{base}/sigma/login", params=SIGMA_LOGIN, timeout=10)
        requests.get(f"{base}/sigma/accounts/sigma/jobs/job-1/", headers={"Sigma-Token": "a-token"}, timeout=10)

    return client


def aliyun(pact: Pact) -> Callable[[str], None]:
    headers = {"tokenId": "demo", "namespace": "demo"}
    (
        pact.upon_receiving("the result of a knee study")
        .given("a finished analysis for study xxx", studyType=4)
        .with_request("GET", "/aliyun/dicom/api/getAnalysisResult")
        .with_headers(headers)
        .with_query_parameters({"studyInstanceUid": "xxx", "studyType": "4"})
        .will_respond_with(200)
        .with_body(
            {
                "returnCode": "000000",
                "success": True,
                "requestId": match.str("0b6d2a52-1f6c-4f2f-8bd0-0d5a4b3e7a11"),
                "data": {
                    "studyInstanceUid": "xxx",
                    "studyType": 4,
                    "boxes": match.each_like(
                        {
                            "boxUid": match.regex("00001", regex=r"^\d{5}$"),
                            "coordinates": match.each_like(match.number(10), min=4),
                            "class": match.regex("KL2级", regex="^KL[0-4]级$"),
                        }
                    ),
                },
            }
        )
    )
    (
        pact.upon_receiving("a study never analysed")
        .with_request("GET", "/aliyun/dicom/api/getAnalysisResult")
        .with_headers(headers)
        .with_query_parameters({"studyInstanceUid": "nothing", "studyType": "1"})
        .will_respond_with(404)
        .with_body({"returnCode": "100008", "returnMessage": "检查不存在", "success": False, "data": None})
    )

    def client(base: str) -> None:
        for study, study_type in (("xxx", "4"), ("nothing", "1")):
            params = {"studyInstanceUid": study, "studyType": study_type}
            requests.get(f"{base}/aliyun/dicom/api/getAnalysisResult", params=params, headers=headers, timeout=10)

    return client


def cad4tb(pact: Pact) -> Callable[[str], None]:
    query = {**CAD4TB_SCOPE, "PatientID": "12345"}
    (
        pact.upon_receiving("a patient")
        .given("a finished analysis for series 1.2.3.4.5.6")
        .with_request("GET", "/cad4tb/api/v1/patient/get/")
        .with_headers(CAD4TB_USER)
        .with_query_parameters(query)
        .will_respond_with(200)
        .with_body(
            {
                "PatientID": "12345",
                "PatientName": match.str("Anonymous"),
                "PatientSex": match.regex("M", regex="^[MFO]$"),
            }
        )
    )
    (
        pact.upon_receiving("a patient of no one")
        .with_request("GET", "/cad4tb/api/v1/patient/get/")
        .with_headers(CAD4TB_USER)
        .with_query_parameters(query)
        .will_respond_with(404)
        .with_body({"status": "Error", "error": "object_not_found", "suberror": "patient_not_found"})
    )

    def client(base: str) -> None:
        for _ in range(2):
            requests.get(f"{base}/cad4tb/api/v1/patient/get/", params=query, headers=CAD4TB_USER, timeout=10)

    return client


def wrong_sigma(pact: Pact) -> Callable[[str], None]:
    """A client that expects the login message in other words than sigma's."""
    sigma_login(pact, {"message": "Logged in."})
    return lambda base: requests.get(f"{base}/sigma/login", params=SIGMA_LOGIN, timeout=10) and None


def unknown_state(pact: Pact) -> Callable[[str], None]:
    (
        pact.upon_receiving("a login")
        .given("the moon is full")
        .with_request("DELETE", "/sigma/logout")
        .will_respond_with(401)
    )
    return lambda base: requests.delete(f"{base}/sigma/logout", timeout=10) and None


CONSUMERS = {"sigma": sigma, "aliyun": aliyun, "cad4tb": cad4tb}


def mockservers(*args: str) -> subprocess.CompletedProcess:
    """`mockservers ARGS` in a subprocess, this checkout's package first on its path."""
    env = {**os.environ, "PYTHONPATH": os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run(
        [sys.executable, "-m", "mockservers", *args], capture_output=True, text=True, timeout=300, env=env
    )


def write(provider: str, folder: Path, consumer=None, name: str | None = None) -> Path:
    """Run the consumer's interactions against pact's mock server (which fails on a request nobody expected) and
    write the pact file; its path."""
    pact = Pact(name or f"{provider}-client", provider).with_specification("V4")
    client = (consumer or CONSUMERS[provider])(pact)
    with pact.serve() as served:
        client(str(served.url).rstrip("/"))
    pact.write_file(folder)
    return folder / f"{name or provider + '-client'}-{provider}.json"
