"""The aliyun vendor's tables: the OSS store, the STS credentials it issued, analyses and OA tasks."""

from __future__ import annotations

from sqlalchemy import JSON, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mockservers.core.store import Base


class OssBucket(Base):
    __tablename__ = "aliyun_oss_buckets"
    name: Mapped[str] = mapped_column(String(63), primary_key=True)
    created_at: Mapped[float] = mapped_column(Float)


class OssObject(Base):
    __tablename__ = "aliyun_oss_objects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bucket: Mapped[str] = mapped_column(String(63))
    key: Mapped[str] = mapped_column(Text)
    blob: Mapped[str] = mapped_column(String(64))
    etag: Mapped[str] = mapped_column(String(40))  # upper-case MD5 hex, as OSS gives it ("-<parts>" after it)
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(200))
    meta: Mapped[dict] = mapped_column(JSON, default=dict)  # x-oss-meta-* headers
    last_modified: Mapped[float] = mapped_column(Float)
    object_type: Mapped[str] = mapped_column(String(20), default="Normal")  # Normal | Multipart | Appendable
    __table_args__ = (UniqueConstraint("bucket", "key", name="uq_aliyun_oss_object"),)


class OssUpload(Base):
    """A multipart upload initiated and neither completed nor aborted yet."""

    __tablename__ = "aliyun_oss_uploads"
    upload_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    bucket: Mapped[str] = mapped_column(String(63))
    key: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(200))
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
    initiated_at: Mapped[float] = mapped_column(Float)


class OssPart(Base):
    __tablename__ = "aliyun_oss_parts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    upload_id: Mapped[str] = mapped_column(String(32))
    part_number: Mapped[int] = mapped_column(Integer)
    blob: Mapped[str] = mapped_column(String(64))
    etag: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    last_modified: Mapped[float] = mapped_column(Float)
    __table_args__ = (UniqueConstraint("upload_id", "part_number", name="uq_aliyun_oss_part"),)


class StsCredential(Base):
    __tablename__ = "aliyun_sts_credentials"
    access_key_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    access_key_secret: Mapped[str] = mapped_column(String(100))
    security_token: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[float] = mapped_column(Float)
    expires_at: Mapped[float] = mapped_column(Float)


class Analysis(Base):
    __tablename__ = "aliyun_analyses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    namespace: Mapped[str] = mapped_column(String(200))
    study_uid: Mapped[str] = mapped_column(String(500))
    study_type: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # running | success | failed
    request: Mapped[dict] = mapped_column(JSON)  # the body, the OSS secret left out
    objects: Mapped[list] = mapped_column(JSON)  # the OSS keys found when it was triggered
    run: Mapped[int] = mapped_column(Integer, default=1)  # bumped by forceAnalysis; stale finish events skip
    created_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    error_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    fail_with: Mapped[str | None] = mapped_column(String(20), nullable=True)
    __table_args__ = (UniqueConstraint("namespace", "study_uid", "study_type", name="uq_aliyun_analysis"),)


class OaTask(Base):
    __tablename__ = "aliyun_oa_tasks"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    namespace: Mapped[str] = mapped_column(String(200))
    image_uid: Mapped[str] = mapped_column(String(500))
    request: Mapped[dict] = mapped_column(JSON)
    objects: Mapped[list] = mapped_column(JSON)  # the OSS keys found when it was triggered (a study path: several)
    status: Mapped[str] = mapped_column(String(20))  # running | success | failed
    created_at: Mapped[float] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float, nullable=True)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    fail_with: Mapped[str | None] = mapped_column(String(20), nullable=True)
