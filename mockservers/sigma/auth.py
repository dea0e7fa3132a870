"""The SDK's access-key signature: `Authorization: 12Sigma <access_key>:<signature>` with a `Date` header."""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field


@dataclass
class SignedRequest:
    """What the signature covers, taken from the HTTP request by the route."""

    method: str
    raw_path: str  # as the client sent it, percent-encoding and the /sigma prefix included
    raw_query: str
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names


def parse_authorization(value: str | None) -> tuple[str, str] | None:
    if not value or not value.startswith("12Sigma "):
        return None
    access_key, sep, signature = value[len("12Sigma ") :].strip().rpartition(":")
    if not sep or not access_key or not signature:
        return None
    return access_key, signature


def string_to_sign(req: SignedRequest) -> str:
    h = req.headers
    lines = [req.method.upper(), h.get("content-md5", ""), h.get("content-type", ""), h.get("date", "")]
    text = "\n".join(lines) + "\n"
    for name in sorted(n for n in h if n.startswith("x-sigma-")):
        text += f"{name}:{h[name].strip()}\n"
    resource = req.raw_path
    if req.raw_query:
        resource += "?" + "&".join(sorted(p for p in req.raw_query.split("&") if p))
    return text + resource


def sign(secret_key: str, req: SignedRequest) -> str:
    digest = hmac.new(secret_key.encode("utf-8"), string_to_sign(req).encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(secret_key: str, req: SignedRequest, signature: str) -> bool:
    return hmac.compare_digest(sign(secret_key, req), signature)
