"""The thin CAD4TB API v1 client an integrator would write: credentials on every call, errors raise."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import requests


class Cad4tbAPIError(Exception):
    def __init__(self, error: str, suberror: str | None, message: str, status: int):
        super().__init__(f"{error}/{suberror}: {message} [HTTP {status}]")
        self.error, self.suberror, self.message, self.status = error, suberror, message, status


class Cad4tbClient:
    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8080/cad4tb",
        username: str = "some-username",
        password: str = "some-password",
        project: str = "some-project",
        archive: str = "some-archive",
        session: requests.Session | None = None,
        timeout: float = 30.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.credentials = {"X-USERNAME": username, "X-PASSWORD": password}
        self.scope = {"Project": project, "Archive": archive}
        self.http = session or requests.Session()
        self.timeout = timeout

    # ---- plumbing ----
    def _send(self, method: str, command: str, **kwargs) -> requests.Response:
        headers = {**self.credentials, **kwargs.pop("headers", {})}
        response = self.http.request(
            method, f"{self.base_url}/api/v1/{command}/", headers=headers, timeout=self.timeout, **kwargs
        )
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                raise Cad4tbAPIError("invalid_response", None, response.text[:200], response.status_code) from None
            raise Cad4tbAPIError(
                body.get("error", ""), body.get("suberror"), body.get("message", ""), response.status_code
            )
        return response

    def _get(self, command: str, **params: str) -> requests.Response:
        return self._send("GET", command, params={**self.scope, **params}, headers={"Content-Type": "application/json"})

    # ---- upload ----
    def upload(self, content: bytes, filename: str = "image.dcm") -> dict[str, str]:
        """Upload one DICOM file; returns its PatientID and UIDs as stored."""
        return self._send("POST", "instance/upload", data=self.scope, files={"file": (filename, content)}).json()

    # ---- patients, studies, series ----
    def get_patient(self, patient_id: str) -> dict:
        return self._get("patient/get", PatientID=patient_id).json()

    def delete_patient(self, patient_id: str) -> dict:
        return self._get("patient/delete", PatientID=patient_id).json()

    def get_study(self, patient_id: str, study_uid: str) -> dict:
        return self._get("study/get", PatientID=patient_id, StudyInstanceUID=study_uid).json()

    def list_studies(self, patient_id: str) -> list[dict]:
        return self._get("patient/studies/list", PatientID=patient_id).json()

    def delete_study(self, patient_id: str, study_uid: str) -> dict:
        return self._get("study/delete", PatientID=patient_id, StudyInstanceUID=study_uid).json()

    def get_series(self, patient_id: str, study_uid: str, series_uid: str) -> dict:
        return self._get(
            "series/get", PatientID=patient_id, StudyInstanceUID=study_uid, SeriesInstanceUID=series_uid
        ).json()

    def list_series(self, patient_id: str, study_uid: str) -> list[dict]:
        return self._get("patient/study/series/list", PatientID=patient_id, StudyInstanceUID=study_uid).json()

    def get_dicom_zip(self, patient_id: str, study_uid: str, series_uid: str) -> bytes:
        return self._get(
            "dicom/get", PatientID=patient_id, StudyInstanceUID=study_uid, SeriesInstanceUID=series_uid
        ).content

    def delete_series(self, patient_id: str, study_uid: str, series_uid: str) -> dict:
        return self._get(
            "series/delete", PatientID=patient_id, StudyInstanceUID=study_uid, SeriesInstanceUID=series_uid
        ).json()

    # ---- results ----
    def results(
        self, patient_id: str, study_uid: str, series_uid: str, names: list[str], kind: str = "cad4tb"
    ) -> list[dict] | bytes:
        """Scalar results as a list (empty: not ready yet); a zip's bytes when a non-scalar result is asked for."""
        response = self._get(
            "series/results",
            PatientID=patient_id,
            StudyInstanceUID=study_uid,
            SeriesInstanceUID=series_uid,
            Type=kind,
            Results=",".join(names),
        )
        if response.headers.get("Content-Type", "").startswith("application/zip"):
            return response.content
        return response.json()

    def wait_for_results(
        self,
        patient_id: str,
        study_uid: str,
        series_uid: str,
        names: list[str],
        kind: str = "cad4tb",
        timeout: float = 120.0,
        interval: float = 1.0,
        sleep: Callable[[float], Any] | None = None,
    ) -> list[dict] | bytes:
        """Poll until the results are there. Tests pass a `sleep` that advances the mock's virtual clock."""
        waited = 0.0
        while True:
            answer = self.results(patient_id, study_uid, series_uid, names, kind)
            if answer:
                return answer
            if waited >= timeout:
                raise TimeoutError(f"no results for series {series_uid} after {timeout}s")
            (sleep or time.sleep)(interval)
            waited += interval

    # ---- reportings ----
    def list_forms(self, patient_id: str, study_uid: str, series_uid: str) -> list[dict]:
        return self._get(
            "patient/study/series/forms/list",
            PatientID=patient_id,
            StudyInstanceUID=study_uid,
            SeriesInstanceUID=series_uid,
        ).json()

    def add_form(
        self, patient_id: str, study_uid: str, series_uid: str, form_name: str, submission: dict[str, Any]
    ) -> dict:
        body = {
            **self.scope,
            "PatientID": patient_id,
            "StudyInstanceUID": study_uid,
            "SeriesInstanceUID": series_uid,
            "FormName": form_name,
            "FormSubmission": json.dumps(submission),
        }
        return self._send("POST", "patient/study/series/forms/add", json=body).json()
