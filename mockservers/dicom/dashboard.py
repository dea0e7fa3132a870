"""What a DICOMweb face shows the core's dashboard and demo seeding: its stored studies, plausible demo studies."""

from __future__ import annotations

from sqlalchemy import select

from mockservers.core.runtime import Context
from mockservers.dicom.archive import Archive
from mockservers.dicom.face import Face
from mockservers.dicom.models import DicomInstance, DicomStudy
from mockservers.dicom.synthetic import image_dataset, rle_part10, to_part10

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
    """`count` studies of several modalities (a multi-frame one in RLE Lossless), one transaction each."""
    for i in range(count):
        with unit() as ctx:
            face: Face = make_face(ctx)
            modality = MODALITIES[i % len(MODALITIES)]
            first = image_dataset(ctx.seed + 7000, i * 10, modality, rows=64, columns=64)
            files = [to_part10(first)]
            if modality in ("CT", "MR"):
                files.append(
                    to_part10(
                        image_dataset(
                            ctx.seed + 7000, i * 10 + 1, modality, rows=64, columns=64, study=first, series=first
                        )
                    )
                )
            if modality == "MR":
                files.append(
                    rle_part10(
                        image_dataset(ctx.seed + 7000, i * 10 + 2, modality, frames=4, rows=64, columns=64, study=first)
                    )
                )
            archive, seen = Archive(ctx, face, planned=len(files)), set[str]()
            for data in files:
                archive.store(data, None, seen)
            archive.write_pending()
        progress()
