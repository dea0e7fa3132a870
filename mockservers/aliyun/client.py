"""The thin client an integrator would write for the analysis platform: every answer is the envelope; errors raise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

OK = "000000"
NOT_READY = "100007"


class AliyunAPIError(Exception):
    def __init__(self, code: str, message: str, request_id: str = "", status: int = 0):
        super().__init__(f"{code}: {message} [HTTP {status}, requestId {request_id or '-'}]")
        self.code, self.message, self.request_id, self.status = code, message, request_id, status


class ResultNotReady(AliyunAPIError):
    """returnCode 100007: the analysis is still running; poll again later (or wait for the status callback)."""


@dataclass
class OssSource:
    """Where the platform downloads the study from, with the credentials it uses (STS: set security_token)."""

    access_key_id: str
    access_key_secret: str
    endpoint: str
    bucket_name: str
    key: str
    security_token: str = ""

    def fields(self) -> dict[str, str]:
        return {
            "accessKeyId": self.access_key_id,
            "accessKeySecret": self.access_key_secret,
            "securityToken": self.security_token,
            "endpoint": self.endpoint,
            "bucketName": self.bucket_name,
            "key": self.key,
        }


class AliyunClient:
    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8080/aliyun",
        token_id: str = "demo",
        namespace: str = "demo",
        session: requests.Session | None = None,
        timeout: float = 30.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.token_id, self.namespace = token_id, namespace
        self.http = session or requests.Session()
        self.timeout = timeout

    def _call(self, method: str, path: str, **kwargs) -> Any:
        headers = {"tokenId": self.token_id, "namespace": self.namespace}
        response = self.http.request(method, self.base_url + path, headers=headers, timeout=self.timeout, **kwargs)
        try:
            body = response.json()
        except ValueError:
            raise AliyunAPIError("InvalidResponse", response.text[:200], status=response.status_code) from None
        code = body.get("returnCode")
        if code != OK:
            kind = ResultNotReady if code == NOT_READY else AliyunAPIError
            raise kind(str(code), body.get("returnMessage", ""), body.get("requestId", ""), response.status_code)
        return body.get("data")

    def execute_analysis(
        self,
        study_instance_uid: str,
        study_type: int,
        source: OssSource,
        status_callback_url: str | None = None,
        force: bool = False,
    ) -> bool:
        body = {
            "studyInstanceUid": study_instance_uid,
            "studyType": study_type,
            **source.fields(),
            "forceAnalysis": force,
        }
        if status_callback_url:
            body["statusNotifyCallBackUrl"] = status_callback_url
        return self._call("POST", "/dicom/api/executeAnalysis", json=body)

    def get_analysis_result(self, study_instance_uid: str, study_type: int) -> dict:
        return self._call(
            "GET",
            "/dicom/api/getAnalysisResult",
            params={"studyInstanceUid": study_instance_uid, "studyType": study_type},
        )

    def submit_feedback(self, study_instance_uid: str, study_type: int, credibility: dict[str, str]) -> bool:
        """`credibility`: indexId -> "Y" | "N" | "UN"."""
        body = {
            "studyInstanceUid": study_instance_uid,
            "studyType": study_type,
            "data": [{"indexId": k, "credibility": v} for k, v in credibility.items()],
        }
        return self._call("POST", "/dicom/api/submitAnalysisFeedback", json=body)

    def trigger_oa(self, image_uid: str, source: OssSource, result_callback_url: str) -> None:
        """The OA (knee KL grade) trigger; its answer has only returnCode/returnMessage, the result comes back
        POSTed to `result_callback_url`."""
        body = {
            "namespace": self.namespace,
            "ImageUid": image_uid,
            **source.fields(),
            "analysis": "OA",
            "resultCallBackUrl": result_callback_url,
        }
        response = self.http.post(self.base_url + "/oa/analysis", json=body, timeout=self.timeout)
        try:
            answer = response.json()
        except ValueError:
            raise AliyunAPIError("InvalidResponse", response.text[:200], status=response.status_code) from None
        if answer.get("returnCode") != OK:
            raise AliyunAPIError(
                str(answer.get("returnCode")), answer.get("returnMessage", ""), status=response.status_code
            )

    def issue_sts(self, access_key_id: str, access_key_secret: str, duration_seconds: int = 3600) -> dict:
        """The mock's own STS issuer (not part of the platform): AccessKeyId, AccessKeySecret, SecurityToken."""
        return self._call(
            "POST",
            "/sts/token",
            json={
                "accessKeyId": access_key_id,
                "accessKeySecret": access_key_secret,
                "durationSeconds": duration_seconds,
            },
        )
