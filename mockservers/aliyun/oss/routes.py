"""The object store's HTTP surface at the server root, path style: /<bucket>/ and /<bucket>/<key>. One declaration
per operation oss2 calls; they are not in the platform's OpenAPI document, whose vendor document has no OSS
(docs/aliyun.md): declared with published=False."""

from __future__ import annotations

import re
from urllib.parse import quote
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from flask import Response, current_app, request
from werkzeug.routing import BaseConverter

from mockservers.aliyun.oss import auth, uploads
from mockservers.aliyun.oss.answers import answer, http_date, iso8601, store, xml_answer
from mockservers.aliyun.oss.errors import CATALOG, OssError
from mockservers.aliyun.oss.schemas import ListBucketsQuery, ListQuery
from mockservers.aliyun.oss.store import MAX_LIST_KEYS, OssStore, check_md5, reserved_bucket_names
from mockservers.core.endpoints import Endpoints
from mockservers.core.http import current_ctx
from mockservers.core.openapi import Reply
from mockservers.core.validation import is_whole_number

# Sub-resources this store serves; any other one is answered NotImplemented rather than silently ignored.
SERVED = {
    "objectMeta",
    "uploads",
    "uploadId",
    "partNumber",
    "append",
    "position",
    "delete",
    "continuation-token",
    "security-token",
    "response-content-type",
    "response-content-disposition",
    "response-cache-control",
    "response-content-encoding",
    "response-content-language",
    "response-expires",
}
# Served on an object's URL only (multipart uploads, AppendObject).
OBJECT_ONLY = {"uploads", "uploadId", "partNumber", "append", "position"}

RESPONSE_OVERRIDES = {
    "response-content-type": "Content-Type",
    "response-content-disposition": "Content-Disposition",
    "response-cache-control": "Cache-Control",
    "response-content-encoding": "Content-Encoding",
    "response-content-language": "Content-Language",
    "response-expires": "Expires",
}
SDK = "inferred: the oss2 SDK's "
BUCKET = {"bucket": "the bucket, path style (3-63 of a-z, 0-9, '-'; not a vendor key of the mock nor 'viewer')"}
OBJECT = {**BUCKET, "key": "the object's key (any Unicode, '/' included)"}
IN_BUCKET = {"bucket": "oss_bucket"}  # the Flask converters of the path values
IN_OBJECT = {**IN_BUCKET, "key": "path"}


class BucketConverter(BaseConverter):
    """A first path segment that is not a vendor prefix nor /__admin: those routes are someone else's. Said in the
    regex, not in to_python(), so the router never counts these rules as matching a vendor's path: their methods
    would otherwise be in that path's Allow (OPTIONS, 405)."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, *args, **kwargs)
        vendors = "|".join(re.escape(key) for key in sorted(reserved_bucket_names()))
        self.regex = rf"(?!__)(?!(?:{vendors})(?:/|$))[^/]+"


def _replies(success: int, description: str, binary: bool = False) -> dict[int, Reply]:
    """The operation's answer, then OSS's XML errors by status."""
    by_status: dict[int, list[str]] = {}
    for code, (status, _) in CATALOG.items():
        by_status.setdefault(status, []).append(code)
    errors = {status: Reply(", ".join(codes), media="application/xml") for status, codes in by_status.items()}
    return {
        success: Reply(description, media="application/octet-stream" if binary else "application/xml", binary=binary),
        **errors,
    }


def authenticate(bucket: str = "", key: str = "") -> str:
    """The request's AccessKeyId: a bucket name OSS takes, no sub-resource the mock does not serve, and a good
    signature (in that order). No bucket: the service itself (ListBuckets)."""
    if bucket:
        OssStore.check_bucket_name(bucket)
    params = request.args.to_dict()
    unsupported = sorted(p for p in params if p in auth.SUBRESOURCES and p not in SERVED)
    unsupported += sorted(p for p in params if not key and p in OBJECT_ONLY)  # ListMultipartUploads is ?uploads
    if unsupported:
        raise OssError("NotImplemented", explain=f"sub-resource {unsupported[0]!r} is not served by the mock OSS")
    headers = {k.lower(): v for k, v in request.headers.items()}
    return auth.authenticate(current_ctx(), request.method, headers, bucket, key, params)


def invalid_argument(field: str, message: str) -> OssError:
    """A query argument OSS refuses; max-keys is the only one the store checks (oss/schemas.py)."""
    return OssError("InvalidArgument", f"Argument {field} {message}.", explain=f"{field}: 1-{MAX_LIST_KEYS}")


api = Endpoints(
    "aliyun_oss",
    __name__,
    reject=invalid_argument,
    authenticate=authenticate,
    url_converters={"oss_bucket": BucketConverter},
)


# ---- buckets ------------------------------------------------------------------------------------


@api(
    "PUT",
    "/{bucket}/",
    name="PutBucket",
    summary="Create a bucket (already yours: nothing changes)",
    source=SDK + "Bucket.create_bucket",
    auth=True,
    converters=IN_BUCKET,
    also_at=("/{bucket}",),
    published=False,
    path_params=BUCKET,
    responses=_replies(200, "created (Location: /<bucket>)"),
)
def put_bucket(bucket: str, caller: str) -> Response:
    store().create_bucket(bucket)
    response = answer()
    response.headers["Location"] = f"/{bucket}"
    return response


@api(
    "DELETE",
    "/{bucket}/",
    name="DeleteBucket",
    summary="Delete an empty bucket",
    source=SDK + "Bucket.delete_bucket",
    auth=True,
    converters=IN_BUCKET,
    also_at=("/{bucket}",),
    published=False,
    path_params=BUCKET,
    responses=_replies(204, "deleted"),
)
def delete_bucket(bucket: str, caller: str) -> Response:
    store().delete_bucket(bucket)
    return answer(status=204)


@api(
    "POST",
    "/{bucket}/",
    name="DeleteMultipleObjects",
    summary="Delete up to 1000 keys (?delete, <Delete><Object><Key>...); any other POST is MethodNotAllowed",
    source=SDK + "Bucket.batch_delete_objects",
    auth=True,
    converters=IN_BUCKET,
    also_at=("/{bucket}",),
    published=False,
    path_params=BUCKET,
    responses=_replies(200, "<DeleteResult>, unless <Quiet>true</Quiet>"),
)
def delete_multiple(bucket: str, caller: str) -> Response:
    if "delete" not in request.args:
        raise OssError("MethodNotAllowed", explain="POST /<bucket>/ serves only ?delete (DeleteMultipleObjects)")
    data = request.get_data(cache=True)
    check_md5(data, request.headers.get("Content-MD5"))
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError:
        root = None
    keys = [node.text or "" for node in root.findall("Object/Key")] if root is not None else []
    if root is None or root.tag != "Delete" or not 1 <= len(keys) <= 1000:
        raise OssError("MalformedXML", explain="body: <Delete><Object><Key>k</Key></Object>...</Delete>, 1-1000 keys")
    store().delete_many(bucket, keys)
    encode = request.args.get("encoding-type") == "url"
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<DeleteResult>"]
    if encode:
        lines.append("<EncodingType>url</EncodingType>")
    if (root.findtext("Quiet") or "").lower() != "true":
        lines += [f"<Deleted><Key>{escape(quote(k, safe='/') if encode else k)}</Key></Deleted>" for k in keys]
    lines.append("</DeleteResult>")
    return answer("\n".join(lines).encode("utf-8"), mimetype="application/xml")


@api(
    "GET",
    "/{bucket}/",
    name="ListObjects",
    summary="List a bucket's objects (v1, or v2 with list-type=2): prefix, delimiter, marker, max-keys",
    source=SDK + "Bucket.list_objects and list_objects_v2 (GetBucket)",
    auth=True,
    query=ListQuery,
    converters=IN_BUCKET,
    also_at=("/{bucket}",),
    published=False,
    path_params=BUCKET,
    responses=_replies(200, "<ListBucketResult>"),
)
def list_objects(bucket: str, caller: str, query: dict) -> Response:
    v2 = query["list_type"] == "2"
    encode = query["encoding_type"] == "url"
    prefix, delimiter = query["prefix"], query["delimiter"]
    marker = query["continuation_token"] or query["start_after"] if v2 else query["marker"]
    listing = store().list(bucket, prefix, delimiter, marker, query["max_keys"])

    def text(value: str) -> str:
        return escape(quote(value, safe="/") if encode else value)

    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<ListBucketResult>",
        f"<Name>{escape(bucket)}</Name>",
        f"<Prefix>{text(prefix)}</Prefix>",
    ]
    if v2:
        lines += [
            f"<ContinuationToken>{text(query['continuation_token'])}</ContinuationToken>",
            f"<StartAfter>{text(query['start_after'])}</StartAfter>",
        ]
    else:
        lines.append(f"<Marker>{text(marker)}</Marker>")
    lines += [f"<MaxKeys>{query['max_keys']}</MaxKeys>", f"<Delimiter>{text(delimiter)}</Delimiter>"]
    if encode:
        lines.append("<EncodingType>url</EncodingType>")
    lines.append(f"<IsTruncated>{'true' if listing.truncated else 'false'}</IsTruncated>")
    if listing.truncated:
        tag = "NextContinuationToken" if v2 else "NextMarker"
        lines.append(f"<{tag}>{text(listing.next_marker)}</{tag}>")
    if v2:
        lines.append(f"<KeyCount>{len(listing.objects) + len(listing.prefixes)}</KeyCount>")
    for obj in listing.objects:
        lines += [
            "<Contents>",
            f"<Key>{text(obj.key)}</Key>",
            f"<LastModified>{iso8601(obj.last_modified)}</LastModified>",
            f'<ETag>"{obj.etag}"</ETag>',
            f"<Type>{obj.object_type}</Type>",
            f"<Size>{obj.size}</Size>",
            "<StorageClass>Standard</StorageClass>",
        ]
        if not v2 or query["fetch_owner"] == "true":
            lines.append("<Owner><ID>mock-owner</ID><DisplayName>mock-owner</DisplayName></Owner>")
        lines.append("</Contents>")
    for common in listing.prefixes:
        lines.append(f"<CommonPrefixes><Prefix>{text(common)}</Prefix></CommonPrefixes>")
    lines.append("</ListBucketResult>")
    return answer("\n".join(lines).encode("utf-8"), mimetype="application/xml")


# ---- objects ------------------------------------------------------------------------------------


def object_headers(response: Response, obj) -> None:
    response.headers["ETag"] = f'"{obj.etag}"'
    response.headers["Last-Modified"] = http_date(obj.last_modified)
    response.headers["x-oss-object-type"] = obj.object_type
    if obj.object_type == "Appendable":
        response.headers["x-oss-next-append-position"] = str(obj.size)
    response.headers["x-oss-storage-class"] = "Standard"
    response.headers["Accept-Ranges"] = "bytes"
    for name, value in (obj.meta or {}).items():
        response.headers[name] = value


def _range(header: str, size: int) -> tuple[int, int] | None:
    """A single 'bytes=a-b' range; anything OSS would ignore answers the whole object."""
    if not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[len("bytes=") :].strip().partition("-")
    if first == "" and is_whole_number(last):
        n = int(last)
        return (max(size - n, 0), size - 1) if n else None
    if not is_whole_number(first) or (last and not is_whole_number(last)):
        return None
    start, end = int(first), int(last) if last else size - 1
    if start > end:
        return None
    if start >= size:
        raise OssError("InvalidRange", explain=f"Range: the object has {size} bytes")
    return start, min(end, size - 1)


def send_object(bucket: str, key: str) -> Response:
    """GetObject's answer (a HEAD's too, without the body)."""
    obj, data = store().get(bucket, key)
    span = _range(request.headers.get("Range", ""), obj.size)
    status = 200
    if span is not None:
        data, status = data[span[0] : span[1] + 1], 206
    overrides = {arg: request.args[arg] for arg in RESPONSE_OVERRIDES if request.args.get(arg)}
    for arg, value in overrides.items():
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise OssError("InvalidArgument", explain=f"{arg}: an HTTP header value must be latin-1") from None
    response = answer(data, status=status)
    response.headers["Content-Type"] = overrides.get("response-content-type") or obj.content_type
    if span is not None:
        response.headers["Content-Range"] = f"bytes {span[0]}-{span[1]}/{obj.size}"
    for arg, header in RESPONSE_OVERRIDES.items():
        if arg in overrides and header != "Content-Type":
            response.headers[header] = overrides[arg]
    object_headers(response, obj)
    return response


@api(
    "HEAD",
    "/{bucket}/{key}",
    name="HeadObject",
    summary="An object's headers; with ?objectMeta only its basic ones (GetObjectMeta)",
    source=SDK + "Bucket.head_object and get_object_meta",
    auth=True,
    converters=IN_OBJECT,
    published=False,
    path_params=OBJECT,
    responses=_replies(200, "the headers, no body (on an error, its XML in x-oss-err)"),
)
def head_object(bucket: str, key: str, caller: str) -> Response:
    if "objectMeta" not in request.args:
        return send_object(bucket, key)
    obj = store().head(bucket, key)
    response = answer()
    response.headers["Content-Length"] = str(obj.size)
    object_headers(response, obj)
    return response


@api(
    "GET",
    "/{bucket}/{key}",
    name="GetObject",
    summary="An object, or a Range of it; response-* arguments override its headers. With ?uploadId: ListParts",
    source=SDK + "Bucket.get_object and list_parts",
    auth=True,
    converters=IN_OBJECT,
    published=False,
    path_params=OBJECT,
    responses=_replies(200, "the object (206 with a Range)", binary=True),
)
def get_object(bucket: str, key: str, caller: str) -> Response:
    if "uploadId" in request.args:
        return uploads.list_parts(bucket, key)
    return send_object(bucket, key)


@api(
    "PUT",
    "/{bucket}/{key}",
    name="PutObject",
    summary="Store an object (Content-MD5 checked, x-oss-meta-* kept). With ?partNumber&uploadId: UploadPart",
    source=SDK + "Bucket.put_object and upload_part",
    auth=True,
    converters=IN_OBJECT,
    published=False,
    path_params=OBJECT,
    responses=_replies(200, "stored (ETag: the MD5, upper-case hex)"),
)
def put_object(bucket: str, key: str, caller: str) -> Response:
    if "uploadId" in request.args or "partNumber" in request.args:
        if request.headers.get("x-oss-copy-source"):
            raise OssError("NotImplemented", explain="x-oss-copy-source: UploadPartCopy is not served by the mock OSS")
        return uploads.upload_part(bucket, key)
    if request.headers.get("x-oss-copy-source"):
        raise OssError("NotImplemented", explain="x-oss-copy-source: CopyObject is not served by the mock OSS")
    meta = {k.lower(): v for k, v in request.headers.items() if k.lower().startswith("x-oss-meta-")}
    obj = store().put(
        bucket,
        key,
        request.get_data(cache=True),
        request.headers.get("Content-Type", ""),
        request.headers.get("Content-MD5"),
        meta,
    )
    response = answer()
    response.headers["ETag"] = f'"{obj.etag}"'
    if request.headers.get("Content-MD5"):
        response.headers["Content-MD5"] = request.headers["Content-MD5"]
    return response


@api(
    "DELETE",
    "/{bucket}/{key}",
    name="DeleteObject",
    summary="Delete an object (none there: still 204). With ?uploadId: AbortMultipartUpload",
    source=SDK + "Bucket.delete_object and abort_multipart_upload",
    auth=True,
    converters=IN_OBJECT,
    published=False,
    path_params=OBJECT,
    responses=_replies(204, "deleted"),
)
def delete_object(bucket: str, key: str, caller: str) -> Response:
    if "uploadId" in request.args:
        return uploads.abort(bucket, key)
    store().delete(bucket, key)
    return answer(status=204)


@api(
    "POST",
    "/{bucket}/{key}",
    name="PostObject",
    summary="InitiateMultipartUpload (?uploads), CompleteMultipartUpload (?uploadId), AppendObject "
    "(?append&position); any other POST is MethodNotAllowed",
    source=SDK + "Bucket.init_multipart_upload, complete_multipart_upload and append_object",
    auth=True,
    converters=IN_OBJECT,
    published=False,
    path_params=OBJECT,
    responses=_replies(200, "<InitiateMultipartUploadResult>, <CompleteMultipartUploadResult>, or appended"),
)
def post_object(bucket: str, key: str, caller: str) -> Response:
    if "uploads" in request.args:
        return uploads.initiate(bucket, key)
    if "uploadId" in request.args:
        return uploads.complete(bucket, key)
    if "append" in request.args:
        return uploads.append(bucket, key)
    raise OssError("MethodNotAllowed", explain="POST /<bucket>/<key> serves only ?uploads, ?uploadId and ?append")


# ---- the service: GET / signed with OSS credentials ---------------------------------------------


@api(
    "GET",
    "/",
    name="ListBuckets",
    summary="The buckets (prefix, marker, max-keys); the root unsigned is the dashboard's",
    source=SDK + "Service.list_buckets (GetService)",
    auth=True,
    query=ListBucketsQuery,
    published=False,
    responses=_replies(200, "<ListAllMyBucketsResult>"),
)
def list_buckets(caller: str, query: dict) -> Response:
    names, truncated = store().bucket_names(query["prefix"], query["marker"], query["max_keys"])
    tags: list = [
        ("Prefix", query["prefix"]),
        ("Marker", query["marker"]),
        ("MaxKeys", query["max_keys"]),
        ("IsTruncated", "true" if truncated else "false"),
    ]
    if truncated:
        tags.append(("NextMarker", names[-1].name))
    tags.append("<Owner><ID>mock-owner</ID><DisplayName>mock-owner</DisplayName></Owner>")
    tags.append("<Buckets>")
    tags += [
        f"<Bucket><CreationDate>{iso8601(b.created_at)}</CreationDate>"
        f"<ExtranetEndpoint>{escape(request.host)}</ExtranetEndpoint>"
        f"<IntranetEndpoint>{escape(request.host)}</IntranetEndpoint><Location>oss-cn-beijing</Location>"
        f"<Name>{escape(b.name)}</Name><Region>cn-beijing</Region><StorageClass>Standard</StorageClass></Bucket>"
        for b in names
    ]
    tags.append("</Buckets>")
    return xml_answer("ListAllMyBucketsResult", tags)


@api.blueprint.app_url_value_preprocessor
def _service_at_root(endpoint, values):
    """GET / is the dashboard's rule, matched first; signed with OSS credentials it is ListBuckets. Swapped here,
    before every before_request hook (the admin token's guard, which must not take it for the dashboard, and the
    core's, which gives it to aliyun: vendor.py's claims_root_path)."""
    if request.path == "/" and request.method == "GET" and auth.is_signed(request.args, request.headers):
        rule = next(current_app.url_map.iter_rules(f"{api.blueprint.name}.list_buckets"))
        request.url_rule, request.view_args = rule, {}
