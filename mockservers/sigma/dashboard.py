"""SigmaCloud DR on the dashboard: its jobs, and its series with the findings of their latest finished job."""

from __future__ import annotations

import functools
import json

from sqlalchemy import select

from mockservers.core.runtime import Context
from mockservers.core.vendor import Findings
from mockservers.sigma import results
from mockservers.sigma.backend import SigmaBackend
from mockservers.sigma.models import SigmaFile, SigmaJob


def jobs(ctx: Context) -> list[dict]:
    rows = ctx.db.scalars(select(SigmaJob).order_by(SigmaJob.seq.desc())).all()
    return [
        {
            "id": j.job_id,
            "kind": j.job_type,
            "state": j.status,
            "created_at": j.start_ts,
            "updated_at": j.end_ts or j.task_ts or j.start_ts,
            "detail": f"account {j.account}, series {j.series_id}",
        }
        for j in rows
    ]


def studies(ctx: Context) -> list[dict]:
    backend = SigmaBackend(ctx)
    out = []
    files = ctx.db.scalars(select(SigmaFile).order_by(SigmaFile.id.desc())).all()
    seen: set[tuple[str, str]] = set()
    for file in files:
        if (file.account, file.groupname) in seen:
            continue
        seen.add((file.account, file.groupname))
        job = backend._latest_job(file.account, file.groupname, finished_only=True)
        findings = []
        if job is not None and job.result_blob:
            result = json.loads(ctx.blobs.get(job.result_blob))
            findings = [{"label": f["label"], "score": f["score"], "box": f["bbox"]} for f in result["findings"]]
        h = file.headers
        out.append(
            {
                "id": file.groupname,
                "study_uid": h.get("StudyInstanceUID") or None,
                "patient": f"{h['PatientName']} ({h['PatientID']})".strip(),
                "description": f"{h['Modality']} {h['StudyDescription']} {h['StudyDate']}".strip(),
                "blob": file.blob if h.get("has_pixels") else None,
                "findings": findings,
            }
        )
    return out


def dicom_files(ctx: Context) -> list[str]:
    """Every uploaded file's blob, in upload order (DICOM, or a NIfTI a converted upload holds)."""
    return list(ctx.db.scalars(select(SigmaFile.blob).order_by(SigmaFile.id)))


def findings(ctx: Context) -> list[Findings]:
    """Each successful job's findings, on the image its result names; labels in Chinese and English."""
    rows = ctx.db.execute(
        select(SigmaJob.job_id, SigmaJob.result_blob, SigmaJob.end_ts)
        .where(SigmaJob.status == "success", SigmaJob.result_blob.is_not(None))
        .order_by(SigmaJob.seq)
    )
    return [
        Findings(f"{job_id}/{blob}", end_ts or 0.0, functools.partial(_job_findings, ctx, blob), results.MODEL_VERSION)
        for job_id, blob, end_ts in rows
    ]


def _job_findings(ctx: Context, blob: str) -> list[dict]:
    result = json.loads(ctx.blobs.get(blob))
    image = result["image"]["sop_instance_uid"]
    return [
        {"image": image, "label": f"{f['label_chs']} ({f['label']})", "score": f["score"], "box": f["bbox"]}
        for f in result["findings"]
    ]
