"""CAD4TB API v1's calls as the document describes them: the OpenAPI document and the fidelity ledger."""
from __future__ import annotations

from marshmallow import Schema

from mockservers.cad4tb import schemas as s
from mockservers.core.openapi import Header, Operation, Reply

DOC = s.DOC
CREDENTIALS = (Header("X-USERNAME", "The username of the user.", required=True),
               Header("X-PASSWORD", "The password of the user.", required=True))
ERRORS = {
    400: Reply("invalid_post_value (no_data_submitted, or null): a bad upload or submission, text no database "
               "can hold", s.ErrorBody),
    403: Reply("api_call_not_allowed: a wrong X-USERNAME/X-PASSWORD, a missing permission, another Project/Archive",
               s.ErrorBody),
    404: Reply("object_not_found (patient_not_found, study_not_found, series_not_found, no_dicom_available, "
               "result_not_found, form_not_found; null for an unknown call)", s.ErrorBody),
    405: Reply("method_not_allowed", s.ErrorBody),
    409: Reply("multiple_objects_found: more than one form of that FormName (forms/add)", s.ErrorBody),
    413: Reply("invalid_post_value: the body is too large", s.ErrorBody),
    500: Reply("internal_error (fault rules)", s.ErrorBody),
}
ZIP = Reply("a zip file", media="application/zip", binary=True)


def many(schema: type[Schema]) -> Schema:
    """A JSON array of `schema`: apispec writes an instance made with many=True as {type: array, items: $ref};
    the core names a component by __name__, which an instance lacks."""
    instance = schema(many=True)
    instance.__name__ = schema.__name__
    return instance


def _get(name: str, command: str, summary: str, section: str, query: type[Schema], ok: Reply) -> Operation:
    return Operation(name, "GET", f"/api/v1/{command}/", summary, DOC + section, query=query, headers=CREDENTIALS,
                     responses={200: ok, **ERRORS})


def operations() -> list[Operation]:
    return [
        Operation("Upload series", "POST", "/api/v1/instance/upload/",
                  "Upload one DICOM file into a Project/Archive; the series is processed on the clock",
                  DOC + "2.1.2.1.1. Upload series", body=s.UploadBody, body_types=("multipart/form-data",),
                  headers=CREDENTIALS, responses={200: Reply("the file's ids as stored", s.UploadReply), **ERRORS}),
        _get("Get patient", "patient/get", "Get patient data", "2.1.2.2.1. Get patient", s.PatientParams,
             Reply("the patient", s.PatientReply)),
        _get("Delete patient", "patient/delete", "Delete a patient, its studies, series, files and reportings",
             "2.1.2.2.2. Delete patient", s.PatientParams, Reply("deleted", s.StatusReply)),
        _get("Get study", "study/get", "Get study data", "2.1.2.3.1. Get study", s.StudyParams,
             Reply("the study", s.StudyReply)),
        _get("List studies", "patient/studies/list", "List all studies of a patient", "2.1.2.3.2. List studies",
             s.PatientParams, Reply("the studies", many(s.StudyReply))),
        _get("Delete study", "study/delete", "Delete a study, its series, files and reportings",
             "2.1.2.3.3. Delete study", s.StudyParams, Reply("deleted", s.StatusReply)),
        _get("Get series", "series/get", "Get series data (and form_<id>: its latest reporting of each form)",
             "2.1.2.4.1. Get series", s.SeriesParams, Reply("the series", s.SeriesReply)),
        _get("List series", "patient/study/series/list", "List all series of a study", "2.1.2.4.2. List series",
             s.StudyParams, Reply("the series", many(s.SeriesReply))),
        _get("Get series dicom", "dicom/get", "A zip of the series' DICOM files", "2.1.2.4.3. Get series dicom",
             s.SeriesParams, ZIP),
        _get("Delete series", "series/delete", "Delete a series, its files and reportings",
             "2.1.2.4.4. Delete series", s.SeriesParams, Reply("deleted", s.StatusReply)),
        _get("Get algorithm results", "series/results",
             "Scores as JSON ([] while processing); a zip (application/zip) when an image result is asked for",
             "2.1.2.5.1. Get algorithm results", s.ResultParams, Reply("the scores", many(s.ResultReply))),
        _get("Get reportings", "patient/study/series/forms/list", "List the reportings of a series",
             "2.1.2.6.1. Get reportings", s.SeriesParams, Reply("the reportings", many(s.ReportingReply))),
        Operation("Add reportings", "POST", "/api/v1/patient/study/series/forms/add/",
                  "Add a reporting (a form submission) to a series", DOC + "2.1.2.6.2. Add reportings",
                  body=s.FormAddParams, body_types=("application/json", "application/x-www-form-urlencoded"),
                  headers=CREDENTIALS,
                  responses={200: Reply("the new reporting (the document shows no answer; docs/cad4tb.md)",
                                        s.ReportingReply), **ERRORS}),
    ]


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
