"""The answers of the multipart operations and AppendObject, which share their URL with the object's own operations
(oss/routes.py tells them apart by sub-resource: ?uploads, ?uploadId, ?partNumber, ?append)."""

from __future__ import annotations

from xml.etree import ElementTree

from flask import Response, request

from mockservers.aliyun.oss.answers import answer, iso8601, store, xml_answer
from mockservers.aliyun.oss.errors import OssError
from mockservers.aliyun.oss.multipart import MAX_PART_NUMBER, Multipart
from mockservers.core.validation import is_whole_number

MAX_PARTS_LISTED = 1000


def multipart() -> Multipart:
    return Multipart(store())


def number(name: str, default: int | None = None, least: int = 0, most: int | None = None) -> int:
    """A whole-number query argument within [least, most]; InvalidArgument otherwise."""
    value = request.args.get(name, "")
    if value == "" and default is not None:
        return default
    if not is_whole_number(value) or int(value) < least or (most is not None and int(value) > most):
        span = f"{least}-{most}" if most is not None else f"{least} or more"
        raise OssError("InvalidArgument", f"Argument {name} is invalid.", explain=f"{name}: a whole number, {span}")
    return int(value)


def meta_headers() -> dict[str, str]:
    return {k.lower(): v for k, v in request.headers.items() if k.lower().startswith("x-oss-meta-")}


def initiate(bucket: str, key: str) -> Response:
    upload = multipart().initiate(bucket, key, request.headers.get("Content-Type", ""), meta_headers())
    return xml_answer(
        "InitiateMultipartUploadResult", [("Bucket", bucket), ("Key", key), ("UploadId", upload.upload_id)]
    )


def upload_part(bucket: str, key: str) -> Response:
    part_number = number("partNumber", least=1, most=MAX_PART_NUMBER)
    part = multipart().put_part(
        bucket,
        key,
        request.args["uploadId"],
        part_number,
        request.get_data(cache=True),
        request.headers.get("Content-MD5"),
    )
    response = answer()
    response.headers["ETag"] = f'"{part.etag}"'
    return response


def list_parts(bucket: str, key: str) -> Response:
    upload_id = request.args["uploadId"]
    marker = number("part-number-marker", default=0)
    most = number("max-parts", default=MAX_PARTS_LISTED, least=1, most=MAX_PARTS_LISTED)
    page = multipart().list_parts(bucket, key, upload_id, marker, most)
    tags: list = [
        ("Bucket", bucket),
        ("Key", key),
        ("UploadId", upload_id),
        ("PartNumberMarker", marker),
        ("NextPartNumberMarker", page.next_marker),
        ("MaxParts", most),
        ("IsTruncated", "true" if page.truncated else "false"),
    ]
    tags += [
        f"<Part><PartNumber>{p.part_number}</PartNumber><LastModified>{iso8601(p.last_modified)}</LastModified>"
        f'<ETag>"{p.etag}"</ETag><Size>{p.size}</Size></Part>'
        for p in page.parts
    ]
    return xml_answer("ListPartsResult", tags)


def _wanted_parts(body: bytes) -> list[tuple[int, str]]:
    """(PartNumber, ETag) of a <CompleteMultipartUpload> body, in its order."""
    try:
        root = ElementTree.fromstring(body)
    except ElementTree.ParseError:
        root = None
    parts = root.findall("Part") if root is not None and root.tag == "CompleteMultipartUpload" else []
    wanted = []
    for part in parts:
        n, etag = (part.findtext("PartNumber") or "").strip(), (part.findtext("ETag") or "").strip().strip('"')
        if not is_whole_number(n) or not etag:
            parts = []
            break
        wanted.append((int(n), etag))
    if not parts:
        raise OssError(
            "MalformedXML",
            explain="body: <CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>...</ETag></Part>...",
        )
    return wanted


def complete(bucket: str, key: str) -> Response:
    obj = multipart().complete(bucket, key, request.args["uploadId"], _wanted_parts(request.get_data(cache=True)))
    response = xml_answer(
        "CompleteMultipartUploadResult",
        [
            ("Location", f"{request.host_url}{bucket}/{key}"),
            ("Bucket", bucket),
            ("Key", key),
            ("ETag", f'"{obj.etag}"'),
        ],
    )
    response.headers["ETag"] = f'"{obj.etag}"'
    return response


def abort(bucket: str, key: str) -> Response:
    multipart().abort(bucket, key, request.args["uploadId"])
    return answer(status=204)


def append(bucket: str, key: str) -> Response:
    obj = multipart().append(
        bucket,
        key,
        number("position"),
        request.get_data(cache=True),
        request.headers.get("Content-Type", ""),
        request.headers.get("Content-MD5"),
        meta_headers(),
    )
    response = answer()
    response.headers["ETag"] = f'"{obj.etag}"'
    response.headers["x-oss-next-append-position"] = str(obj.size)
    return response
