"""Request ids: fresh on every answer, seeded (the seed, the clock and a counter), errors before a context too."""
from __future__ import annotations

import itertools

from flask import g

from mockservers.core.fake import seeded_hex, seeded_uuid

_counter = itertools.count(1)


def _seed_and_time() -> tuple[int, float]:
    ctx = g.get("ctx")
    if ctx is not None:
        return ctx.seed, ctx.now
    runtime = g.get("runtime")  # an error met before the request's context opened (fault rule, bad namespace)
    if runtime is not None:
        return runtime.settings.seed, runtime.clock.now()
    return 0, 0.0


def platform_request_id() -> str:
    """The envelope's `requestId`: a UUID, as the document shows."""
    seed, now = _seed_and_time()
    return str(seeded_uuid(seed, "requestId", now, next(_counter)))


def oss_request_id() -> str:
    """`x-oss-request-id`: 24 upper-case hex digits, as OSS gives it."""
    seed, now = _seed_and_time()
    return seeded_hex(seed, 24, "x-oss-request-id", now, next(_counter)).upper()
