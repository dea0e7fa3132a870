"""What every answer of the OSS store shares: its headers (one Date, on the mock's clock; Server; a request id),
its dates and its XML."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import formatdate
from xml.sax.saxutils import escape

from flask import Response

from mockservers.aliyun.ids import oss_request_id as request_id
from mockservers.aliyun.oss.store import OssStore
from mockservers.core.http import current_ctx


def http_date(ts: float) -> str:
    return formatdate(ts, usegmt=True)


def iso8601(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def store() -> OssStore:
    return OssStore(current_ctx())


def answer(body: bytes = b"", status: int = 200, mimetype: str | None = None) -> Response:
    response = Response(body, status=status, mimetype=mimetype)
    response.headers["x-oss-request-id"] = request_id()
    response.headers["Date"] = http_date(current_ctx().now)
    response.headers["Server"] = "AliyunOSS"
    return response


def xml_answer(root: str, tags: list[tuple[str, object]] | list[str]) -> Response:
    """`<root>` holding `tags`: (name, text) pairs escaped here, or lines of XML already built."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<{root}>"]
    lines += [tag if isinstance(tag, str) else f"<{tag[0]}>{escape(str(tag[1]))}</{tag[0]}>" for tag in tags]
    lines.append(f"</{root}>")
    return answer("\n".join(lines).encode("utf-8"), mimetype="application/xml")
