"""The callback outbox: POST JSON to a receiver, retry with exponential backoff until it accepts.

Delivery is at least once: each attempt is recorded (state "sending") and committed before its request leaves, so
a server killed mid-send shows that attempt, and the retry scheduled before it sends the callback again. Every
attempt carries the same delivery id header, for receivers to deduplicate on."""

from __future__ import annotations

import http.cookiejar
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from mockservers.core.callback_retry import RetryPolicy, retry_policy
from mockservers.core.callback_targets import TargetError, TargetPolicy
from mockservers.core.faults import delay_seconds
from mockservers.core.models import Callback
from mockservers.core.scheduler import cancel, schedule

if TYPE_CHECKING:
    from mockservers.core.runtime import Context, Runtime

EVENT = "core.callback"
DELIVERY_HEADER = "X-Mock-Delivery-Id"
# An acceptor decides whether a receiver's answer counts as delivered: (response) -> error text or None.
Acceptor = Callable[[requests.Response], str | None]


def accept_2xx(response: requests.Response) -> str | None:
    return None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"


def enqueue(
    ctx: Context, url: str, body: Any, accept: str | None = None, headers: dict | None = None, delay: float = 0.0
) -> Callback:
    """Queue a callback as part of the caller's transaction; it goes out once that commits and it is due."""
    cb = Callback(
        vendor=ctx.vendor,
        url=url,
        body=body,
        headers=headers or {},
        accept=accept,
        state="pending",
        attempts=[],
        created_at=ctx.now,
    )
    ctx.db.add(cb)
    ctx.db.flush()
    cb.headers = {**cb.headers, DELIVERY_HEADER: str(ctx.uuid("callback-delivery", cb.id, url))}
    cb.next_event_id = schedule(ctx.db, EVENT, ctx.now + delay, {"id": cb.id}).id
    return cb


def list_callbacks(db: Session, vendor: str | None = None) -> list[dict]:
    query = select(Callback).order_by(Callback.id)
    if vendor:
        query = query.where(Callback.vendor == vendor)
    return [as_dict(cb) for cb in db.scalars(query)]


def as_dict(cb: Callback) -> dict:
    return {
        "id": cb.id,
        "vendor": cb.vendor,
        "url": cb.url,
        "body": cb.body,
        "headers": cb.headers,
        "state": cb.state,
        "attempts": cb.attempts,
        "created_at": cb.created_at,
    }


def _session() -> requests.Session:
    """Sends straight to the address the outbox checked: no proxy or .netrc from the environment (a CA bundle named
    there is still used), no cookies kept from one receiver's answer to the next request."""
    session = requests.Session()
    session.trust_env = False
    session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return session


class Dispatcher:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.acceptors: dict[str, Acceptor] = {}
        self.targets = TargetPolicy(runtime.settings.callback_allow)
        self.http = _session()
        for vendor in sorted(set(runtime.vendors) | set(runtime.settings.vendor_config)):
            self.retry_policy(vendor)  # a bad setting fails at start, not at the first retry
        runtime.scheduler.register(EVENT, self._on_due)

    def retry_policy(self, vendor: str) -> RetryPolicy:
        return retry_policy(self.runtime.settings, vendor, self.runtime.vendor_config(vendor))

    def _on_due(self, ctx: Context, payload: dict):
        db = ctx.db
        cb = db.get(Callback, payload["id"])
        if cb is None or cb.state != "pending":
            return None
        attempt = 1 + sum(not a.get("redelivery") for a in cb.attempts)
        delay = self.retry_policy(cb.vendor).delay_after(attempt, ctx.now - cb.created_at)
        # Scheduled before the send, so a crash mid-send still retries.
        retry = schedule(db, EVENT, ctx.now + delay, {"id": cb.id}) if delay is not None else None
        cb.next_event_id = retry.id if retry else None
        rule = self.runtime.faults.match_callback(db, cb.vendor, cb.url)
        action = (rule.action.get("callback") if rule else None) or {}
        fault = {"fault_id": rule.id} if rule else {}
        if isinstance(action, str):
            action = {action: True}
        if action.get("drop"):
            cancel(db, cb.next_event_id)
            cb.state = "dropped"
            cb.attempts = [*cb.attempts, self._entry("done", error="dropped by fault", **fault)]
            return None
        if action.get("delay_ms"):
            assert rule is not None  # without a rule, action is {}
            cancel(db, cb.next_event_id)
            delay = delay_seconds(action["delay_ms"], ctx.rng("callback-delay", rule.id, rule.fired))
            cb.next_event_id = schedule(db, EVENT, ctx.now + delay, {"id": cb.id}).id
            return None
        if action.get("fail"):
            cb.attempts = [*cb.attempts, self._entry("done", error="failed by fault", **fault)]
            if retry is None:
                cb.state = "failed"
            return None
        job = self._job(cb, copies=2 if action.get("duplicate") else 1, extra=fault)
        return lambda: self._deliver(**job)

    def redeliver(self, callback_id: int) -> dict | None:
        """Send the callback again now, whatever its state (no fault rule applies); None if there is none."""
        with self.runtime.store.transaction() as db:
            self.runtime.clock.load(db)
            cb = db.get(Callback, callback_id)
            if cb is None:
                return None
            job = self._job(cb, copies=1, extra={"redelivery": True})
        self._deliver(**job)
        with self.runtime.store.transaction() as db:
            sent = db.get(Callback, callback_id)
            return as_dict(sent) if sent is not None else None  # None: a reset removed it meanwhile

    @staticmethod
    def _job(cb: Callback, copies: int, extra: dict) -> dict:
        return dict(
            id=cb.id, url=cb.url, body=cb.body, headers=cb.headers, accept=cb.accept, copies=copies, extra=extra
        )

    def _entry(self, state: str, **fields) -> dict[str, Any]:
        return {"time": self.runtime.clock.now(), "state": state, "status": None, "error": None, **fields}

    def _deliver(self, id, url, body, headers, accept, copies, extra) -> None:
        try:
            self.targets.check(url)
        except TargetError as exc:
            with self.runtime.store.transaction() as db:
                cb = db.get(Callback, id, with_for_update=True)
                if cb is not None:
                    cb.attempts = [*cb.attempts, self._entry("done", error=str(exc), **extra)]
                    self._conclude(db, cb, delivered=False, refused=exc.final)
            return
        acceptor = self.acceptors.get(accept or "", accept_2xx)
        for _ in range(copies):
            index = self._record(id, self._entry("sending", **extra))
            if index is None:
                return  # forgotten meanwhile (a reset)
            outcome: dict[str, Any] = {"state": "done"}
            try:
                response = self.http.post(
                    url,
                    json=body,
                    headers=headers,
                    allow_redirects=False,
                    timeout=self.runtime.settings.callback_timeout,
                )
                outcome.update(status=response.status_code, response=response.text[:500], error=acceptor(response))
            except requests.RequestException as exc:
                outcome["error"] = f"{type(exc).__name__}: {exc}"[:500]
            self._finish(id, index, outcome)

    def _record(self, callback_id: int, entry: dict) -> int | None:
        """Append an attempt in a transaction of its own, committed before the request leaves."""
        with self.runtime.store.transaction() as db:
            cb = db.get(Callback, callback_id, with_for_update=True)
            if cb is None:
                return None
            cb.attempts = [*cb.attempts, entry]
            return len(cb.attempts) - 1

    def _finish(self, callback_id: int, index: int, outcome: dict) -> None:
        with self.runtime.store.transaction() as db:
            cb = db.get(Callback, callback_id, with_for_update=True)
            if cb is None or index >= len(cb.attempts):
                return
            attempts = list(cb.attempts)
            attempts[index] = {**attempts[index], **outcome}
            cb.attempts = attempts
            self._conclude(db, cb, delivered=outcome["error"] is None, refused=False)

    @staticmethod
    def _conclude(db: Session, cb: Callback, delivered: bool, refused: bool) -> None:
        """The callback's state after an attempt: delivered at the first acceptance; refused for good; failed
        once no retry is pending. A redelivery that fails leaves the state as it was."""
        if delivered or (refused and cb.state != "delivered"):
            cb.state = "delivered" if delivered else "refused"
            cancel(db, cb.next_event_id)
            cb.next_event_id = None
        elif cb.state == "pending" and cb.next_event_id is None:
            cb.state = "failed"
