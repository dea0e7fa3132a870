"""What a DICOMweb face shows the core's dashboard and demo seeding: its stored studies, plausible demo studies."""

from __future__ import annotations

from sqlalchemy import select

from mockservers.core.runtime import Context
from mockservers.dicom.archive import Archive
from mockservers.dicom.face import Face
from mockservers.dicom.models import DicomInstance, DicomStudy
from mockservers.dicom.synthetic import chest_file, ct_series, join, mr_series, rle_part10, to_part10, us_dataset

MODALITIES = ("CT", "MR", "DX", "US")


def studies(ctx: Context, key: str, limit: int = 500) -> list[dict]:
    """Stored studies, newest first: {id, study_uid, patient, description, blob (an instance with pixels),
    findings: []}."""
    rows = ctx.db.scalars(
        select(DicomStudy).where(DicomStudy.face == key).order_by(DicomStudy.seq.desc()).limit(limit)
    ).all()
    out: list[dict] = []
    for study in rows:
        blob = ctx.db.scalar(
            select(DicomInstance.blob)
            .where(
                DicomInstance.face == key, DicomInstance.study_uid == study.study_uid, DicomInstance.rows.is_not(None)
            )
            .order_by(DicomInstance.seq)
            .limit(1)
        )
        name = (study.patient_name or "").replace("^", " ")
        out.append(
            {
                "id": study.study_uid,
                "study_uid": study.study_uid,
                "patient": f"{name} ({study.patient_id or ''})".strip(),
                "description": " ".join(
                    filter(None, (study.modalities.replace("\\", "/"), study.study_description, study.study_date))
                ),
                "blob": blob,
                "findings": [],
            }
        )
    return out


def demo(unit, count: int, progress, make_face) -> None:
    """`count` studies of several modalities, one transaction each: a chest CT series, a brain MR series, a chest
    radiograph, an abdominal ultrasound frame with a cine (multi-frame, RLE Lossless)."""
    for i in range(count):
        with unit() as ctx:
            face: Face = make_face(ctx)
            seen = set[str]()
            files = demo_files(MODALITIES[i % len(MODALITIES)], ctx.seed + 7000, i * 10)
            archive = Archive(ctx, face, planned=len(files))
            for data in files:
                archive.store(data, None, seen)
            archive.write_pending()
        progress()


def demo_files(modality: str, seed: int, index: int) -> list[bytes]:
    """One demo study's Part-10 files."""
    if modality == "CT":
        return [to_part10(ds) for ds in ct_series(seed, index)]
    if modality == "MR":
        return [to_part10(ds) for ds in mr_series(seed, index)]
    if modality == "DX":
        return [chest_file(seed, index)]
    still = us_dataset(seed, index)
    cine = join(us_dataset(seed, index + 1, frames=4, rows=300, columns=400), study=still)
    return [to_part10(still), rle_part10(cine)]
