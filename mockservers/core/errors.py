"""Every vendor's errors, rendered in one place (moto's habit): a vendor declares its dialect as data (its catalog,
its error class, its envelope and the codes that answer bare HTTP statuses) and the core renders it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from flask import Response, jsonify, request

if TYPE_CHECKING:
    from mockservers.core.vendor import VendorSpec

Body = dict | str | bytes  # a dict goes as JSON (the app's provider); text or bytes go as the media type


class VendorError(Exception):
    """Base of every vendor's errors. A raised VendorError rolls the request back; `explain` becomes the
    X-Mock-Explain header (any text: the core escapes it)."""

    status: int = 400

    def __init__(self, message: str = "", *, status: int | None = None, explain: str | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.explain = explain


@dataclass(frozen=True)
class Bare:
    """The catalog code that answers a bare HTTP status (no route matched, a wrong method, a body too large, a
    stalled body, a bug in the mock)."""

    code: str
    message: str | None = None  # instead of the catalog's message
    keep_status: bool = False  # answer with the bare status rather than the code's own


@dataclass(frozen=True)
class Dialect:
    """How a vendor says what went wrong.

    `error`: the vendor's error class (an error of that class renders in this dialect). `catalog`: code ->
    (status, message, ...), the codes a fault rule may name. `make(code, message)` builds a catalog error (default:
    `error(code, message)`). `envelope(error)` gives the body, or (body, headers); it may read flask.request.
    `bare`: status -> Bare; 400 answers any 4xx without an entry of its own, 500 any other status.
    `sources`: code -> where the vendor's document shows it, or 'inferred: <why>' (the fidelity ledger)."""

    error: type[VendorError]
    catalog: Mapping[str, tuple]
    envelope: Callable[[Any], Body | tuple[Body, dict[str, str]]]
    bare: Mapping[int, Bare]
    media_type: str = "application/json"
    make: Callable[[str, str | None], VendorError] | None = None
    sources: Mapping[str, str] = field(default_factory=dict)

    def error_for_code(self, code: str, message: str | None = None) -> VendorError:
        """A catalog error by its code (KeyError for a code not in the catalog)."""
        if code not in self.catalog:
            raise KeyError(code)
        make = self.make or cast(Callable[[str, "str | None"], VendorError], self.error)
        return make(code, message)

    def for_status(self, status: int, description: str = "") -> VendorError:
        """The error answering a bare HTTP status; `description` (werkzeug's) becomes its explanation."""
        bare = self.bare.get(status) or self.bare[400 if 400 <= status < 500 else 500]
        error = self.error_for_code(bare.code, bare.message)
        if bare.keep_status:
            error.status = status
        if description:
            error.explain = description
        return error

    def render(self, error: VendorError) -> Response:
        answer = self.envelope(error)
        body, headers = answer if isinstance(answer, tuple) else (answer, {})
        response = jsonify(body) if isinstance(body, dict) else Response(body, mimetype=self.media_type)
        response.status_code = error.status
        response.headers.update(headers)
        return response


def by_status(catalog: Mapping[str, tuple]) -> dict[int, Bare]:
    """Bare statuses answered by the first catalog code of the same status, keeping the status (a server whose
    errors are a status and a reason); the catalog's 400 and 500 codes answer the statuses it has no code for."""
    bare: dict[int, Bare] = {}
    for code, (status, *_) in catalog.items():
        bare.setdefault(status, Bare(code, keep_status=True))
    return bare


def header_safe(text: str) -> str:
    """X-Mock-Explain's value: printable ASCII as it is, anything else (a line break, a NUL, 'é', '检') as its
    Python escape, so any explanation (one that quotes the caller's input too) fits in a header."""
    return "".join(c if " " <= c <= "~" else c.encode("unicode_escape").decode("ascii") for c in text)


def dialects(vendor: VendorSpec) -> tuple[Dialect, ...]:
    return (vendor.errors,) if vendor.root_errors is None else (vendor.errors, vendor.root_errors)


def dialect_here(vendor: VendorSpec) -> Dialect:
    """The dialect of the current request: the root blueprint's own (root_errors) on its routes and on paths
    outside the vendor's prefix, the vendor's otherwise."""
    if vendor.root_errors is None:
        return vendor.errors
    if request.blueprint:
        root = vendor.root_blueprint()
        return vendor.root_errors if root is not None and request.blueprint == root.name else vendor.errors
    prefix = f"/{vendor.key}"
    on_vendor = request.path == prefix or request.path.startswith(prefix + "/")
    return vendor.errors if on_vendor else vendor.root_errors


def render(vendor: VendorSpec, error: VendorError) -> Response:
    """An error in the dialect of its class; an error of none of the vendor's classes as the request's dialect's
    500."""
    for dialect in dialects(vendor):
        if isinstance(error, dialect.error):
            return dialect.render(error)
    dialect = dialect_here(vendor)
    return dialect.render(dialect.for_status(500, error.explain or error.message))


def for_status(vendor: VendorSpec, status: int, description: str = "") -> VendorError:
    return dialect_here(vendor).for_status(status, description)


def error_for_code(vendor: VendorSpec, code: str, message: str | None = None) -> VendorError:
    """A fault rule's error: the code in the first of the vendor's catalogs that has it (KeyError if none)."""
    for dialect in dialects(vendor):
        if code in dialect.catalog:
            return dialect.error_for_code(code, message)
    raise KeyError(code)


def sources(vendor: VendorSpec) -> dict[str, str]:
    return {code: where for dialect in dialects(vendor) for code, where in dialect.sources.items()}
