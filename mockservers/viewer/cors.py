"""`cors_origins` (`serve --cors ORIGIN`): pages of those origins may call the DICOMweb routes (each DICOMweb vendor's,
and the read-only view at /__admin/dicomweb), for a viewer served elsewhere than /viewer/. A listed origin is
answered with itself and may send credentials; `*` lets any page read, without credentials (the browser refuses
`*` with them). None by default: then nothing here runs."""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, g, request

from mockservers.dicom.vendor import DicomWebVendor

log = logging.getLogger(__name__)
ANY = "*"
ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?#\s]+$")
ADMIN_DICOMWEB = "/__admin/dicomweb"
ALLOW_METHODS = "GET, HEAD, POST, PUT, DELETE"
ALLOW_HEADERS = "Accept, Authorization, Content-Type, X-Mock-Namespace"  # what DICOMweb clients send, and the mock's
EXPOSE_HEADERS = "Content-Location, ETag, Location, Warning, X-Mock-Explain"
MAX_AGE = "600"


def normalized(origins: list[str]) -> set[str]:
    """The origins as a browser sends them (lower case, no trailing '/'); an entry that is none is logged, and
    matches nothing."""
    out = set()
    for origin in origins:
        value = origin.strip().rstrip("/").lower()
        if value != ANY and not ORIGIN.match(value):
            log.warning("cors_origins: %r is not an origin (scheme://host[:port], or *): no page has it", origin)
        out.add(value)
    return out


class Cors:
    def __init__(self, origins: list[str], vendors: list) -> None:
        self.origins = normalized(origins)
        dicomweb = [v.key for v in vendors if isinstance(v, DicomWebVendor)]
        self.prefixes = (ADMIN_DICOMWEB + "/", *(f"/{key}/" for key in dicomweb))
        self.at_root = len(vendors) == 1 and bool(dicomweb)  # a lone vendor is served at '/' too

    def covers(self, path: str) -> bool:
        if path.startswith(self.prefixes) or path == ADMIN_DICOMWEB:
            return True
        return self.at_root and not path.startswith(("/__admin", "/viewer"))

    def allowed(self) -> dict[str, str]:
        """The headers that let the request's page read the answer; none for another origin or path."""
        origin = request.headers.get("Origin")
        if not origin or not self.covers(request.path):
            return {}
        if origin.lower() in self.origins:
            return {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true"}
        if ANY in self.origins:
            return {"Access-Control-Allow-Origin": ANY}
        return {}

    def preflight(self) -> Response | None:
        """A browser's preflight OPTIONS: answered here, before the admin token's guard and the core (which would
        journal it as the client's own request); other OPTIONS go on as before."""
        if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
            return None
        headers = self.allowed()
        if not headers:
            return None
        headers.update(
            {
                "Access-Control-Allow-Methods": ALLOW_METHODS,
                "Access-Control-Allow-Headers": ALLOW_HEADERS,
                "Access-Control-Max-Age": MAX_AGE,
            }
        )
        answer = Response(status=204, headers={**headers, "Vary": "Origin"})
        del answer.headers["Content-Type"]  # nothing to type
        g.cors_preflight = True
        return answer

    def annotate(self, response: Response) -> Response:
        if not self.covers(request.path) or g.get("cors_preflight"):
            return response
        response.vary.add("Origin")  # the answer differs by origin: a cache must not give one origin's to another
        headers = self.allowed()
        if headers:
            response.headers.update(headers)
            response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
        return response


def install(app: Flask, origins: list[str], vendors: list) -> None:
    """Register before every other hook (create_app calls it first), so a preflight meets no guard."""
    if not origins:
        return
    cors = Cors(origins, vendors)
    app.before_request(cors.preflight)
    app.after_request(cors.annotate)
