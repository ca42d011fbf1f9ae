"""Opening the SQLite file: pragmas, integrity check, migrations, and what to do when the
file is damaged (move it aside, salvage what can be read into a fresh file, tell the user).

Never crash-loops: whatever is found on disk, `open_database` returns a usable connection
or raises one `StoreError` with a message a person can act on (permissions, newer schema).
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import StoreError
from .migrations import LATEST, migrate

log = logging.getLogger("leadscan.store")

SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
BUSY_TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class RecoveryReport:
    """A damaged database was replaced. Shown to the user until dismissed."""

    damaged_file: str
    recovered_leads: int
    problem: str

    def message(self) -> str:
        return (
            f"The lead database was damaged ({self.problem}). {self.recovered_leads} leads were "
            f"recovered into a fresh file; the damaged file was kept as {self.damaged_file}."
        )


def errcode(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_corruption(exc: BaseException) -> bool:
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = errcode(exc)
    if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
        return True
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def store_error(exc: sqlite3.Error, action: str = "save") -> StoreError:
    """Translate an SQLite failure into a message for a booth worker."""
    code = errcode(exc)
    text = str(exc).lower()
    if code == SQLITE_FULL or "disk is full" in text or "database or disk is full" in text:
        msg = (f"The disk is full: could not {action}. Everything saved before is safe; "
               "free some disk space and try again.")
    elif code in (SQLITE_READONLY, SQLITE_CANTOPEN) or "readonly" in text:
        msg = (f"Cannot write to the leadscan data folder: could not {action}. "
               "Check the folder's permissions and free space.")
    elif code == SQLITE_IOERR:
        msg = (f"The disk reported a write error: could not {action}. "
               "Everything saved before is safe; check the disk and free space.")
    elif code in (SQLITE_BUSY, SQLITE_LOCKED):
        msg = (f"The lead database is busy (another leadscan running?): could not {action}. "
               "Try again.")
    elif is_corruption(exc):
        msg = (f"The lead database is damaged: could not {action}. "
               "Restart leadscan to repair it.")
    else:
        msg = f"The lead database failed: could not {action} ({exc})."
    err = StoreError(msg)
    err.__cause__ = exc
    return err


def connect(path: Path) -> sqlite3.Connection:
    """One connection with our pragmas. Autocommit mode: transactions are explicit
    (`BEGIN IMMEDIATE`), so a write never upgrades a read lock and deadlocks."""
    conn = sqlite3.connect(
        str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = FULL")  # a confirmed scan is on the disk
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def check(conn: sqlite3.Connection) -> str | None:
    """None if the file is sound, else a short description of the damage."""
    rows = conn.execute("PRAGMA quick_check").fetchall()
    if len(rows) == 1 and rows[0][0] == "ok":
        return None
    return "; ".join(str(r[0]) for r in rows[:3])


def open_database(path: Path) -> tuple[sqlite3.Connection, RecoveryReport | None]:
    """Open (create, migrate) the database at `path`; repair it if it is damaged."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"Cannot create the leadscan data folder {path.parent}: {exc.strerror}") from None
    problem: str | None
    try:
        conn = connect(path)
    except sqlite3.Error as exc:
        if not is_corruption(exc):
            raise store_error(exc, "open the lead database") from None
        problem = str(exc)
    else:
        try:
            problem = check(conn)
            if problem is None:
                migrate(conn)
                return conn, None
        except sqlite3.Error as exc:
            if not is_corruption(exc):
                conn.close()
                raise store_error(exc, "open the lead database") from None
            problem = str(exc)
        conn.close()
    return _replace_damaged(path, problem or "unknown damage")


def _replace_damaged(path: Path, problem: str) -> tuple[sqlite3.Connection, RecoveryReport]:
    from .salvage import salvage  # only needed on a bad day

    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    log.error("lead database damaged (%s); moving it to %s", problem, aside.name)
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(path) + suffix)
        if src.exists():
            try:
                os.replace(src, Path(str(aside) + suffix))
            except OSError as exc:
                raise StoreError(
                    f"The lead database is damaged and could not be moved aside: {exc.strerror}"
                ) from None
    try:
        conn = connect(path)
        migrate(conn)
    except sqlite3.Error as exc:
        raise store_error(exc, "create a fresh lead database") from None
    recovered = salvage(aside, conn)
    report = RecoveryReport(damaged_file=str(aside), recovered_leads=recovered, problem=problem[:200])
    conn.execute("BEGIN IMMEDIATE")
    conn.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('recovery_notice', ?)", (report.message(),)
    )
    conn.execute("COMMIT")
    log.warning("recovered %d leads from the damaged database", recovered)
    return conn, report


__all__ = ["LATEST", "RecoveryReport", "check", "connect", "open_database", "store_error"]
