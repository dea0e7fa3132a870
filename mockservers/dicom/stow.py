"""STOW-RS for any face: the upload read (one part or multipart), stored through the archive, answered as
DICOM JSON."""

from __future__ import annotations

from flask import Response, current_app, g, request

from mockservers.core.http import current_ctx, runtime_of
from mockservers.dicom import dicomjson, multipart
from mockservers.dicom.archive import Archive, Examined, Outcome, examine
from mockservers.dicom.errors import not_acceptable, unsupported_media_type
from mockservers.dicom.face import Face
from mockservers.dicom.faults import stow_fail
from mockservers.dicom.part10 import inflate_limit
from mockservers.dicom.web import JSON_TYPES, check_uids, json_response

DICOM_PART_TYPES = ("", "application/dicom", "application/octet-stream")  # a STOW part's types read as DICOM

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
    if not files and face.empty_multipart_no_content:
        return Response(status=204)
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
            parts = multipart.decode_related(body, content_type.params.get("boundary"), allow_none=True)
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
