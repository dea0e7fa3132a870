"""Large DICOM instances stored in PostgreSQL (the blob store of a PostgreSQL state) against files on disk (SQLite
state), in-process through msdicom's STOW and WADO (one instance, as stored).

    python scripts/bench/blobs_postgres.py [--mb 16 128] [--repeat 5] [--postgres URL]

Not a test: for each size it prints the STOW and the WADO milliseconds on disk and on PostgreSQL (WADO on the host
that stored it, which reads its cached file; on another host, cold: streamed from the database into its cache; and
warm), and the Python memory peak of that cold fetch. PostgreSQL: --postgres, else MOCKSERVERS_TEST_POSTGRES, else a
private cluster (tests/machinery/pgtest.py, Debian's binaries)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
import _bootstrap  # noqa: F401  (picks the project's virtualenv)

import argparse
import statistics
import tempfile
import time
import tracemalloc

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir))
from mockservers.app import create_app
from mockservers.core.blobs import key_of
from mockservers.dicom import multipart
from mockservers.dicom.synthetic import dx_dataset, to_part10
from mockservers.pytest_plugin import test_settings

BOUNDARY = "bench-boundary"
AS_STORED = {"Accept": "application/dicom; transfer-syntax=*"}


def instance(megabytes: int, index: int) -> tuple[bytes, str]:
    """A 16-bit radiograph of about `megabytes` MB (noise: it neither compresses nor repeats); its WADO path."""
    side = int((megabytes * 2**20 / 2) ** 0.5)
    ds = dx_dataset(index=index, rows=16, columns=16)
    ds.Rows = ds.Columns = side
    ds.PixelData = np.random.default_rng(index).integers(0, 4096, side * side, dtype=np.uint16).tobytes()
    path = f"/msdicom/v2/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}/instances/{ds.SOPInstanceUID}"
    return to_part10(ds), path


def stow(client, data: bytes) -> float:
    body = multipart.encode_related([("application/dicom", data)], BOUNDARY)
    headers = {"Content-Type": f'multipart/related; type="application/dicom"; boundary={BOUNDARY}'}
    start = time.perf_counter()
    answer = client.post("/msdicom/v2/studies", data=body, headers=headers)
    elapsed = time.perf_counter() - start
    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
    return elapsed * 1000


def wado(client, path: str, data: bytes) -> float:
    start = time.perf_counter()
    answer = client.get(path, headers=AS_STORED)
    elapsed = time.perf_counter() - start
    assert answer.status_code == 200 and answer.get_data() == data
    return elapsed * 1000


def app_on(state: str, folder: str, schema: str | None = None):
    settings = test_settings(state=state, data_dir=folder, db_schema=schema, vendors=["msdicom"])
    return create_app(settings, start_background=False)


def measure(megabytes: int, repeat: int, url: str, work: str) -> dict[str, float]:
    rows: dict[str, list[float]] = {}
    schema = f"bench_blobs_{os.getpid()}_{megabytes}"
    disk = app_on(f"sqlite:///{work}/disk/state.db", f"{work}/disk")
    first, second = app_on(url, f"{work}/a", schema), app_on(url, f"{work}/b", schema)
    try:
        for i in range(repeat):
            data, path = instance(megabytes, megabytes * 1000 + i)
            key = key_of(data)
            rows.setdefault("STOW, disk", []).append(stow(disk.test_client(), data))
            rows.setdefault("WADO, disk", []).append(wado(disk.test_client(), path, data))
            rows.setdefault("STOW, PostgreSQL", []).append(stow(first.test_client(), data))
            rows.setdefault("WADO, PostgreSQL, same host", []).append(wado(first.test_client(), path, data))
            rows.setdefault("WADO, PostgreSQL, other host cold", []).append(wado(second.test_client(), path, data))
            rows.setdefault("WADO, PostgreSQL, other host warm", []).append(wado(second.test_client(), path, data))
            blobs = second.extensions["mockservers"].blobs
            os.unlink(blobs.path(key))  # cold again: the Python memory a fetch holds at its peak
            tracemalloc.start()
            blobs.path(key)
            rows.setdefault("fetch peak, MB", []).append(tracemalloc.get_traced_memory()[1] / 2**20)
            tracemalloc.stop()
    finally:
        first.extensions["mockservers"].store.destroy()
        for app in (disk, first, second):
            app.extensions["mockservers.namespaces"].close()
    return {label: statistics.median(values) for label, values in rows.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, nargs="+", default=[16, 128], help="instance sizes, in MB")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("MOCKSERVERS_TEST_POSTGRES"), metavar="URL")
    args = parser.parse_args()
    cluster = None
    url = args.postgres
    if not url:
        from tests.machinery.pgtest import PrivatePostgres

        cluster = PrivatePostgres()
        url = cluster.url
    try:
        results = {}
        for megabytes in args.mb:
            with tempfile.TemporaryDirectory(prefix="bench-blobs-") as work:
                results[megabytes] = measure(megabytes, args.repeat, url, work)
    finally:
        if cluster is not None:
            cluster.stop()
    labels = list(next(iter(results.values())))
    print("median of", args.repeat, "(ms, but for the peak)".ljust(28) + "".join(f"{mb:>10} MB" for mb in args.mb))
    for label in labels:
        print(label.ljust(40) + "".join(f"{results[mb][label]:>13.1f}" for mb in args.mb))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
