"""DICOMweb over HTTP, for any face: what every handler shares, and the QIDO-RS and DELETE handlers (WADO-RS in
retrieve.py, STOW-RS in stow.py), built on the archive.

dicom/routes.py's table names a handler for each resource; a face's view builds its Face for the request and
calls it with the path values (study, series, instance, frames, frame, tag_path)."""

from __future__ import annotations

from flask import Response, request

from mockservers.core import hosts
from mockservers.core.http import current_ctx
from mockservers.dicom import dicomjson, multipart, qido
from mockservers.dicom.archive import Archive
from mockservers.dicom.errors import DicomWebError, not_acceptable
from mockservers.dicom.face import Face
from mockservers.dicom.uids import check_path_uid

DICOM_JSON = "application/dicom+json"
JSON_TYPES = ("application/dicom+json", "application/json")
XML_TYPES = ("application/dicom+xml", "application/xml")
IN_DEVELOPMENT = "En cours de développement"


def archive(face: Face) -> Archive:
    return Archive(current_ctx(), face)


def base_url(path_prefix: str) -> str:
    """Scheme, host and port the client used, then the face's root path. dicomweb-client sends a Host header
    without the port, so the port the server listens on fills in."""
    host = request.host
    port = request.environ.get("SERVER_PORT")
    if ":" not in host.rsplit("]", 1)[-1] and port and port not in ("80", "443"):
        host = f"{host}:{port}"
    return f"{request.scheme}://{host}{request.script_root}{hosts.client_path(request.environ, path_prefix)}"


def check_uids(study: str | None = None, series: str | None = None, sop: str | None = None) -> None:
    for value, keyword in ((study, "StudyInstanceUID"), (series, "SeriesInstanceUID"), (sop, "SOPInstanceUID")):
        if value is not None:
            check_path_uid(value, keyword)


def json_response(body, status: int = 200) -> Response:
    return Response(dicomjson.dumps(body), status=status, mimetype=DICOM_JSON, headers={"Content-Type": DICOM_JSON})


def json_accept(face: Face) -> str:
    """'json' or 'xml' (in development); 406 for anything else."""
    for media in multipart.parse_accept(request.headers.get("Accept")):
        if media.type in XML_TYPES and face.xml_in_development:
            return "xml"
        if media.type in JSON_TYPES or media.type in ("*/*", "application/*"):
            return "json"
    raise not_acceptable()


def in_development() -> Response:
    return Response(IN_DEVELOPMENT, status=200, mimetype="text/plain")


# ---- QIDO-RS --------------------------------------------------------------------------------


def search(face: Face, level: str, study: str | None = None, series: str | None = None) -> Response:
    check_uids(study, series)
    if json_accept(face) == "xml":
        return in_development()
    query = qido.parse(face, level, study, series, request.args)
    results = qido.search(current_ctx().db, face, query)
    if not results and face.no_match_status == 204:
        return Response(status=204)
    return json_response(results)


# ---- DELETE ---------------------------------------------------------------------------------


def remove(face: Face, study: str, series: str | None = None, instance: str | None = None) -> Response:
    if face.delete_refused is not None:
        raise DicomWebError(405, face.delete_refused)
    check_uids(study, series, instance)
    archive(face).delete(study, series, instance)
    return Response(status=204)
