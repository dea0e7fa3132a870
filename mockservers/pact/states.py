"""Provider states: the names a pact's `given(...)` uses, mapped to the mock's own setup (mockservers/pact/catalog.py).

A state is a sentence with `{placeholders}` ("a finished job for series {series}"); a pact may name it with the
values written in ("a finished job for series 1.2.3") or pass them as the state's params, which win. Each setup runs
the vendor's own calls in the namespace of the state request, through the app's test client, and answers the
values a pact can inject with pact's ProviderState generators (`${job_id}`, `${token}`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from mockservers.core.namespaces import HEADER as NAMESPACE_HEADER
from mockservers.core.runtime import Runtime


class StateFailed(Exception):
    """The state is known, but the mock could not be put in it (the message says why)."""


class Caller:
    """The vendor's own routes and /__admin, called in-process in one namespace (with the admin token, if any)."""

    def __init__(self, app: Flask, runtime: Runtime, namespace: str, authorization: str | None):
        self.client = app.test_client()
        self.runtime = runtime
        self.headers = {NAMESPACE_HEADER: namespace}
        if authorization:
            self.admin_headers = {**self.headers, "Authorization": authorization}
        else:
            self.admin_headers = dict(self.headers)

    def call(self, method: str, path: str, what: str, headers: dict | None = None, **kwargs: Any) -> Any:
        """The answer's JSON (None for another body); a 4xx or 5xx raises StateFailed naming `what`."""
        base = self.admin_headers if path.startswith("/__admin") else self.headers
        response = self.client.open(path, method=method, headers={**base, **(headers or {})}, **kwargs)
        if response.status_code >= 400:
            raise StateFailed(f"{what}: {method} {path} answered {response.status_code}: {response.get_data(True)}")
        return response.get_json(silent=True)

    def advance(self, seconds: float) -> None:
        self.call("POST", "/__admin/clock/advance", "moving the virtual clock", json={"seconds": seconds})


Setup = Callable[[Caller, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class State:
    vendor: str | None  # None: any vendor
    name: str  # with {placeholders}
    does: str  # one line for the docs and the error that lists the known states
    setup: Setup
    defaults: dict[str, Any] = field(default_factory=dict)

    def match(self, asked: str) -> dict[str, str] | None:
        parts = re.split(r"\{(\w+)\}", self.name)
        pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
        found = re.fullmatch(pattern, asked.strip())
        return found.groupdict() if found else None

    @property
    def shown(self) -> str:
        return f"{self.vendor}: {self.name}" if self.vendor else self.name


class UnknownState(Exception):
    def __init__(self, asked: str, known: list[str]):
        super().__init__(f"unknown provider state {asked!r}")
        self.asked, self.known = asked, known


def find(catalog: list[State], asked: str, vendors: list[str]) -> tuple[State, dict[str, str]]:
    """The state `asked` names among those of `vendors` (and the vendor-free ones), with the values its name holds."""
    usable = [s for s in catalog if s.vendor is None or s.vendor in vendors]
    for state in usable:
        values = state.match(asked)
        if values is not None:
            return state, values
    raise UnknownState(asked, [s.shown for s in usable if s.name])


def apply(caller: Caller, state: State, named: dict[str, str], params: dict[str, Any]) -> dict[str, Any]:
    """Run the setup with its defaults, the values in the name, then the pact's params (each wins over the last)."""
    values = {**state.defaults, **named, **{k: v for k, v in params.items() if v is not None}}
    answer = {**values, **state.setup(caller, values)}
    answer.pop("password", None)  # the values go back to the verifier's log
    return answer
