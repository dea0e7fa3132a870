"""The instance archive's index: one row per study, series and instance, per face (vendor key).

Every QIDO query is a SQL WHERE on these indexed columns; files stay in the blob store."""

from __future__ import annotations

from sqlalchemy import Float, Index, Integer, String, Text, func
from sqlalchemy.orm import Mapped, deferred, mapped_column

from mockservers.core.store import Base


def _s(length: int = 64):
    return mapped_column(String(length), nullable=True)


class DicomStudy(Base):
    __tablename__ = "dicom_studies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    face: Mapped[str] = mapped_column(String(20))
    study_uid: Mapped[str] = mapped_column(String(64))
    specific_charset: Mapped[str | None] = _s()
    patient_name: Mapped[str | None] = _s(200)
    patient_name_norm: Mapped[str | None] = _s(200)  # upper case, accents stripped, '^' as space
    patient_id: Mapped[str | None] = _s()
    patient_birth_date: Mapped[str | None] = _s(8)
    patient_sex: Mapped[str | None] = _s(16)
    accession_number: Mapped[str | None] = _s(16)
    referring_physician_name: Mapped[str | None] = _s(200)
    referring_physician_name_norm: Mapped[str | None] = _s(200)
    study_date: Mapped[str | None] = _s(8)
    study_time: Mapped[str | None] = _s(16)
    study_description: Mapped[str | None] = _s()
    study_id: Mapped[str | None] = _s(16)
    institution_name: Mapped[str | None] = _s()
    protocol_name: Mapped[str | None] = _s()
    timezone_offset: Mapped[str | None] = _s(16)
    modalities: Mapped[str] = mapped_column(String(200), default="")  # backslash-joined, sorted
    n_series: Mapped[int] = mapped_column(Integer, default=0)
    n_instances: Mapped[int] = mapped_column(Integer, default=0)
    seq: Mapped[int] = mapped_column(Integer)  # insertion order, for "newest first"
    created_at: Mapped[float] = mapped_column(Float)
    # A search answers in `seq` order with a limit: an equality's index ending in seq gives its studies in that
    # order, where SQLite would otherwise walk the seq index through every study (QIDO by PatientID at 100,000).
    __table_args__ = (
        Index("ux_dicom_studies_uid", "face", "study_uid", unique=True),
        Index("ix_dicom_studies_patient_id", "face", "patient_id", "seq"),
        Index("ix_dicom_studies_patient_name", "face", "patient_name_norm"),
        Index("ix_dicom_studies_date", "face", "study_date"),
        Index("ix_dicom_studies_accession", "face", "accession_number", "seq"),
        Index("ix_dicom_studies_seq", "face", "seq"),
    )


class DicomSeries(Base):
    __tablename__ = "dicom_series"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    face: Mapped[str] = mapped_column(String(20))
    study_uid: Mapped[str] = mapped_column(String(64))
    series_uid: Mapped[str] = mapped_column(String(64))
    modality: Mapped[str | None] = _s(16)
    manufacturer: Mapped[str | None] = _s()
    manufacturer_model_name: Mapped[str | None] = _s()
    body_part_examined: Mapped[str | None] = _s(16)
    series_date: Mapped[str | None] = _s(8)
    series_description: Mapped[str | None] = _s()
    station_name: Mapped[str | None] = _s(16)
    series_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    pps_start_date: Mapped[str | None] = _s(8)
    pps_start_time: Mapped[str | None] = _s(16)
    timezone_offset: Mapped[str | None] = _s(16)
    n_instances: Mapped[int] = mapped_column(Integer, default=0)
    seq: Mapped[int] = mapped_column(Integer)
    __table_args__ = (
        Index("ux_dicom_series_uid", "face", "study_uid", "series_uid", unique=True),
        Index("ix_dicom_series_series_uid", "face", "series_uid"),
        Index("ix_dicom_series_modality", "face", "modality", "study_uid"),
        Index("ix_dicom_series_seq", "face", "seq"),
    )


class DicomInstance(Base):
    __tablename__ = "dicom_instances"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    face: Mapped[str] = mapped_column(String(20))
    study_uid: Mapped[str] = mapped_column(String(64))
    series_uid: Mapped[str] = mapped_column(String(64))
    sop_uid: Mapped[str] = mapped_column(String(64))
    sop_class_uid: Mapped[str] = mapped_column(String(64))
    transfer_syntax: Mapped[str] = mapped_column(String(64))
    instance_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rows: Mapped[int | None] = mapped_column(Integer, nullable=True)
    columns: Mapped[int | None] = mapped_column(Integer, nullable=True)
    bits_allocated: Mapped[int | None] = mapped_column(Integer, nullable=True)
    number_of_frames: Mapped[int | None] = mapped_column(Integer, nullable=True)
    timezone_offset: Mapped[str | None] = _s(16)
    blob: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[float] = mapped_column(Float)
    metadata_json: Mapped[str] = deferred(mapped_column(Text))  # DICOM JSON without bulk data
    __table_args__ = (
        Index("ux_dicom_instances_uid", "face", "sop_uid", unique=True),
        Index("ix_dicom_instances_series", "face", "study_uid", "series_uid"),
        Index("ix_dicom_instances_seq", "face", "seq"),
    )


# Strings a face matches ignoring case (Face.text_ignores_case, dicom/qido.py), indexed by their lower case
_STUDIES = DicomStudy.__table__.c
Index("ix_dicom_studies_patient_id_ci", _STUDIES.face, func.lower(_STUDIES.patient_id), _STUDIES.seq)
Index("ix_dicom_studies_accession_ci", _STUDIES.face, func.lower(_STUDIES.accession_number), _STUDIES.seq)
Index(
    "ix_dicom_series_modality_ci",
    DicomSeries.__table__.c.face,
    func.lower(DicomSeries.__table__.c.modality),
    DicomSeries.__table__.c.study_uid,
)
