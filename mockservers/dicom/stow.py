"""STOW-RS for any face: the upload read (one part or multipart), stored through the archive, answered as
DICOM JSON."""

from __future__ import annotations

from flask import Response, current_app, g, request

from mockservers.core.blobs import BlobStore, key_of
from mockservers.core.http import current_ctx, runtime_of
from mockservers.dicom import bulkupload, dicomjson, multipart
from mockservers.dicom.archive import PROCESSING_FAILURE, Archive, Examined, Outcome, examine
from mockservers.dicom.bulkupload import Unreadable
from mockservers.dicom.errors import bad_request, not_acceptable, unsupported_media_type
from mockservers.dicom.face import Face
from mockservers.dicom.faults import stow_fail
from mockservers.dicom.part10 import inflate_limit
from mockservers.dicom.web import JSON_TYPES, check_uids, json_response

DICOM_PART_TYPES = ("", "application/dicom", "application/octet-stream")  # a STOW part's types read as DICOM
NOT_DICOM = Unreadable("the part is not application/dicom")

# ---- STOW-RS --------------------------------------------------------------------------------


def store(face: Face, study: str | None = None) -> Response:
    if study is not None:
        check_uids(study)
    for media in multipart.parse_accept(request.headers.get("Accept")):
        if media.type in JSON_TYPES or media.type in ("*/*", "application/*"):
            break
    else:
        raise not_acceptable()
    files = _uploaded_files(face.single_part_upload, face.metadata_upload)
    if not files:  # a multipart body without a single part
        if face.empty_multipart_no_content:
            return Response(status=204)
        raise bad_request("The request body is not valid multipart/related: it has no parts.")
    arch = Archive(current_ctx(), face, planned=len(files))
    seen: set[str] = set()
    to_fail, reason = stow_fail(current_ctx().fault)
    outcomes = []
    arch.look_up([_examined(f) for f in files if not isinstance(f, Unreadable)])
    for f in files:
        if isinstance(f, Unreadable):
            outcomes.append(Outcome(f.sop_class, f.sop_uid, False, PROCESSING_FAILURE, f.detail))
        elif to_fail > 0:
            to_fail -= 1
            outcomes.append(arch.refuse(_examined(f), reason, "failed by a fault rule (stow_fail)"))
        else:
            outcomes.append(arch.store(_examined(f), study, seen))
    arch.write_pending()
    return _stow_response(face, study, outcomes)


def examine_upload() -> None:
    """A STOW's parts parsed before its transaction (see before_transaction): two workers parse side by side,
    and the one that holds the write lock spends it on the index. Kept in `g` for store(), which checks again.
    The files that may be stored are written to the blob store's folder now (BlobStore.stage), so that the
    transaction only renames them into place; discard_staged() removes those it did not take."""
    try:
        for f in _uploaded_files(single_part=True, metadata_upload=True):  # store() refuses what its face does not take
            if not isinstance(f, Unreadable):
                _stage(_examined(f))
    except Exception:
        return


def _stage(examined: Examined) -> None:
    if examined.meta is None:  # not DICOM, or not to be stored
        return
    store = runtime_of(current_app).blobs
    examined.key = key_of(examined.data)
    examined.staged = store.stage(examined.data, examined.key)
    if examined.staged is not None:
        g.setdefault("stow_staged", []).append(examined.staged)


def discard_staged(_error: BaseException | None = None) -> None:
    """After the request, whatever became of it: the staged files its transaction did not rename into place (a
    part refused, a request that failed or was answered before its view)."""
    for path in g.pop("stow_staged", ()):
        BlobStore.discard(path)


def _uploaded_files(single_part: bool, metadata_upload: bool) -> list[bytes | Unreadable]:
    """The files of a STOW body, or why a part gives none; the parts decoded once a request. `single_part`: a bare
    application/dicom body is taken; `metadata_upload`: DICOM JSON metadata with bulk data is."""
    content_type = multipart.parse_media_type(request.headers.get("Content-Type", ""))
    body = request.get_data(cache=True)
    if content_type.type == "multipart/related":
        inner = content_type.params.get("type", "application/dicom")
        if inner != "application/dicom" and not (inner == bulkupload.JSON_PART and metadata_upload):
            taken = "application/dicom parts" + (
                " and application/dicom+json metadata with bulk data" if metadata_upload else ""
            )
            raise unsupported_media_type(
                f"The content type 'multipart/related; type=\"{inner}\"' is not supported: only {taken} are."
            )
        if "stow_parts" not in g:
            parts = multipart.decode_related(body, content_type.params.get("boundary"), allow_none=True)
            g.stow_parts = (
                bulkupload.files_of(parts)
                if inner == bulkupload.JSON_PART
                else [p.content if _part_type(p) in DICOM_PART_TYPES else NOT_DICOM for p in parts]
            )
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
    if study is not None and (stored or not face.study_url_needs_stored):
        body["00081190"] = dicomjson.element(0x00081190, face.retrieve_url(study), "UR")
    if failed:
        body["00081198"] = {"vr": "SQ", "Value": [_item(face, o) for o in failed]}
    if stored:
        body["00081199"] = {"vr": "SQ", "Value": [_item(face, o) for o in stored]}
    warned = any(o.reason for o in stored)
    status = (face.warning_status if warned else 200) if stored and not failed else 202 if stored else 409
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
    if o.comments is not None:
        comments = [{"00000902": dicomjson.element(0x00000902, c, "LO")} for c in o.comments]
        item["00741048"] = {"vr": "SQ", "Value": comments} if comments else {"vr": "SQ"}
    return item
