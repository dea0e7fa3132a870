"""WADO-RS: metadata, instances, bulk data, frames and rendered images, for any face."""

from __future__ import annotations

import hashlib
import json
from typing import TypeVar

from flask import Response, request

from mockservers.core.validation import is_whole_number
from mockservers.dicom import dicomjson, multipart, pixels
from mockservers.dicom.archive import Archive
from mockservers.dicom.errors import BULKDATA_NOT_FOUND, DicomWebError, bad_request, not_acceptable
from mockservers.dicom.face import Face
from mockservers.dicom.models import DicomInstance
from mockservers.dicom.web import DICOM_JSON, archive, check_uids, in_development, json_accept


def _instances(
    face: Face, study: str, series: str | None = None, instance: str | None = None, with_metadata: bool = False
) -> tuple[Archive, list]:
    """The archive and the instances under a resource, read-only (Archive.read_instances)."""
    store = archive(face)
    return store, store.read_instances(study, series, instance, with_metadata)


# ---- WADO-RS: metadata ----------------------------------------------------------------------


def metadata(face: Face, study: str, series: str | None = None, instance: str | None = None) -> Response:
    kind = json_accept(face)  # before the UIDs: the server's Accept filter runs before its handler
    check_uids(study, series, instance)
    _, rows = _instances(face, study, series, instance, with_metadata=True)
    if kind == "xml":
        return in_development()
    tag = _etag(rows, instance is not None) if face.metadata_etag else None
    if tag is not None and tag.casefold() == request.headers.get("If-None-Match", "").casefold():
        return _not_modified()
    texts = {r.id: r.metadata_json for r in rows}
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

Choice = TypeVar("Choice")
MULTI_INSTANCE_TRANSCODING = (
    "Accept transfer syntax '{}' is not supported when multiple instances are matched. Matching instances can be "
    "retrieved with their original transfer syntax by specifying 'transfer-syntax=*' in the Accept header."
)


def _preferred(acceptable: list[tuple[Choice, multipart.MediaType]]) -> Choice:
    """The choice of the best acceptable range, unless a later one as good asks for the data as stored ("*"), as the
    server's AcceptHeaderHandler prefers; 406 when no range is acceptable."""
    if not acceptable:
        raise not_acceptable()
    chosen, best = acceptable[0]
    for choice, media in acceptable[1:]:
        if media.params.get("transfer-syntax") == "*" and media.q >= best.q:
            chosen, best = choice, media
    return chosen


def _dicom_accept(face: Face, single: bool) -> tuple[str, str | None]:
    """('multipart' | 'single', transfer syntax or '*' or None) from the Accept header; 406 if none fits. Any media
    type (*/*) means the files as stored; application/dicom without a transfer syntax the face's default."""
    acceptable: list[tuple[tuple[str, str | None], multipart.MediaType]] = []
    for media in multipart.parse_accept(request.headers.get("Accept")):
        ts = media.params.get("transfer-syntax") or None
        if media.type == "multipart/related":
            inner, shape = media.params.get("type", "application/dicom"), "multipart"
            if inner not in ("application/dicom", "*/*", "application/*"):
                continue
        elif media.type in ("*/*", "multipart/*"):
            inner, shape = "*/*", "multipart"
        elif media.type == "application/dicom" and single and face.single_part_retrieve:
            inner, shape = media.type, "single"
        else:
            continue
        if ts is None and inner == "*/*":
            ts = "*"
        if ts is not None and face.retrieve_transfer_syntaxes is not None and ts not in face.retrieve_transfer_syntaxes:
            continue
        acceptable.append(((shape, ts), media))
    return _preferred(acceptable)


def instances(face: Face, study: str, series: str | None = None, instance: str | None = None) -> Response:
    check_uids(study, series, instance)
    shape, wanted = _dicom_accept(face, single=instance is not None)
    store, rows = _instances(face, study, series, instance)
    if face.decompress_pixels:
        wanted = pixels.EXPLICIT_VR_LE
    elif face.default_transfer_syntax is None:
        wanted = "*"  # a face that answers what is stored, whatever the Accept asks
    elif wanted is None:
        wanted = face.default_transfer_syntax
    if wanted != "*" and len(rows) > 1 and not face.multi_instance_transcoding:
        raise not_acceptable(MULTI_INSTANCE_TRANSCODING.format(wanted))
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
    store, (row, *_) = _instances(face, study, series, instance)
    value = pixels.bulk_value(store.file(row), tag_path)
    if value is None:
        raise DicomWebError(404, BULKDATA_NOT_FOUND)
    return _multipart([("application/octet-stream", value)], "application/octet-stream")


# ---- WADO-RS: frames and rendered -----------------------------------------------------------


# The Accept of frames (the server's AcceptHeaderHandler): media type -> (the transfer syntaxes it may name, the one
# it means when it names none, whether it may be single part). Parts are typed with the media type asked for,
# application/octet-stream for */*.
FRAME_ACCEPT = {
    "application/octet-stream": (("*", pixels.EXPLICIT_VR_LE), pixels.EXPLICIT_VR_LE, True),
    "image/jp2": ((pixels.JPEG2000_LOSSLESS,), pixels.JPEG2000_LOSSLESS, False),
    "*/*": (("*", pixels.EXPLICIT_VR_LE), "*", True),
}
SINGLE_PART_ONE_FRAME = (
    "The accept header is supported for single frame retrieval, use multi-part accept header instead."
)


def _frame_accept() -> tuple[str, bool, str]:
    """(part media type, single part, transfer syntax or '*') from the Accept header; 406 if none fits."""
    acceptable: list[tuple[tuple[str, bool, str], multipart.MediaType]] = []
    for media in multipart.parse_accept(request.headers.get("Accept")):
        multipart_asked = media.type == "multipart/related"
        inner = media.params.get("type", "") if multipart_asked else media.type
        if inner not in FRAME_ACCEPT:
            continue
        allowed, default, single_allowed = FRAME_ACCEPT[inner]
        ts = media.params.get("transfer-syntax") or default
        if ts not in allowed or not (multipart_asked or single_allowed):
            continue
        single = not multipart_asked and inner != "*/*"
        acceptable.append((("application/octet-stream" if inner == "*/*" else inner, single, ts), media))
    return _preferred(acceptable)


def frames(face: Face, study: str, series: str, instance: str, frames: str) -> Response:
    """`frames`: the frame list of the path ("1,3")."""
    check_uids(study, series, instance)
    numbers = pixels.parse_frame_list(frames)
    if face.frame_number_ignored:
        store, (row, *_) = _instances(face, study, series, instance)
        content, ts = pixels.pixel_data(store.file(row), face.decompress_pixels)
        return _multipart([(f"application/octet-stream; transfer-syntax={ts}", content)], "application/octet-stream")
    media, single, wanted = _frame_accept()
    if single and len(numbers) > 1:
        raise bad_request(SINGLE_PART_ONE_FRAME)
    store, (row, *_) = _instances(face, study, series, instance)
    if face.decompress_pixels and wanted == "*":
        wanted = pixels.EXPLICIT_VR_LE
    found, ts = pixels.frames(store.path(row), numbers, wanted)
    if single:
        return Response(found[0], headers={"Content-Type": f"{media}; transfer-syntax={ts}"})
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
    store, (row, *_) = _instances(face, study, series, instance)
    image = pixels.render(store.file(row), number, fmt, int(quality))
    return Response(image, mimetype=f"image/{fmt}")
