"""Fault rules: match a vendor request (or a callback) and say what goes wrong with it."""

from __future__ import annotations

import fnmatch
import math
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from mockservers.core.fake import seeded_random
from mockservers.core.models import Counter, FaultRule

if TYPE_CHECKING:
    from mockservers.core.runtime import Runtime

# A core_counters row given a fresh random value whenever the rule set changes, in the same transaction: a worker
# reads it (one indexed row) instead of every rule on every request, and reloads its copy when it differs.
VERSION = "faults.version"
_VERSION_SQL = f"SELECT value FROM core_counters WHERE name = '{VERSION}'"
REQUEST_ACTIONS = ("error", "status", "delay_ms", "drop", "truncate", "fail_job")
CALLBACK_ACTIONS = ("fail", "delay_ms", "duplicate", "drop")
MAX_DELAY_MS = 60_000  # a request's delay holds a worker thread, in real time
MAX_CALLBACK_DELAY_MS = 86_400_000  # a callback's delay is on the clock: a day
MAX_COUNT = 2**31 - 1  # times, after: what every database's INTEGER column holds
MAX_PATH = 2048  # a glob is compiled to a regular expression, once per worker: a long one takes seconds


class FaultRuleError(ValueError):
    pass


def validate_rule(data: Any, extra_actions: dict[str, Callable[[Any], str | None]] | None = None) -> dict:
    """Check a rule posted to /__admin/faults; returns the clean fields. `extra_actions`: the rule's vendor's own
    actions, each with a check of its value (None when fine, else what is wrong)."""
    extra_actions = extra_actions or {}
    if not isinstance(data, dict):
        raise FaultRuleError("a fault rule is a JSON object")
    action = data.get("action")
    if not isinstance(action, dict) or not action:
        raise FaultRuleError("'action' must be an object naming one of: " + ", ".join((*REQUEST_ACTIONS, "callback")))
    unknown = set(action) - set(REQUEST_ACTIONS) - set(extra_actions) - {"callback", "message"}
    if unknown:
        raise FaultRuleError(f"unknown action(s): {', '.join(sorted(unknown))}")
    for name, check in extra_actions.items():
        problem = check(action[name]) if name in action else None
        if problem:
            raise FaultRuleError(f"'{name}': {problem}")
    if "callback" in action:
        cb = action["callback"]
        cb = {cb: True} if isinstance(cb, str) else cb
        if not isinstance(cb, dict) or not cb or set(cb) - set(CALLBACK_ACTIONS):
            raise FaultRuleError("'callback' must be one of: " + ", ".join(CALLBACK_ACTIONS))
        if "delay_ms" in cb:
            _check_delay("callback.delay_ms", cb["delay_ms"], MAX_CALLBACK_DELAY_MS)
        for name in ("fail", "duplicate", "drop"):
            if name in cb and not isinstance(cb[name], bool):
                raise FaultRuleError(f"'callback.{name}' must be true or false")
        action = {**action, "callback": cb}
    if "status" in action and not (_whole(action["status"]) and 100 <= action["status"] <= 599):
        raise FaultRuleError("'status' must be an HTTP status code")
    if "delay_ms" in action:
        _check_delay("delay_ms", action["delay_ms"], MAX_DELAY_MS)
    if "message" in action and not isinstance(action["message"], str):
        raise FaultRuleError("'message' must be a string")
    truncate = action.get("truncate")
    if "truncate" in action and not (truncate is True or (isinstance(truncate, int) and truncate >= 0)):
        raise FaultRuleError("'truncate' must be true (half the body) or a number of bytes to send")
    out: dict[str, Any] = {"action": action}
    for name in ("vendor", "method", "path"):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise FaultRuleError(f"'{name}' must be a string")
        out[name] = value.upper() if (name == "method" and value) else value
    if out["path"] is not None and len(out["path"]) > MAX_PATH:
        raise FaultRuleError(f"'path' must be a glob of at most {MAX_PATH} characters")
    match = data.get("match", {})
    if not isinstance(match, dict):
        raise FaultRuleError("'match' must be an object of request fields")
    out["match"] = match
    for name in ("times", "after"):
        value = data.get(name)
        if value is not None and not (_whole(value) and 0 <= value <= MAX_COUNT):
            raise FaultRuleError(f"'{name}' must be a whole number from 0 to {MAX_COUNT}")
        out[name] = value
    out["after"] = out["after"] or 0
    p = data.get("probability")
    if p is not None and not _number(p, 1):
        raise FaultRuleError("'probability' must be a number from 0 to 1")
    out["probability"] = p
    return out


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any, most: float) -> bool:
    """A JSON number from 0 to `most` (which also leaves out infinity and NaN)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= most


def _check_delay(name: str, value: Any, most: int) -> None:
    if isinstance(value, dict):
        fine = (
            set(value) == {"min", "max"}
            and _number(value["min"], most)
            and _number(value["max"], most)
            and value["min"] <= value["max"]
        ) or (set(value) == {"mean", "stddev"} and _number(value["mean"], most) and _number(value["stddev"], most))
    else:
        fine = _number(value, most)
    if not fine:
        raise FaultRuleError(
            f'\'{name}\' must be milliseconds from 0 to {most}: a number, {{"min": a, "max": b}} '
            'or {"mean": m, "stddev": s}'
        )


def delay_seconds(delay: Any, rng, most: float = math.inf) -> float:
    """A fixed delay, or one drawn from a uniform or normal distribution with the seeded `rng`; never more than
    `most` milliseconds (a normal draw may fall far from its mean)."""
    if isinstance(delay, dict) and "min" in delay:
        ms = rng.uniform(delay["min"], delay["max"])
    elif isinstance(delay, dict):
        ms = rng.gauss(delay["mean"], delay["stddev"])
    else:
        ms = delay
    return min(max(0.0, ms), most) / 1000.0


def as_dict(rule: FaultRule) -> dict:
    return {
        "id": rule.id,
        "vendor": rule.vendor,
        "method": rule.method,
        "path": rule.path,
        "match": rule.match,
        "action": rule.action,
        "times": rule.times,
        "after": rule.after,
        "probability": rule.probability,
        "seen": rule.seen,
        "fired": rule.fired,
    }


def _field_matches(rule_match: dict, fields: dict) -> bool:
    return all(str(fields.get(k)) == str(v) for k, v in (rule_match or {}).items())


class Faults:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self._copy: tuple[Any, list[tuple]] = (object(), [])  # (version, request rules' matching fields)

    def changed(self, db: Session) -> None:
        """Call in every transaction that adds, removes or replaces rules."""
        row = db.get(Counter, VERSION)
        if row is None:
            row = Counter(name=VERSION)
            db.add(row)
        row.value = random.getrandbits(31)

    def add(self, db: Session, data: Any, extra_actions: dict | None = None) -> dict:
        rule = FaultRule(**validate_rule(data, extra_actions), seen=0, fired=0, active=True)
        db.add(rule)
        self.changed(db)
        db.flush()
        return as_dict(rule)

    def might_match(self, db: Session, vendor: str, method: str, path: str, fields: Callable[[], dict]) -> bool:
        """Whether a request rule could match this request: if not, the request need not touch the rules."""
        # The driver's own cursor on the session's connection: through SQLAlchemy this costs ten times more.
        driver = db.connection().connection.driver_connection
        assert driver is not None  # None only once the connection is closed; the session's is open
        version = driver.execute(_VERSION_SQL).fetchone()
        version = version[0] if version else None
        if version != self._copy[0]:
            rules = [
                (r.vendor, r.method, r.path, r.match)
                for r in db.scalars(select(FaultRule).where(FaultRule.active.is_(True)).order_by(FaultRule.id))
                if "callback" not in r.action
            ]
            self._copy = (version, rules)
        wanted = None
        for rule_vendor, rule_method, rule_path, rule_match in self._copy[1]:
            if (
                (rule_vendor and rule_vendor != vendor)
                or (rule_method and rule_method != method)
                or (rule_path and not fnmatch.fnmatchcase(path, rule_path))
            ):
                continue
            if not rule_match:
                return True
            if wanted is None:
                wanted = fields()
            if _field_matches(rule_match, wanted):
                return True
        return False

    def list(self, db: Session) -> list[dict]:
        return [as_dict(r) for r in db.scalars(select(FaultRule).order_by(FaultRule.id))]

    def _fires(self, rule: FaultRule) -> bool:
        rule.seen += 1
        if rule.seen <= rule.after:
            return False
        if rule.times is not None and rule.fired >= rule.times:
            return False
        if rule.probability is not None:
            draw = seeded_random(self.runtime.settings.seed, "fault", rule.id, rule.seen).random()
            if draw >= rule.probability:
                return False
        rule.fired += 1
        return True

    def match_request(
        self, db: Session, vendor: str, method: str, path: str, fields: dict
    ) -> tuple[bool, FaultRule | None]:
        """(whether any rule matched and so counted the request, the rule that fires, if one does)."""
        matched = False
        for rule in db.scalars(
            select(FaultRule).where(FaultRule.active.is_(True)).order_by(FaultRule.id).with_for_update()
        ):
            if "callback" in rule.action:
                continue
            if rule.vendor and rule.vendor != vendor:
                continue
            if rule.method and rule.method != method:
                continue
            if rule.path and not fnmatch.fnmatchcase(path, rule.path):
                continue
            if not _field_matches(rule.match, fields):
                continue
            matched = True
            if self._fires(rule):
                return True, rule
        return matched, None

    def match_callback(self, db: Session, vendor: str, url: str) -> FaultRule | None:
        path = urlsplit(url).path or "/"
        for rule in db.scalars(
            select(FaultRule).where(FaultRule.active.is_(True)).order_by(FaultRule.id).with_for_update()
        ):
            if "callback" not in rule.action:
                continue
            if rule.vendor and rule.vendor != vendor:
                continue
            if rule.path and not (fnmatch.fnmatchcase(path, rule.path) or fnmatch.fnmatchcase(url, rule.path)):
                continue
            if self._fires(rule):
                return rule
        return None
