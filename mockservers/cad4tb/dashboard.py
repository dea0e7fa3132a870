"""What the dashboard shows of CAD4TB: each series as a unit of work (processing, then done or error), and the
stored studies with one of their DICOM files."""

from __future__ import annotations

import functools
import io

import pydicom
from sqlalchemy import select

from mockservers.cad4tb import results
from mockservers.cad4tb.models import Cad4tbInstance, Cad4tbPatient, Cad4tbSeries, Cad4tbStudy
from mockservers.core.runtime import Context
from mockservers.core.vendor import Findings


def jobs(ctx: Context) -> list[dict]:
    processing = float(ctx.config.get("processing_seconds", 3))
    out = []
    for series in ctx.db.scalars(select(Cad4tbSeries).order_by(Cad4tbSeries.id.desc())):
        study = ctx.db.get(Cad4tbStudy, series.study_pk)
        patient = ctx.db.get(Cad4tbPatient, study.patient_pk) if study else None
        where = f"{patient.project}/{patient.archive}, patient {patient.patient_id}" if patient else ""
        out.append(
            {
                "id": series.uid,
                "kind": "retina" if series.retina else "cad4tb",
                "state": series.status,
                "created_at": series.ready_at - processing,
                "updated_at": series.modified,
                "detail": f"{where}: {series.status_message}",
            }
        )
    return out


def studies(ctx: Context) -> list[dict]:
    out = []
    for study in ctx.db.scalars(select(Cad4tbStudy).order_by(Cad4tbStudy.id.desc())):
        patient = ctx.db.get(Cad4tbPatient, study.patient_pk)
        a = study.attrs
        out.append(
            {
                "id": study.uid,
                "study_uid": study.uid,
                "patient": f"{patient.attrs.get('PatientName') or ''} ({patient.patient_id})".strip(),
                "description": " ".join(str(v) for v in (a.get("StudyDescription"), a.get("StudyDate")) if v),
                "blob": _first_blob(ctx, study),
                "findings": [],
            }
        )
    return out


def _first_blob(ctx: Context, study: Cad4tbStudy) -> str | None:
    """A kept DICOM file of the study: its first series' first file, in upload order."""
    keys = ctx.db.scalars(
        select(Cad4tbInstance.blob)
        .join(Cad4tbSeries, Cad4tbInstance.series_pk == Cad4tbSeries.id)
        .where(Cad4tbSeries.study_pk == study.id, Cad4tbInstance.blob.is_not(None))
        .order_by(Cad4tbSeries.id, Cad4tbInstance.id)
    )
    return next((key for key in keys if key and ctx.blobs.exists(key)), None)


# ---- the DICOMweb view (/__admin/dicomweb) ------------------------------------------------------


def dicom_files(ctx: Context) -> list[str]:
    """Every kept DICOM file's blob, in upload order."""
    return list(
        ctx.db.scalars(select(Cad4tbInstance.blob).where(Cad4tbInstance.blob.is_not(None)).order_by(Cad4tbInstance.id))
    )


def findings(ctx: Context) -> list[Findings]:
    """Each finished series whose results include a Heatmap: its hot spots as boxes on the image the heat map is of
    (the series' first kept file), each scored by its weight."""
    catalog = ctx.config.get("results") or {}
    out = []
    for series in ctx.db.scalars(select(Cad4tbSeries).where(Cad4tbSeries.status == "done").order_by(Cad4tbSeries.id)):
        kind = "retina" if series.retina else "cad4tb"
        spec = (catalog.get(kind) or {}).get("Heatmap")
        if spec is None:
            continue
        algorithm = spec.get("algorithm", kind.upper())
        load = functools.partial(_hot_spots, ctx, series.id, kind, f"{algorithm} Heatmap hot spot")
        out.append(Findings(f"series/{series.id}/{series.modified}", series.modified, load, algorithm))
    return out


def _hot_spots(ctx: Context, series_pk: int, kind: str, label: str) -> list[dict]:
    """The spots results.heatmap_png draws (the same seeded draws), as boxes of the image's pixels."""
    series = ctx.db.get(Cad4tbSeries, series_pk)
    first = ctx.db.scalars(
        select(Cad4tbInstance)
        .where(Cad4tbInstance.series_pk == series_pk, Cad4tbInstance.blob.is_not(None))
        .order_by(Cad4tbInstance.id)
    ).first()
    if series is None or first is None or not ctx.blobs.exists(first.blob):
        return []
    image = ctx.blobs.get(first.blob)
    header = pydicom.dcmread(io.BytesIO(image), stop_before_pixels=True)
    rows, columns = int(header.get("Rows") or 0), int(header.get("Columns") or 0)
    if not rows or not columns:
        return []
    rng = ctx.rng("result", kind, series.uid, "Heatmap")
    return [
        {
            "image": first.sop_uid,
            "label": label,
            "score": round(weight, 4),
            "box": [(x - r) * columns, (y - r) * rows, (x + r) * columns, (y + r) * rows],
        }
        for x, y, r, weight in results.hot_spots(rng, image, series.retina)
    ]
