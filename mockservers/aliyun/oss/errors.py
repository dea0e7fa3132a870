"""OSS's error codes and its XML error body."""
from __future__ import annotations

import base64
from xml.sax.saxutils import escape

from flask import Response

from mockservers.core.vendor import VendorError

# code -> (HTTP status, message): the statuses oss2 maps to its exception classes.
CATALOG: dict[str, tuple[int, str]] = {
    "AccessDenied": (403, "You have no right to access this object because of bucket acl."),
    "InvalidAccessKeyId": (403, "The OSS Access Key Id you provided does not exist in our records."),
    "SignatureDoesNotMatch": (403, "The request signature we calculated does not match the signature you "
                                   "provided. Check your key and signing method."),
    "InvalidSecurityToken": (403, "The security token you provided is invalid."),
    "SecurityTokenExpired": (403, "The security token you provided has expired."),
    "NoSuchBucket": (404, "The specified bucket does not exist."),
    "NoSuchKey": (404, "The specified key does not exist."),
    "BucketNotEmpty": (409, "The bucket you tried to delete is not empty."),
    "InvalidBucketName": (400, "The specified bucket is not valid."),
    "InvalidObjectName": (400, "The specified object is not valid."),
    "InvalidDigest": (400, "The Content-MD5 you specified is not valid."),
    "InvalidArgument": (400, "The argument you specified is not valid."),
    "MalformedXML": (400, "The XML you provided was not well-formed or did not validate against our published "
                          "schema."),
    "InvalidRange": (416, "The requested range cannot be satisfied."),
    "NotImplemented": (400, "The operation is not supported by this mock OSS."),
    "MethodNotAllowed": (405, "The specified method is not allowed against this resource."),
    "EntityTooLarge": (400, "Your proposed upload exceeds the maximum allowed size."),
    "InternalError": (500, "We encountered an internal error. Please try again."),
}


class AsciiExplain:
    """`explain` becomes the X-Mock-Explain header, which must be latin-1: keys and UIDs may be any Unicode."""

    @property
    def explain(self) -> str | None:
        return self._explain

    @explain.setter
    def explain(self, value: str | None) -> None:
        self._explain = None if value is None else value.encode("ascii", "backslashreplace").decode("ascii")


class OssError(AsciiExplain, VendorError):
    def __init__(self, code: str, message: str | None = None, *, status: int | None = None,
                 explain: str | None = None, **details: str):
        default_status, default_message = CATALOG[code]
        super().__init__(message or default_message, status=status or default_status, explain=explain)
        self.code = code
        self.details = details  # extra tags: BucketName, Key, OSSAccessKeyId, StringToSign...


def error_xml(error: OssError, request_id: str, host_id: str) -> bytes:
    tags = {"Code": error.code, "Message": error.message, "RequestId": request_id, "HostId": host_id,
            **error.details}
    body = "".join(f"  <{k}>{escape(str(v))}</{k}>\n" for k, v in tags.items())
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n{body}</Error>\n'.encode("utf-8")


def render(error: OssError, request_id: str, host_id: str, method: str) -> Response:
    xml = error_xml(error, request_id, host_id)
    response = Response(xml, status=error.status, mimetype="application/xml")
    response.headers["x-oss-request-id"] = request_id
    if method == "HEAD":  # no body on HEAD: OSS puts the error in a header, which oss2 decodes
        response.headers["x-oss-err"] = base64.b64encode(xml).decode("ascii")
    return response


def for_http_status(status: int, description: str = "") -> OssError:
    if status == 405:
        return OssError("MethodNotAllowed", explain=description or None)
    if status == 413:
        return OssError("EntityTooLarge", explain=description or None)
    if status == 404:
        return OssError("InvalidBucketName", explain=description or None)
    if 400 <= status < 500:
        return OssError("InvalidArgument", explain=description or None)
    return OssError("InternalError", explain=description or None)
