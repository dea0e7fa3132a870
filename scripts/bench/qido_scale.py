"""QIDO answers from the index: the same queries against 100 and 10,000 stored instances (in-process, memory state).

    python scripts/bench/qido_scale.py [--sizes 100 10000] [--repeat 20] [--version 2]

Not a test: it prints milliseconds per query for each archive size. A filtered query should cost about the same at
both sizes, because it is a SQL WHERE on an indexed column; a page of the whole archive is bounded by `limit`."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir))
import _bootstrap  # noqa: F401  (picks the project's virtualenv)

import argparse
import copy
import time

from mockservers.app import create_app
from mockservers.dicom.archive import Archive
from mockservers.dicom.synthetic import image_dataset, to_part10
from mockservers.msdicom.face import make_face
from mockservers.pytest_plugin import test_settings

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10000])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--version", choices=["1", "2"], default="2", help="msdicom's API version (v1 reads instances)")
    args = parser.parse_args()
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
