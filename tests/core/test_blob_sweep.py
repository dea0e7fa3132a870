"""Files no record holds are not state: a start of the runtime removes those a crash left (and stale temp files),
and snapshots and exports leave them out."""

import base64
import os

import pytest

from mockservers.app import create_app
from mockservers.core import snapshots
from mockservers.core.blobs import ORPHAN_AGE_SECONDS, key_of
from tests.machinery import test_settings


def on_disk(runtime) -> list[str]:
    root = runtime.blobs.root
    return sorted(
        os.path.relpath(os.path.join(folder, name), root) for folder, _, names in os.walk(root) for name in names
    )


def plant(runtime, name: str, data: bytes, age: float = 0.0) -> str:
    """A file in the blob folder that no record holds, last modified `age` seconds before the held file."""
    path = os.path.join(runtime.blobs.root, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)
    reference = max(os.stat(os.path.join(runtime.blobs.root, p)).st_mtime for p in on_disk(runtime))
    os.utime(path, (reference - age, reference - age))
    return name


def held_file(runtime, data: bytes) -> str:
    with runtime.store.transaction() as db:
        key = runtime.context(db, "t").blobs.put(data)
    return os.path.join(key[:2], key)


def test_orphans_and_stale_temp_files_are_gone_after_a_restart(tmp_path):
    settings = test_settings(state=f"sqlite:///{tmp_path / 'state.db'}")
    app = create_app(settings, start_background=False)
    runtime = app.extensions["mockservers"]
    held = held_file(runtime, b"held by a record")
    old = ORPHAN_AGE_SECONDS + 60
    orphan_key = key_of(b"written, never committed")
    orphan = plant(runtime, os.path.join(orphan_key[:2], orphan_key), b"written, never committed", age=old)
    stale_tmp = plant(runtime, os.path.join(held[:2], ".tmp-x1y2z3"), b"half a fi", age=old)
    misplaced = plant(runtime, os.path.join("00", held.split(os.sep)[1]), b"held by a record", age=old)
    young_key = key_of(b"another process is writing this one now")
    young = plant(runtime, os.path.join(young_key[:2], young_key), b"another process is writing this one now")
    assert len(on_disk(runtime)) == 5
    app.extensions["mockservers.namespaces"].close()

    restarted = create_app(settings, start_background=False)
    runtime = restarted.extensions["mockservers"]
    assert on_disk(runtime) == sorted([held, young]), (orphan, stale_tmp, misplaced)
    assert runtime.blobs.get(held.split(os.sep)[1]) == b"held by a record"
    restarted.extensions["mockservers.namespaces"].close()


def test_snapshots_and_exports_leave_out_files_no_record_holds(mock_app):
    runtime = mock_app.extensions["mockservers"]
    held = held_file(runtime, b"held").split(os.sep)[1]
    orphan = key_of(b"orphan")
    plant(runtime, os.path.join(orphan[:2], orphan), b"orphan")
    admin = mock_app.test_client()
    assert list(admin.get("/__admin/export").json["blobs"]) == [held]
    snapshot = admin.post("/__admin/snapshots", json={"label": "x"}).json
    assert snapshot["blobs"] == 1
    assert admin.post(f"/__admin/snapshots/{snapshot['id']}/restore").status_code == 200
    assert on_disk(runtime) == [os.path.join(held[:2], held)]


def test_a_scenario_loads_only_the_files_its_rows_hold(mock_app):
    runtime = mock_app.extensions["mockservers"]
    held_file(runtime, b"held")
    admin = mock_app.test_client()
    scenario = admin.get("/__admin/export").json
    orphan = key_of(b"orphan in an old export")
    scenario["blobs"][orphan] = base64.b64encode(b"orphan in an old export").decode()
    assert admin.post("/__admin/reset").status_code == 200
    assert snapshots.load_scenario(runtime, scenario)["blobs"] == 1
    assert on_disk(runtime) == [os.path.join(key_of(b"held")[:2], key_of(b"held"))]
    scenario["blobs"][orphan] = base64.b64encode(b"other content").decode()
    with pytest.raises(snapshots.ScenarioError, match="SHA-256"):
        snapshots.load_scenario(runtime, scenario)
