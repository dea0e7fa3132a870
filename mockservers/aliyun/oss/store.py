"""The object store's state and behaviour, no Flask: buckets, objects, STS credentials."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Row, Table, and_, bindparam, func, insert, select, update

from mockservers.aliyun.models import OssBucket, OssObject, StsCredential
from mockservers.aliyun.oss.errors import OssError
from mockservers.core.runtime import Context

BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
MAX_LIST_KEYS = 1000
# Every GET and PUT looks these up: built once (building a select costs more than running it). The two Core ones
# run on the session's connection, past the ORM (half the cost): a request adds no bucket or object before them.
_BUCKET = select(OssBucket.name).where(OssBucket.name == bindparam("name"))
_OBJECT = select(OssObject).where(OssObject.bucket == bindparam("bucket"), OssObject.key == bindparam("key"))
_OBJECTS = cast(Table, OssObject.__table__)  # a mapped class's __table__ is typed as any FromClause: it is its Table
_BUCKETS = cast(Table, OssBucket.__table__)
_OBJECT_ROW = select(*_OBJECTS.columns).where(
    _OBJECTS.c.bucket == bindparam("bucket"), _OBJECTS.c.key == bindparam("key")
)
# PutObject's one lookup: the bucket (no row: no such bucket) and the object's id and file (None: a new object)
_BUCKET_AND_OBJECT = (
    select(_BUCKETS.c.name, _OBJECTS.c.id, _OBJECTS.c.blob)
    .select_from(
        _BUCKETS.outerjoin(_OBJECTS, and_(_OBJECTS.c.bucket == _BUCKETS.c.name, _OBJECTS.c.key == bindparam("key")))
    )
    .where(_BUCKETS.c.name == bindparam("bucket"))
)
_INSERT_OBJECT = insert(_OBJECTS)
_UPDATE_OBJECT = update(_OBJECTS).where(_OBJECTS.c.id == bindparam("object_id"))


def reserved_bucket_names() -> set[str]:
    from mockservers.core.http import SERVER_PATHS
    from mockservers.vendors import REGISTRY  # imported late: the registry imports the vendors

    return set(REGISTRY) | set(SERVER_PATHS)


def is_reserved(name: str) -> bool:
    return name.startswith("__") or name in reserved_bucket_names()


def check_md5(data: bytes, content_md5: str | None) -> bytes:
    """The body's MD5 digest; a Content-MD5 header that is not its base64 is InvalidDigest."""
    digest = hashlib.md5(data).digest()
    if content_md5 is not None:
        try:
            sent = base64.b64decode(content_md5, validate=True)
        except (binascii.Error, ValueError):
            sent = b""
        if sent != digest:
            raise OssError(
                "InvalidDigest",
                explain=f"Content-MD5: must be the base64 MD5 of the body, {base64.b64encode(digest).decode()}",
            )
    return digest


@dataclass(frozen=True)
class Stored:
    """What a put answers with."""

    etag: str
    size: int


@dataclass
class Listing:
    objects: list[OssObject] = field(default_factory=list)
    prefixes: list[str] = field(default_factory=list)
    truncated: bool = False
    next_marker: str = ""


class OssStore:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.db = ctx.db

    # ---- buckets --------------------------------------------------------------------------------

    def seed(self) -> None:
        for name in (self.ctx.config.get("oss") or {}).get("buckets", []):
            if self.db.get(OssBucket, name) is None:
                self.db.add(OssBucket(name=name, created_at=self.ctx.now))

    @staticmethod
    def check_bucket_name(name: str) -> None:
        if not BUCKET_NAME.match(name) or is_reserved(name):
            raise OssError(
                "InvalidBucketName",
                BucketName=name,
                explain="bucket: 3-63 of a-z, 0-9 and '-', not starting or ending with '-', and not a "
                "vendor key of the mock nor 'viewer'",
            )

    def bucket(self, name: str) -> OssBucket:
        self.require_bucket(name)
        found = self.db.get(OssBucket, name)
        assert found is not None  # there a moment ago, in this transaction
        return found

    def require_bucket(self, name: str) -> None:
        """NoSuchBucket unless bucket `name` exists (a bad name: InvalidBucketName)."""
        self.check_bucket_name(name)
        if self.db.connection().execute(_BUCKET, {"name": name}).first() is None:
            raise OssError(
                "NoSuchBucket", BucketName=name, explain=f"bucket {name!r} does not exist (PUT /<bucket>/ creates one)"
            )

    def create_bucket(self, name: str) -> None:
        self.check_bucket_name(name)
        if self.db.get(OssBucket, name) is None:
            self.db.add(OssBucket(name=name, created_at=self.ctx.now))

    def bucket_names(self, prefix: str, marker: str, max_keys: int) -> tuple[list[OssBucket], bool]:
        """ListBuckets: the buckets named with `prefix` after `marker`, by name, and whether more follow."""
        buckets = sorted(self.db.scalars(select(OssBucket)), key=lambda b: b.name)
        chosen = [b for b in buckets if b.name.startswith(prefix) and b.name > marker]
        return chosen[:max_keys], len(chosen) > max_keys

    def delete_bucket(self, name: str) -> None:
        bucket = self.bucket(name)
        if self.db.scalar(select(func.count()).select_from(OssObject).where(OssObject.bucket == name)):
            raise OssError("BucketNotEmpty", BucketName=name)
        self.db.delete(bucket)

    # ---- objects --------------------------------------------------------------------------------

    @staticmethod
    def check_key(key: str) -> None:
        if not key or len(key.encode("utf-8")) > 1023 or key[0] in "/\\" or "\x00" in key:
            raise OssError(
                "InvalidObjectName", explain="key: 1-1023 bytes of UTF-8 without NUL, not starting with '/' or '\\'"
            )

    def find(self, bucket: str, key: str) -> OssObject | None:
        return self.db.scalars(_OBJECT, {"bucket": bucket, "key": key}).first()

    def head(self, bucket: str, key: str) -> Row[Any]:
        """An object's columns, read only (`.size`, `.etag`, `.meta`...: an OssObject's names)."""
        self.require_bucket(bucket)
        self.check_key(key)
        found = self.db.connection().execute(_OBJECT_ROW, {"bucket": bucket, "key": key}).first()
        if found is None:
            raise OssError("NoSuchKey", BucketName=bucket, Key=key)
        return found

    def get(self, bucket: str, key: str) -> tuple[Row[Any], bytes]:
        found = self.head(bucket, key)
        try:
            return found, self.ctx.blobs.get(found.blob)
        except (KeyError, FileNotFoundError):  # deleted or overwritten by a request committed after this one began
            raise OssError("NoSuchKey", BucketName=bucket, Key=key) from None

    def put(
        self,
        bucket: str,
        key: str,
        data: bytes,
        content_type: str = "",
        content_md5: str | None = None,
        meta: dict | None = None,
        etag: str | None = None,
        object_type: str = "Normal",
    ) -> Stored:
        """Store the object (`etag`: the multipart one, else the MD5). Core statements on the session's connection:
        the ORM's select, unit of work and flush cost twice the rest of a PutObject."""
        self.check_bucket_name(bucket)
        try:
            self.check_key(key)
        except OssError:
            self.require_bucket(bucket)  # NoSuchBucket comes first
            raise
        if self.db.new or self.db.deleted:  # the lookup runs past the ORM: a bucket or object it holds goes first
            self.db.flush()
        conn = self.db.connection()
        found = conn.execute(_BUCKET_AND_OBJECT, {"bucket": bucket, "key": key}).first()
        if found is None:
            self.require_bucket(bucket)  # raises NoSuchBucket
        digest = check_md5(data, content_md5)
        assert found is not None  # the bucket exists
        values = dict(
            blob=self.ctx.blobs.replace(found.blob, data),
            etag=etag or digest.hex().upper(),
            size=len(data),
            content_type=content_type or "application/octet-stream",
            meta=meta or {},
            last_modified=self.ctx.now,
            object_type=object_type,
        )
        if found.id is None:
            conn.execute(_INSERT_OBJECT, {"bucket": bucket, "key": key, **values})
        elif conn.execute(_UPDATE_OBJECT, {"object_id": found.id, **values}).rowcount != 1:
            raise RuntimeError(f"object {bucket}/{key} was deleted while being replaced")  # as the ORM's StaleDataError
        return Stored(values["etag"], len(data))

    def delete(self, bucket: str, key: str) -> None:
        self.require_bucket(bucket)
        self.check_key(key)
        self._remove(bucket, key)

    def delete_many(self, bucket: str, keys: list[str]) -> None:
        self.require_bucket(bucket)
        for key in keys:
            self.check_key(key)
        for key in keys:
            self._remove(bucket, key)

    def _remove(self, bucket: str, key: str) -> None:
        found = self.find(bucket, key)
        if found is not None:
            self.db.delete(found)
            self.ctx.blobs.release(found.blob)  # the file goes once no record holds it

    def list(
        self, bucket: str, prefix: str = "", delimiter: str = "", marker: str = "", max_keys: int = 100
    ) -> Listing:
        self.require_bucket(bucket)
        # Sorted here, by UTF-8 bytes as OSS does: a database collation (PostgreSQL's) may order otherwise.
        objects = sorted(
            self.db.scalars(select(OssObject).where(OssObject.bucket == bucket)), key=lambda o: o.key.encode("utf-8")
        )
        listing = Listing()
        count = 0
        for obj in objects:
            if not obj.key.startswith(prefix) or (marker and obj.key.encode("utf-8") <= marker.encode("utf-8")):
                continue
            if delimiter:
                cut = obj.key.find(delimiter, len(prefix))
                if cut >= 0:
                    common = obj.key[: cut + len(delimiter)]
                    if common in listing.prefixes or (marker and common.encode("utf-8") <= marker.encode("utf-8")):
                        continue
                    if count == max_keys:
                        listing.truncated = True
                        break
                    listing.prefixes.append(common)
                    listing.next_marker = common
                    count += 1
                    continue
            if count == max_keys:
                listing.truncated = True
                break
            listing.objects.append(obj)
            listing.next_marker = obj.key
            count += 1
        if not listing.truncated:
            listing.next_marker = ""
        return listing

    def keys_under(self, bucket: str, key: str) -> list[str]:
        """The object `key` itself, or else every object under the study path `key/`."""
        if self.find(bucket, key) is not None:
            return [key]
        prefix = key if key.endswith("/") else key + "/"
        keys = self.db.scalars(select(OssObject.key).where(OssObject.bucket == bucket)).all()
        return sorted((k for k in keys if k.startswith(prefix)), key=lambda k: k.encode("utf-8"))

    # ---- STS ------------------------------------------------------------------------------------

    def issue_sts(self, access_key_id: str, access_key_secret: str, duration: int) -> StsCredential:
        """Temporary credentials, for a configured key pair (as AssumeRole would give them)."""
        configured = (self.ctx.config.get("oss") or {}).get("credentials") or {}
        if configured.get(access_key_id) != access_key_secret:
            raise OssError(
                "InvalidAccessKeyId",
                OSSAccessKeyId=access_key_id,
                explain="accessKeyId/accessKeySecret: not a configured OSS key pair",
            )
        n = self.ctx.counter("sts")
        cred = StsCredential(
            access_key_id="STS.mock" + self.ctx.hex(20, "sts-id", n),
            access_key_secret=base64.b64encode(bytes.fromhex(self.ctx.hex(30, "sts-secret", n))).decode(),
            security_token="mock-sts-token-"
            + base64.b64encode(bytes.fromhex(self.ctx.hex(96, "sts-token", n))).decode(),
            issued_at=self.ctx.now,
            expires_at=self.ctx.now + duration,
        )
        self.db.add(cred)
        return cred
