"""Fake values are functions of the seed and the inputs alone: the same bytes whatever the real date.

In-process, time-machine moves Python's clock; libfaketime moves a whole `mockservers seed` process's clock."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from mockservers.cli import main as cli_main
from mockservers.dicom.synthetic import dx_file, image_dataset, rle_part10, to_part10
from tests.aliyun.conftest import Aliyun, ct_slices, fundus_file
from tests.machinery import test_settings

pytestmark = pytest.mark.no_postgres_pass  # each run picks its own SQLite state

# Two real dates years apart, on either side of the virtual clock's epoch and of the synthetic study dates.
DATES = [datetime(2019, 3, 4, 5, 6, 7, tzinfo=UTC), datetime(2041, 11, 30, 23, 59, 0, tzinfo=UTC)]


def synthetic_files() -> list[bytes]:
    files = [dx_file(seed, index) for seed in (0, 7) for index in range(3)]
    files.append(to_part10(image_dataset(3, 1, "MR", frames=2)))
    files.append(rle_part10(image_dataset(4, 2, "CT")))
    return files


def on_each_date(make) -> list:
    """What `make()` gives with Python's clock standing at each of DATES."""
    runs = []
    for when in DATES:
        with time_machine.travel(when, tick=False):
            runs.append(make())
    return runs


def test_synthetic_dicom_is_the_same_on_any_day():
    runs = on_each_date(synthetic_files)
    assert runs[0] == runs[1]
    assert runs[0] == synthetic_files()  # and today


def analysis_results() -> list[dict]:
    from mockservers.app import create_app

    app = create_app(test_settings(), start_background=False)
    try:
        aliyun = Aliyun(app)
        slices = {f"{i}.dcm": s for i, s in enumerate(ct_slices(3))}
        return [
            aliyun.analyse(slices, study="ct-1", study_type=1, key="ct").json["data"],
            aliyun.analyse({"a.dcm": dx_file(0, 1)}, study="dx-1", study_type=2, key="dx").json["data"],
            aliyun.analyse({"od.dcm": fundus_file("R")}, study="eye-1", study_type=3, key="eye").json["data"],
            aliyun.analyse({"k.dcm": dx_file(0, 2)}, study="knee-1", study_type=4, key="knee").json["data"],
        ]
    finally:
        app.extensions["mockservers.namespaces"].close()


def test_vendor_results_are_the_same_on_any_day():
    runs = on_each_date(analysis_results)
    assert runs[0] == runs[1]
    assert runs[0][0]["imageDataList"], "the CT study has findings to compare"


def stored_files(root: Path) -> dict[str, str]:
    """Every stored blob, by its path under the data folder, with the SHA-256 of its bytes."""
    blobs = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix not in (".db", ".db-wal", ".db-shm", ".lock") and "state.db" not in path.name:
            blobs[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return blobs


def seed_args(folder: Path) -> list[str]:
    return ["seed", "--scenario", "demo", "--seed", "7", "--studies", "2", "--state", f"sqlite:///{folder}/state.db"]


def test_demo_seeding_stores_the_same_files_on_any_day(tmp_path, capsys):
    folders = []
    for n, when in enumerate(DATES):
        folder = tmp_path / f"run{n}"
        folder.mkdir()
        with time_machine.travel(when, tick=False):
            assert cli_main(seed_args(folder)) == 0
        folders.append(folder)
    first, second = (stored_files(f) for f in folders)
    assert first and first == second
    assert all(name.split("/")[-1] == digest for name, digest in first.items() if "/" in name)


def libfaketime() -> str | None:
    for candidate in Path("/usr/lib").glob("*/faketime/libfaketime.so.1"):
        return str(candidate)
    return None


@pytest.mark.skipif(libfaketime() is None, reason="libfaketime is not installed (`make system-deps` installs it)")
def test_a_seed_process_under_libfaketime_stores_the_same_files(tmp_path):
    """The whole process's clock moved (C library included), not only Python's. The monotonic clock stays real:
    faked, it makes timed waits on conditions hang."""
    folders = []
    for n, when in enumerate(DATES):
        folder = tmp_path / f"run{n}"
        folder.mkdir()
        env = {
            **os.environ,
            "LD_PRELOAD": libfaketime(),
            "FAKETIME": "@" + when.strftime("%Y-%m-%d %H:%M:%S"),
            "FAKETIME_DONT_RESET": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "TZ": "UTC",
        }
        probe = subprocess.run(
            [sys.executable, "-c", "import time; print(time.gmtime().tm_year)"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert probe.stdout.strip() == str(when.year), "libfaketime moved the process's clock"
        subprocess.run(
            [sys.executable, "-m", "mockservers", *seed_args(folder)],
            env=env,
            check=True,
            capture_output=True,
            cwd=tmp_path,
        )
        folders.append(folder)
    first, second = (stored_files(f) for f in folders)
    assert first and first == second
