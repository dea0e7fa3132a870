"""Demo data: synthetic DICOM studies in the demo bucket, analysed as each study type, in several states."""

from __future__ import annotations

import io

import pydicom
from sqlalchemy import select

from mockservers.aliyun.backend import AliyunBackend
from mockservers.aliyun.models import Analysis
from mockservers.aliyun.oss.store import OssStore
from mockservers.dicom.synthetic import dx_file

# (studyType, the file's DICOM overrides, the state the analysis is left in). A knee study of a CT image fails as
# the platform would fail it (100010: the wrong Modality for the study type).
PLAN = (
    (4, {}, "success"),
    (2, {}, "success"),
    (4, {"Modality": "CT"}, "failed"),
    (3, {"Modality": "OP", "ImageLaterality": "R"}, "success"),
    (1, {"Modality": "CT", "SliceThickness": 1.25, "ImagePositionPatient": [-150.0, -150.0, -100.0]}, "running"),
)


def seed(unit, studies: int, progress) -> None:
    for index in range(studies):
        study_type, overrides, state = PLAN[index % len(PLAN)]
        with unit() as ctx:
            store = OssStore(ctx)
            store.seed()
            bucket = ctx.config["oss"]["buckets"][0]
            key_id, secret = next(iter(ctx.config["oss"]["credentials"].items()))
            namespace = next(iter(ctx.config["tenants"]))
            data = dx_file(seed=ctx.seed, index=2000 + index, rows=256, columns=256, **overrides)
            study_uid = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=True).StudyInstanceUID
            prefix = f"demo/{study_uid}"
            store.put(bucket, f"{prefix}/0001.dcm", data, content_type="application/dicom")
            backend = AliyunBackend(ctx)
            backend.execute(
                namespace,
                {
                    "studyInstanceUid": study_uid,
                    "studyType": study_type,
                    "accessKeyId": key_id,
                    "accessKeySecret": secret,
                    "securityToken": "",
                    "endpoint": "http://127.0.0.1:8080",
                    "bucketName": bucket,
                    "key": prefix,
                    "forceAnalysis": False,
                },
            )
            if state != "running":  # a running one finishes when the clock reaches analysis_seconds
                analysis = ctx.db.scalars(
                    select(Analysis).where(Analysis.namespace == namespace, Analysis.study_uid == study_uid)
                ).one()
                backend.finish_analysis(analysis.id, analysis.run)
        progress(1)
