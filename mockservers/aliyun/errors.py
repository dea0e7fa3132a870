"""The analysis platform's returnCode catalog and its envelope, as data (core/errors.py renders them)."""

from __future__ import annotations

from flask import request

from mockservers.aliyun.ids import platform_request_id
from mockservers.aliyun.schemas import DOC
from mockservers.core.errors import Bare, Dialect, VendorError

OK = "000000"
OA_PATH = "/oa/analysis"  # the OA trigger: its errors carry only returnCode and returnMessage

# returnCode -> (HTTP status, returnMessage). The document gives "000000" and "1000xx" for internal errors; the
# rest of the catalog follows the same style (docs/aliyun.md). A result not ready is a 200: clients poll on it.
CATALOG: dict[str, tuple[int, str]] = {
    "100001": (500, "系统内部错误"),
    "100002": (401, "tokenId无效"),
    "100003": (401, "namespace无效"),
    "100004": (400, "参数错误"),
    "100005": (400, "OSS文件不存在"),
    "100006": (403, "OSS访问被拒绝"),
    "100007": (200, "分析结果未就绪"),
    "100008": (404, "检查不存在"),
    "100009": (409, "该检查已分析，重新分析请设置forceAnalysis为true"),
    "100010": (200, "影像文件无法分析"),
    "100011": (404, "接口不存在"),
    "100012": (405, "请求方法不支持"),
}
ANALYSIS_FAILURES = ("100001", "100005", "100006", "100010")  # what an analysis may end with (callback errorCode)

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
    "100009": "inferred: forceAnalysis is documented as the way to analyse again; only once the analysis ended "
    "(a resubmit while it runs is a retry, answered 000000: docs/aliyun.md)",
    "100010": "inferred: a file the study type cannot analyse (docs/aliyun.md)",
    "100011": "inferred: an unknown URL, in the envelope every client parses",
    "100012": "inferred: a wrong method, in the envelope every client parses",
}


class AliyunError(VendorError):
    def __init__(self, code: str, message: str | None = None, *, status: int | None = None, explain: str | None = None):
        default_status, default_message = CATALOG[code]
        super().__init__(message or default_message, status=status or default_status, explain=explain)
        self.code = code


def bad_parameter(field: str, explain: str | None = None) -> AliyunError:
    return AliyunError("100004", f"参数错误: {field}", explain=explain)


def envelope(data, request_id: str, code: str = OK, message: str = "OK") -> dict:
    return {
        "returnCode": code,
        "returnMessage": message,
        "solution": "",
        "requestId": request_id,
        "data": data,
        "success": code == OK,
    }


def _error_envelope(error: AliyunError) -> dict:
    """The OA trigger answers only the two keys its section documents (its answer draws a request id all the
    same, so every later answer keeps the id it has always had)."""
    request_id = platform_request_id()
    if request.path.endswith(OA_PATH):
        return {"returnCode": error.code, "returnMessage": error.message}
    return envelope(False if request.method == "POST" else None, request_id, error.code, error.message)


DIALECT = Dialect(
    error=AliyunError,
    catalog=CATALOG,
    envelope=_error_envelope,
    sources=ERROR_SOURCES,
    bare={404: Bare("100011"), 405: Bare("100012"), 400: Bare("100004", keep_status=True), 500: Bare("100001")},
)
