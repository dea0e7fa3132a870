"""Request ids: fresh on every answer, seeded (the seed, the namespace, the clock and the runtime's answer
number), errors before a context too."""

from __future__ import annotations

from mockservers.core.fake import seeded_hex, seeded_uuid
from mockservers.core.http import per_answer


def platform_request_id() -> str:
    """The envelope's `requestId`: a UUID, as the document shows."""
    seed, parts = per_answer("requestId", timed=True)
    return str(seeded_uuid(seed, *parts))


def oss_request_id() -> str:
    """`x-oss-request-id`: 24 upper-case hex digits, as OSS gives it."""
    seed, parts = per_answer("x-oss-request-id", timed=True)
    return seeded_hex(seed, 24, *parts).upper()
