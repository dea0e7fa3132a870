"""Demo data: synthetic chest radiographs (2048 x 1792) uploaded to the demo account, with jobs in every state."""

from __future__ import annotations

import hashlib
import io

import pydicom

from mockservers.dicom.synthetic import chest_file
from mockservers.sigma.backend import SigmaBackend

STATES = ("success", "success", "failed", "running", "waiting")


def seed(unit, studies: int, progress) -> None:
    for index in range(studies):
        with unit() as ctx:
            backend = SigmaBackend(ctx)
            account = next(iter(ctx.config["accounts"]))
            user = next(iter(ctx.config["accounts"][account]["users"]))
            data = chest_file(seed=ctx.seed, index=1000 + index)
            ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True)
            upload = backend.init_upload(
                account, user, ds.SeriesInstanceUID, {"quantity": "1", "converted": "1", "overwrite": "1"}
            )
            backend.put_file(account, user, f"demo_{index:03d}.dcm", upload, data, hashlib.md5(data).hexdigest())
            job_id = backend.new_job(
                account,
                user,
                {
                    "account_name": account,
                    "user_name": user,
                    "study_id": ds.StudyInstanceUID,
                    "series_id": ds.SeriesInstanceUID,
                    "patient_id": ds.PatientID,
                    "format": "dcm",
                    "filename": f"demo_{index:03d}.dcm",
                    "job_type": ctx.config["job_types"][0],
                    "priority": "2",
                    "type": "file",
                    "notify": "0",
                },
            )["job_id"]
            state = STATES[index % len(STATES)]
            if state == "failed":
                backend.fail_next(job_id)
            if state != "waiting":
                backend.start_job(job_id)
            if state in ("success", "failed"):
                backend.finish_job(job_id)
        progress(1)
