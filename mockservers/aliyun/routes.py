"""The analysis platform's HTTP surface under /aliyun: parse, authenticate, call the backend, answer the envelope."""
from __future__ import annotations

from flask import Blueprint, jsonify, request

from mockservers.aliyun.backend import AliyunBackend
from mockservers.aliyun.errors import bad_parameter, envelope
from mockservers.aliyun.ids import platform_request_id as request_id
from mockservers.core import jsonbody
from mockservers.core.http import current_ctx

blueprint = Blueprint("aliyun", __name__)
OA_PATH = "/oa/analysis"


def ok(data):
    return jsonify(envelope(data, request_id()))


def json_body():
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise bad_parameter("body", explain="body: a JSON object is required")
    try:
        return jsonbody.loads(raw)
    except jsonbody.NotJSON as exc:
        raise bad_parameter("body", explain=f"body: {exc}") from None


def backend() -> AliyunBackend:
    return AliyunBackend(current_ctx())


def tenant(b: AliyunBackend) -> str:
    return b.authenticate(request.headers.get("tokenId"), request.headers.get("namespace"))


@blueprint.post("/dicom/api/executeAnalysis")
def execute_analysis():
    b = backend()
    namespace = tenant(b)
    return ok(b.execute(namespace, json_body()))


@blueprint.get("/dicom/api/getAnalysisResult")
def get_analysis_result():
    b = backend()
    namespace = tenant(b)
    return ok(b.result(namespace, request.args.to_dict()))


@blueprint.post("/dicom/api/submitAnalysisFeedback")
def submit_analysis_feedback():
    b = backend()
    namespace = tenant(b)
    return ok(b.feedback(namespace, json_body()))


@blueprint.post(OA_PATH)
def oa_analysis():
    backend().oa_trigger(json_body())
    return jsonify({"returnCode": "000000", "returnMessage": "OK"})


@blueprint.post("/sts/token")
def sts_token():
    """Not in the document: how the mock hands out STS credentials (docs/aliyun.md)."""
    return ok(backend().issue_sts(json_body()))
