"""Seeded randomness: the same seed and the same inputs give the same values, across restarts."""

from __future__ import annotations

import hashlib
import random
import uuid
from typing import TYPE_CHECKING, cast

from sqlalchemy import Table
from sqlalchemy.orm import Session

from mockservers.core.models import Counter
from mockservers.core.upsert import add_to

if TYPE_CHECKING:
    from faker import Faker


def _digest(seed: int, parts: tuple) -> bytes:
    text = "\x1f".join([str(seed), *map(str, parts)])
    return hashlib.sha256(text.encode("utf-8")).digest()


def seeded_random(seed: int, *parts) -> random.Random:
    return random.Random(int.from_bytes(_digest(seed, parts)[:16], "big"))


def seeded_faker(seed: int, *parts, locale: str = "en_US") -> Faker:
    from faker import Faker  # a tenth of a second to import: paid by the first fake name, not by every start

    fake = Faker(locale)
    fake.seed_instance(int.from_bytes(_digest(seed, parts)[:8], "big"))
    return fake


def seeded_uuid(seed: int, *parts) -> uuid.UUID:
    return uuid.UUID(bytes=_digest(seed, parts)[:16], version=4)


def seeded_hex(seed: int, length: int, *parts) -> str:
    out = ""
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(_digest(seed, parts) + counter.to_bytes(4, "big")).hexdigest()
        counter += 1
    return out[:length]


def next_counter(db: Session, name: str, step: int = 1) -> int:
    """A persistent sequence, part of the caller's transaction: the last of `step` new values."""
    # __table__ is typed as any FromClause; a declarative class's is a Table
    return add_to(db, cast(Table, Counter.__table__), name, "value", step)
