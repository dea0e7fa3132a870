"""OSS's error codes and its XML error body, as data (core/errors.py renders them)."""

from __future__ import annotations

import base64
from xml.sax.saxutils import escape

from flask import request

from mockservers.aliyun.ids import oss_request_id
from mockservers.core.errors import Bare, Dialect, VendorError

# code -> (HTTP status, message): the statuses oss2 maps to its exception classes.
CATALOG: dict[str, tuple[int, str]] = {
    "AccessDenied": (403, "You have no right to access this object because of bucket acl."),
    "InvalidAccessKeyId": (403, "The OSS Access Key Id you provided does not exist in our records."),
    "SignatureDoesNotMatch": (
        403,
        "The request signature we calculated does not match the signature you "
        "provided. Check your key and signing method.",
    ),
    "InvalidSecurityToken": (403, "The security token you provided is invalid."),
    "SecurityTokenExpired": (403, "The security token you provided has expired."),
    "NoSuchBucket": (404, "The specified bucket does not exist."),
    "NoSuchKey": (404, "The specified key does not exist."),
    "BucketNotEmpty": (409, "The bucket you tried to delete is not empty."),
    "NoSuchUpload": (
        404,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may "
        "have been aborted or completed.",
    ),
    "InvalidPart": (
        400,
        "One or more of the specified parts could not be found or the specified entity tag might "
        "not have matched the part's entity tag.",
    ),
    "InvalidPartOrder": (400, "The list of parts was not in ascending order."),
    "EntityTooSmall": (400, "Your proposed upload is smaller than the minimum allowed size."),
    "ObjectNotAppendable": (409, "The object is not appendable."),
    "PositionNotEqualToLength": (409, "Position is not equal to file length."),
    "InvalidBucketName": (400, "The specified bucket is not valid."),
    "InvalidObjectName": (400, "The specified object is not valid."),
    "InvalidDigest": (400, "The Content-MD5 you specified is not valid."),
    "InvalidArgument": (400, "The argument you specified is not valid."),
    "MalformedXML": (400, "The XML you provided was not well-formed or did not validate against our published schema."),
    "InvalidRange": (416, "The requested range cannot be satisfied."),
    "NotImplemented": (400, "The operation is not supported by this mock OSS."),
    "MethodNotAllowed": (405, "The specified method is not allowed against this resource."),
    "EntityTooLarge": (400, "Your proposed upload exceeds the maximum allowed size."),
    "InternalError": (500, "We encountered an internal error. Please try again."),
}


class OssError(VendorError):
    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        status: int | None = None,
        explain: str | None = None,
        headers: dict[str, str] | None = None,
        **details: str,
    ):
        default_status, default_message = CATALOG[code]
        super().__init__(message or default_message, status=status or default_status, explain=explain)
        self.code = code
        self.details = details  # extra tags: BucketName, Key, OSSAccessKeyId, StringToSign...
        self.headers = headers or {}  # extra headers: x-oss-next-append-position...


def error_xml(error: OssError, request_id: str, host_id: str) -> bytes:
    tags = {"Code": error.code, "Message": error.message, "RequestId": request_id, "HostId": host_id, **error.details}
    body = "".join(f"  <{k}>{escape(str(v))}</{k}>\n" for k, v in tags.items())
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n{body}</Error>\n'.encode()


def _error_envelope(error: OssError) -> tuple[bytes, dict[str, str]]:
    request_id = oss_request_id()
    xml = error_xml(error, request_id, request.host)
    headers = {"x-oss-request-id": request_id, **error.headers}
    if request.method == "HEAD":  # no body on HEAD: OSS puts the error in a header, which oss2 decodes
        headers["x-oss-err"] = base64.b64encode(xml).decode("ascii")
    return xml, headers


DIALECT = Dialect(
    error=OssError,
    catalog=CATALOG,
    envelope=_error_envelope,
    media_type="application/xml",
    bare={
        404: Bare("InvalidBucketName"),
        405: Bare("MethodNotAllowed"),
        413: Bare("EntityTooLarge"),
        400: Bare("InvalidArgument"),
        500: Bare("InternalError"),
    },
)
