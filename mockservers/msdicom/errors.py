"""The server's errors: a status and a plain-text reason (its error bodies are not JSON)."""
from __future__ import annotations

from flask import Response

from mockservers.dicom.errors import DicomWebError, one_line

CATALOG: dict[str, tuple[int, str]] = {
    "BadRequest": (400, "The request is invalid."),
    "NotFound": (404, "The requested resource cannot be found."),
    "MethodNotAllowed": (405, "The requested method is not allowed on this resource."),
    "NotAcceptable": (406, "The request headers are not acceptable"),
    "Conflict": (409, "The instance already exists."),
    "PayloadTooLarge": (413, "The request body is too large."),
    "UnsupportedMediaType": (415, "The content type is not supported."),
    "InternalServerError": (500, "An internal error occurred."),
    "ServiceUnavailable": (503, "The service is unavailable."),
}

def error(code: str, message: str | None = None) -> DicomWebError:
    status, default = CATALOG[code]
    return DicomWebError(status, message or default)


def render(err) -> Response:
    return Response(err.message or "", status=err.status, mimetype="text/plain")


def for_http_status(status: int, description: str = "") -> DicomWebError:
    by_status = {s: code for code, (s, _) in CATALOG.items()}
    code = by_status.get(status, "BadRequest" if 400 <= status < 500 else "InternalServerError")
    err = error(code)
    err.status = status
    err.explain = one_line(description or err.message)
    return err


ERROR_SOURCES = {
    "BadRequest": "inferred: an invalid UID or query parameter; the conformance statement's 400",
    "NotFound": "ms-dicom-server-python.md § 删除 DICOM",
    "MethodNotAllowed": "inferred: a method the resource does not take",
    "NotAcceptable": "inferred: the conformance statement's 406 (an Accept or transcoding it cannot answer)",
    "Conflict": "ms-dicom-server-python.md § 存储单个实例（非标准）",
    "PayloadTooLarge": "inferred: a body over the server's max_body_mb",
    "UnsupportedMediaType": "inferred: the conformance statement's 415 (a content type it does not take)",
    "InternalServerError": "inferred: for fault rules",
    "ServiceUnavailable": "inferred: for fault rules",
}
