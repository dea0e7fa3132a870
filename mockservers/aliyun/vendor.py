"""The Aliyun medical data analysis platform (and its OSS store) as the core sees it."""

from __future__ import annotations

import json

import requests
from flask import has_request_context, request

from mockservers.aliyun.backend import AliyunBackend
from mockservers.aliyun.errors import DIALECT as PLATFORM_DIALECT
from mockservers.aliyun.errors import OK
from mockservers.aliyun.oss import auth
from mockservers.aliyun.oss.errors import DIALECT as OSS_DIALECT
from mockservers.aliyun.oss.store import OssStore, is_reserved
from mockservers.core import callback_retry, callback_targets
from mockservers.core.vendor import VendorSpec

# What the document leaves open, decided as the platform most plausibly behaves (docs/aliyun.md).
DECISIONS = {
    "executeAnalysis of a study still running, without forceAnalysis": "inferred: a client's retry after a timeout; "
    "answered 000000 (data true) and the running analysis goes on unchanged, calling back once",
    "OA trigger with a study path in key": "inferred: the document's key is a study path; every image under key/ is "
    "graded and one callback carries their Boxes in key order, as getAnalysisResult's boxes of a several-image study",
    "submitAnalysisFeedback on studyType 2 or 3": "inferred: the document's feedback takes 1-3; recorded, not shown, "
    "since the document's xRayDataList and ocularDataList items have no credibility key",
    "results: where they lie on the image": "inferred: an integrator's viewer draws them on the image; placed on the "
    "anatomy found on the analysed object's pixels (core/anatomy.py): nodules and posMap points in a lung field, "
    "knee boxes over each leg's joint space, a fundus' eye from its optic disc's side when the header has no "
    "laterality and imgCenter the disc or macula nearer the middle; no recognisable anatomy: where it usually lies",
}


def _json_of(response: requests.Response):
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def accept_status(response: requests.Response) -> str | None:
    """The status callback is delivered once the receiver answers {"code": 0}."""
    body = _json_of(response)
    if not isinstance(body, dict) or "code" not in body:
        return f'HTTP {response.status_code}: not the {{"code": 0}} acknowledgement'
    if body["code"] not in (0, "0"):
        return f"receiver answered code {body['code']!r}"
    return None


def accept_oa(response: requests.Response) -> str | None:
    """The OA result callback is delivered once the receiver answers returnCode "000000"."""
    body = _json_of(response)
    if not isinstance(body, dict) or "returnCode" not in body:
        return f'HTTP {response.status_code}: not the {{"returnCode": "000000"}} acknowledgement'
    if body["returnCode"] != OK:
        return f"receiver answered returnCode {body['returnCode']!r}"
    return None


class AliyunVendor(VendorSpec):
    key = "aliyun"
    title = "Aliyun medical data analysis platform (with its OSS store)"
    document = "aliyun-medical-analysis.txt"
    real_hosts = ("https://medical.aliyun.com", "http://medical.aliyun.com")
    root_title = "OSS"
    # tokenId is the application's credential; OSS: a presigned URL's Signature, STS tokens and secrets
    credential_names = (
        "tokenId",
        "accessKeySecret",
        "securityToken",
        "Signature",
        "security-token",
        "x-oss-security-token",
    )
    errors = PLATFORM_DIALECT  # the platform's JSON envelope
    root_errors = OSS_DIALECT  # the object store's XML, at the server root

    def blueprint(self):
        return self.endpoints()[0].blueprint

    def root_blueprint(self):
        return self.endpoints()[1].blueprint

    def claims_root_path(self, path):
        """A bucket's path; and the root itself when signed with OSS credentials (ListBuckets, oss/routes.py)."""
        first = path.lstrip("/").split("/", 1)[0]
        if path == "/":
            return has_request_context() and request.method == "GET" and auth.is_signed(request.args, request.headers)
        return bool(first) and not is_reserved(first)

    def endpoints(self):
        """The platform's under /aliyun, then the OSS store's at the root (declared, not published)."""
        from mockservers.aliyun.oss.routes import api as oss
        from mockservers.aliyun.routes import api as platform

        return [platform, oss]

    def behaviour_sources(self):
        callbacks = {
            f"{name} callback: {what}": source
            for name in ("statusNotifyCallBackUrl", "resultCallBackUrl")
            for what, source in (
                ("where it may go", callback_targets.TARGET_SOURCE),
                ("retries", callback_retry.RETRY_SOURCE),
            )
        }
        return {**callbacks, **DECISIONS}

    def jobs(self, ctx):
        from mockservers.aliyun.dashboard import jobs

        return jobs(ctx)

    def studies(self, ctx):
        from mockservers.aliyun.dashboard import studies

        return studies(ctx)

    def dicom_files(self, ctx):
        from mockservers.aliyun.dashboard import dicom_files

        return dicom_files(ctx)

    def findings(self, ctx):
        from mockservers.aliyun.dashboard import findings

        return findings(ctx)

    def demo(self, unit, studies, progress):
        from mockservers.aliyun.demo import seed

        seed(unit, studies, progress)

    def handlers(self):
        return {
            "analysis_finish": lambda ctx, p: AliyunBackend(ctx).finish_analysis(p["id"], p["run"]),
            "oa_finish": lambda ctx, p: AliyunBackend(ctx).finish_oa(p["id"]),
        }

    def acceptors(self):
        return {"status": accept_status, "oa": accept_oa}

    def seed(self, ctx):
        OssStore(ctx).seed()

    def default_config(self):
        return {
            "tenants": {"demo": {"tokenId": "demo"}},
            "oss": {
                "credentials": {"mock-access-key-id": "mock-access-key-secret"},
                "buckets": ["demo-bucket"],
            },
            "analysis_seconds": 3,
            "oa_seconds": 2,
        }
