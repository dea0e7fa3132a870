"""OSS signature v1 (`Authorization: OSS <AccessKeyId>:<Signature>`, or a presigned URL) and the credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac

from mockservers.aliyun.models import StsCredential
from mockservers.aliyun.oss.errors import OssError
from mockservers.core.runtime import Context
from mockservers.core.validation import is_whole_number

# The query parameters that are part of the signed resource (the list oss2 and the OSS documentation use).
SUBRESOURCES = frozenset(
    [
        "response-content-type",
        "response-content-language",
        "response-cache-control",
        "logging",
        "response-content-encoding",
        "acl",
        "uploadId",
        "uploads",
        "partNumber",
        "group",
        "link",
        "delete",
        "website",
        "location",
        "objectInfo",
        "objectMeta",
        "response-expires",
        "response-content-disposition",
        "cors",
        "lifecycle",
        "restore",
        "qos",
        "referer",
        "stat",
        "bucketInfo",
        "append",
        "position",
        "security-token",
        "live",
        "comp",
        "status",
        "vod",
        "startTime",
        "endTime",
        "x-oss-process",
        "symlink",
        "callback",
        "callback-var",
        "tagging",
        "encryption",
        "versions",
        "versioning",
        "versionId",
        "policy",
        "requestPayment",
        "x-oss-traffic-limit",
        "qosInfo",
        "asyncFetch",
        "x-oss-request-payer",
        "sequential",
        "inventory",
        "inventoryId",
        "continuation-token",
        "worm",
        "wormId",
        "wormExtend",
        "replication",
        "replicationLocation",
        "replicationProgress",
        "transferAcceleration",
        "cname",
        "metaQuery",
        "x-oss-ac-source-ip",
        "x-oss-ac-subnet-mask",
        "x-oss-ac-vpc-id",
        "x-oss-ac-forward-allow",
        "resourceGroup",
        "style",
        "styleName",
        "x-oss-async-process",
        "regionList",
        "x-oss-write-get-object-response",
        "bucketArchiveDirectRead",
        "httpsConfig",
        "redundancyTransition",
        "x-oss-target-redundancy-type",
        "x-oss-redundancy-transition-taskid",
        "accessPoint",
        "accessPointPolicy",
        "publicAccessBlock",
        "x-oss-access-point-name",
        "requesterQosInfo",
        "qosRequester",
        "resourcePoolInfo",
        "resourcePool",
        "resourcePoolBuckets",
    ]
)


def is_signed(args, headers) -> bool:
    """Whether a request carries OSS credentials: signature v1 in Authorization, or a presigned URL's."""
    return (headers.get("Authorization") or "").startswith("OSS ") or ("OSSAccessKeyId" in args and "Signature" in args)


def canonical_resource(bucket: str, key: str, params: dict[str, str]) -> str:
    """`/bucket/key` (the service itself: `/`) and the sorted sub-resources."""
    sub = sorted((k, v) for k, v in params.items() if k in SUBRESOURCES)
    query = "&".join(f"{k}={v}" if v else k for k, v in sub)
    return (f"/{bucket}/{key}" if bucket else "/") + (f"?{query}" if query else "")


def string_to_sign(
    method: str, headers: dict[str, str], bucket: str, key: str, params: dict[str, str], date: str | None = None
) -> str:
    """VERB, Content-MD5, Content-Type, Date, then the sorted x-oss-* headers and the resource."""
    oss_headers = "".join(f"{k}:{v}\n" for k, v in sorted(h for h in headers.items() if h[0].startswith("x-oss-")))
    if date is None:
        date = headers.get("x-oss-date") or headers.get("date", "")
    return "\n".join(
        [
            method,
            headers.get("content-md5", ""),
            headers.get("content-type", ""),
            date,
            oss_headers + canonical_resource(bucket, key, params),
        ]
    )


def sign(secret: str, text: str) -> str:
    return base64.b64encode(hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha1).digest()).decode()


def secret_for(ctx: Context, access_key_id: str, security_token: str | None) -> str:
    """The secret behind an access key: one configured, or an STS triple the mock issued (token required)."""
    configured = (ctx.config.get("oss") or {}).get("credentials") or {}
    if access_key_id in configured:
        return str(configured[access_key_id])
    sts = ctx.db.get(StsCredential, access_key_id) if access_key_id else None
    if sts is None:
        raise OssError(
            "InvalidAccessKeyId",
            OSSAccessKeyId=access_key_id,
            explain="AccessKeyId: neither a configured key nor an STS key the mock issued",
        )
    if not security_token or security_token != sts.security_token:
        raise OssError(
            "InvalidSecurityToken",
            explain="x-oss-security-token: missing, or not the token issued with this STS AccessKeyId",
        )
    if ctx.now >= sts.expires_at:
        raise OssError("SecurityTokenExpired", explain="the STS credentials expired")
    return sts.access_key_secret


def authenticate(
    ctx: Context, method: str, headers: dict[str, str], bucket: str, key: str, params: dict[str, str]
) -> str:
    """Check a request's signature; returns the AccessKeyId. `headers` have lower-case names."""
    if "Signature" in params and "OSSAccessKeyId" in params:
        access_key_id, signature = params["OSSAccessKeyId"], params["Signature"]
        expires = params.get("Expires", "")
        if not is_whole_number(expires) or int(expires) < ctx.now:
            raise OssError("AccessDenied", "Request has expired.", explain="Expires: missing or in the past")
        secret = secret_for(ctx, access_key_id, params.get("security-token"))
        text = string_to_sign(method, headers, bucket, key, params, date=expires)
    else:
        authorization = headers.get("authorization", "")
        if not authorization:
            raise OssError("AccessDenied", explain="Authorization: missing (every bucket of the mock is private)")
        scheme, _, credential = authorization.partition(" ")
        access_key_id, sep, signature = credential.strip().rpartition(":")
        if scheme != "OSS" or not sep or not access_key_id:
            raise OssError(
                "InvalidArgument",
                "Authorization header is invalid.",
                explain="Authorization: expected 'OSS <AccessKeyId>:<Signature>' (signature v1)",
            )
        secret = secret_for(ctx, access_key_id, headers.get("x-oss-security-token"))
        text = string_to_sign(method, headers, bucket, key, params)
    if not hmac.compare_digest(sign(secret, text).encode(), signature.encode("utf-8")):
        raise OssError(
            "SignatureDoesNotMatch",
            OSSAccessKeyId=access_key_id,
            SignatureProvided=signature,
            StringToSign=text,
            explain="signature: expected HMAC-SHA1 of " + repr(text),
        )
    return access_key_id
