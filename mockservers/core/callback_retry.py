"""How long the outbox keeps trying: a delay doubling up to a cap, until a give-up time or an attempt count, from
the global callback_* settings or a vendor's vendor_config.KEY.callback_retry."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockservers.settings import Settings

# For the fidelity ledger of each vendor that calls back.
RETRY_SOURCE = (
    "inferred: the document says nothing of retries. Until the receiver accepts: the delay doubles "
    "from 1 s up to 30 min, for up to 24 h (vendor_config.KEY.callback_retry); at least once, each "
    "attempt with the same X-Mock-Delivery-Id header"
)


@dataclass(frozen=True)
class RetryPolicy:
    backoff_seconds: float
    backoff_max_seconds: float
    give_up_seconds: float
    max_attempts: int  # 0: no limit

    def delay_after(self, attempt: int, elapsed: float) -> float | None:
        """Seconds from scheduled attempt number `attempt` (from 1), made `elapsed` seconds after the callback
        was queued, to the next; None: that was the last."""
        if self.max_attempts and attempt >= self.max_attempts:
            return None
        delay = min(self.backoff_seconds * 2.0 ** min(attempt - 1, 64), self.backoff_max_seconds)
        return None if elapsed + delay > self.give_up_seconds else delay


def _checked(key: str, value: Any, where: str) -> float | int:
    number = isinstance(value, (int, float)) and not isinstance(value, bool) and not math.isnan(value)
    if key == "max_attempts":
        if not (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            raise ValueError(f"{where}{key} must be a whole number of 0 or more")
    elif key == "give_up_seconds":
        if not (number and value >= 0):
            raise ValueError(f"{where}{key} must be a number of 0 or more")
    elif not (number and 0 < value < math.inf):
        raise ValueError(f"{where}{key} must be a number above 0")
    return value


def retry_policy(settings: Settings, vendor: str, config: dict[str, Any]) -> RetryPolicy:
    """The vendor's callback_retry over the global callback_* settings."""
    retry = config.get("callback_retry") or {}
    where = f"vendor_config.{vendor}.callback_retry: "
    if not isinstance(retry, dict):
        raise ValueError(where + "must be a mapping")
    keys = ("backoff_seconds", "backoff_max_seconds", "give_up_seconds", "max_attempts")
    unknown = sorted(set(retry) - set(keys), key=str)
    if unknown:
        raise ValueError(where + f"unknown key {unknown[0]!r}")
    # Any: _checked has made max_attempts an int and the rest numbers, which the dict's type cannot tell apart
    values: dict[str, Any] = {
        key: _checked(key, retry[key], where)
        if key in retry
        else _checked(key, getattr(settings, f"callback_{key}"), f"callback_{key}: ")
        for key in keys
    }
    return RetryPolicy(**values)
