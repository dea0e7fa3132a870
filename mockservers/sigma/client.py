"""The thin SigmaCloud DR client an integrator would write: every answer is the envelope; errors raise."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import ntpath
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import requests


class SigmaAPIError(Exception):
    def __init__(self, code: str, message: str, message_chs: str, status: int):
        super().__init__(f"{code}: {message} ({message_chs}) [HTTP {status}]")
        self.code, self.message, self.message_chs, self.status = code, message, message_chs, status


class SigmaClient:
    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8080/sigma",
        account: str = "sigma",
        user: str = "test",
        password: str = "123456",
        session: requests.Session | None = None,
        timeout: float = 30.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.account, self.user, self.password = account, user, password
        self.http = session or requests.Session()
        self.timeout = timeout
        self.token: str | None = None
        self.user_info: dict[str, Any] = {}

    # ---- plumbing ----
    def _call(self, method: str, path: str, **kwargs) -> dict:
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Sigma-Token"] = self.token
        response = self.http.request(method, self.base_url + path, headers=headers, timeout=self.timeout, **kwargs)
        try:
            body = response.json()
        except ValueError:
            raise SigmaAPIError("InvalidResponse", response.text[:200], "", response.status_code) from None
        error = body.get("error") or {}
        if error.get("code"):
            raise SigmaAPIError(
                error["code"], error.get("message", ""), error.get("message_chs", ""), response.status_code
            )
        return body["data"]

    def _account_path(self, rest: str) -> str:
        return f"/accounts/{quote(self.account, safe='')}{rest}"

    # ---- session ----
    def login(self, force_new: bool = False) -> dict:
        encoded = base64.urlsafe_b64encode(self.password.encode("utf-8")).decode("ascii")
        data = self._call(
            "GET",
            "/login",
            params={
                "account_name": self.account,
                "user_name": self.user,
                "password": encoded,
                "force_new": str(bool(force_new)),
            },
        )
        self.user_info = data["user_info"]
        self.token = self.user_info["token"]
        return data

    def logout(self) -> None:
        self._call("DELETE", "/logout")
        self.token = None

    # ---- store ----
    def upload(self, files: list[tuple[str, bytes]], series_id: str, overwrite: bool = True) -> dict:
        """Open an upload for a series, then PUT each (name, content); returns the last answer's data."""
        opened = self._call(
            "POST",
            self._account_path(f"/store/uploads/{quote(series_id, safe='')}/"),
            data=json.dumps({"quantity": len(files), "converted": "1", "overwrite": "1" if overwrite else "0"}),
        )
        data: dict = {}
        for name, content in files:
            data = self._call(
                "PUT",
                self._account_path(f"/store/uploads/{quote(name, safe='')}/"),
                params={"upload_id": opened["upload_id"]},
                data=content,
                headers={"Content-MD5": hashlib.md5(content).hexdigest()},
            )
        return data

    def upload_dicom(self, path_or_bytes: str | bytes, name: str | None = None) -> dict:
        """Upload one DICOM file; reads its UIDs (pydicom) to name the series. Returns the ids NewJob needs."""
        import pydicom

        if isinstance(path_or_bytes, bytes):
            content, name = path_or_bytes, name or "image.dcm"
        else:
            with open(path_or_bytes, "rb") as fh:
                content = fh.read()
            name = name or path_or_bytes
        ds = pydicom.dcmread(io.BytesIO(content), stop_before_pixels=True)
        answer = self.upload([(name, content)], str(ds.SeriesInstanceUID))
        return {
            "study_id": str(ds.StudyInstanceUID),
            "series_id": str(ds.SeriesInstanceUID),
            "patient_id": str(ds.get("PatientID", "")),
            "filename": ntpath.basename(name.replace("/", "\\")),
            **answer,
        }

    def download(self, filename: str, group_name: str | None = None) -> bytes:
        params = {"filename": filename, **({"group_name": group_name} if group_name else {})}
        headers = {"Sigma-Token": self.token} if self.token else {}
        response = self.http.get(
            self.base_url + self._account_path("/store/downloads/"),
            params=params,
            headers=headers,
            timeout=self.timeout,
        )
        if response.headers.get("Content-Type", "").startswith("application/json") and response.content.startswith(
            b'{"url"'
        ):
            self._call("GET", self._account_path("/store/downloads/"), params=params)  # raises the envelope's error
        return response.content

    def result(self, series_id: str) -> dict:
        return json.loads(self.download(f"{series_id}.json"))

    # ---- jobs ----
    def new_job(
        self,
        study_id: str,
        series_id: str,
        patient_id: str,
        filename: str,
        job_type: str = "lung_dr_detection",
        priority: str = "2",
        notify_url: str | None = None,
        notify_info: dict | None = None,
    ) -> str:
        body: dict[str, Any] = {
            "account_name": self.account,
            "user_name": self.user,
            "study_id": study_id,
            "series_id": series_id,
            "patient_id": patient_id,
            "format": "dcm",
            "filename": filename,
            "job_type": job_type,
            "priority": priority,
            "type": "file",
        }
        if notify_url:
            body.update(notify="1", notify_url=notify_url, notify_info=notify_info or {})
        return self._call("POST", self._account_path("/jobs/"), data=json.dumps(body))["job_id"]

    def get_job(self, job_id: str) -> dict:
        return self._call("GET", self._account_path(f"/jobs/{quote(job_id, safe='')}/"))

    def wait_for_job(
        self, job_id: str, timeout: float = 300.0, interval: float = 2.0, sleep: Callable[[float], Any] = time.sleep
    ) -> dict:
        """Poll GetJob until success or failed. Tests pass `sleep` that advances the mock's virtual clock."""
        waited = 0.0
        while True:
            job = self.get_job(job_id)
            if job["status"] in ("success", "failed"):
                return job
            if waited >= timeout:
                raise TimeoutError(f"job {job_id} still {job['status']} after {timeout}s")
            sleep(interval)
            waited += interval

    def list_jobs(self, series_id: str) -> dict:
        return self._call("GET", self._account_path("/jobs/list/"), params={"unique_id": series_id})

    def study_list(self, **filters: str) -> dict:
        return self._call("GET", self._account_path("/jobs/studylist/"), params=filters)
