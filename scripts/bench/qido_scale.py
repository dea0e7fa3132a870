"""QIDO answers from the index: the same queries against 100 and 10,000 stored instances (in-process, memory state).

    python scripts/bench/qido_scale.py [--sizes 100 10000] [--repeat 20] [--version 2]
    python scripts/bench/qido_scale.py --served [--total 100000]

Not a test: it prints milliseconds per query for each archive size. A filtered query should cost about the same at
both sizes, because it is a SQL WHERE on an indexed column; a page of the whole archive is bounded by `limit`.

--served (the scale row of `make bench`, scale_row()): stores `--total` instances into a SQLite state in-process
through the archive (what a STOW does after reading the request: examined, validated, indexed, the file written),
1,000 per transaction, timing only that; serves the state with `mockservers serve --workers 2` at 1,000 and at
`--total` instances and measures the median of QIDO by SOPInstanceUID and by PatientID over HTTP, and at the end the
server's memory. Targets: seeding >= 500 instances/s, the p50 at `--total` at most twice that at 1,000, RSS < 400 MB.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
import _bootstrap  # noqa: F401  (picks the project's virtualenv)

import argparse
import copy
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time

from mockservers.app import create_app
from mockservers.dicom.archive import Archive, examine
from mockservers.dicom.part10 import inflate_limit
from mockservers.dicom.synthetic import image_dataset, to_part10
from mockservers.msdicom.face import make_face
from mockservers.pytest_plugin import test_settings
from mockservers.settings import Settings

QUERIES = [
    ("/studies?PatientID=<one>", {"PatientID": "{patient}"}, "studies"),
    ("/studies?StudyInstanceUID=<one>", {"StudyInstanceUID": "{study}"}, "studies"),
    ("/studies?StudyDate=<one day>", {"StudyDate": "20240102"}, "studies"),
    ("/series?Modality=MR&limit=10", {"Modality": "MR", "limit": "10"}, "series"),
    ("/instances?SOPInstanceUID=<one>", {"SOPInstanceUID": "{sop}"}, "instances"),
    ("/studies (first page of 100)", {}, "studies"),
]


def fill(app, count: int) -> dict:
    runtime = app.extensions["mockservers"]
    template = image_dataset(0, 0, "CT", rows=2, columns=2)
    face = make_face("2", "http://127.0.0.1/msdicom/v2")
    middle = {}
    with runtime.store.transaction() as db:
        archive = Archive(runtime.context(db, "msdicom"), face)
        for i in range(count):
            ds = copy.deepcopy(template)
            study = i // 10  # ten instances per study, two series per study
            ds.StudyInstanceUID = f"1.2.826.0.1.3680043.8.498.1.{study + 1}"
            ds.SeriesInstanceUID = f"1.2.826.0.1.3680043.8.498.2.{study + 1}.{i % 2 + 1}"
            ds.SOPInstanceUID = f"1.2.826.0.1.3680043.8.498.3.{i + 1}"
            ds.PatientID = f"P{study:06d}"
            ds.Modality = "MR" if i % 2 else "CT"
            ds.StudyDate = f"2024{(study % 12) + 1:02d}{(study % 28) + 1:02d}"
            outcome = archive.store(to_part10(ds), None, set())
            assert outcome.stored, outcome.detail
            if i == count // 2:
                middle = {"patient": ds.PatientID, "study": ds.StudyInstanceUID, "sop": ds.SOPInstanceUID}
    return middle


def time_query(client, path: str, params: dict, repeat: int) -> float:
    client.get(path, query_string=params)  # warm up
    start = time.perf_counter()
    for _ in range(repeat):
        response = client.get(path, query_string=params, headers={"Accept": "application/dicom+json"})
        assert response.status_code in (200, 204), response.get_data(as_text=True)
    return (time.perf_counter() - start) / repeat * 1000


# ---- the scale row: seeding rate, QIDO p50 at 1,000 and at 100,000 instances over HTTP, server memory ----------

SCALE_TARGETS = {"seeding instances/s": 500, "p50 ratio": 2.0, "RSS MB": 400}
BATCH = 1000


def _seed(app, start: int, stop: int) -> float:
    """Instances start..stop-1 stored (ten per study, a patient per five studies), BATCH per transaction; the
    seconds spent storing (the files are made before each batch's clock starts)."""
    runtime = app.extensions["mockservers"]
    template = image_dataset(0, 0, "CT", rows=2, columns=2)
    face = make_face("2", "http://127.0.0.1/msdicom/v2")
    spent = 0.0
    for first in range(start, stop, BATCH):
        files = []
        for n in range(first, min(stop, first + BATCH)):
            study = n // 10
            template.StudyInstanceUID = f"1.2.826.0.1.3680043.8.498.1.{study + 1}"
            template.SeriesInstanceUID = f"1.2.826.0.1.3680043.8.498.2.{study + 1}.{n % 2 + 1}"
            template.SOPInstanceUID = f"1.2.826.0.1.3680043.8.498.3.{n + 1}"
            template.PatientID = f"P{study // 5:06d}"
            template.StudyDate = f"2024{(study % 12) + 1:02d}{(study % 28) + 1:02d}"
            template.InstanceNumber = n % 10 + 1
            files.append(to_part10(copy.copy(template)))
        started = time.perf_counter()
        with runtime.store.transaction() as db:
            archive = Archive(runtime.context(db, "msdicom"), face, planned=len(files))
            seen: set[str] = set()
            examined = [examine(data, inflate_limit(runtime.settings)) for data in files]
            archive.look_up(examined)  # as a STOW of many instances does
            for one in examined:
                outcome = archive.store(one, None, seen)
                assert outcome.stored, outcome.detail
            archive.write_pending()
        spent += time.perf_counter() - started
    return spent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _p50_served(state: str, middle: int, samples: int) -> tuple[dict[str, float], float]:
    """Median milliseconds of two QIDO queries against `mockservers serve` on the state, and its memory (MB)."""
    import requests
    from dicomweb_vs_orthanc import rss_mb, wait_up

    port = _free_port()
    command = [os.path.join(os.path.dirname(sys.executable), "mockservers"), "serve", "--workers", "2"]
    command += ["--port", str(port), "--state", state, "--vendor", "msdicom"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/msdicom/v2"
    study = middle // 10
    queries = {
        "QIDO SOPInstanceUID": (f"{base}/instances", {"SOPInstanceUID": f"1.2.826.0.1.3680043.8.498.3.{middle + 1}"}),
        "QIDO PatientID": (f"{base}/studies", {"PatientID": f"P{study // 5:06d}"}),
    }
    try:
        http = requests.Session()
        wait_up(http, base + "/studies?limit=1")
        medians = {}
        for label, (url, params) in queries.items():
            timings = []
            for _ in range(samples + 5):
                started = time.perf_counter()
                response = http.get(url, params=params, headers={"Accept": "application/dicom+json"})
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200 and response.json(), (label, response.status_code)
            medians[label] = round(statistics.median(timings[5:]), 2)  # the first few warm the workers up
        return medians, rss_mb(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def scale_row(total: int = 100_000, samples: int = 200) -> dict:
    """The scale row of `make bench` (see the module's docstring): measured values beside their targets."""
    folder = tempfile.mkdtemp(prefix="mockservers-scale-")
    state = f"sqlite:///{folder}/state.db"
    try:
        app = create_app(Settings(state=state, vendors=["msdicom"], background=False), start_background=False)
        spent = _seed(app, 0, 1000)
        app.extensions["mockservers"].close()
        small, _ = _p50_served(state, 500, samples)
        app = create_app(Settings(state=state, vendors=["msdicom"], background=False), start_background=False)
        spent += _seed(app, 1000, total)
        app.extensions["mockservers"].close()
        large, rss = _p50_served(state, total // 2, samples)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    row = {"instances": total, "seeding instances/s": round(total / spent, 1), "RSS MB": rss}
    for label in small:
        row[f"{label} p50 ms at 1,000"] = small[label]
        row[f"{label} p50 ms at {total:,}"] = large[label]
        row[f"{label} p50 ratio"] = round(large[label] / small[label], 2)
    return {"scale": row, "scale_targets": SCALE_TARGETS}


def print_scale(result: dict) -> None:
    row, targets = result["scale"], result["scale_targets"]
    print(f"\nScale: {row['instances']:,} instances stored, msdicom under `serve --workers 2` (SQLite state)")
    for key, value in row.items():
        if key == "instances":
            continue
        target = next((t for name, t in targets.items() if key.endswith(name)), None)
        if target is None:
            print(f"  {key}: {value}")
            continue
        met = value >= target if key.endswith("instances/s") else value <= target if "ratio" in key else value < target
        sign = ">=" if key.endswith("instances/s") else "<=" if "ratio" in key else "<"
        print(f"  {key}: {value} (target {sign} {target}: {'met' if met else 'missed'})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--version", choices=["1", "2"], default="2", help="msdicom's API version (v1 reads instances)")
    parser.add_argument("--served", action="store_true", help="the scale row: seeding, QIDO p50 over HTTP, memory")
    parser.add_argument("--total", type=int, default=100_000, help="--served: the instances stored")
    args = parser.parse_args()
    if args.served:
        print_scale(scale_row(args.total))
        return 0
    results: dict[str, list[float]] = {label: [] for label, _, _ in QUERIES}
    for size in args.sizes:
        app = create_app(test_settings(vendors=["msdicom"]), start_background=False)
        started = time.perf_counter()
        values = fill(app, size)
        print(f"stored {size} instances in {time.perf_counter() - started:.1f}s", file=sys.stderr)
        client = app.test_client()
        for label, params, level in QUERIES:
            params = {k: v.format(**values) for k, v in params.items()}
            results[label].append(time_query(client, f"/msdicom/v{args.version}/{level}", params, args.repeat))
        app.extensions["mockservers"].close()
    header = "query".ljust(40) + "".join(f"{size:>12,} inst." for size in args.sizes)
    print(header)
    for label, timings in results.items():
        print(label.ljust(40) + "".join(f"{ms:>15.2f} ms" for ms in timings))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
