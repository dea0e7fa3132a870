"""multipart/related (RFC 2387) and media-type headers, as PS3.18 uses them and as real clients send them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mockservers.dicom.errors import bad_request


@dataclass
class MediaType:
    type: str  # "multipart/related", "application/dicom+json", "*/*"
    params: dict[str, str] = field(default_factory=dict)

    @property
    def q(self) -> float:
        try:
            return float(self.params.get("q", "1"))
        except ValueError:
            return 0.0

    def matches(self, concrete: str) -> bool:
        """Whether this media range covers the concrete type ("image/*" covers "image/png")."""
        major, _, minor = self.type.partition("/")
        c_major, _, c_minor = concrete.partition("/")
        return (major in ("*", c_major)) and (minor in ("*", "", c_minor))


def _split_outside_quotes(text: str, sep: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch == sep and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def parse_media_type(text: str) -> MediaType:
    pieces = _split_outside_quotes(text, ";")
    mtype = pieces[0].strip().lower()
    params: dict[str, str] = {}
    for piece in pieces[1:]:
        name, eq, value = piece.partition("=")
        if not eq:
            continue
        params[name.strip().lower()] = value.strip().strip('"').strip()
    if params.get("type"):
        params["type"] = params["type"].lower()
    return MediaType(mtype, params)


def parse_accept(header: str | None) -> list[MediaType]:
    """The media ranges of an Accept header, best first; an absent or empty header is */*."""
    if not header or not header.strip():
        return [MediaType("*/*")]
    ranges = [parse_media_type(p) for p in _split_outside_quotes(header, ",") if p.strip()]
    ranges = [r for r in ranges if r.q > 0]
    return sorted(ranges, key=lambda r: -r.q)


@dataclass
class Part:
    headers: dict[str, str]
    content: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


_HEADER_END = re.compile(rb"\r?\n\r?\n")


def _sniff_boundary(body: bytes) -> str | None:
    start = body.lstrip(b"\r\n")
    if not start.startswith(b"--"):
        return None
    line = start[2:].split(b"\n", 1)[0].rstrip(b"\r").strip()
    return line.decode("latin-1") or None


def decode_related(body: bytes, boundary: str | None, allow_none: bool = False) -> list[Part]:
    """The parts of a multipart/related body. A body that does not follow the boundary is a 400; so is one with no
    part, unless `allow_none`: then the opening delimiter straight before the closing one (what .NET's
    MultipartContent writes with no part) is no part at all."""
    if not boundary:
        boundary = _sniff_boundary(body)  # some clients send "multipart/related" with no boundary parameter
        if not boundary:
            raise bad_request("The request body is not valid multipart/related: no boundary was found.")
    marker = b"--" + boundary.encode("latin-1")
    # The first delimiter may open the body or follow a preamble; later ones follow CRLF.
    if body.startswith(marker):
        rest = b"\r\n" + body
    else:
        index = body.find(b"\r\n" + marker)
        if index < 0:
            index = body.find(b"\n" + marker)
            if index < 0:
                raise bad_request(
                    f"The request body is not valid multipart/related: the boundary '{boundary}' does not occur in it."
                )
            rest = b"\r" + body[index:]
        else:
            rest = body[index:]
    chunks = rest.split(b"\r\n" + marker)
    parts: list[Part] = []
    closed = False
    for index, chunk in enumerate(chunks[1:], 1):
        if chunk.startswith(b"--"):
            closed = True
            break
        if allow_none and len(chunks) == 3 and index == 1 and chunk in (b"\r\n", b"\n") and chunks[2].startswith(b"--"):
            continue
        head, sep, content = _split_head(chunk)
        if not sep:
            raise bad_request("The request body is not valid multipart/related: a part has no header/body separator.")
        parts.append(Part(head, content))
    if not closed:
        raise bad_request("The request body is not valid multipart/related: the closing boundary is missing.")
    if not parts and not allow_none:
        raise bad_request("The request body is not valid multipart/related: it has no parts.")
    return parts


def _split_head(chunk: bytes) -> tuple[dict[str, str], bool, bytes]:
    # After the delimiter: optional transport padding, then CRLF, then headers, a blank line, the content.
    line_end = chunk.find(b"\n")
    if line_end < 0:
        return {}, False, b""
    chunk = chunk[line_end + 1 :]
    if chunk.startswith((b"\r\n", b"\n")):  # no headers at all
        return {}, True, chunk[2:] if chunk.startswith(b"\r\n") else chunk[1:]
    match = _HEADER_END.search(chunk)
    if not match:
        return {}, False, b""
    headers: dict[str, str] = {}
    for line in chunk[: match.start()].decode("latin-1").splitlines():
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    return headers, True, chunk[match.end() :]


def encode_related(parts: list[tuple[str, bytes]], boundary: str) -> bytes:
    """parts: (content type, content). CRLF delimiters and a closing delimiter, as PS3.18 and RFC 2046 ask."""
    out = bytearray()
    for content_type, content in parts:
        out += f"--{boundary}\r\nContent-Type: {content_type}\r\n\r\n".encode("latin-1")
        out += content
        out += b"\r\n"
    out += f"--{boundary}--\r\n".encode("latin-1")
    return bytes(out)
