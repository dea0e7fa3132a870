"""What the dashboard shows of CAD4TB: each series as a unit of work (processing, then done or error), and the
stored studies with one of their DICOM files."""

from __future__ import annotations

from sqlalchemy import select

from mockservers.cad4tb.models import Cad4tbInstance, Cad4tbPatient, Cad4tbSeries, Cad4tbStudy
from mockservers.core.runtime import Context


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
