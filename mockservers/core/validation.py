"""marshmallow helpers: a validation failure becomes the calling vendor's own error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError


def is_whole_number(text: str) -> bool:
    """Whether int() reads `text` as a whole number: ASCII digits only (str.isdigit() also says yes to "²", which
    int() refuses)."""
    return text.isascii() and text.isdigit()


def first_error(messages: Any, schema: Schema | None = None) -> tuple[str, str]:
    """The first failing field (in the schema's declared order) and its first message."""
    if isinstance(messages, dict):
        keys = list(messages)
        if schema is not None:
            order = list(schema.fields)
            keys.sort(key=lambda k: order.index(k) if k in order else len(order))
        key = keys[0]
        sub = messages[key]
        if isinstance(sub, dict):
            inner, msg = first_error(sub)
            return f"{key}.{inner}" if not str(inner).startswith("_") else str(key), msg
        return str(key), (sub[0] if isinstance(sub, list) and sub else str(sub))
    if isinstance(messages, list) and messages:
        return "_schema", str(messages[0])
    return "_schema", str(messages)


def load(schema: Schema, data: Any, to_error: Callable[[str, str], Exception]) -> dict:
    """Validate `data`; on failure raise to_error(field, message) with an explanation attached."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        field, message = first_error(exc.messages, schema)
        error = to_error(field, message)
        if getattr(error, "explain", None) is None:
            # Reject allows any exception: VendorError declares explain, another gets it set here
            error.explain = f"{field}: {message}"  # type: ignore[attr-defined]
        raise error from None
