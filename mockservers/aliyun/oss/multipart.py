"""Multipart uploads and AppendObject, no Flask: what oss2.resumable_upload (above its multipart threshold) and
Bucket.append_object call. Parts are blobs of their own until CompleteMultipartUpload joins the listed ones into an
object; the others, and an aborted upload's, are released."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from mockservers.aliyun.models import OssPart, OssUpload
from mockservers.aliyun.oss.errors import OssError
from mockservers.aliyun.oss.store import OssStore, Stored, check_md5

MAX_PART_NUMBER = 10000
MIN_PART_SIZE = 100 * 1024  # every part but the last (OSS's EntityTooSmall)


@dataclass
class PartsPage:
    parts: list[OssPart]
    truncated: bool
    next_marker: int


class Multipart:
    def __init__(self, store: OssStore):
        self.store = store
        self.ctx = store.ctx
        self.db = store.db

    def initiate(self, bucket: str, key: str, content_type: str, meta: dict) -> OssUpload:
        self.store.require_bucket(bucket)
        self.store.check_key(key)
        upload = OssUpload(
            upload_id=self.ctx.hex(32, "oss-upload", self.ctx.counter("oss-upload")).upper(),
            bucket=bucket,
            key=key,
            content_type=content_type or "application/octet-stream",
            meta=meta,
            initiated_at=self.ctx.now,
        )
        self.db.add(upload)
        return upload

    def upload(self, bucket: str, key: str, upload_id: str) -> OssUpload:
        self.store.require_bucket(bucket)
        found = self.db.get(OssUpload, upload_id) if upload_id else None
        if found is None or found.bucket != bucket or found.key != key:
            raise OssError("NoSuchUpload", UploadId=upload_id, explain="uploadId: no open upload of this key")
        return found

    def _parts(self, upload_id: str) -> list[OssPart]:
        return list(
            self.db.scalars(select(OssPart).where(OssPart.upload_id == upload_id).order_by(OssPart.part_number))
        )

    def put_part(
        self, bucket: str, key: str, upload_id: str, number: int, data: bytes, content_md5: str | None
    ) -> OssPart:
        self.upload(bucket, key, upload_id)
        digest = check_md5(data, content_md5)
        part = self.db.scalars(
            select(OssPart).where(OssPart.upload_id == upload_id, OssPart.part_number == number)
        ).first()
        if part is None:
            part = OssPart(upload_id=upload_id, part_number=number)
            self.db.add(part)
        replaced, part.blob = part.blob, self.ctx.blobs.put(data)
        if replaced:
            self.ctx.blobs.release(replaced)
        part.etag, part.size, part.last_modified = digest.hex().upper(), len(data), self.ctx.now
        self.db.flush()
        return part

    def list_parts(self, bucket: str, key: str, upload_id: str, marker: int, max_parts: int) -> PartsPage:
        self.upload(bucket, key, upload_id)
        after = [p for p in self._parts(upload_id) if p.part_number > marker]
        page = after[:max_parts]
        return PartsPage(page, len(after) > max_parts, page[-1].part_number if page else 0)

    def complete(self, bucket: str, key: str, upload_id: str, wanted: list[tuple[int, str]]) -> Stored:
        """`wanted`: (PartNumber, ETag without quotes) as the request lists them."""
        upload = self.upload(bucket, key, upload_id)
        numbers = [n for n, _ in wanted]
        if numbers != sorted(set(numbers)):
            raise OssError("InvalidPartOrder", explain="Part: PartNumber ascending, each once")
        parts = {p.part_number: p for p in self._parts(upload_id)}
        for n, etag in wanted:
            if n not in parts or parts[n].etag != etag.upper():
                raise OssError("InvalidPart", explain=f"Part {n}: not uploaded, or its ETag is not the part's")
        chosen = [parts[n] for n in numbers]
        for part in chosen[:-1]:
            if part.size < MIN_PART_SIZE:
                raise OssError(
                    "EntityTooSmall",
                    explain=f"Part {part.part_number}: {part.size} bytes; every part but the last needs "
                    f"{MIN_PART_SIZE}",
                )
        data = b"".join(self.ctx.blobs.get(p.blob) for p in chosen)
        etag = hashlib.md5(b"".join(bytes.fromhex(p.etag) for p in chosen)).hexdigest().upper()
        stored = self.store.put(
            bucket, key, data, upload.content_type, None, upload.meta, f"{etag}-{len(chosen)}", "Multipart"
        )
        self._close(upload)
        return stored

    def abort(self, bucket: str, key: str, upload_id: str) -> None:
        self._close(self.upload(bucket, key, upload_id))

    def _close(self, upload: OssUpload) -> None:
        parts = self._parts(upload.upload_id)
        for part in parts:
            self.db.delete(part)
        self.db.delete(upload)
        self.ctx.blobs.release(*[p.blob for p in parts])

    def append(
        self, bucket: str, key: str, position: int, data: bytes, content_type: str, content_md5: str | None, meta: dict
    ) -> Stored:
        """AppendObject: a new Appendable object at position 0, or more bytes at the end of one."""
        self.store.require_bucket(bucket)
        self.store.check_key(key)
        check_md5(data, content_md5)
        obj = self.store.find(bucket, key)
        if obj is not None and obj.object_type != "Appendable":
            raise OssError("ObjectNotAppendable", explain=f"key: a {obj.object_type} object, not an Appendable one")
        length = obj.size if obj is not None else 0
        if position != length:
            raise OssError(
                "PositionNotEqualToLength",
                explain=f"position: the object has {length} bytes",
                headers={"x-oss-next-append-position": str(length)},
            )
        if obj is None:
            return self.store.put(bucket, key, data, content_type, None, meta, object_type="Appendable")
        whole = self.ctx.blobs.get(obj.blob) + data
        return self.store.put(bucket, key, whole, obj.content_type, None, obj.meta, object_type="Appendable")
