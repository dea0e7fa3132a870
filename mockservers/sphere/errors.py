"""Sphere's errors: {"detail": "..."} (the swagger-documented Django REST framework shape), as data
(core/errors.py renders them)."""

from __future__ import annotations

from mockservers.core.errors import Dialect, by_status
from mockservers.dicom.dicomjson import dumps
from mockservers.dicom.errors import DicomWebError

DOC = "sphere-dicomweb.rst § "

CATALOG: dict[str, tuple[int, str]] = {
    "ParseError": (400, "Malformed request."),
    "NotAuthenticated": (401, "Authentication credentials were not provided."),
    "AuthenticationFailed": (401, "Given token not valid."),
    "PermissionDenied": (403, "You do not have permission to perform this action."),
    "NotFound": (404, "Not found."),
    "MethodNotAllowed": (405, "Method not allowed."),
    "NotAcceptable": (406, "Could not satisfy the request Accept header."),
    "Conflict": (409, "Conflict."),
    "PayloadTooLarge": (413, "Request body too large."),
    "UnsupportedMediaType": (415, "Unsupported media type in request."),
    "APIException": (500, "A server error occurred."),
}

ERROR_SOURCES = {
    "ParseError": "inferred: a filter the document does not list, or a malformed value (docs/sphere.md)",
    "NotAuthenticated": DOC + "Configuration",
    "AuthenticationFailed": DOC + "Configuration",
    "PermissionDenied": DOC + "Configuration",
    "NotFound": "inferred: an unknown study, series or instance (PS3.18)",
    "MethodNotAllowed": "inferred: DELETE, which the document does not offer",
    "NotAcceptable": "inferred: an Accept it cannot answer (PS3.18)",
    "Conflict": "inferred: PS3.18's 409 for a STOW that stores nothing",
    "PayloadTooLarge": "inferred: a body over the configured limit",
    "UnsupportedMediaType": "inferred: a STOW body that is not multipart/related",
    "APIException": "inferred: for fault rules",
}


def error(code: str, message: str | None = None) -> DicomWebError:
    status, default = CATALOG[code]
    return DicomWebError(status, message or default)


def _detail(err: DicomWebError) -> str | tuple[str, dict[str, str]]:
    body = dumps({"detail": err.message})
    if err.status == 401:
        return body, {"WWW-Authenticate": 'Bearer realm="api"'}
    return body


DIALECT = Dialect(
    error=DicomWebError, catalog=CATALOG, make=error, envelope=_detail, bare=by_status(CATALOG), sources=ERROR_SOURCES
)
