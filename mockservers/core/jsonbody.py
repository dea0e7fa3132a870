"""JSON a caller sent, decoded so that nothing in it can break the server later: bounded nesting (deep JSON makes
Python's decoder, and every later walk of the value, exhaust the stack), JSON's own numbers (NaN and Infinity are
Python's), and on request strings a database can store (a lone surrogate is valid JSON but no UTF-8; the vendors
check their own fields, in their own words)."""

from __future__ import annotations

import json
import re
from typing import Any

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 100
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F]")


class NotJSON(ValueError):
    """The body is not JSON the server takes; the message says why, in the server's own words."""


class RefusedJSON(NotJSON):
    """The body decodes, but the server will not take it (too deep, a lone surrogate, NaN)."""


def _refuse_constant(_name: str) -> Any:
    raise RefusedJSON("NaN and Infinity are not JSON numbers")


def loads(data: bytes | str, storable: bool = False) -> Any:
    try:
        value = json.loads(data, parse_constant=_refuse_constant)
    except RecursionError:
        raise RefusedJSON(f"nested deeper than {MAX_DEPTH} levels") from None
    except NotJSON:
        raise
    except ValueError:  # JSONDecodeError, UnicodeDecodeError
        raise NotJSON("not JSON") from None
    # Cheap looks at the text first: most bodies have neither many brackets nor surrogate escapes.
    if isinstance(data, str):
        deep = data.count("[") + data.count("{") > MAX_DEPTH
        surrogates = storable and _SURROGATE_ESCAPE.search(data) is not None
    else:
        deep = data.count(b"[") + data.count(b"{") > MAX_DEPTH
        surrogates = storable and _SURROGATE_ESCAPE_BYTES.search(data) is not None
    if deep or surrogates:
        _check(value, surrogates)
    return value


def _check(value: Any, surrogates: bool) -> None:
    """Walks the value without recursion."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, (dict, list)):
            if depth > MAX_DEPTH:
                raise RefusedJSON(f"nested deeper than {MAX_DEPTH} levels")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
        elif surrogates and isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise RefusedJSON("a string holds a lone surrogate (\\ud800-\\udfff unpaired)") from None


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON with loads() above, so that request.get_json() anywhere is bounded the same way."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s)
