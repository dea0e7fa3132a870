"""Exclusive locks on a file, across processes, on POSIX and on Windows (portalocker).

Both wait in the kernel and hand the lock over the moment it is free, where a polling lock (filelock's) would sleep
between tries, as SQLite's busy handler does. On POSIX: flock, which belongs to the open file, so a forked worker
opens its own. On Windows: LockFileEx (pywin32, which portalocker's `win32` extra installs there); msvcrt's own
locking, portalocker's default there, gives up after ten seconds of waiting."""

from __future__ import annotations

import os

from portalocker import LockFlags
from portalocker import portalocker as lockers

_LOCKER = lockers.Win32Locker() if os.name == "nt" else lockers.FlockLocker()


def lock(fd: int) -> None:
    """Wait until this open file holds the lock."""
    _LOCKER.lock(fd, LockFlags.EXCLUSIVE)


def unlock(fd: int) -> None:
    _LOCKER.unlock(fd)
