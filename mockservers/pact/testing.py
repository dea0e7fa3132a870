"""Pact verification for a pytest suite: the plugin's `verify_pacts` fixture calls `check`."""

from __future__ import annotations

import os
from collections.abc import Iterable

from mockservers.pact.verify import Outcome, verify


def check(
    sources: Iterable[str | os.PathLike],
    base_url: str,
    vendors: Iterable[str],
    vendor: str | None = None,
    token: str | None = None,
) -> Outcome:
    """Verify the pact files (or folders of them) against the server at `base_url`; AssertionError carrying pact's
    report if an interaction fails."""
    outcome = verify(list(sources), base_url, vendors, vendor=vendor, token=token)
    if not outcome.ok:
        raise AssertionError("\n".join(["pact verification failed:", outcome.report, *outcome.unknown_states]))
    return outcome
