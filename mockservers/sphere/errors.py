"""Sphere's errors: {"detail": "..."} (the swagger-documented Django REST framework shape)."""
from __future__ import annotations

from flask import Response

from mockservers.dicom.dicomjson import dumps
from mockservers.dicom.errors import DicomWebError, one_line

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

def error(code: str, message: str | None = None) -> DicomWebError:
    status, default = CATALOG[code]
    return DicomWebError(status, message or default)


def render(err) -> Response:
    response = Response(dumps({"detail": err.message}), status=err.status, mimetype="application/json")
    if err.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def for_http_status(status: int, description: str = "") -> DicomWebError:
    by_status = {}
    for code, (s, _) in CATALOG.items():
        by_status.setdefault(s, code)
    code = by_status.get(status, "ParseError" if 400 <= status < 500 else "APIException")
    err = error(code)
    err.status = status
    err.explain = one_line(description or err.message)
    return err


ERROR_SOURCES = {
    "ParseError": "inferred: a filter the document does not list, or a malformed value (docs/sphere.md)",
    "NotAuthenticated": "sphere-dicomweb.rst § Configuration",
    "AuthenticationFailed": "sphere-dicomweb.rst § Configuration",
    "PermissionDenied": "sphere-dicomweb.rst § Configuration",
    "NotFound": "inferred: an unknown study, series or instance (PS3.18)",
    "MethodNotAllowed": "inferred: DELETE, which the document does not offer",
    "NotAcceptable": "inferred: an Accept it cannot answer (PS3.18)",
    "Conflict": "inferred: PS3.18's 409 for a STOW that stores nothing",
    "PayloadTooLarge": "inferred: a body over the configured limit",
    "UnsupportedMediaType": "inferred: a STOW body that is not multipart/related",
    "APIException": "inferred: for fault rules",
}
