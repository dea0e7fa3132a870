"""SigmaCloud DR's tables."""

from __future__ import annotations

from sqlalchemy import JSON, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mockservers.core.store import Base


class SigmaSession(Base):
    __tablename__ = "sigma_sessions"
    token: Mapped[str] = mapped_column(String(100), primary_key=True)
    account: Mapped[str] = mapped_column(String(100))
    user: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[float] = mapped_column(Float)  # the last Login that returned the token: its lifetime starts
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class SigmaUpload(Base):
    __tablename__ = "sigma_uploads"
    upload_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    account: Mapped[str] = mapped_column(String(100))
    user: Mapped[str] = mapped_column(String(100))
    groupname: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[int] = mapped_column(Integer)
    converted: Mapped[str] = mapped_column(String(5))
    overwrite: Mapped[str] = mapped_column(String(5))
    dirname: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[float] = mapped_column(Float)
    store_id: Mapped[str | None] = mapped_column(String(24), nullable=True)


class SigmaFile(Base):
    __tablename__ = "sigma_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account: Mapped[str] = mapped_column(String(100))
    user: Mapped[str] = mapped_column(String(100))
    groupname: Mapped[str] = mapped_column(String(200))
    upload_id: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(Text)  # the base name, what NewJob and DownloadFile use
    path: Mapped[str] = mapped_column(Text)  # as the client sent it (may be a whole Windows path)
    blob: Mapped[str] = mapped_column(String(64))
    md5: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[float] = mapped_column(Float)
    headers: Mapped[dict] = mapped_column(JSON)
    __table_args__ = (UniqueConstraint("account", "groupname", "filename", name="uq_sigma_file"),)


class SigmaJob(Base):
    __tablename__ = "sigma_jobs"
    job_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    account: Mapped[str] = mapped_column(String(100))
    user: Mapped[str] = mapped_column(String(100))
    study_id: Mapped[str] = mapped_column(String(200))
    series_id: Mapped[str] = mapped_column(String(200))
    patient_id: Mapped[str] = mapped_column(String(200))
    format: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(Text)
    file_id: Mapped[int] = mapped_column(Integer)
    job_type: Mapped[str] = mapped_column(String(100))
    priority: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(20))
    notify: Mapped[str] = mapped_column(String(5))
    notify_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    notify_info: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(20))  # waiting | running | success | failed
    task_id: Mapped[str] = mapped_column(String(64))
    task_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    start_ts: Mapped[float] = mapped_column(Float)
    end_ts: Mapped[float | None] = mapped_column(Float, nullable=True)
    result_blob: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    fail_with: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    __table_args__ = (Index("ix_sigma_jobs_series", "account", "series_id"),)
