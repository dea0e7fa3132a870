"""The platform's endpoints as the document describes them: the OpenAPI document and the fidelity ledger.

The OSS store at the server root speaks XML and is oss2's, not the platform's: it is left out (docs/aliyun.md)."""
from __future__ import annotations

from mockservers.aliyun import schemas as s
from mockservers.aliyun.errors import CATALOG
from mockservers.core.openapi import Header, Operation, Reply

DOC = s.DOC
HEADERS = (Header("tokenId", "the application's token (应用系统生成提供)", required=True),
           Header("namespace", "the namespace agreed with the platform (和调用方约定)", required=True))


def _errors(schema, statuses=(400, 401, 403, 404, 405, 409, 413, 500)) -> dict[int, Reply]:
    """The error answers of one endpoint, each code of the catalog at its HTTP status."""
    by_status: dict[int, list[str]] = {}
    for code, (status, message) in CATALOG.items():
        by_status.setdefault(status, []).append(f"{code} {message}")
    by_status.setdefault(413, []).append("100004 参数错误: body (too large)")
    return {status: Reply(", ".join(by_status[status]), schema) for status in statuses}


ERRORS = _errors(s.ErrorEnvelope)


def operations() -> list[Operation]:
    return [
        Operation("executeAnalysis", "POST", "/dicom/api/executeAnalysis",
                  "Analyse a study stored in OSS; the result is ready after the status callback",
                  DOC + "executeAnalysis", body=s.ExecuteAnalysisBody, headers=HEADERS,
                  responses={200: Reply("started (data true)", s.BoolEnvelope), **ERRORS}),
        Operation("getAnalysisResult", "GET", "/dicom/api/getAnalysisResult",
                  "The result of an analysis (100007 with HTTP 200 while it runs; its failure code once failed)",
                  DOC + "getAnalysisResult", query=s.ResultQuery, headers=HEADERS,
                  responses={200: Reply("the result, or not ready / failed (data null)", s.ResultEnvelope),
                             **ERRORS}),
        Operation("submitAnalysisFeedback", "POST", "/dicom/api/submitAnalysisFeedback",
                  "Set a doctor's credibility on result items by indexId", DOC + "submitAnalysisFeedback",
                  body=s.FeedbackBody, headers=HEADERS,
                  responses={200: Reply("applied (data true), or not ready / failed (data false)", s.BoolEnvelope),
                             **ERRORS}),
        Operation("OA trigger", "POST", "/oa/analysis",
                  "Grade a knee X-ray (KL); the result is POSTed to resultCallBackUrl", DOC + "触发算法分析",
                  body=s.OaBody,
                  responses={200: Reply("accepted", s.OaReply),
                             **_errors(s.OaReply, (400, 401, 403, 405, 413, 500))}),
        Operation("STS token", "POST", "/sts/token",
                  "Temporary OSS credentials (the mock's own issuer) for oss2.StsAuth and securityToken",
                  "inferred: the document takes an STS token but names no issuer; the mock issues them itself",
                  body=s.StsBody,
                  responses={200: Reply("the credentials", s.StsEnvelope),
                             **{k: v for k, v in ERRORS.items() if k in (400, 403, 405, 413, 500)}}),
    ]


ERROR_SOURCES = {
    "000000": DOC + "executeAnalysis, Response (000000--成功)",
    "100001": DOC + "executeAnalysis, Response (1000xx -- 1000系统内部错误)",
    "100002": "inferred: the document names the 1000xx range, not its codes; a tokenId not issued (docs/aliyun.md)",
    "100003": "inferred: a namespace not agreed for the tokenId (docs/aliyun.md)",
    "100004": "inferred: a missing or malformed field, named in the message (docs/aliyun.md)",
    "100005": "inferred: nothing at bucketName/key in OSS (docs/aliyun.md)",
    "100006": "inferred: OSS credentials that OSS would refuse (docs/aliyun.md)",
    "100007": "inferred: a result asked for before the status callback; clients poll on it (specs README)",
    "100008": "inferred: no analysis of that study and type (docs/aliyun.md)",
    "100009": "inferred: forceAnalysis is documented as the way to analyse again (docs/aliyun.md)",
    "100010": "inferred: a file the study type cannot analyse (docs/aliyun.md)",
    "100011": "inferred: an unknown URL, in the envelope every client parses",
    "100012": "inferred: a wrong method, in the envelope every client parses",
}
