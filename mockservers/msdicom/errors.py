"""The server's errors: a status and a plain-text reason (its error bodies are not JSON), as data
(core/errors.py renders them)."""

from __future__ import annotations

from mockservers.core.errors import Dialect, by_status
from mockservers.dicom.errors import DicomWebError

DOC = "ms-dicom-server-python.md § "

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

ERROR_SOURCES = {
    "BadRequest": "inferred: an invalid UID or query parameter; the conformance statement's 400",
    "NotFound": DOC + "删除 DICOM",
    "MethodNotAllowed": "inferred: a method the resource does not take",
    "NotAcceptable": "inferred: the conformance statement's 406 (an Accept or transcoding it cannot answer)",
    "Conflict": DOC + "存储单个实例（非标准）",
    "PayloadTooLarge": "inferred: a body over the server's max_body_mb",
    "UnsupportedMediaType": "inferred: the conformance statement's 415 (a content type it does not take)",
    "InternalServerError": "inferred: for fault rules",
    "ServiceUnavailable": "inferred: for fault rules",
}


def error(code: str, message: str | None = None) -> DicomWebError:
    status, default = CATALOG[code]
    return DicomWebError(status, message or default)


def _reason(err: DicomWebError) -> str:
    return err.message or ""


DIALECT = Dialect(
    error=DicomWebError,
    catalog=CATALOG,
    make=error,
    envelope=_reason,
    media_type="text/plain",
    bare=by_status(CATALOG),
    sources=ERROR_SOURCES,
)
