"""OpenAPI 3.1 documents and the fidelity ledger, built from what each vendor declares of its operations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema

if TYPE_CHECKING:
    from mockservers.core.vendor import VendorSpec


@dataclass(frozen=True)
class Reply:
    description: str
    schema: type[Schema] | None = None
    media: str = "application/json"
    binary: bool = False


@dataclass(frozen=True)
class Header:
    name: str
    description: str
    required: bool = False


@dataclass(frozen=True)
class Operation:
    """One endpoint as the vendor document describes it. `source` is the place in the document, or
    'inferred: <why>' for an endpoint the document does not show."""

    name: str
    method: str
    path: str  # below the vendor's prefix, OpenAPI style: /accounts/{res_account_name}/jobs/
    summary: str
    source: str
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    body_types: tuple[str, ...] = ("application/json",)
    raw_body: str | None = None  # a media type whose body is opaque bytes (e.g. a DICOM file)
    headers: tuple[Header, ...] = ()
    path_params: dict[str, str] = field(default_factory=dict)
    responses: dict[int, Reply] = field(default_factory=dict)


def schema_source(schema: type[Schema] | Schema) -> tuple[str, dict[str, str]]:
    """Where a schema's fields are documented, and the fields that are inferred (with why)."""
    cls = schema if isinstance(schema, type) else type(schema)
    return getattr(cls, "__source__", ""), getattr(cls, "__inferred__", {})


def _name(schema: type[Schema]) -> str:
    return schema.__name__


def build(vendor: VendorSpec, server_url: str | None = None) -> dict[str, Any]:
    spec = APISpec(
        title=f"{vendor.title} (mockservers)",
        version="1.0.0",
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": f"Emulation of {vendor.document}. See docs/{vendor.key}.md."},
        servers=[{"url": server_url or f"/{vendor.key}"}],
    )
    seen: set[str] = set()

    def ref(schema: type[Schema]) -> type[Schema]:
        """Registers the class and hands apispec the class itself: a name would be looked up in marshmallow's
        global registry, where another vendor's schema of the same name may answer."""
        name = _name(schema)
        if name not in seen:
            seen.add(name)
            spec.components.schema(name, schema=schema)
        return schema

    grouped: dict[str, dict[str, Any]] = {}
    path_of_shape: dict[str, str] = {}
    for op in vendor.operations():
        operation: dict[str, Any] = {
            "operationId": op.name,
            "summary": op.summary,
            "description": op.source,
            "parameters": [],
            "responses": {},
        }
        # OpenAPI forbids two templates of one shape (/uploads/{groupname}/ and /uploads/{filename}/ are one URL):
        # the later operation goes under the first template, its path parameters renamed in order.
        path = path_of_shape.setdefault(openapi_path_shape(op.path), op.path)
        names = dict(zip(re.findall(r"\{([^}]+)\}", op.path), re.findall(r"\{([^}]+)\}", path), strict=False))
        for name, description in op.path_params.items():
            operation["parameters"].append(
                {
                    "in": "path",
                    "name": names.get(name, name),
                    "required": True,
                    "description": description,
                    "schema": {"type": "string"},
                }
            )
        for h in op.headers:
            operation["parameters"].append(
                {
                    "in": "header",
                    "name": h.name,
                    "required": h.required,
                    "description": h.description,
                    "schema": {"type": "string"},
                }
            )
        if op.query is not None:
            operation["parameters"].append({"in": "query", "schema": op.query})
        if op.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {t: {"schema": ref(op.body)} for t in op.body_types},
            }
        elif op.raw_body:
            operation["requestBody"] = {
                "required": True,
                "content": {op.raw_body: {"schema": {"type": "string", "contentMediaType": op.raw_body}}},
            }
        for status, reply in sorted(op.responses.items()):
            entry: dict[str, Any] = {"description": reply.description}
            if reply.binary:
                entry["content"] = {reply.media: {"schema": {"type": "string", "contentMediaType": reply.media}}}
            elif reply.schema is not None:
                entry["content"] = {reply.media: {"schema": ref(reply.schema)}}
            operation["responses"][str(status)] = entry
        grouped.setdefault(path, {})[op.method.lower()] = operation
    for path, operations in grouped.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def flask_rule_to_path(rule: str, prefix: str) -> str:
    """'/sigma/accounts/<account>/jobs/<job_id>/' -> '/accounts/{}/jobs/{}/' (parameter names dropped)."""
    path = rule[len(prefix) :] if rule.startswith(prefix) else rule
    return re.sub(r"<[^>]+>", "{}", path)


def openapi_path_shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def ledger(vendor: VendorSpec) -> list[dict[str, str]]:
    """One entry per endpoint, parameter, response field, error code and behaviour: documented (where) or inferred
    (why)."""
    entries: list[dict[str, str]] = []

    def add(kind: str, name: str, operation: str, source: str) -> None:
        inferred = source.startswith("inferred")
        entries.append(
            {
                "kind": kind,
                "name": name,
                "operation": operation,
                "status": "inferred" if inferred else "documented",
                ("reason" if inferred else "where"): source.split(":", 1)[1].strip() if inferred else source,
            }
        )

    def fields_of(kind: str, schema: type[Schema], operation: str, seen: set) -> None:
        if schema in seen:
            return
        seen.add(schema)
        where, inferred = schema_source(schema)
        for fname, fobj in schema._declared_fields.items():
            source = f"inferred: {inferred[fname]}" if fname in inferred else where
            add(kind, f"{schema.__name__}.{fname}", operation, source or "inferred: no source given")
            nested = (
                getattr(fobj, "nested", None)
                or getattr(getattr(fobj, "inner", None), "nested", None)
                or getattr(getattr(fobj, "value_field", None), "nested", None)
            )
            if isinstance(nested, type) and issubclass(nested, Schema):
                fields_of(kind, nested, operation, seen)

    for op in vendor.operations():
        add("endpoint", f"{op.method} {op.path}", op.name, op.source)
        for pname in op.path_params:
            add("parameter", pname, op.name, op.source)
        for h in op.headers:
            add("parameter", h.name, op.name, op.source)
        for schema in (op.query, op.body):
            if schema is not None:
                fields_of("parameter", schema, op.name, set())
        seen: set = set()
        for reply in op.responses.values():
            if reply.schema is not None:
                fields_of("response field", reply.schema, op.name, seen)
    for code, source in vendor.error_sources().items():
        add("error code", code, "*", source)
    for name, source in vendor.behaviour_sources().items():
        add("behaviour", name, "*", source)
    return entries
