"""Verify pact files against the mock with pact's own verifier (pact-python, its Rust core in the wheel).

Every interaction runs in one namespace of this run's own (`X-Mock-Namespace`, sent by the verifier as a custom
header on each request and each provider-state call; named after the pacts' contents, so their fake values are the
same on every run); the state call's teardown forgets the namespace's state, so
no interaction sees another's, and the namespace is deleted at the end. Pacts are verified per provider: a pact's
provider name is the vendor key, unless `vendor` says which vendor they are all for."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from mockservers.core.namespaces import HEADER as NAMESPACE_HEADER

STATE_PATH = "/__admin/pact/state"
REQUEST_TIMEOUT_MS = 60_000  # a state may analyse a CT series


class PactProblem(Exception):
    """The pact files cannot be verified as given (the message says why)."""


@dataclass
class Outcome:
    ok: bool
    report: str = ""  # pact's report, without colours
    providers: dict[str, str] = field(default_factory=dict)  # provider name -> vendor key
    unknown_states: list[str] = field(default_factory=list)  # pact shows only the state call's status: these say why


def pact_files(sources: Iterable[str | os.PathLike]) -> list[Path]:
    files: list[Path] = []
    for source in map(Path, sources):
        if source.is_dir():
            files.extend(sorted(source.glob("*.json")))
        elif source.is_file():
            files.append(source)
        else:
            raise PactProblem(f"{source}: no such file or folder")
    if not files:
        raise PactProblem("no pact files (*.json) in " + ", ".join(map(str, sources)))
    return files


def by_provider(files: list[Path], vendor: str | None, known: Iterable[str]) -> dict[tuple[str, str], list[Path]]:
    """(provider name, vendor key) -> its pact files."""
    known = list(known)
    groups: dict[tuple[str, str], list[Path]] = {}
    for path in files:
        try:
            provider = json.loads(path.read_text(encoding="utf-8"))["provider"]["name"]
        except (ValueError, KeyError, TypeError):
            raise PactProblem(f"{path}: not a pact file (no provider name)") from None
        key = vendor or provider
        if key not in known:
            raise PactProblem(
                f"{path}: provider {provider!r} is not a vendor of this server ({', '.join(known)}); "
                "name the vendor with --vendor KEY"
            )
        groups.setdefault((provider, key), []).append(path)
    return groups


def verify(
    sources: Iterable[str | os.PathLike],
    base_url: str,
    vendors: Iterable[str],
    vendor: str | None = None,
    state_url: str | None = None,
    token: str | None = None,
) -> Outcome:
    """Verify every interaction of the pact files (or folders of them) against the server at `base_url`, which
    serves `vendors`. pact prints its report on stdout as it goes; the outcome carries it too."""
    os.environ["PACT_DO_NOT_TRACK"] = "true"  # pact's core would otherwise report its use over the network
    from pact import Verifier

    groups = by_provider(pact_files(sources), vendor, vendors)
    namespace = namespace_for([path for group in groups.values() for path in group])
    outcome = Outcome(ok=True, providers=dict(groups.keys()))
    for (provider, key), files in groups.items():
        verifier = Verifier(provider, host=urlsplit(base_url).hostname)
        verifier.add_transport(url=base_url.rstrip("/") + "/").set_coloured_output(enabled=False)
        verifier.set_request_timeout(REQUEST_TIMEOUT_MS)
        verifier.add_custom_header(NAMESPACE_HEADER, namespace)
        if token:
            verifier.add_custom_header("Authorization", f"Bearer {token}")
        for path in files:
            verifier.add_source(path)
        verifier.state_handler(
            state_url or f"{base_url.rstrip('/')}{STATE_PATH}?vendor={key}", teardown=True, body=True
        )
        if not state_url:
            outcome.unknown_states += unknown_states(files, key)
        try:
            verifier.verify()
        except RuntimeError:  # pact's core answered "failed" (its report says why)
            outcome.ok = False
        outcome.report += verifier.output(strip_ansi=True)
    _forget(base_url, namespace, token)
    return outcome


def namespace_for(files: list[Path]) -> str:
    """The run's namespace, named after the pact files' contents: a namespace's seed comes from its name, so the
    same pacts meet the same fake values (ids, findings) on every run."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return "pact-" + digest.hexdigest()[:16]


def unknown_states(files: list[Path], vendor: str) -> list[str]:
    """The provider states of the pacts that the mock's catalog does not know, each with the states it does."""
    from mockservers.pact.catalog import CATALOG
    from mockservers.pact.states import UnknownState, find

    problems: dict[str, None] = {}
    for path in files:
        for interaction in json.loads(path.read_text(encoding="utf-8")).get("interactions", []):
            for state in interaction.get("providerStates") or []:
                try:
                    find(CATALOG, str(state.get("name", "")), [vendor])
                except UnknownState as exc:
                    problems[f"{exc} ({vendor}); known states: {'; '.join(exc.known)}"] = None
    return list(problems)


def _forget(base_url: str, namespace: str, token: str | None) -> None:
    import requests

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    requests.delete(f"{base_url.rstrip('/')}/__admin/namespaces/{namespace}", headers=headers, timeout=30)
