"""SigmaCloud DR on the dashboard: its jobs, and its series with the findings of their latest finished job."""

from __future__ import annotations

import json

from sqlalchemy import select

from mockservers.core.runtime import Context
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
