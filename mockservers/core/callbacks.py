"""The callback outbox: POST JSON to a receiver, retry with exponential backoff until it accepts."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from mockservers.core.faults import delay_seconds
from mockservers.core.models import Callback
from mockservers.core.scheduler import cancel, schedule

if TYPE_CHECKING:
    from mockservers.core.runtime import Context, Runtime

log = logging.getLogger(__name__)

EVENT = "core.callback"
# An acceptor decides whether a receiver's answer counts as delivered: (response) -> error text or None.
Acceptor = Callable[[requests.Response], str | None]


def accept_2xx(response: requests.Response) -> str | None:
    return None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"


def enqueue(ctx: "Context", url: str, body: Any, accept: str | None = None,
            headers: dict | None = None, delay: float = 0.0) -> Callback:
    """Queue a callback as part of the caller's transaction; it goes out once that commits and it is due."""
    cb = Callback(vendor=ctx.vendor, url=url, body=body, headers=headers or {}, accept=accept,
                  state="pending", attempts=[], created_at=ctx.now)
    ctx.db.add(cb)
    ctx.db.flush()
    cb.next_event_id = schedule(ctx.db, EVENT, ctx.now + delay, {"id": cb.id}).id
    return cb


def list_callbacks(db: Session, vendor: str | None = None) -> list[dict]:
    query = select(Callback).order_by(Callback.id)
    if vendor:
        query = query.where(Callback.vendor == vendor)
    return [as_dict(cb) for cb in db.scalars(query)]


def as_dict(cb: Callback) -> dict:
    return {"id": cb.id, "vendor": cb.vendor, "url": cb.url, "body": cb.body, "headers": cb.headers,
            "state": cb.state, "attempts": cb.attempts, "created_at": cb.created_at}


class Dispatcher:
    def __init__(self, runtime: "Runtime"):
        self.runtime = runtime
        self.acceptors: dict[str, Acceptor] = {}
        runtime.scheduler.register(EVENT, self._on_due)

    def backoff(self, attempt: int) -> float:
        s = self.runtime.settings
        return min(s.callback_backoff_seconds * (2 ** (attempt - 1)), s.callback_backoff_max_seconds)

    def _on_due(self, ctx: "Context", payload: dict):
        db = ctx.db
        cb = db.get(Callback, payload["id"])
        if cb is None or cb.state != "pending":
            return None
        attempt = len(cb.attempts) + 1
        settings = self.runtime.settings
        retry = None
        if attempt < settings.callback_max_attempts:
            # Scheduled before the send, so a crash mid-send still retries.
            retry = schedule(db, EVENT, ctx.now + self.backoff(attempt), {"id": cb.id})
        cb.next_event_id = retry.id if retry else None
        rule = self.runtime.faults.match_callback(db, cb.vendor, cb.url)
        action = (rule.action.get("callback") if rule else None) or {}
        fault = {"fault_id": rule.id} if rule else {}
        if isinstance(action, str):
            action = {action: True}
        if action.get("drop"):
            cancel(db, cb.next_event_id)
            cb.state = "dropped"
            cb.attempts = [*cb.attempts, {"time": ctx.now, "status": None, "error": "dropped by fault", **fault}]
            return None
        if action.get("delay_ms"):
            cancel(db, cb.next_event_id)
            delay = delay_seconds(action["delay_ms"], ctx.rng("callback-delay", rule.id, rule.fired))
            cb.next_event_id = schedule(db, EVENT, ctx.now + delay, {"id": cb.id}).id
            return None
        if action.get("fail"):
            cb.attempts = [*cb.attempts, {"time": ctx.now, "status": None, "error": "failed by fault", **fault}]
            if retry is None:
                cb.state = "failed"
            return None
        copies = 2 if action.get("duplicate") else 1
        job = dict(id=cb.id, url=cb.url, body=cb.body, headers=cb.headers, accept=cb.accept,
                   retry_id=cb.next_event_id, copies=copies, fault=fault)
        return lambda: self._send(**job)

    def _send(self, id, url, body, headers, accept, retry_id, copies, fault) -> None:
        acceptor = self.acceptors.get(accept or "", accept_2xx)
        results = []
        for _ in range(copies):
            entry: dict[str, Any] = {"time": self.runtime.clock.now(), "status": None, "error": None, **fault}
            try:
                response = requests.post(url, json=body, headers=headers,
                                         timeout=self.runtime.settings.callback_timeout)
                entry["status"] = response.status_code
                entry["response"] = response.text[:500]
                entry["error"] = acceptor(response)
            except requests.RequestException as exc:
                entry["error"] = f"{type(exc).__name__}: {exc}"[:500]
            results.append(entry)
        delivered = any(r["error"] is None for r in results)
        with self.runtime.store.transaction() as db:
            cb = db.get(Callback, id)
            if cb is None:
                return
            cb.attempts = [*cb.attempts, *results]
            if delivered:
                cb.state = "delivered"
                cancel(db, retry_id)
                cb.next_event_id = None
            elif retry_id is None:
                cb.state = "failed"
