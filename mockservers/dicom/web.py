"""DICOMweb over HTTP, for any face: QIDO-RS, WADO-RS, STOW-RS and DELETE handlers built on the archive.

dicom/routes.py's table names one of these for each resource; a face's view builds its Face for the request and
calls it with the path values (study, series, instance, frames, frame, tag_path)."""

from __future__ import annotations

import hashlib
import json

from flask import Response, current_app, g, request

from mockservers.core.http import current_ctx, runtime_of
from mockservers.core.validation import is_whole_number
from mockservers.dicom import dicomjson, multipart, pixels, qido
from mockservers.dicom.archive import Archive, Examined, Outcome, examine
from mockservers.dicom.errors import (
    BULKDATA_NOT_FOUND,
    DicomWebError,
    bad_request,
    not_acceptable,
    unsupported_media_type,
)
from mockservers.dicom.face import Face
from mockservers.dicom.faults import stow_fail
from mockservers.dicom.models import DicomInstance
from mockservers.dicom.part10 import inflate_limit
from mockservers.dicom.uids import check_path_uid

DICOM_JSON = "application/dicom+json"
JSON_TYPES = ("application/dicom+json", "application/json")
XML_TYPES = ("application/dicom+xml", "application/xml")
IN_DEVELOPMENT = "En cours de développement"
DICOM_PART_TYPES = ("", "application/dicom", "application/octet-stream")  # a STOW part's types read as DICOM


def archive(face: Face) -> Archive:
    return Archive(current_ctx(), face)


def base_url(path_prefix: str) -> str:
    """Scheme, host and port the client used, then the face's root path. dicomweb-client sends a Host header
    without the port, so the port the server listens on fills in."""
    host = request.host
    port = request.environ.get("SERVER_PORT")
    if ":" not in host.rsplit("]", 1)[-1] and port and port not in ("80", "443"):
        host = f"{host}:{port}"
    return f"{request.scheme}://{host}{request.script_root}{path_prefix}"


def check_uids(study: str | None = None, series: str | None = None, sop: str | None = None) -> None:
    for value, keyword in ((study, "StudyInstanceUID"), (series, "SeriesInstanceUID"), (sop, "SOPInstanceUID")):
        if value is not None:
            check_path_uid(value, keyword)


def _boundary(parts: list[tuple[str, bytes]]) -> str:
    """Derived from the content (deterministic, and a digest of the parts never occurs inside them)."""
    digest = hashlib.sha256()
    for content_type, content in parts:
        digest.update(content_type.encode())
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()[:32]


def json_response(body, status: int = 200) -> Response:
    return Response(dicomjson.dumps(body), status=status, mimetype=DICOM_JSON, headers={"Content-Type": DICOM_JSON})


def _json_accept(face: Face) -> str:
    """'json' or 'xml' (in development); 406 for anything else."""
    for media in multipart.parse_accept(request.headers.get("Accept")):
        if media.type in XML_TYPES and face.xml_in_development:
            return "xml"
        if media.type in JSON_TYPES or media.type in ("*/*", "application/*"):
            return "json"
    raise not_acceptable()


def _in_development() -> Response:
    return Response(IN_DEVELOPMENT, status=200, mimetype="text/plain")


# ---- QIDO-RS --------------------------------------------------------------------------------


def search(face: Face, level: str, study: str | None = None, series: str | None = None) -> Response:
    check_uids(study, series)
    if _json_accept(face) == "xml":
        return _in_development()
    query = qido.parse(face, level, study, series, request.args)
    results = qido.search(current_ctx().db, face, query)
    if not results and face.no_match_status == 204:
        return Response(status=204)
    return json_response(results)


# ---- WADO-RS: metadata ----------------------------------------------------------------------


def metadata(face: Face, study: str, series: str | None = None, instance: str | None = None) -> Response:
    check_uids(study, series, instance)
    kind = _json_accept(face)
    rows = archive(face).instances(study, series, instance)
    if kind == "xml":
        return _in_development()
    db = current_ctx().db
    ids = [r.id for r in rows]
    texts = dict(db.query(DicomInstance.id, DicomInstance.metadata_json).filter(DicomInstance.id.in_(ids)).all())
    if face.bulk_data_uris:  # the stored text, its URIs made absolute: no decoding and encoding again
        items = [
            dicomjson.text_with_bulk_urls(texts[r.id], face.retrieve_url(r.study_uid, r.series_uid, r.sop_uid))
            for r in rows
        ]
    else:
        items = [dicomjson.dumps(dicomjson.without_bulk(json.loads(texts[r.id]))) for r in rows]
    body = items[0] if instance is not None and face.instance_metadata_as_object else "[" + ",".join(items) + "]"
    return Response(body, mimetype=DICOM_JSON, headers={"Content-Type": DICOM_JSON})


# ---- WADO-RS: instances ---------------------------------------------------------------------


def _dicom_accept(face: Face, single: bool) -> tuple[str, str | None]:
    """('multipart' | 'single', transfer syntax or '*' or None) from the Accept header; 406 if none fits."""
    for media in multipart.parse_accept(request.headers.get("Accept")):
        ts = media.params.get("transfer-syntax")
        if media.type == "multipart/related":
            inner = media.params.get("type", "application/dicom")
            if inner in ("application/dicom", "*/*", "application/*"):
                return "multipart", ts
        elif media.type in ("*/*", "multipart/*"):
            return "multipart", ts
        elif media.type == "application/dicom" and single and face.single_part_retrieve:
            return "single", ts
    raise not_acceptable()


def instances(face: Face, study: str, series: str | None = None, instance: str | None = None) -> Response:
    check_uids(study, series, instance)
    shape, wanted = _dicom_accept(face, single=instance is not None)
    store = archive(face)
    rows = store.instances(study, series, instance)
    if face.decompress_pixels:
        wanted = pixels.EXPLICIT_VR_LE
    elif face.default_transfer_syntax is None:
        wanted = "*"  # a face that answers what is stored, whatever the Accept asks
    elif wanted is None:
        wanted = face.default_transfer_syntax
    if wanted != "*" and len(rows) > 1 and not face.multi_instance_transcoding:
        raise not_acceptable("Requested transcoding of multiple instances is not supported.")
    parts = []
    for row in rows:
        data = store.file(row)
        ts = row.transfer_syntax
        if wanted != "*" and wanted != ts:
            data = pixels.transcode(data, ts, wanted)
            ts = wanted
        parts.append((f"application/dicom; transfer-syntax={ts}", data))
    if shape == "single":
        return Response(parts[0][1], headers={"Content-Type": parts[0][0]})
    return _multipart(parts, "application/dicom")


def _multipart(parts: list[tuple[str, bytes]], inner: str) -> Response:
    boundary = _boundary(parts)
    body = multipart.encode_related(parts, boundary)
    content_type = f'multipart/related; type="{inner}"; boundary={boundary}'
    return Response(body, status=200, headers={"Content-Type": content_type})


# ---- WADO-RS: bulk data ---------------------------------------------------------------------


def bulkdata(face: Face, study: str, series: str, instance: str, tag_path: str) -> Response:
    """A BulkDataURI of the metadata: the value as stored, one application/octet-stream part."""
    check_uids(study, series, instance)
    for media in multipart.parse_accept(request.headers.get("Accept")):
        inner = (
            media.params.get("type", "application/octet-stream") if media.type == "multipart/related" else media.type
        )
        if inner in ("application/octet-stream", "*/*", "application/*", "multipart/*"):
            break
    else:
        raise not_acceptable()
    store = archive(face)
    row = store.instances(study, series, instance)[0]
    value = pixels.bulk_value(store.file(row), tag_path)
    if value is None:
        raise DicomWebError(404, BULKDATA_NOT_FOUND)
    return _multipart([("application/octet-stream", value)], "application/octet-stream")


# ---- WADO-RS: frames and rendered -----------------------------------------------------------


def _frame_accept(stored_ts: str) -> tuple[bool, str]:
    """(decompress, part media type) from the Accept header; 406 if none fits."""
    for media in multipart.parse_accept(request.headers.get("Accept")):
        inner = media.params.get("type", "*/*") if media.type == "multipart/related" else media.type
        ts = media.params.get("transfer-syntax")
        compressed = stored_ts in pixels.FRAME_MEDIA_TYPES
        if inner == "application/octet-stream":
            if ts == "*":
                return False, "application/octet-stream"
            if ts in (None, pixels.EXPLICIT_VR_LE):
                return True, "application/octet-stream"
            continue
        if inner in ("*/*", "multipart/*", "multipart/related"):
            if compressed and ts not in (None, "*", stored_ts):
                return True, "application/octet-stream"
            return False, pixels.FRAME_MEDIA_TYPES.get(stored_ts, "application/octet-stream")
        if compressed and media.matches(pixels.FRAME_MEDIA_TYPES[stored_ts]) and ts in (None, "*", stored_ts):
            return False, pixels.FRAME_MEDIA_TYPES[stored_ts]
    raise not_acceptable()


def frames(face: Face, study: str, series: str, instance: str, frames: str) -> Response:
    """`frames`: the frame list of the path ("1,3")."""
    check_uids(study, series, instance)
    numbers = pixels.parse_frame_list(frames)
    store = archive(face)
    row = store.instances(study, series, instance)[0]
    if face.frame_number_ignored:
        content, ts = pixels.pixel_data(store.file(row), face.decompress_pixels)
        return _multipart([(f"application/octet-stream; transfer-syntax={ts}", content)], "application/octet-stream")
    decompress, media = _frame_accept(row.transfer_syntax)
    found, ts = pixels.frames(store.path(row), numbers, decompress or face.decompress_pixels)
    media = "application/octet-stream" if ts in pixels.UNCOMPRESSED else media
    return _multipart([(f"{media}; transfer-syntax={ts}", f) for f in found], media)


def rendered(face: Face, study: str, series: str, instance: str, frame: str | None = None) -> Response:
    check_uids(study, series, instance)
    if not face.rendered:
        raise DicomWebError(404, "The requested resource is not supported.")
    number = pixels.parse_frame_list(frame)[0] if frame is not None else 1
    if frame is not None and "," in frame:
        raise bad_request("Only one frame can be rendered at a time.")
    fmt = None
    for media in multipart.parse_accept(request.headers.get("Accept")):
        if media.type in ("image/jpeg", "*/*", "image/*"):
            fmt = "jpeg"
            break
        if media.type == "image/png":
            fmt = "png"
            break
    if fmt is None:
        raise not_acceptable()
    quality = request.args.get("quality", "90")
    if not is_whole_number(quality) or not 1 <= int(quality) <= 100:
        raise bad_request(f"The quality '{quality}' is invalid: it must be between 1 and 100.")
    store = archive(face)
    row = store.instances(study, series, instance)[0]
    image = pixels.render(store.file(row), number, fmt, int(quality))
    return Response(image, mimetype=f"image/{fmt}")


# ---- STOW-RS --------------------------------------------------------------------------------


def store(face: Face, study: str | None = None) -> Response:
    if study is not None:
        check_uids(study)
    for media in multipart.parse_accept(request.headers.get("Accept")):
        if media.type in JSON_TYPES or media.type in ("*/*", "application/*"):
            break
    else:
        raise not_acceptable()
    files = _uploaded_files(face.single_part_upload)
    arch = Archive(current_ctx(), face, planned=len(files))
    seen: set[str] = set()
    to_fail, reason = stow_fail(current_ctx().fault)
    outcomes = []
    for f in files:
        if f is None:
            outcomes.append(Outcome(None, None, False, 272, "the part is not application/dicom"))
        elif to_fail > 0:
            to_fail -= 1
            outcomes.append(arch.refuse(_examined(f), reason, "failed by a fault rule (stow_fail)"))
        else:
            outcomes.append(arch.store(_examined(f), study, seen))
    arch.write_pending()
    return _stow_response(face, study, outcomes)


def examine_upload() -> None:
    """A STOW's parts parsed before its transaction (see before_transaction): two workers parse side by side,
    and the one that holds the write lock spends it on the index. Kept in `g` for store(), which checks again."""
    try:
        for f in _uploaded_files(single_part=True):
            if f is not None:
                _examined(f)
    except Exception:
        return


def _uploaded_files(single_part: bool) -> list[bytes | None]:
    """The files of a STOW body, None for a part that is not DICOM; the parts decoded once a request."""
    content_type = multipart.parse_media_type(request.headers.get("Content-Type", ""))
    body = request.get_data(cache=True)
    if content_type.type == "multipart/related":
        inner = content_type.params.get("type", "application/dicom")
        if inner != "application/dicom":
            raise unsupported_media_type(
                f"The content type 'multipart/related; type=\"{inner}\"' is not "
                "supported: only application/dicom parts are."
            )
        if "stow_parts" not in g:
            parts = multipart.decode_related(body, content_type.params.get("boundary"))
            g.stow_parts = [p.content if _part_type(p) in DICOM_PART_TYPES else None for p in parts]
        return g.stow_parts
    if content_type.type == "application/dicom" and single_part:
        return [body]
    shown = request.headers.get("Content-Type") or "(none)"
    raise unsupported_media_type(
        f"The content type '{shown}' is not supported: send multipart/related; type=\"application/dicom\"."
    )


def _part_type(part) -> str:
    return multipart.parse_media_type(part.content_type).type if part.content_type else ""


def _examined(data: bytes) -> Examined:
    """examine(data), once a request: the parts stay in `g`, so their ids stand for them."""
    known = g.setdefault("stow_examined", {})
    if id(data) not in known:
        known[id(data)] = examine(data, inflate_limit(runtime_of(current_app).settings))
    return known[id(data)]


def _stow_response(face: Face, study: str | None, outcomes: list[Outcome]) -> Response:
    stored = [o for o in outcomes if o.stored]
    failed = [o for o in outcomes if not o.stored]
    body: dict = {}
    if study is not None:
        body["00081190"] = dicomjson.element(0x00081190, face.retrieve_url(study), "UR")
    if failed:
        body["00081198"] = {"vr": "SQ", "Value": [_item(face, o) for o in failed]}
    if stored:
        body["00081199"] = {"vr": "SQ", "Value": [_item(face, o) for o in stored]}
    warned = any(o.reason for o in stored)
    status = 200 if stored and not failed and not warned else 202 if stored else 409
    return json_response(body, status)


def _item(face: Face, o: Outcome) -> dict:
    item = {
        "00081150": dicomjson.element(0x00081150, o.sop_class, "UI"),
        "00081155": dicomjson.element(0x00081155, o.sop_uid, "UI"),
    }
    if o.stored:
        assert o.study_uid is not None  # a stored instance has a valid StudyInstanceUID
        item["00081190"] = dicomjson.element(0x00081190, face.retrieve_url(o.study_uid, o.series_uid, o.sop_uid), "UR")
        if o.reason:
            item["00081196"] = dicomjson.element(0x00081196, o.reason, "US")
    else:
        item["00081197"] = dicomjson.element(0x00081197, o.reason, "US")
    return item


# ---- DELETE ---------------------------------------------------------------------------------


def remove(face: Face, study: str, series: str | None = None, instance: str | None = None) -> Response:
    if face.delete_refused is not None:
        raise DicomWebError(405, face.delete_refused)
    check_uids(study, series, instance)
    archive(face).delete(study, series, instance)
    return Response(status=204)
