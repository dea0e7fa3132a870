"""The object store's HTTP surface at the server root, path style: /<bucket>/ and /<bucket>/<key>."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import formatdate
from urllib.parse import quote
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from flask import Blueprint, Response, request
from werkzeug.routing import BaseConverter

from mockservers.aliyun.ids import oss_request_id as request_id
from mockservers.aliyun.oss import auth
from mockservers.aliyun.oss.errors import OssError
from mockservers.aliyun.oss.store import MAX_LIST_KEYS, OssStore, check_md5, reserved_bucket_names
from mockservers.core.http import current_ctx
from mockservers.core.validation import is_whole_number

blueprint = Blueprint("aliyun_oss", __name__)
# Sub-resources this store serves; any other one is answered NotImplemented rather than silently ignored.
SERVED = {"objectMeta", "delete", "continuation-token", "security-token", "response-content-type",
          "response-content-disposition", "response-cache-control", "response-content-encoding",
          "response-content-language", "response-expires"}

RESPONSE_OVERRIDES = {"response-content-type": "Content-Type", "response-content-disposition": "Content-Disposition",
                      "response-cache-control": "Cache-Control", "response-content-encoding": "Content-Encoding",
                      "response-content-language": "Content-Language", "response-expires": "Expires"}


class BucketConverter(BaseConverter):
    """A first path segment that is not a vendor prefix nor /__admin: those routes are someone else's. Said in the
    regex, not in to_python(), so the router never counts these rules as matching a vendor's path: their methods
    would otherwise be in that path's Allow (OPTIONS, 405)."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, *args, **kwargs)
        vendors = "|".join(re.escape(key) for key in sorted(reserved_bucket_names()))
        self.regex = rf"(?!__)(?!(?:{vendors})(?:/|$))[^/]+"


@blueprint.record_once
def _register_converter(state):
    state.app.url_map.converters["oss_bucket"] = BucketConverter


def http_date(ts: float) -> str:
    return formatdate(ts, usegmt=True)


def iso8601(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def store() -> OssStore:
    return OssStore(current_ctx())


def authenticate(bucket: str, key: str) -> str:
    params = request.args.to_dict()
    unsupported = sorted(p for p in params if p in auth.SUBRESOURCES and p not in SERVED)
    if unsupported:
        raise OssError("NotImplemented", explain=f"sub-resource {unsupported[0]!r} is not served by the mock OSS")
    headers = {k.lower(): v for k, v in request.headers.items()}
    return auth.authenticate(current_ctx(), request.method, headers, bucket, key, params)


def answer(body: bytes = b"", status: int = 200, mimetype: str | None = None) -> Response:
    response = Response(body, status=status, mimetype=mimetype)
    response.headers["x-oss-request-id"] = request_id()
    response.headers["Date"] = http_date(current_ctx().now)
    response.headers["Server"] = "AliyunOSS"
    return response


# ---- buckets ------------------------------------------------------------------------------------

@blueprint.route("/<oss_bucket:bucket>", methods=["GET", "PUT", "DELETE", "POST"], strict_slashes=True)
@blueprint.route("/<oss_bucket:bucket>/", methods=["GET", "PUT", "DELETE", "POST"])
def bucket_level(bucket: str):
    OssStore.check_bucket_name(bucket)
    authenticate(bucket, "")
    if request.method == "POST":
        if "delete" not in request.args:
            raise OssError("MethodNotAllowed", explain="POST /<bucket>/ serves only ?delete (DeleteMultipleObjects)")
        return delete_multiple(bucket)
    if request.method == "PUT":
        store().create_bucket(bucket)
        response = answer()
        response.headers["Location"] = f"/{bucket}"
        return response
    if request.method == "DELETE":
        store().delete_bucket(bucket)
        return answer(status=204)
    return list_objects(bucket)


def delete_multiple(bucket: str) -> Response:
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


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if not is_whole_number(raw) or not 1 <= int(raw) <= MAX_LIST_KEYS:
        raise OssError("InvalidArgument", f"Argument {name} must be an integer between 1 and {MAX_LIST_KEYS}.",
                       explain=f"{name}: 1-{MAX_LIST_KEYS}")
    return int(raw)


def list_objects(bucket: str) -> Response:
    args = request.args
    v2 = args.get("list-type") == "2"
    encode = args.get("encoding-type") == "url"
    prefix, delimiter = args.get("prefix", ""), args.get("delimiter", "")
    marker = args.get("continuation-token") or args.get("start-after", "") if v2 else args.get("marker", "")
    listing = store().list(bucket, prefix, delimiter, marker, _int_arg("max-keys", 100))

    def text(value: str) -> str:
        return escape(quote(value, safe="/") if encode else value)

    lines = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>", "<ListBucketResult>", f"<Name>{escape(bucket)}</Name>",
             f"<Prefix>{text(prefix)}</Prefix>"]
    if v2:
        lines += [f"<ContinuationToken>{text(args.get('continuation-token', ''))}</ContinuationToken>",
                  f"<StartAfter>{text(args.get('start-after', ''))}</StartAfter>"]
    else:
        lines.append(f"<Marker>{text(marker)}</Marker>")
    lines += [f"<MaxKeys>{_int_arg('max-keys', 100)}</MaxKeys>", f"<Delimiter>{text(delimiter)}</Delimiter>"]
    if encode:
        lines.append("<EncodingType>url</EncodingType>")
    lines.append(f"<IsTruncated>{'true' if listing.truncated else 'false'}</IsTruncated>")
    if listing.truncated:
        tag = "NextContinuationToken" if v2 else "NextMarker"
        lines.append(f"<{tag}>{text(listing.next_marker)}</{tag}>")
    if v2:
        lines.append(f"<KeyCount>{len(listing.objects) + len(listing.prefixes)}</KeyCount>")
    for obj in listing.objects:
        lines += ["<Contents>", f"<Key>{text(obj.key)}</Key>",
                  f"<LastModified>{iso8601(obj.last_modified)}</LastModified>", f"<ETag>\"{obj.etag}\"</ETag>",
                  "<Type>Normal</Type>", f"<Size>{obj.size}</Size>", "<StorageClass>Standard</StorageClass>"]
        if not v2 or args.get("fetch-owner") == "true":
            lines.append("<Owner><ID>mock-owner</ID><DisplayName>mock-owner</DisplayName></Owner>")
        lines.append("</Contents>")
    for common in listing.prefixes:
        lines.append(f"<CommonPrefixes><Prefix>{text(common)}</Prefix></CommonPrefixes>")
    lines.append("</ListBucketResult>")
    return answer("\n".join(lines).encode("utf-8"), mimetype="application/xml")


# ---- objects ------------------------------------------------------------------------------------

def object_headers(response: Response, obj) -> None:
    response.headers["ETag"] = f"\"{obj.etag}\""
    response.headers["Last-Modified"] = http_date(obj.last_modified)
    response.headers["x-oss-object-type"] = "Normal"
    response.headers["x-oss-storage-class"] = "Standard"
    response.headers["Accept-Ranges"] = "bytes"
    for name, value in (obj.meta or {}).items():
        response.headers[name] = value


@blueprint.route("/<oss_bucket:bucket>/<path:key>", methods=["GET", "PUT", "DELETE"])
def object_level(bucket: str, key: str):
    OssStore.check_bucket_name(bucket)
    authenticate(bucket, key)
    if request.method == "PUT":
        return put_object(bucket, key)
    if request.method == "DELETE":
        store().delete(bucket, key)
        return answer(status=204)
    if request.method == "HEAD" and "objectMeta" in request.args:
        obj = store().head(bucket, key)
        response = answer()
        response.headers["Content-Length"] = str(obj.size)
        object_headers(response, obj)
        return response
    return get_object(bucket, key)


def put_object(bucket: str, key: str) -> Response:
    if request.headers.get("x-oss-copy-source"):
        raise OssError("NotImplemented", explain="x-oss-copy-source: CopyObject is not served by the mock OSS")
    meta = {k.lower(): v for k, v in request.headers.items() if k.lower().startswith("x-oss-meta-")}
    obj = store().put(bucket, key, request.get_data(cache=True), request.headers.get("Content-Type", ""),
                      request.headers.get("Content-MD5"), meta)
    response = answer()
    response.headers["ETag"] = f"\"{obj.etag}\""
    response.headers["Content-MD5"] = request.headers.get("Content-MD5") or ""
    return response


def _range(header: str, size: int) -> tuple[int, int] | None:
    """A single 'bytes=a-b' range; anything OSS would ignore answers the whole object."""
    if not header.startswith("bytes=") or "," in header:
        return None
    first, _, last = header[len("bytes="):].strip().partition("-")
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


def get_object(bucket: str, key: str) -> Response:
    obj, data = store().get(bucket, key)
    span = _range(request.headers.get("Range", ""), obj.size)
    status = 200
    if span is not None:
        data, status = data[span[0]:span[1] + 1], 206
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
