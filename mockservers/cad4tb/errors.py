"""CAD4TB API v1's error types, suberror types and the one error body they all share, as data (core/errors.py
renders them)."""

from __future__ import annotations

import json

from mockservers.cad4tb.schemas import DOC
from mockservers.core.errors import Bare, Dialect, VendorError

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
    def __init__(self, error: str, suberror: str | None = None, message: str | None = None, explain: str | None = None):
        status, default = CATALOG[error]
        if suberror is not None:
            default = SUBERRORS[suberror][1]
        super().__init__(message or default, status=status, explain=explain)
        self.error = error
        self.suberror = suberror


def not_found(suberror: str, message: str | None = None, explain: str | None = None) -> Cad4tbError:
    return Cad4tbError("object_not_found", suberror, message, explain=explain)


def invalid(message: str, suberror: str | None = None, explain: str | None = None) -> Cad4tbError:
    return Cad4tbError("invalid_post_value", suberror, message, explain=explain)


def not_allowed(message: str | None = None, explain: str | None = None) -> Cad4tbError:
    return Cad4tbError("api_call_not_allowed", None, message, explain=explain)


def body(error: Cad4tbError) -> dict:
    return {"status": "Error", "error": error.error, "suberror": error.suberror, "message": error.message}


def django_json(data) -> str:
    """JSON as CAD4TB's Django sends it (JsonResponse is json.dumps): ", " and ": ", keys in the order the view
    built them, non-ASCII escaped, no trailing newline. Flask's jsonify would sort the keys and drop the spaces."""
    return json.dumps(data)


# What a fault rule may name: an error type, or a suberror type (with the status of its error type).
FAULT_CODES: dict[str, tuple[int, str]] = {
    **CATALOG,
    **{sub: (CATALOG[error][0], message) for sub, (error, message) in SUBERRORS.items()},
}


def of_code(code: str, message: str | None = None) -> Cad4tbError:
    """The error of an error type or of a suberror type."""
    if code in SUBERRORS:
        return Cad4tbError(SUBERRORS[code][0], code, message)
    return Cad4tbError(code, message=message)


DIALECT = Dialect(
    error=Cad4tbError,
    catalog=FAULT_CODES,
    make=of_code,
    envelope=lambda error: django_json(body(error)),
    sources=ERROR_SOURCES,
    bare={
        404: Bare("object_not_found", "Unknown API call"),
        405: Bare("method_not_allowed"),
        413: Bare("invalid_post_value", "The submitted data is too large"),
        400: Bare("invalid_post_value"),
        500: Bare("internal_error"),
    },
)
