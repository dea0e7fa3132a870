"""On a PostgreSQL state the stored files are kept in the database: two runtimes with folders of their own (two
hosts) on one schema see each other's files, and the database forgets them when no record holds them, on reset,
when the namespace goes, and when a crash left them."""

import itertools
import os

import pytest
from sqlalchemy import text

from mockservers.core import snapshots
from mockservers.core.blobs import ORPHAN_AGE_SECONDS, key_of
from mockservers.core.blobs_postgres import CHUNK, PostgresBlobStore
from mockservers.core.namespaces import Namespaces
from mockservers.core.runtime import Runtime
from tests.machinery import settings as machinery
from tests.machinery import test_settings

pytestmark = pytest.mark.no_postgres_pass  # it picks its own state (the PostgreSQL of --mock-state if any)
_schemas = itertools.count(1)


@pytest.fixture(scope="module")
def postgres():
    """The URL of --mock-state's PostgreSQL, or of a private cluster for this module (skipped without one)."""
    if machinery._State.url.startswith("postgresql"):
        yield machinery._State.url
        return
    from tests.machinery.pgtest import PostgresUnavailable, postgres_url

    try:
        url, private = postgres_url()
    except PostgresUnavailable as exc:
        pytest.skip(f"no PostgreSQL could be started: {exc}")
    yield url
    if private is not None:
        private.stop()


@pytest.fixture
def hosts(postgres, tmp_path):
    """Two runtimes on one schema of one database, each with a folder of its own."""
    schema = f"t_blobs_{os.getpid()}_{next(_schemas)}"
    made = []

    def host(name: str) -> Runtime:
        settings = test_settings(state=postgres, db_schema=schema, data_dir=str(tmp_path / name))
        made.append(Runtime(settings, vendors=[]))
        return made[-1]

    yield host
    made[0].store.destroy()
    for runtime in made[1:]:
        runtime.close()


def put(runtime: Runtime, data: bytes) -> str:
    with runtime.store.transaction() as db:
        return runtime.context(db, "t").blobs.put(data)


def release(runtime: Runtime, key: str) -> None:
    with runtime.store.transaction() as db:
        runtime.context(db, "t").blobs.release(key)


def rows(runtime: Runtime, table: str) -> list[tuple]:
    with runtime.store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text(f"SELECT key FROM {table} ORDER BY key"))]


def test_a_file_stored_through_one_host_is_read_through_the_other_byte_for_byte(hosts):
    first, second = hosts("a"), hosts("b")
    assert isinstance(first.blobs, PostgresBlobStore)
    data = bytes(range(256)) * (CHUNK // 256 * 2 + 3)  # two chunks and a bit
    key = put(first, data)
    assert not os.path.exists(os.path.join(second.blobs.root, key[:2], key)), "not on the other host's disk"
    assert second.blobs.exists(key)
    assert second.blobs.get(key) == data
    assert os.path.exists(os.path.join(second.blobs.root, key[:2], key)), "cached there once read"
    with second.store.engine.connect() as conn:
        chunks = conn.execute(text("SELECT count(*) FROM core_blob_chunks WHERE key = :k"), {"k": key}).scalar()
    assert chunks == 3


def test_a_rolled_back_put_leaves_nothing_in_the_database(hosts):
    first, second = hosts("a"), hosts("b")
    with pytest.raises(RuntimeError), first.store.transaction() as db:
        key = first.context(db, "t").blobs.put(b"never committed")
        raise RuntimeError("rolled back")
    assert not second.blobs.exists(key) and not first.blobs.exists(key)
    assert rows(first, "core_blob_files") == []
    with pytest.raises(KeyError):
        second.blobs.get(key)


def test_the_same_content_put_again_after_a_rollback_is_stored(hosts):
    first, second = hosts("a"), hosts("b")
    with pytest.raises(RuntimeError), first.store.transaction() as db:
        first.context(db, "t").blobs.put(b"twice")
        raise RuntimeError("rolled back")
    key = put(first, b"twice")  # its file is already in the folder; the database still needs it
    assert second.blobs.get(key) == b"twice"


def test_a_file_goes_from_the_database_when_no_record_holds_it(hosts):
    first, second = hosts("a"), hosts("b")
    key = put(first, b"shared")
    put(second, b"shared")
    release(first, key)
    assert second.blobs.exists(key), "one record still holds it"
    release(second, key)
    assert not first.blobs.exists(key) and not second.blobs.exists(key)
    assert rows(first, "core_blob_files") == [] and rows(first, "core_blob_chunks") == []


def test_reset_forgets_the_files_in_the_database(hosts):
    first, second = hosts("a"), hosts("b")
    key = put(first, b"before the reset")
    second.reset()
    assert not first.blobs.exists(key)
    assert rows(first, "core_blob_files") == []


def test_deleting_a_namespace_drops_its_files_with_its_schema(postgres, tmp_path):
    schema = f"t_blobs_{os.getpid()}_{next(_schemas)}"
    namespaces = Namespaces(test_settings(state=postgres, db_schema=schema, data_dir=str(tmp_path)), vendors=[])
    try:
        runtime = namespaces.get("gone")
        put(runtime, b"in a namespace")
        assert namespaces.delete("gone")
        with namespaces.default.store.engine.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": f"{schema}_ns_gone"})
            assert found.first() is None
        assert rows(namespaces.get("gone"), "core_blob_files") == [], "a namespace made again starts empty"
    finally:
        namespaces.default.store.destroy()
        namespaces.close()


def test_a_start_sweeps_what_no_record_holds_and_leaves_what_may_be_in_flight(hosts):
    first = hosts("a")
    held = put(first, b"held")
    released = put(first, b"released, its removal never ran")
    orphans = {name: key_of(name.encode()) for name in ("old orphan", "young orphan")}
    with first.store.engine.begin() as conn:
        conn.execute(text("UPDATE core_blob_refs SET refs = 0 WHERE key = :k"), {"k": released})
        for name, key in orphans.items():
            age = ORPHAN_AGE_SECONDS + 60 if name == "old orphan" else 0
            conn.execute(
                text("INSERT INTO core_blob_files (key, size, stored_at) VALUES (:k, 1, now() - :age * interval '1s')"),
                {"k": key, "age": age},
            )
    hosts("b")  # a runtime opening sweeps
    assert rows(first, "core_blob_files") == sorted([(held,), (orphans["young orphan"],)])
    assert rows(first, "core_blob_refs") == [(held,)]


def test_a_snapshot_taken_through_one_host_is_restored_through_the_other(hosts):
    first, second = hosts("a"), hosts("b")
    key = put(first, b"in the snapshot")
    snapshot = snapshots.take(first, "x")
    release(first, key)
    assert not second.blobs.exists(key)
    put(second, b"after the snapshot")
    assert snapshots.restore(second, snapshot["id"])
    assert second.blobs.get(key) == b"in the snapshot"
    assert first.blobs.exists(key) and not first.blobs.exists(key_of(b"after the snapshot"))
    first.reset()
    assert snapshots.restore(first, snapshot["id"]), "reset keeps a snapshot's files"
    assert second.blobs.get(key) == b"in the snapshot"


def test_a_snapshot_whose_files_are_only_in_the_folder_stores_them_in_the_database_when_restored(hosts):
    first, second = hosts("a"), hosts("b")
    key = put(first, b"kept on disk alone")
    snapshot = snapshots.take(first, "from before the files were in the database")
    with first.store.engine.begin() as conn:
        conn.execute(text("DELETE FROM core_blob_files WHERE key LIKE 'snapshots/%'"))
    release(first, key)
    assert snapshots.restore(first, snapshot["id"])
    assert second.blobs.get(key) == b"kept on disk alone"
