"""Wall time of pytest runs, each in a subprocess: the integrator-style suites (moto_suite_mockservers.py with the
mockservers plugin, moto_suite_moto.py with moto's `mock_aws` and boto3), and pytest's start with and without the
plugin (collecting an empty test file). Runs alternate, `repeat` times each; the row keeps the fastest and the range.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SUITE_TARGET = 3.0  # moto's suite time / ours, at least
START_TARGET = 0.3  # seconds the plugin may add to a pytest start
PYTEST = ("-m", "pytest", "-q", "-p", "no:cacheprovider")


def pytest_seconds(args: list[str], folder: str, only_named_plugins: bool = False) -> float:
    """One `python -m pytest` run in `folder` (an empty pytest.ini: no project's options), its wall time. With
    `only_named_plugins`, pytest loads no installed plugin but those `-p` names in `args`."""
    started = time.perf_counter()
    ini = ("-c", os.path.join(folder, "pytest.ini"), "--rootdir", folder)
    env = dict(os.environ, PYTEST_DISABLE_PLUGIN_AUTOLOAD="1") if only_named_plugins else None
    done = subprocess.run(
        [sys.executable, *PYTEST, *ini, *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 5):  # 5: no tests collected (the empty file)
        raise RuntimeError(f"pytest {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return seconds


def timed(runs: dict[str, list[str]], folder: str, repeat: int, **options: bool) -> dict[str, list[float]]:
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, args in runs.items():
            seconds[name].append(round(pytest_seconds(args, folder, **options), 2))
    return seconds


def run(repeat: int = 3) -> dict:
    with tempfile.TemporaryDirectory(prefix="mockservers-bench-suites-") as folder:
        open(os.path.join(folder, "pytest.ini"), "w").write("[pytest]\n")
        empty = os.path.join(folder, "test_empty.py")
        open(empty, "w").write("")
        # Each suite as an integrator's venv would run it: pytest with the one plugin it uses (ours; moto needs
        # none), not every plugin this venv holds for the project's own tests (schemathesis, Playwright, Pact...),
        # whose start would otherwise weigh on both sides alike.
        suites = timed(
            {
                "mockservers (mock_server)": [
                    "-p",
                    "mockservers.pytest_plugin",
                    os.path.join(HERE, "moto_suite_mockservers.py"),
                ],
                "moto (mock_aws, boto3)": [os.path.join(HERE, "moto_suite_moto.py")],
            },
            folder,
            repeat,
            only_named_plugins=True,
        )
        starts = timed(
            {
                "with the plugin": ["--collect-only", empty],
                "without (-p no:mockservers)": ["--collect-only", "-p", "no:mockservers", empty],
            },
            folder,
            repeat,
        )
    ours, theirs = (min(v) for v in suites.values())
    with_plugin, without = (min(v) for v in starts.values())
    return {
        "moto_suite": {
            "tests": 50,
            "seconds": suites,
            "ratio (moto / mockservers, fastest runs)": round(theirs / ours, 2),
            "target": f">= {SUITE_TARGET}",
        },
        "plugin_start": {
            "seconds": starts,
            "added by the plugin (fastest runs)": round(with_plugin - without, 2),
            "target": f"<= {START_TARGET}",
        },
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(int(os.environ.get("BENCH_REPEAT", "3"))), indent=2))
