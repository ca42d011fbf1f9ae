"""Which process owns the data folder's outbox: the first leadscan to open it holds an OS
lock on `leadscan.lock` until it exits (or dies: the OS drops the lock with the process).

Only the owner releases rows left "in flight" at start; a second process (the CLI next to
the running GUI) must not, or it would re-send uploads the GUI is doing right now.
"""

from __future__ import annotations

import os
from pathlib import Path


class FolderLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> bool:
        """True if this process now owns the folder; False if another live process does."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return False
        try:
            if os.name == "nt":  # pragma: no cover - exercised on Windows builds only
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the lock
            self._fd = None

    @property
    def owned(self) -> bool:
        return self._fd is not None
