"""CAD4TB API v1's HTTP surface, one declaration per call: its URL, its parameters (validated here, in CAD4TB's error
body, after the credentials and the call's permission), what the document says of it, and a view that calls the
backend and answers JSON or a zip."""

from __future__ import annotations

import io
from urllib.parse import parse_qsl

from flask import Response, request
from marshmallow import Schema
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.formparser import parse_form_data

from mockservers.cad4tb import schemas as s
from mockservers.cad4tb.backend import Cad4tbBackend
from mockservers.cad4tb.errors import Cad4tbError, django_json, invalid, not_found
from mockservers.core.endpoints import Endpoints, Reject
from mockservers.core.http import current_ctx, json_body_or_none, request_fields
from mockservers.core.openapi import Header, Reply

# ---- what the document says of every call ---------------------------------------------------------------------

DOC = s.DOC
CREDENTIALS = (
    Header("X-USERNAME", "The username of the user.", required=True),
    Header("X-PASSWORD", "The password of the user.", required=True),
)
ERRORS = {
    400: Reply(
        "invalid_post_value (no_data_submitted, or null): a bad upload or submission, text no database can hold",
        s.ErrorBody,
    ),
    403: Reply(
        "api_call_not_allowed: a wrong X-USERNAME/X-PASSWORD, a missing permission, another Project/Archive",
        s.ErrorBody,
    ),
    404: Reply(
        "object_not_found (patient_not_found, study_not_found, series_not_found, no_dicom_available, "
        "result_not_found, form_not_found; null for an unknown call)",
        s.ErrorBody,
    ),
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
    instance.__name__ = schema.__name__  # type: ignore[attr-defined]
    return instance


# ---- reading a call: its caller, its parameters ---------------------------------------------------------------


def authenticate(command: str) -> dict:
    """The caller of a call: X-USERNAME/X-PASSWORD first, then the permissions `command` needs, before any parameter
    is looked at. A HEAD of a deleting call is refused before both: Flask answers a HEAD with the GET's view, and a
    HEAD must not delete."""
    if request.method == "HEAD" and command.endswith("/delete"):
        raise Cad4tbError("method_not_allowed")
    backend = Cad4tbBackend(current_ctx())
    user = backend.authenticate(request.headers.get("X-USERNAME"), request.headers.get("X-PASSWORD"))
    backend.require(user, command)
    return user


def read_body() -> dict:
    """A call's parameters wherever its client put them: the query string, a form (urlencoded or multipart) or a
    JSON body; a multipart body's `file` part under "file", as (file name, bytes). A session-wide Content-Type
    application/json does not hide what a body is: a multipart body is read by the boundary its first line names,
    a form-encoded one as the form. `Results` given more than once is one comma list."""
    form, files = _multipart()
    if form is None:
        fields = request_fields()
        raw = request.get_data(cache=True)
        if raw and request.mimetype == "application/json" and json_body_or_none() is None:
            pairs = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
            if pairs and all(key for key, _ in pairs):
                fields.update(pairs)
    else:
        fields = {**request.args.to_dict(), **form.to_dict()}
    if len(request.args.getlist("Results")) > 1:
        fields["Results"] = ",".join(request.args.getlist("Results"))
    fields.pop("file", None)  # only a file part is the file
    if form is None:
        return fields
    part = files.get("file")
    if part is not None:
        fields["file"] = (part.filename or "", part.read())
    if request.mimetype != "multipart/form-data":  # parsed here, so closed here (Flask closes its own)
        for stored in (f for _, parts in files.lists() for f in parts):
            stored.close()
    return fields


def _multipart() -> tuple[MultiDict[str, str] | None, MultiDict[str, FileStorage]]:
    """A multipart body's form and files, also under another Content-Type; (None, no files) for any other body."""
    if request.mimetype == "multipart/form-data":
        return request.form, request.files
    raw = request.get_data(cache=True)
    if raw.startswith(b"--"):
        boundary = raw.split(b"\r\n", 1)[0][2:].decode("latin-1")
        environ = {
            **request.environ,
            "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
            "CONTENT_LENGTH": str(len(raw)),
            "wsgi.input": io.BytesIO(raw),
        }
        try:
            _, form, files = parse_form_data(environ)
            return form, files
        except ValueError:  # not multipart after all
            pass
    return None, MultiDict()


def lookup(suberror: str) -> Reject:
    """A lookup's parameter that fails its schema finds nothing (`suberror`); text no database can hold is a bad
    value instead."""

    def reject(field: str, message: str) -> Cad4tbError:
        if message in s.UNSTORABLE:
            return invalid(f"Invalid value for {field}", explain=f"{field}: {message}")
        return not_found(suberror, explain=f"{field}: {message}")

    return reject


def bad_value(field: str, message: str) -> Cad4tbError:
    """A posted value that fails its schema: invalid_post_value, naming the parameter."""
    if field == "file":
        return invalid("No data submitted", "no_data_submitted")
    if message == s.MISSING_OR_EMPTY:
        return invalid(f"{field} is required")
    return invalid(f"Invalid value for {field}")


api = Endpoints(
    "cad4tb", __name__, reject=bad_value, read_body=read_body, read_query=read_body, authenticate=authenticate
)


def call(method: str, command: str, section: str, name: str, summary: str, ok: Reply, **declared):
    """Declares /api/v1/<command>/: `section` and `name` place it in the document; it needs the credentials and
    the permission of `command`; it answers `ok` or CAD4TB's error body."""
    return api(
        method,
        f"/api/v1/{command}/",
        name=name,
        summary=summary,
        source=f"{DOC}{section} {name}",
        auth=command,
        headers=CREDENTIALS,
        responses={200: ok, **ERRORS},
        **declared,
    )


def backend() -> Cad4tbBackend:
    return Cad4tbBackend(current_ctx())


def answer(data) -> Response:
    return Response(django_json(data), mimetype="application/json")


def zip_response(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    return response


# ---- the calls, in the document's order ------------------------------------------------------------------------


@call(
    "POST",
    "instance/upload",
    "2.1.2.1.1.",
    "Upload series",
    "Upload one DICOM file into a Project/Archive; the series is processed on the clock",
    Reply("the file's ids as stored", s.UploadReply),
    body=s.UploadBody,
    body_types=("multipart/form-data",),
)
def upload(caller, body):
    return answer(backend().upload(caller, body))


@call(
    "GET",
    "patient/get",
    "2.1.2.2.1.",
    "Get patient",
    "Get patient data",
    Reply("the patient", s.PatientReply),
    query=s.PatientParams,
    reject=lookup("patient_not_found"),
)
def get_patient(caller, query):
    return answer(backend().get_patient(caller, query))


@call(
    "GET",
    "patient/delete",
    "2.1.2.2.2.",
    "Delete patient",
    "Delete a patient, its studies, series, files and reportings",
    Reply("deleted", s.StatusReply),
    query=s.PatientParams,
    reject=lookup("patient_not_found"),
)
def delete_patient(caller, query):
    return answer(backend().delete_patient(caller, query))


@call(
    "GET",
    "study/get",
    "2.1.2.3.1.",
    "Get study",
    "Get study data",
    Reply("the study", s.StudyReply),
    query=s.StudyParams,
    reject=lookup("study_not_found"),
)
def get_study(caller, query):
    return answer(backend().get_study(caller, query))


@call(
    "GET",
    "patient/studies/list",
    "2.1.2.3.2.",
    "List studies",
    "List all studies of a patient",
    Reply("the studies", many(s.StudyReply)),
    query=s.PatientParams,
    reject=lookup("patient_not_found"),
)
def list_studies(caller, query):
    return answer(backend().list_studies(caller, query))


@call(
    "GET",
    "study/delete",
    "2.1.2.3.3.",
    "Delete study",
    "Delete a study, its series, files and reportings",
    Reply("deleted", s.StatusReply),
    query=s.StudyParams,
    reject=lookup("study_not_found"),
)
def delete_study(caller, query):
    return answer(backend().delete_study(caller, query))


@call(
    "GET",
    "series/get",
    "2.1.2.4.1.",
    "Get series",
    "Get series data (and form_<id>: its latest reporting of each form)",
    Reply("the series", s.SeriesReply),
    query=s.SeriesParams,
    reject=lookup("series_not_found"),
)
def get_series(caller, query):
    return answer(backend().get_series(caller, query))


@call(
    "GET",
    "patient/study/series/list",
    "2.1.2.4.2.",
    "List series",
    "List all series of a study",
    Reply("the series", many(s.SeriesReply)),
    query=s.StudyParams,
    reject=lookup("study_not_found"),
)
def list_series(caller, query):
    return answer(backend().list_series(caller, query))


@call(
    "GET",
    "dicom/get",
    "2.1.2.4.3.",
    "Get series dicom",
    "A zip of the series' DICOM files",
    ZIP,
    query=s.SeriesParams,
    reject=lookup("series_not_found"),
)
def dicom_get(caller, query):
    data, series_uid = backend().dicom_zip(caller, query)
    return zip_response(data, series_uid)


@call(
    "GET",
    "series/delete",
    "2.1.2.4.4.",
    "Delete series",
    "Delete a series, its files and reportings",
    Reply("deleted", s.StatusReply),
    query=s.SeriesParams,
    reject=lookup("series_not_found"),
)
def delete_series(caller, query):
    return answer(backend().delete_series(caller, query))


@call(
    "GET",
    "series/results",
    "2.1.2.5.1.",
    "Get algorithm results",
    "Scores as JSON ([] while processing); a zip (application/zip) when an image result is asked for",
    Reply("the scores", many(s.ResultReply)),
    query=s.ResultParams,
    reject=lookup("result_not_found"),
)
def series_results(caller, query):
    kind, payload = backend().series_results(caller, query)
    return zip_response(payload, "results") if kind == "zip" else answer(payload)


@call(
    "GET",
    "patient/study/series/forms/list",
    "2.1.2.6.1.",
    "Get reportings",
    "List the reportings of a series",
    Reply("the reportings", many(s.ReportingReply)),
    query=s.SeriesParams,
    reject=lookup("series_not_found"),
)
def list_forms(caller, query):
    return answer(backend().list_forms(caller, query))


@call(
    "POST",
    "patient/study/series/forms/add",
    "2.1.2.6.2.",
    "Add reportings",
    "Add a reporting (a form submission) to a series",
    Reply("the new reporting (the document shows no answer; docs/cad4tb.md)", s.ReportingReply),
    body=s.FormAddParams,
    body_types=("application/json", "application/x-www-form-urlencoded"),
    reject=lookup("series_not_found"),
)
def forms_add(caller, body):
    return answer(backend().add_form(caller, body))
