"""A private PostgreSQL cluster for tests: Debian's binaries, a temporary folder, loopback only."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile


class PostgresUnavailable(RuntimeError):
    pass


def _binaries() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return os.path.dirname(found[-1])
    initdb = shutil.which("initdb")
    if initdb:
        return os.path.dirname(initdb)
    raise PostgresUnavailable("no PostgreSQL binaries (Debian: apt-get install postgresql)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivatePostgres:
    """initdb + pg_ctl start in a temporary folder; as root the server runs as the `postgres` user."""

    def __init__(self):
        self.bin = _binaries()
        self.folder = tempfile.mkdtemp(prefix="mockservers-pg-")
        self.data = os.path.join(self.folder, "data")
        self.port = _free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise PostgresUnavailable("running as root and there is no `postgres` user to run the server") from None
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self._as_user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", "mock", "--no-sync", "-E", "UTF8")
        # A throwaway cluster: nothing written needs to survive a crash. No fsync, no wait for the WAL at commit, no
        # full pages in it, and as little WAL as a single server needs (every test makes a schema of tables).
        options = (
            f"-k {self.folder} -p {self.port} -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c wal_level=minimal -c max_wal_senders=0"
        )
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", os.path.join(self.folder, "log"), "-w", "start")
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "mock", "mock")
        self.url = f"postgresql://mock@127.0.0.1:{self.port}/mock"

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run(
            [*self._as_user, os.path.join(self.bin, tool), *args], capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            raise PostgresUnavailable(f"{tool} failed: {(result.stderr or result.stdout).strip()[-500:]}")

    def stop(self) -> None:
        with contextlib.suppress(PostgresUnavailable):
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def postgres_url() -> tuple[str, PrivatePostgres | None]:
    """MOCKSERVERS_TEST_POSTGRES if set, else a private cluster started now (stop it when done)."""
    url = os.environ.get("MOCKSERVERS_TEST_POSTGRES")
    if url:
        return url, None
    server = PrivatePostgres()
    return server.url, server
