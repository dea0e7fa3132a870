"""Writes a new vendor in the regular shape, with one example endpoint that works: `python scripts/new_vendor.py KEY`.

It writes mockservers/KEY/ (vendor.py, routes.py, schemas.py, backend.py, errors.py, models.py), its line in
mockservers/vendors.py, docs/KEY.md, fixtures/contracts/KEY/ and tests/KEY/, then regenerates docs/fidelity.md.
Replace the example (GET /KEY/items/{item_id}) with the vendor document's first endpoint; CONTRIBUTING.md says how.
"""

from __future__ import annotations

import argparse
import importlib.util
import keyword
import pathlib
import re
import subprocess
import sys
from string import Template

ROOT = pathlib.Path(__file__).resolve().parents[1]
KEY_SHAPE = re.compile(r"[a-z][a-z0-9]{1,30}")

FILES: dict[str, str] = {}

FILES["mockservers/$key/__init__.py"] = '''\
"""$title (docs/$key.md)."""
'''

FILES["mockservers/$key/vendor.py"] = '''\
"""$title as the core sees it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from mockservers.core.endpoints import Endpoints
from mockservers.core.runtime import Context
from mockservers.core.vendor import VendorSpec
from mockservers.$key.backend import ${Class}Backend
from mockservers.$key.errors import DIALECT


class ${Class}Vendor(VendorSpec):
    key = "$key"
    title = "$title"
    document = "$key.md"  # the vendor's document in shared/specs
    credential_names = ("X-Api-Key",)  # the journal masks them
    errors = DIALECT  # the core renders every error with it

    def blueprint(self) -> Blueprint:
        from mockservers.$key.routes import api

        return api.blueprint

    def endpoints(self) -> list[Endpoints]:
        from mockservers.$key.routes import api

        return [api]

    def seed(self, ctx: Context) -> None:
        ${Class}Backend(ctx).seed()

    def default_config(self) -> dict[str, Any]:
        return {"api_keys": ["demo-key"]}
'''

FILES["mockservers/$key/routes.py"] = '''\
"""$title: the HTTP surface.

One declaration per endpoint, each over a thin view that calls one backend method.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from mockservers.core.endpoints import Endpoints
from mockservers.core.http import current_ctx
from mockservers.core.openapi import Header, Reply
from mockservers.$key import errors, schemas
from mockservers.$key.backend import ${Class}Backend

API_KEY = Header("X-Api-Key", "the caller's API key (config `api_keys`)", required=True)
ERROR = {
    400: Reply("a parameter is invalid (InvalidParameter)", schemas.Error),
    401: Reply("no API key, or one the vendor does not know (Unauthorized)", schemas.Error),
}


def authenticate(**_path_values: str) -> str:
    return ${Class}Backend(current_ctx()).authenticate(request.headers.get("X-Api-Key"))


api = Endpoints("$key", __name__, reject=errors.invalid_parameter, authenticate=authenticate)


@api(
    "GET",
    "/items/{item_id}",
    name="GetItem",
    summary="One item, named in the language asked for",
    source="inferred: the scaffold's example endpoint, to be replaced by the document's own",
    auth=True,
    query=schemas.ItemQuery,
    headers=(API_KEY,),
    path_params={"item_id": "the item's id"},
    responses={200: Reply("the item", schemas.Item), **ERROR, 404: Reply("no such item (NotFound)", schemas.Error)},
)
def get_item(item_id: str, caller: str, query: dict[str, Any]) -> Response:
    return jsonify(${Class}Backend(current_ctx()).item(item_id, **query))
'''

FILES["mockservers/$key/schemas.py"] = '''\
"""$title: requests and responses.

marshmallow schemas of what the document shows, each saying where (or why it is inferred).
"""

from __future__ import annotations

from typing import ClassVar

from marshmallow import Schema, fields, validate


class ItemQuery(Schema):
    __source__ = "inferred: the scaffold's example"
    lang = fields.String(
        load_default="en",
        validate=validate.OneOf(["en", "zh"]),
        metadata={"description": "the language of the item's name"},
    )


class Item(Schema):
    __source__ = "inferred: the scaffold's example"
    id = fields.String(required=True)
    name = fields.String(required=True)


class Error(Schema):
    __source__ = ""
    __inferred__: ClassVar[dict[str, str]] = {
        "code": "the scaffold's example envelope",
        "message": "the scaffold's example envelope",
    }
    code = fields.String(required=True, metadata={"description": "the catalog's code (errors.py)"})
    message = fields.String(required=True)
'''

FILES["mockservers/$key/models.py"] = '''\
"""$title: the tables."""

from __future__ import annotations

from sqlalchemy import Text
from sqlalchemy.orm import Mapped, mapped_column

from mockservers.core.store import Base


class ${Class}Item(Base):
    __tablename__ = "${key}_items"
    id: Mapped[str] = mapped_column(Text, primary_key=True)
    name_en: Mapped[str] = mapped_column(Text)
    name_zh: Mapped[str] = mapped_column(Text)
'''

FILES["mockservers/$key/backend.py"] = '''\
"""$title: state and behaviour.

No Flask here: it takes validated values and raises the vendor's errors.
"""

from __future__ import annotations

from mockservers.core.runtime import Context
from mockservers.$key import errors
from mockservers.$key.models import ${Class}Item


class ${Class}Backend:
    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.db = ctx.db

    def authenticate(self, api_key: str | None) -> str:
        if not api_key or api_key not in self.ctx.config.get("api_keys", []):
            raise errors.unauthorized()
        return api_key

    def seed(self) -> None:
        """The preset data a reset loads again."""
        if self.db.get(${Class}Item, "example") is None:
            self.db.add(${Class}Item(id="example", name_en="Example item", name_zh="示例"))

    def item(self, item_id: str, lang: str) -> dict[str, str]:
        row = self.db.get(${Class}Item, item_id)
        if row is None:
            raise errors.not_found(f"item {item_id} does not exist")
        return {"id": row.id, "name": row.name_zh if lang == "zh" else row.name_en}
'''

FILES["mockservers/$key/errors.py"] = '''\
"""$title: the error catalog and its envelope, as data (core/errors.py renders them).

Every error is {"code": ..., "message": ...} with the code's HTTP status.
"""

from __future__ import annotations

from mockservers.core.errors import Bare, Dialect, VendorError

# code -> (HTTP status, default message)
CATALOG: dict[str, tuple[int, str]] = {
    "InvalidParameter": (400, "The request has an invalid parameter"),
    "Unauthorized": (401, "The API key is missing or unknown"),
    "NotFound": (404, "The resource does not exist"),
    "MethodNotAllowed": (405, "The method is not allowed here"),
    "PayloadTooLarge": (413, "The request body is too large"),
    "InternalError": (500, "Internal error"),  # a bug in the mock, never on purpose
}
# where the document shows each code, or why it was inferred
ERROR_SOURCES: dict[str, str] = dict.fromkeys(CATALOG, "inferred: the scaffold's example catalog")


class ${Class}Error(VendorError):
    def __init__(self, code: str, message: str | None = None, explain: str | None = None):
        status, default = CATALOG[code]
        super().__init__(message or default, status=status, explain=explain)
        self.code = code


def invalid_parameter(field: str, message: str) -> ${Class}Error:
    return ${Class}Error("InvalidParameter", f"{field}: {message}")


def unauthorized() -> ${Class}Error:
    return ${Class}Error("Unauthorized")


def not_found(explain: str | None = None) -> ${Class}Error:
    return ${Class}Error("NotFound", explain=explain)


def envelope(error: ${Class}Error) -> dict:
    return {"code": error.code, "message": error.message}


DIALECT = Dialect(
    error=${Class}Error,
    catalog=CATALOG,
    envelope=envelope,
    sources=ERROR_SOURCES,
    # the code answering a failure met before a view ran (400: any other 4xx; 500: anything else)
    bare={
        400: Bare("InvalidParameter"),
        404: Bare("NotFound"),
        405: Bare("MethodNotAllowed"),
        413: Bare("PayloadTooLarge"),
        500: Bare("InternalError"),
    },
)
'''

FILES["docs/$key.md"] = """\
# $key: $title

Emulates `shared/specs/$key.md` under `/$key`: a client configured with `http://127.0.0.1:8080/$key` in place of
the vendor's base URL needs no other change.

## Calls

| call | method and path | parameters | answer |
|---|---|---|---|
| GetItem | `GET /$key/items/{item_id}` | header `X-Api-Key`; query `lang` (`en` or `zh`, default `en`) | `{id, name}` |

Every call needs `X-Api-Key`, one of the configured `api_keys` (default `demo-key`). A reset loads the item
`example`.

## Decisions where the document is silent

| what | decision |
|---|---|
| the example endpoint | the scaffold's; replace it with the document's first |

## Errors

Every error is `{"code": "<code>", "message": "<text>"}` with the code's status:

| code | HTTP | when |
|---|---|---|
| `InvalidParameter` | 400 | a parameter fails its schema; the message names it |
| `Unauthorized` | 401 | no `X-Api-Key`, or one that is not configured |
| `NotFound` | 404 | no such item; a URL the vendor does not have |
| `MethodNotAllowed` | 405 | a method the URL does not take |
| `PayloadTooLarge` | 413 | a body over `max_body_mb` |
| `InternalError` | 500 | a bug in the mock, never on purpose |
"""

FILES["fixtures/contracts/$key/get_item.yaml"] = """\
endpoint: GetItem
document: $key.md (the scaffold's example)
cases:
- name: the example item
  request:
    method: GET
    path: /$key/items/example
    headers: {X-Api-Key: demo-key}
    query: {lang: zh}
  response:
    status: 200
    body: {id: example, name: 示例}
- name: an unknown item
  request:
    method: GET
    path: /$key/items/nothing
    headers: {X-Api-Key: demo-key}
  response:
    status: 404
    body: {code: NotFound, message: The resource does not exist}
"""

FILES["tests/$key/__init__.py"] = ""

FILES["tests/$key/test_items.py"] = '''\
"""$title: the example endpoint.

Its contract replayed, and its errors in the vendor's envelope.
"""

from __future__ import annotations

import pathlib

import pytest
import yaml

CONTRACT = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "contracts" / "$key" / "get_item.yaml"
KEY = {"X-Api-Key": "demo-key"}


@pytest.mark.parametrize("case", yaml.safe_load(CONTRACT.read_text(encoding="utf-8"))["cases"], ids=lambda c: c["name"])
def test_the_contract(client, case):
    sent = case["request"]
    response = client.open(
        sent["path"], method=sent["method"], headers=sent.get("headers"), query_string=sent.get("query")
    )
    assert response.status_code == case["response"]["status"]
    assert response.json == case["response"]["body"]


def test_the_name_in_english_by_default(client):
    assert client.get("/$key/items/example", headers=KEY).json == {"id": "example", "name": "Example item"}


@pytest.mark.parametrize("headers", [{}, {"X-Api-Key": "wrong"}])
def test_the_api_key_is_checked_before_the_parameters(client, headers):
    response = client.get("/$key/items/example?lang=fr", headers=headers)
    assert response.status_code == 401
    assert response.json == {"code": "Unauthorized", "message": "The API key is missing or unknown"}


def test_a_bad_parameter_is_named(client):
    response = client.get("/$key/items/example?lang=fr", headers=KEY)
    assert response.status_code == 400
    assert response.json == {"code": "InvalidParameter", "message": "lang: Must be one of: en, zh."}
'''


def registry_line(key: str, cls: str) -> str:
    return f'    "{key}": "mockservers.{key}.vendor:{cls}Vendor",\n'


def problem(root: pathlib.Path, key: str) -> str | None:
    """What makes `key` unusable as a new vendor's key, or None."""
    if not KEY_SHAPE.fullmatch(key) or keyword.iskeyword(key):
        return f"{key!r}: a vendor key is 2 to 31 lowercase letters and digits, starting with a letter"
    if (root / "mockservers" / key).exists():
        return f"mockservers/{key} exists already"
    registry = (root / "mockservers" / "vendors.py").read_text(encoding="utf-8")
    if f'"{key}":' in registry:
        return f"{key!r} is in mockservers/vendors.py already"
    return None


def write(root: pathlib.Path, key: str, title: str) -> list[pathlib.Path]:
    cls = key.capitalize()
    values = {"key": key, "Class": cls, "title": title}
    written = []
    for path, text in FILES.items():
        target = root / Template(path).substitute(values)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(Template(text).substitute(values), encoding="utf-8")
        written.append(target)
    registry = root / "mockservers" / "vendors.py"
    source = registry.read_text(encoding="utf-8")
    start = source.index("REGISTRY")
    end = source.index("}\n", start)
    registry.write_text(source[:end] + registry_line(key, cls) + source[end:], encoding="utf-8")
    written.append(registry)
    return written


def tidy(paths: list[pathlib.Path]) -> None:
    """Imports sorted for this key, and formatted, as `make lint` wants them (ruff comes with the `lint` extra)."""
    if importlib.util.find_spec("ruff") is None:
        print("ruff is not installed (`make lint` installs it): run `ruff check --fix` and `ruff format` on them")
        return
    files = [str(path) for path in paths]
    for args in (["check", "--fix", "--select", "I", "--quiet"], ["format", "--quiet"]):
        subprocess.run([sys.executable, "-m", "ruff", *args, *files], cwd=ROOT, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Writes a new vendor in the regular shape (CONTRIBUTING.md).")
    parser.add_argument("key", help="the vendor's key: its URL prefix and its package name (e.g. acme)")
    parser.add_argument("--title", help="the vendor's API as people name it (default: KEY API)")
    args = parser.parse_args(argv)
    wrong = problem(ROOT, args.key)
    if wrong:
        print(f"new_vendor: {wrong}", file=sys.stderr)
        return 2
    written = write(ROOT, args.key, args.title or f"{args.key.capitalize()} API")
    for path in written:
        print(f"wrote {path.relative_to(ROOT)}")
    tidy([path for path in written if path.suffix == ".py" and path.name != "vendors.py"])
    subprocess.run([sys.executable, str(ROOT / "scripts" / "render_fidelity.py")], check=True)
    print(
        f"next: make the example GET /{args.key}/items/{{item_id}} the document's first endpoint "
        f"(CONTRIBUTING.md), then pytest tests/{args.key}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
