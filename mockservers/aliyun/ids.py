"""Request ids: fresh on every answer, seeded (the seed, the namespace, the clock and the runtime's answer
number), errors before a context too."""
from __future__ import annotations

from flask import g

from mockservers.core.fake import seeded_hex, seeded_uuid


def _id_parts() -> tuple:
    """The seed, then the namespace, the time and the runtime's answer number."""
    runtime = g.get("runtime")  # set before any error can be answered, a fault rule's or a bad namespace's
    if runtime is None:
        return 0, "", 0.0, 0
    ctx = g.get("ctx")
    now = ctx.now if ctx is not None else runtime.clock.now()
    return runtime.settings.seed, runtime.namespace, now, next(runtime.answer_numbers)


def platform_request_id() -> str:
    """The envelope's `requestId`: a UUID, as the document shows."""
    seed, *parts = _id_parts()
    return str(seeded_uuid(seed, "requestId", *parts))


def oss_request_id() -> str:
    """`x-oss-request-id`: 24 upper-case hex digits, as OSS gives it."""
    seed, *parts = _id_parts()
    return seeded_hex(seed, 24, "x-oss-request-id", *parts).upper()
