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


def pytest_seconds(args: list[str], folder: str) -> float:
    """One `python -m pytest` run in `folder` (an empty pytest.ini: no project's options), its wall time."""
    started = time.perf_counter()
    ini = ("-c", os.path.join(folder, "pytest.ini"), "--rootdir", folder)
    done = subprocess.run(
        [sys.executable, *PYTEST, *ini, *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 5):  # 5: no tests collected (the empty file)
        raise RuntimeError(f"pytest {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return seconds


def timed(runs: dict[str, list[str]], folder: str, repeat: int) -> dict[str, list[float]]:
    seconds: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, args in runs.items():
            seconds[name].append(round(pytest_seconds(args, folder), 2))
    return seconds


def run(repeat: int = 3) -> dict:
    with tempfile.TemporaryDirectory(prefix="mockservers-bench-suites-") as folder:
        open(os.path.join(folder, "pytest.ini"), "w").write("[pytest]\n")
        empty = os.path.join(folder, "test_empty.py")
        open(empty, "w").write("")
        suites = timed(
            {
                "mockservers (mock_server)": [os.path.join(HERE, "moto_suite_mockservers.py")],
                "moto (mock_aws, boto3)": ["-p", "no:mockservers", os.path.join(HERE, "moto_suite_moto.py")],
            },
            folder,
            repeat,
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
