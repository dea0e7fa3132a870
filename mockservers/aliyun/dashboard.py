"""What the dashboard shows of aliyun: analyses and OA tasks with their state, analysed studies with their boxes."""

from __future__ import annotations

import functools
import io

import pydicom
from sqlalchemy import select

from mockservers.aliyun.backend import STUDY_TYPE_NAMES
from mockservers.aliyun.models import Analysis, OaTask, OssObject
from mockservers.aliyun.oss.store import OssStore
from mockservers.core.runtime import Context
from mockservers.core.vendor import Findings


def analysis_id(a: Analysis) -> str:
    return f"{a.namespace}/{a.study_uid}/{a.study_type}"


def oa_id(task: OaTask) -> str:
    return f"oa/{task.id}/{task.image_uid}"


def _analyses(ctx: Context) -> list[Analysis]:
    return list(ctx.db.scalars(select(Analysis).order_by(Analysis.created_at.desc(), Analysis.id.desc())))


def _oa_tasks(ctx: Context) -> list[OaTask]:
    return list(ctx.db.scalars(select(OaTask).order_by(OaTask.created_at.desc(), OaTask.id.desc())))


def _newest_first(rows: list[dict]) -> list[dict]:
    return sorted(rows, key=lambda row: row["created_at"], reverse=True)  # stable: each list is already ordered


def jobs(ctx: Context) -> list[dict]:
    rows = []
    for a in _analyses(ctx):
        detail = (
            f"namespace {a.namespace}, {len(a.objects)} object(s) at "
            f"{a.request['bucketName']}/{a.request['key']}, run {a.run}"
        )
        if a.error_code:
            detail += f"; {a.error_code} {a.error_message}"
        rows.append(
            {
                "id": analysis_id(a),
                "kind": f"studyType {a.study_type} {STUDY_TYPE_NAMES[a.study_type]}",
                "state": a.status,
                "created_at": a.created_at,
                "updated_at": a.finished_at or a.created_at,
                "detail": detail,
            }
        )
    for task in _oa_tasks(ctx):
        detail = (
            f"namespace {task.namespace}, {len(task.objects)} image(s) at "
            f"{task.request['bucketName']}/{task.request['key']}"
        )
        if task.status == "failed":
            detail += f"; {task.result['returnCode']} {task.result['returnMessage']}"
        rows.append(
            {
                "id": oa_id(task),
                "kind": "OA",
                "state": task.status,
                "created_at": task.created_at,
                "updated_at": task.finished_at or task.created_at,
                "detail": detail,
            }
        )
    return _newest_first(rows)


def _dicom_with_pixels(
    ctx: Context, store: OssStore, bucket: str, keys: list[str]
) -> tuple[str | None, str, str | None]:
    """The blob of the first object that is DICOM with pixel data (pixels left unread), its patient and its
    StudyInstanceUID; (None, "", None) when there is none."""
    for key in keys:
        obj = store.find(bucket, key)
        if obj is None:
            continue
        try:
            ds = pydicom.dcmread(io.BytesIO(ctx.blobs.get(obj.blob)), defer_size=1024)
        except Exception:  # not DICOM (JPEG/PNG, or anything else an integrator uploaded)
            continue
        if "PixelData" in ds:
            patient = f"{ds.get('PatientName', '')} ({ds.get('PatientID', '')})"
            return obj.blob, patient, str(ds.StudyInstanceUID) if "StudyInstanceUID" in ds else None
    return None, "", None


def _boxes(boxes: list[dict], coordinates: str, label: str) -> list[dict]:
    """Boxes in image pixels; the platform gives no score for a box."""
    return [{"label": b[label], "score": None, "box": list(b[coordinates])} for b in boxes]


def _first_nodule_slice(ctx: Context, store: OssStore, a: Analysis, blob: str | None) -> tuple[str | None, list]:
    """A lung study's card: the slice its first nodule lies on, with the nodules on that slice (else `blob`, none)."""
    found = _analysis_findings(ctx, a.id)
    if not found:
        return blob, []
    on = found[0]["image"]
    bucket = a.request["bucketName"]
    for key in a.objects:
        obj = store.find(bucket, key)
        if obj is None:
            continue
        try:
            header = pydicom.dcmread(io.BytesIO(ctx.blobs.get(obj.blob)), stop_before_pixels=True)
        except Exception:  # not DICOM
            continue
        if str(header.get("SOPInstanceUID", "")) == on:
            return obj.blob, [{k: f[k] for k in ("label", "score", "box")} for f in found if f["image"] == on]
    return blob, []


def studies(ctx: Context) -> list[dict]:
    """Every analysis (and OA image). Only boxes are findings (bone joint, OA, lung nodules); a bone-joint study of
    several images shows none, because a result does not say which image a box is on; a lung study shows the slice
    of its first nodule."""
    store = OssStore(ctx)
    rows = []
    for a in _analyses(ctx):
        bucket = a.request["bucketName"]
        findings = []
        if a.result and a.result["boxes"] and len(a.objects) == 1:
            findings = _boxes(a.result["boxes"], "coordinates", "class")
        blob, patient, study_uid = _dicom_with_pixels(ctx, store, bucket, a.objects)
        if a.study_type == 1 and a.result and a.result["imageDataList"]:
            blob, findings = _first_nodule_slice(ctx, store, a, blob)
        rows.append(
            {
                "id": analysis_id(a),
                "study_uid": study_uid,
                "patient": patient,
                "description": f"studyType {a.study_type} {STUDY_TYPE_NAMES[a.study_type]}, {a.status}, "
                f"{len(a.objects)} object(s)",
                "blob": blob,
                "findings": findings,
                "created_at": a.created_at,
            }
        )
    for task in _oa_tasks(ctx):
        boxes = (task.result or {}).get("Boxes") if len(task.objects) == 1 else None
        blob, patient, study_uid = _dicom_with_pixels(ctx, store, task.request["bucketName"], task.objects)
        rows.append(
            {
                "id": oa_id(task),
                "study_uid": study_uid,
                "patient": patient,
                "description": f"OA {task.image_uid}, {task.status}",
                "blob": blob,
                "findings": _boxes(boxes or [], "Coordinates", "Class"),
                "created_at": task.created_at,
            }
        )
    return [{k: v for k, v in row.items() if k != "created_at"} for row in _newest_first(rows)]


# ---- the DICOMweb view (/__admin/dicomweb) ------------------------------------------------------


def dicom_files(ctx: Context) -> list[str]:
    """Every object's blob, oldest first: DICOM, JPEG, PNG or anything else a client put in a bucket."""
    return list(ctx.db.scalars(select(OssObject.blob).order_by(OssObject.id)))


def findings(ctx: Context) -> list[Findings]:
    """Successful analyses with regions: lung nodules (studyType 1) and knee boxes (studyType 4), and OA tasks. A
    fundus or chest X-ray result has no region; a box of a several-image knee study is left out, because a result
    does not say which image it is on."""
    out = []
    analyses = ctx.db.execute(
        select(Analysis.id, Analysis.run, Analysis.study_type, Analysis.finished_at)
        .where(Analysis.status == "success", Analysis.study_type.in_((1, 4)))
        .order_by(Analysis.created_at, Analysis.id)
    )
    for analysis_id, run, study_type, finished_at in analyses:
        load = functools.partial(_analysis_findings, ctx, analysis_id)
        name = f"aliyun studyType {study_type} {STUDY_TYPE_NAMES[study_type]}"
        out.append(Findings(f"analysis/{analysis_id}/{run}", finished_at or 0.0, load, name))
    tasks = ctx.db.execute(
        select(OaTask.id, OaTask.finished_at).where(OaTask.status == "success").order_by(OaTask.created_at, OaTask.id)
    )
    for task_id, finished_at in tasks:
        out.append(
            Findings(f"oa/{task_id}", finished_at or 0.0, functools.partial(_oa_findings, ctx, task_id), "aliyun OA")
        )
    return out


def _headers(ctx: Context, bucket: str, keys: list[str]) -> list[pydicom.Dataset]:
    """The DICOM headers of the objects that are DICOM, in key order."""
    store, found = OssStore(ctx), []
    for key in keys:
        obj = store.find(bucket, key)
        if obj is None:
            continue
        try:
            found.append(pydicom.dcmread(io.BytesIO(ctx.blobs.get(obj.blob)), stop_before_pixels=True))
        except Exception:  # not DICOM (JPEG/PNG, or anything else an integrator uploaded)
            continue
    return found


def _knee_findings(image: pydicom.Dataset, boxes: list[dict], coordinates: str, label: str) -> list[dict]:
    sop = str(image.get("SOPInstanceUID", ""))
    return [{"image": sop, "label": b[label], "score": None, "box": list(b[coordinates])} for b in boxes]


def _analysis_findings(ctx: Context, analysis_id: int) -> list[dict]:
    a = ctx.db.get(Analysis, analysis_id)
    if a is None or not a.result:
        return []
    images = _headers(ctx, a.request["bucketName"], a.objects)
    if a.study_type == 4:
        single = len(a.objects) == 1 and len(images) == 1
        return _knee_findings(images[0], a.result["boxes"], "coordinates", "class") if single else []
    return [f for nodule in a.result["imageDataList"] if (f := _nodule(nodule, images)) is not None]


def _oa_findings(ctx: Context, task_id: int) -> list[dict]:
    task = ctx.db.get(OaTask, task_id)
    if task is None or len(task.objects) != 1:
        return []
    images = _headers(ctx, task.request["bucketName"], task.objects)
    return _knee_findings(images[0], task.result.get("Boxes") or [], "Coordinates", "Class") if images else []


def _nodule(nodule: dict, images: list[pydicom.Dataset]) -> dict | None:
    """A nodule (patient coordinates in mm, as results.lung_nodules gives them) as a box on the slice it lies on:
    the single-frame image of its series at its z."""
    for image in images:
        try:
            origin = [float(v) for v in image.ImagePositionPatient]
            sx, sy = (float(v) for v in image.PixelSpacing[:2])
        except (AttributeError, TypeError, ValueError):
            continue
        same_series = str(image.get("SeriesInstanceUID")) == nodule["seriesInstanceUid"]
        if not same_series or int(image.get("NumberOfFrames") or 1) > 1 or round(origin[2], 2) != nodule["z"]:
            continue
        column, row = (nodule["x"] - origin[0]) / sx, (nodule["y"] - origin[1]) / sy
        radius = nodule["diameter"] / 2 / sx
        return {
            "image": str(image.SOPInstanceUID),
            "label": f"肺结节 nodule ({nodule['category']})",
            "score": nodule["confidence"],
            "box": [column - radius, row - radius, column + radius, row + radius],
        }
    return None
