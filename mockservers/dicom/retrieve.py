"""WADO-RS: metadata, instances, bulk data, frames and rendered images, for any face."""

from __future__ import annotations

import hashlib
import json

from flask import Response, request

from mockservers.core.http import current_ctx
from mockservers.core.validation import is_whole_number
from mockservers.dicom import dicomjson, multipart, pixels
from mockservers.dicom.errors import BULKDATA_NOT_FOUND, DicomWebError, bad_request, not_acceptable
from mockservers.dicom.face import Face
from mockservers.dicom.models import DicomInstance
from mockservers.dicom.web import DICOM_JSON, archive, check_uids, in_development, json_accept

# ---- WADO-RS: metadata ----------------------------------------------------------------------


def metadata(face: Face, study: str, series: str | None = None, instance: str | None = None) -> Response:
    check_uids(study, series, instance)
    kind = json_accept(face)
    rows = archive(face).instances(study, series, instance)
    if kind == "xml":
        return in_development()
    tag = _etag(rows, instance is not None) if face.metadata_etag else None
    if tag is not None and tag.casefold() == request.headers.get("If-None-Match", "").casefold():
        return _not_modified()
    db = current_ctx().db
    ids = [r.id for r in rows]
    texts = dict(db.query(DicomInstance.id, DicomInstance.metadata_json).filter(DicomInstance.id.in_(ids)).all())
    # the stored text, changed as text where it can be: no decoding and encoding again
    if not face.binary_in_metadata:
        items = [dicomjson.text_without_binary(texts[r.id]) for r in rows]
    elif face.bulk_data_uris:
        items = [
            dicomjson.text_with_bulk_urls(texts[r.id], face.retrieve_url(r.study_uid, r.series_uid, r.sop_uid))
            for r in rows
        ]
    else:
        items = [dicomjson.dumps(dicomjson.without_bulk(json.loads(texts[r.id]))) for r in rows]
    body = items[0] if instance is not None and face.instance_metadata_as_object else "[" + ",".join(items) + "]"
    headers = {"Content-Type": DICOM_JSON, **({"ETag": tag} if tag is not None else {})}
    return Response(body, mimetype=DICOM_JSON, headers=headers)


def _etag(rows: list[DicomInstance], one_instance: bool) -> str:
    """The Microsoft server's (ETagGenerator): the newest watermark (an instance's `seq`, growing with each instance
    stored) and, for a study or series, "-" and the count of instances. Unquoted, as it sends it."""
    newest = max(r.seq for r in rows)
    return str(newest) if one_instance else f"{newest}-{len(rows)}"


def _not_modified() -> Response:
    """304 with no body, no Content-Type and no ETag (MetadataResult sets the ETag only on a 200)."""
    response = Response(status=304)
    del response.headers["Content-Type"]
    return response


def _boundary(parts: list[tuple[str, bytes]]) -> str:
    """Derived from the content (deterministic, and a digest of the parts never occurs inside them)."""
    digest = hashlib.sha256()
    for content_type, content in parts:
        digest.update(content_type.encode())
        digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()[:32]


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
