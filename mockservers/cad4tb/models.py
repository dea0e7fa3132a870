"""CAD4TB's tables: Project/Archive -> patient -> study -> series -> instance, and form entries on a series."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mockservers.core.store import Base


class Cad4tbPatient(Base):
    __tablename__ = "cad4tb_patients"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    project: Mapped[str] = mapped_column(Text)
    archive: Mapped[str] = mapped_column(Text)
    patient_id: Mapped[str] = mapped_column(Text)
    attrs: Mapped[dict] = mapped_column(JSON)  # PatientName, PatientSex, PatientBirthDate (ISO)
    __table_args__ = (UniqueConstraint("project", "archive", "patient_id", name="uq_cad4tb_patient"),)


class Cad4tbStudy(Base):
    __tablename__ = "cad4tb_studies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    patient_pk: Mapped[int] = mapped_column(Integer, index=True)
    uid: Mapped[str] = mapped_column(Text)
    attrs: Mapped[dict] = mapped_column(JSON)
    __table_args__ = (UniqueConstraint("patient_pk", "uid", name="uq_cad4tb_study"),)


class Cad4tbSeries(Base):
    __tablename__ = "cad4tb_series"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    study_pk: Mapped[int] = mapped_column(Integer, index=True)
    uid: Mapped[str] = mapped_column(Text)
    retina: Mapped[bool] = mapped_column(Boolean)
    attrs: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))  # processing | done | error
    status_message: Mapped[str] = mapped_column(Text)
    ready_at: Mapped[float] = mapped_column(Float)
    fail_with: Mapped[str | None] = mapped_column(Text, nullable=True)
    modified: Mapped[float] = mapped_column(Float)
    __table_args__ = (UniqueConstraint("study_pk", "uid", name="uq_cad4tb_series"),)


class Cad4tbInstance(Base):
    __tablename__ = "cad4tb_instances"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    series_pk: Mapped[int] = mapped_column(Integer, index=True)
    sop_uid: Mapped[str] = mapped_column(Text)
    filename: Mapped[str] = mapped_column(Text)
    blob: Mapped[str | None] = mapped_column(String(64), nullable=True)  # None: the DICOM was not kept
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (UniqueConstraint("series_pk", "sop_uid", name="uq_cad4tb_instance"),)


class Cad4tbFormEntry(Base):
    __tablename__ = "cad4tb_form_entries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    series_pk: Mapped[int] = mapped_column(Integer)
    form_id: Mapped[int] = mapped_column(Integer)
    form_name: Mapped[str] = mapped_column(Text)
    entry: Mapped[dict] = mapped_column(JSON)
    entry_formatted: Mapped[str] = mapped_column(Text)
    user_email: Mapped[str] = mapped_column(Text)
    created_at: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_cad4tb_form_entries_series", "series_pk"),)
