"""CAD4TB API v1's HTTP surface: authenticate, check the permission, call the backend, answer JSON or a zip."""
from __future__ import annotations

import io
from urllib.parse import parse_qsl

from flask import Blueprint, Response, jsonify, request
from werkzeug.formparser import parse_form_data

from mockservers.cad4tb.backend import Cad4tbBackend
from mockservers.cad4tb.errors import Cad4tbError
from mockservers.core.http import current_ctx, json_body_or_none, request_fields

blueprint = Blueprint("cad4tb", __name__)
API = "/api/v1"


def backend_for(call: str) -> tuple[Cad4tbBackend, dict]:
    b = Cad4tbBackend(current_ctx())
    user = b.authenticate(request.headers.get("X-USERNAME"), request.headers.get("X-PASSWORD"))
    b.require(user, call)
    return b, user


def zip_response(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    return response


def uploaded() -> tuple[dict, tuple[str, bytes] | None]:
    """The form fields and the `file` part. A client that labels its multipart body application/json
    (a session-wide Content-Type) still gets its file read: the body's first line names the boundary."""
    form, files = request.form, request.files
    raw = request.get_data(cache=True)
    if "file" not in files and request.mimetype != "multipart/form-data" and raw.startswith(b"--"):
        boundary = raw.split(b"\r\n", 1)[0][2:].decode("latin-1")
        environ = {**request.environ, "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
                   "CONTENT_LENGTH": str(len(raw)), "wsgi.input": io.BytesIO(raw)}
        try:
            _, form, files = parse_form_data(environ)
        except ValueError:  # not multipart after all: no file was submitted
            pass
    fields = {**request.args.to_dict(), **form.to_dict()}
    part = files.get("file")
    return fields, (None if part is None else (part.filename or "", part.read()))


def params() -> dict:
    """Query, form or JSON body fields. `Results` given more than once is one comma list; a form-encoded body
    labelled application/json (a session-wide JSON Content-Type) is read as the form it is."""
    fields = request_fields()
    raw = request.get_data(cache=True)
    if raw and request.mimetype == "application/json" and json_body_or_none() is None:
        pairs = parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True)
        if pairs and all(key for key, _ in pairs):
            fields.update(pairs)
    if len(request.args.getlist("Results")) > 1:
        fields["Results"] = ",".join(request.args.getlist("Results"))
    return fields


@blueprint.post(f"{API}/instance/upload/")
def upload():
    b, user = backend_for("instance/upload")
    fields, file = uploaded()
    return jsonify(b.upload(user, fields, file))


def _get_call(call: str, method_name: str):
    def view():
        if request.method == "HEAD" and call.endswith("/delete"):  # Flask adds HEAD to GET; a HEAD must not delete
            raise Cad4tbError("method_not_allowed")
        b, user = backend_for(call)
        return jsonify(getattr(b, method_name)(user, params()))
    view.__name__ = method_name
    blueprint.add_url_rule(f"{API}/{call}/", view_func=view, methods=["GET"])


for _call, _method in (
    ("patient/get", "get_patient"), ("patient/delete", "delete_patient"),
    ("study/get", "get_study"), ("patient/studies/list", "list_studies"), ("study/delete", "delete_study"),
    ("series/get", "get_series"), ("patient/study/series/list", "list_series"), ("series/delete", "delete_series"),
    ("patient/study/series/forms/list", "list_forms"),
):
    _get_call(_call, _method)


@blueprint.get(f"{API}/dicom/get/")
def dicom_get():
    b, user = backend_for("dicom/get")
    data, series_uid = b.dicom_zip(user, params())
    return zip_response(data, series_uid)


@blueprint.get(f"{API}/series/results/")
def series_results():
    b, user = backend_for("series/results")
    kind, payload = b.series_results(user, params())
    if kind == "zip":
        return zip_response(payload, "results")
    return jsonify(payload)


@blueprint.post(f"{API}/patient/study/series/forms/add/")
def forms_add():
    b, user = backend_for("patient/study/series/forms/add")
    return jsonify(b.add_form(user, params()))
