"""The rows beside moto: object PUT and GET through the OSS store against moto's S3 server (moto_s3.py), the
integrator-style suites and pytest's start with and without the plugin (moto_suites.py)."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable

import moto_s3
import moto_suites


def _plugin_start() -> dict | None:
    """plugin_start.py's row when that script is there and offers run(), else None (moto_suites measures it)."""
    if importlib.util.find_spec("plugin_start") is None:
        return None
    import plugin_start

    run = getattr(plugin_start, "run", None)
    return run() if callable(run) else None


def run(seconds: int = 5) -> dict:
    if importlib.util.find_spec("moto") is None:
        return {"moto_skipped": "moto is not installed (pip install -e '.[bench]')"}
    results = moto_s3.run(seconds=seconds)
    results.update(moto_suites.run(repeat=int(os.environ.get("BENCH_REPEAT", "3"))))
    theirs = _plugin_start()
    if theirs is not None:  # plugin_start.py's rows (median of alternating starts) replace moto_suites' figure
        results.update(theirs)
    return results


def print_tables(results: dict, table: Callable[[list[dict]], str]) -> None:
    if "moto_skipped" in results:
        print(f"\nmoto rows not run: {results['moto_skipped']}")
        return
    print(
        "\nOSS store beside moto's S3 server, object of 1 KiB, requests/second, the same wrk load (target: the faster "
        f"server >= {moto_s3.TARGET} x moto)"
    )
    print(table(results["moto_s3"]))
    suite = results["moto_suite"]
    print(
        f"\nIntegrator-style suite, {suite['tests']} tests (reset, a login and a call each), pytest wall seconds "
        f"(target: moto / mockservers {suite['target']})"
    )
    print(table([{"suite": name, "seconds": ", ".join(map(str, runs))} for name, runs in suite["seconds"].items()]))
    print(f"ratio (fastest runs): {suite['ratio (moto / mockservers, fastest runs)']}")
    start = results["plugin_start"]
    if isinstance(start, list):  # plugin_start.py's rows, each with its target
        print("\npytest start with and without the plugin, seconds (plugin_start.py)")
        print(table(start))
        return
    print(f"\npytest start, collecting an empty file, wall seconds (target: the plugin adds {start['target']})")
    print(table([{"pytest": name, "seconds": ", ".join(map(str, runs))} for name, runs in start["seconds"].items()]))
    print(f"added by the plugin (fastest runs): {start['added by the plugin (fastest runs)']}")
