"""The analysis platform's HTTP surface under /aliyun: one declaration per endpoint (it authenticates, validates
in the platform's words, and documents), over a view that calls the backend and answers the envelope.

The OSS store at the server root speaks XML and is oss2's, not the platform's: it is declared in oss/routes.py and
left out of the document (docs/aliyun.md)."""

from __future__ import annotations

from flask import jsonify, request

from mockservers.aliyun import schemas as s
from mockservers.aliyun.backend import AliyunBackend
from mockservers.aliyun.errors import CATALOG, OA_PATH, bad_parameter, envelope
from mockservers.aliyun.ids import platform_request_id as request_id
from mockservers.core import jsonbody
from mockservers.core.endpoints import Endpoints
from mockservers.core.http import current_ctx
from mockservers.core.openapi import Header, Reply

DOC = s.DOC
HEADERS = (
    Header("tokenId", "the application's token (应用系统生成提供)", required=True),
    Header("namespace", "the namespace agreed with the platform (和调用方约定)", required=True),
)


def _errors(schema, statuses=(400, 401, 403, 404, 405, 409, 413, 500)) -> dict[int, Reply]:
    """The error answers of one endpoint, each code of the catalog at its HTTP status."""
    by_status: dict[int, list[str]] = {}
    for code, (status, message) in CATALOG.items():
        by_status.setdefault(status, []).append(f"{code} {message}")
    by_status.setdefault(413, []).append("100004 参数错误: body (too large)")
    return {status: Reply(", ".join(by_status[status]), schema) for status in statuses}


ERRORS = _errors(s.ErrorEnvelope)


def reject(field: str, message: str) -> Exception:
    return bad_parameter(field, explain=f"{field}: {message}")


def read_body() -> dict:
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise bad_parameter("body", explain="body: a JSON object is required")
    try:
        body = jsonbody.loads(raw)
    except jsonbody.NotJSON as exc:
        raise bad_parameter("body", explain=f"body: {exc}") from None
    if not isinstance(body, dict):
        raise bad_parameter("body", explain="body: must be a JSON object")
    return body


def backend() -> AliyunBackend:
    return AliyunBackend(current_ctx())


def authenticate() -> str:
    """The namespace of a request bearing the `tokenId` and `namespace` headers."""
    return backend().authenticate(request.headers.get("tokenId"), request.headers.get("namespace"))


def ok(data):
    return jsonify(envelope(data, request_id()))


api = Endpoints("aliyun", __name__, reject=reject, read_body=read_body, authenticate=authenticate)


@api(
    "POST",
    "/dicom/api/executeAnalysis",
    name="executeAnalysis",
    summary="Analyse a study stored in OSS; the result is ready after the status callback",
    source=DOC + "executeAnalysis",
    auth=True,
    body=s.ExecuteAnalysisBody,
    headers=HEADERS,
    responses={200: Reply("started (data true)", s.BoolEnvelope), **ERRORS},
)
def execute_analysis(caller, body):
    return ok(backend().execute(caller, body))


@api(
    "GET",
    "/dicom/api/getAnalysisResult",
    name="getAnalysisResult",
    summary="The result of an analysis (100007 with HTTP 200 while it runs; its failure code once failed)",
    source=DOC + "getAnalysisResult",
    auth=True,
    query=s.ResultQuery,
    headers=HEADERS,
    responses={200: Reply("the result, or not ready / failed (data null)", s.ResultEnvelope), **ERRORS},
)
def get_analysis_result(caller, query):
    return ok(backend().result(caller, query["studyInstanceUid"], query["studyType"]))


@api(
    "POST",
    "/dicom/api/submitAnalysisFeedback",
    name="submitAnalysisFeedback",
    summary="Set a doctor's credibility on result items by indexId",
    source=DOC + "submitAnalysisFeedback",
    auth=True,
    body=s.FeedbackBody,
    headers=HEADERS,
    responses={200: Reply("applied (data true), or not ready / failed (data false)", s.BoolEnvelope), **ERRORS},
)
def submit_analysis_feedback(caller, body):
    return ok(backend().feedback(caller, body))


@api(
    "POST",
    OA_PATH,
    name="OA trigger",
    summary="Grade a knee X-ray (KL); the result is POSTed to resultCallBackUrl",
    source=DOC + "触发算法分析",
    body=s.OaBody,
    responses={200: Reply("accepted", s.OaReply), **_errors(s.OaReply, (400, 401, 403, 405, 413, 500))},
)
def oa_analysis(body):
    backend().oa_trigger(body)
    return jsonify({"returnCode": "000000", "returnMessage": "OK"})


@api(
    "POST",
    "/sts/token",
    name="STS token",
    summary="Temporary OSS credentials (the mock's own issuer) for oss2.StsAuth and securityToken",
    source="inferred: the document takes an STS token but names no issuer; the mock issues them itself",
    body=s.StsBody,
    responses={
        200: Reply("the credentials", s.StsEnvelope),
        **{k: v for k, v in ERRORS.items() if k in (400, 403, 405, 413, 500)},
    },
)
def sts_token(body):
    """Not in the document: how the mock hands out STS credentials (docs/aliyun.md)."""
    return ok(backend().issue_sts(body["accessKeyId"], body["accessKeySecret"], body["durationSeconds"]))
