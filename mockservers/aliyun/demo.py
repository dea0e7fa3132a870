"""Demo data: synthetic DICOM studies in the demo bucket, analysed as each study type, in several states."""

from __future__ import annotations

import hashlib
import io

import pydicom
from sqlalchemy import select

from mockservers.aliyun import results
from mockservers.aliyun.backend import AliyunBackend
from mockservers.aliyun.models import Analysis
from mockservers.aliyun.oss.store import OssStore
from mockservers.dicom.synthetic import chest_file, ct_series, fundus_dataset, knee_dataset, to_part10

# (studyType, the pictures, the state the analysis is left in). A knee study of a CT image fails as the platform
# would fail it (100010: the wrong Modality for the study type).
PLAN = (
    (4, "knees", "success"),
    (2, "chest", "success"),
    (4, "ct slice", "failed"),
    (3, "fundus", "success"),
    (1, "ct", "running"),
)


def pictures(kind: str, seed: int, index: int) -> list[bytes]:
    """The study's files: each study type's own modality (lung nodules: a CT series)."""
    if kind == "knees":
        return [to_part10(knee_dataset(seed, index, knees=2 if index % 3 else 1))]
    if kind == "chest":
        return [chest_file(seed, index)]
    if kind == "fundus":
        return [to_part10(fundus_dataset(seed, index, laterality="RL"[index % 2]))]
    return [to_part10(ds) for ds in ct_series(seed, index, slices=1 if kind == "ct slice" else 6)]


def _study_uid(files: list[bytes]) -> str:
    return str(pydicom.dcmread(io.BytesIO(files[0]), stop_before_pixels=True).StudyInstanceUID)


def _lung_study_with_nodules(backend: AliyunBackend, namespace: str, seed: int, index: int) -> list[bytes]:
    """A lung CT the analysis will find nodules in: of the first 20 synthetic series from this study's index on,
    the first with a nonzero nodule count (the first draw of its analysis' stream). A demo of a nodule detector
    shows nodules whatever the seed; the findings stay the seed's and the pictures'."""
    for attempt in range(20):
        files = pictures("ct", seed, 2000 + index + 1000 * attempt)
        etags = [hashlib.md5(data).hexdigest().upper() for data in files]
        if results.nodule_count(backend.analysis_rng(namespace, _study_uid(files), 1, etags)):
            break
    return files


def seed(unit, studies: int, progress) -> None:
    for index in range(studies):
        study_type, kind, state = PLAN[index % len(PLAN)]
        with unit() as ctx:
            store = OssStore(ctx)
            store.seed()
            bucket = ctx.config["oss"]["buckets"][0]
            key_id, secret = next(iter(ctx.config["oss"]["credentials"].items()))
            namespace = next(iter(ctx.config["tenants"]))
            backend = AliyunBackend(ctx)
            if study_type == 1:
                files = _lung_study_with_nodules(backend, namespace, ctx.seed, index)
            else:
                files = pictures(kind, ctx.seed, 2000 + index)
            study_uid = _study_uid(files)
            prefix = f"demo/{study_uid}"
            for n, data in enumerate(files, start=1):
                store.put(bucket, f"{prefix}/{n:04d}.dcm", data, content_type="application/dicom")
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
