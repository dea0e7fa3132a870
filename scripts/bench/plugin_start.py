"""What installing mockservers adds to a pytest start: the same one-test suite started with the plugin (its entry
point, as every pytest run in that environment loads it) and without it (`-p no:mockservers`), alternately.

    python scripts/bench/plugin_start.py [--repeat 9]

Not a test (tests/plugin/test_plugin_start.py checks what the plugin imports, deterministically): it prints the
median wall time and CPU time of each start and their difference, whose target is at most 0.3 s. run() gives the
rows to run.py.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
import _bootstrap  # noqa: F401  (picks the project's virtualenv)

import argparse
import resource
import shutil
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TARGET_S = 0.3
SUITE = "def test_nothing():\n    pass\n"


def _start(folder: str, *options: str) -> tuple[float, float]:
    """Seconds from launching `python -m pytest` on the one-test suite to its exit, and the CPU seconds it used
    (user and system: on a shared machine, the steadier of the two)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options, "test_nothing.py"],
        cwd=folder,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    wall = time.perf_counter() - began
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)


def run(repeat: int = 9) -> dict:
    """Median seconds of a pytest start with and without the plugin, and what the plugin adds (target <= 0.3 s)."""
    folder = tempfile.mkdtemp(prefix="mockservers-pluginstart-")
    try:
        with open(os.path.join(folder, "test_nothing.py"), "w") as fh:
            fh.write(SUITE)
        _start(folder)  # warm the file cache and the bytecode of both ways once, unmeasured
        _start(folder, "-p", "no:mockservers")
        without, with_plugin = [], []
        for _ in range(repeat):  # alternately, so that a busy moment weighs on both
            without.append(_start(folder, "-p", "no:mockservers"))
            with_plugin.append(_start(folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    rows = []
    added = {}
    for measure, index in (("wall", 0), ("CPU", 1)):
        base = statistics.median(start[index] for start in without)
        loaded = statistics.median(start[index] for start in with_plugin)
        added[measure] = loaded - base
        rows.append(
            {
                "pytest start (one test), median": f"{measure} s",
                "without the plugin (-p no:mockservers)": f"{base:.3f}",
                "with the plugin": f"{loaded:.3f}",
                "added by the plugin": f"{added[measure]:.3f}",
                "target": f"<= {TARGET_S}",
                "met": "yes" if added[measure] <= TARGET_S else "no",
            }
        )
    return {"plugin_start": rows, "plugin_start_added_s": {k: round(v, 3) for k, v in added.items()}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=9, help="starts of each kind (default 9)")
    args = parser.parse_args()
    result = run(args.repeat)
    for row in result["plugin_start"]:
        print("  ".join(f"{key}: {value}" for key, value in row.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
