"""CAD4TB API v1's error types, suberror types and the one error body they all share."""
from __future__ import annotations

from flask import Response, jsonify

from mockservers.cad4tb.schemas import DOC
from mockservers.core.vendor import VendorError

# error type -> (HTTP status, default message). One status per type, everywhere (docs/cad4tb.md).
CATALOG: dict[str, tuple[int, str]] = {
    "invalid_post_value": (400, "Invalid value submitted"),
    "api_call_not_allowed": (403, "You are not allowed to do this API call"),
    "object_not_found": (404, "Object not found"),
    "method_not_allowed": (405, "Method not allowed"),
    "multiple_objects_found": (409, "Multiple objects found"),
    "internal_error": (500, "Internal server error"),  # not in the document: a bug in the mock, never on purpose
}

# suberror type -> default message; the document's suberror types, each under the error type it comes with.
SUBERRORS: dict[str, tuple[str, str]] = {
    "no_data_submitted": ("invalid_post_value", "No data submitted"),
    "patient_not_found": ("object_not_found", "Patient not found"),
    "study_not_found": ("object_not_found", "Study not found"),
    "series_not_found": ("object_not_found", "Series not found"),
    "no_dicom_available": ("object_not_found", "No DICOM available for this series"),
    "result_not_found": ("object_not_found", "Result not found"),
    "form_not_found": ("object_not_found", "Form not found"),
}

# where the document shows each error and suberror type (the fidelity ledger)
ERROR_SOURCES = {
    "invalid_post_value": DOC + "2.1.2.1.1. Upload series, Error types",
    "api_call_not_allowed": DOC + "2.1.2.1.1. Upload series, Error types",
    "method_not_allowed": DOC + "2.1.2.1.1. Upload series, Error types",
    "object_not_found": DOC + "2.1.2.2.1. Get patient, Error types",
    "multiple_objects_found": DOC + "2.1.2.6.2. Add reportings, Error types",
    "internal_error": "inferred: a bug in the mock or a fault rule; the document names no server error",
    "no_data_submitted": DOC + "2.1.2.1.1. Upload series, Suberror types",
    "patient_not_found": DOC + "2.1.2.2.1. Get patient, Suberror types",
    "study_not_found": DOC + "2.1.2.3.1. Get study, Suberror types",
    "series_not_found": DOC + "2.1.2.4.1. Get series, Suberror types",
    "no_dicom_available": DOC + "2.1.2.4.3. Get series dicom, Suberror types",
    "result_not_found": DOC + "2.1.2.5.1. Get algorithm results, Suberror types",
    "form_not_found": DOC + "2.1.2.6.2. Add reportings, Suberror types",
}


class Cad4tbError(VendorError):
    def __init__(self, error: str, suberror: str | None = None, message: str | None = None,
                 explain: str | None = None):
        status, default = CATALOG[error]
        if suberror is not None:
            default = SUBERRORS[suberror][1]
        super().__init__(message or default, status=status, explain=explain)
        self.error = error
        self.suberror = suberror

    @property
    def explain(self) -> str | None:
        return self._explain

    @explain.setter
    def explain(self, text: str | None) -> None:
        """It becomes the X-Mock-Explain header, which may not hold a line break; explanations quote the caller's
        own text (a submission's key, say), so breaks are escaped here."""
        self._explain = None if text is None else text.replace("\r", "\\r").replace("\n", "\\n")


def not_found(suberror: str, message: str | None = None, explain: str | None = None) -> Cad4tbError:
    return Cad4tbError("object_not_found", suberror, message, explain=explain)


def invalid(message: str, suberror: str | None = None, explain: str | None = None) -> Cad4tbError:
    return Cad4tbError("invalid_post_value", suberror, message, explain=explain)


def not_allowed(message: str | None = None, explain: str | None = None) -> Cad4tbError:
    return Cad4tbError("api_call_not_allowed", None, message, explain=explain)


def body(error: Cad4tbError) -> dict:
    return {"status": "Error", "error": error.error, "suberror": error.suberror, "message": error.message}


def render(error: Cad4tbError) -> Response:
    response = jsonify(body(error))
    response.status_code = error.status
    return response


def for_http_status(status: int, description: str = "") -> Cad4tbError:
    explain = description or None
    if status == 404:
        return Cad4tbError("object_not_found", None, "Unknown API call", explain=explain)
    if status == 405:
        return Cad4tbError("method_not_allowed", explain=explain)
    if status == 413:
        return Cad4tbError("invalid_post_value", None, "The submitted data is too large", explain=explain)
    if 400 <= status < 500:
        return Cad4tbError("invalid_post_value", explain=explain)
    return Cad4tbError("internal_error", explain=explain)
