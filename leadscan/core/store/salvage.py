"""Read whatever rows can still be read from a damaged database file.

Row by row, by rowid, so one bad page costs the rows on it and not the whole table.
Every salvaged lead is put back in the outbox: uploading it again is harmless (fields the
user did not touch go up as "keep", see leads.py) and refreshes it from the server.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Any

log = logging.getLogger("leadscan.store")

MISSES_BEFORE_GIVING_UP = 2000
LEAD_COLUMNS = (
    "account", "code", "scanned", "seq", "notes", "rating", "tags", "device_name",
    "device_uuid", "fields", "state", "reason", "source", "updated_at", "synced_at",
    "version", "notes_dirty", "rating_dirty", "tags_dirty", "uploaded", "fingerprint",
)


def _rows(src: sqlite3.Connection, table: str) -> list[dict[str, Any]]:
    """All readable rows of `table`, skipping damaged ones."""
    try:
        return [dict(r) for r in src.execute(f"SELECT rowid AS _rowid, * FROM {table}")]
    except sqlite3.Error as exc:
        log.warning("full read of %s failed (%s); probing row by row", table, exc)
    out: list[dict[str, Any]] = []
    rowid, misses = 0, 0
    while misses < MISSES_BEFORE_GIVING_UP:
        rowid += 1
        try:
            row = src.execute(f"SELECT rowid AS _rowid, * FROM {table} WHERE rowid = ?", (rowid,)).fetchone()
        except sqlite3.Error:
            row = None
        if row is None:
            misses += 1
            continue
        misses = 0
        out.append(dict(row))
    return out


def _valid_lead(row: dict[str, Any]) -> bool:
    try:
        datetime.fromisoformat(str(row["scanned"]))
        json.loads(row.get("tags") or "[]")
        json.loads(row.get("fields") or "[]")
    except (KeyError, ValueError, TypeError):
        return False
    code = row.get("code")
    return code is None or isinstance(code, str)


SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER = 100
PAGE_SIZES = (4096, 1024, 2048, 8192, 16384, 32768, 65536, 512)


def _read(path: Path, *, read_only: bool = True) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(meta rows, lead rows) that can be read from `path`."""
    try:
        src = sqlite3.connect(f"file:{path}?mode=ro" if read_only else f"file:{path}", uri=True)
    except sqlite3.Error as exc:
        log.warning("damaged database cannot be opened at all: %s", exc)
        return [], []
    src.row_factory = sqlite3.Row
    try:
        return _rows(src, "meta"), _rows(src, "leads")
    except sqlite3.Error:
        return [], []
    finally:
        src.close()


def _fresh_header(page_size: int, workdir: Path) -> bytes:
    probe = workdir / f"header-{page_size}.db"
    conn = sqlite3.connect(probe)
    conn.execute(f"PRAGMA page_size = {page_size}")
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    return probe.read_bytes()[:HEADER]


def _read_with_rebuilt_header(damaged: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The first 100 bytes (SQLite's file header) hold no data, only how to read the rest:
    when they are destroyed, every page after them may still be intact. Try a header built
    for each page size on a copy, and read through it. The original is never written."""
    import shutil
    import tempfile

    try:
        size = damaged.stat().st_size
        with open(damaged, "rb") as fh:
            head = fh.read(HEADER)
    except OSError:
        return [], []
    if head.startswith(SQLITE_MAGIC) or size < 2 * 512:
        return [], []  # the header is fine: the damage is elsewhere
    wal = Path(f"{damaged}-wal")
    with tempfile.TemporaryDirectory(prefix="leadscan-salvage-") as tmp:
        work = Path(tmp)
        for page_size in PAGE_SIZES:
            if size % page_size:
                continue
            header = bytearray(_fresh_header(page_size, work))
            header[18] = header[19] = 2 if wal.is_file() else 1  # WAL or rollback journal
            header[24:28] = (1).to_bytes(4, "big")  # change counter ...
            header[92:96] = (1).to_bytes(4, "big")  # ... that the page count below is valid for
            header[28:32] = (size // page_size).to_bytes(4, "big")
            copy = work / f"try-{page_size}.db"
            shutil.copyfile(damaged, copy)
            with open(copy, "r+b") as fh:
                fh.write(bytes(header))
            if wal.is_file():
                shutil.copyfile(wal, Path(f"{copy}-wal"))
            meta, leads = _read(copy, read_only=False)
            if meta or leads:
                log.warning("database header rebuilt (page size %d): %d leads readable",
                            page_size, len(leads))
                return meta, leads
    return [], []


def salvage(damaged: Path, dest: sqlite3.Connection) -> int:
    """Copy readable meta and leads from `damaged` into the fresh `dest`; returns leads copied."""
    meta, leads = _read(damaged)
    if not meta and not leads:
        meta, leads = _read_with_rebuilt_header(damaged)
    copied = 0
    dest.execute("BEGIN IMMEDIATE")
    try:
        for m in meta:
            if isinstance(m.get("key"), str) and m["key"] not in ("recovery_notice",):
                dest.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (m["key"], m.get("value")))
        max_seq = 0
        for row in sorted(leads, key=lambda r: (r.get("seq") or 0)):
            if not _valid_lead(row):
                continue
            values = {c: row[c] for c in LEAD_COLUMNS if c in row}
            values.setdefault("seq", row["_rowid"])
            values["source"] = values.get("source") or "manual"
            if "notes_dirty" not in row:  # salvaged from a v1 file: what the user typed is dirty
                values["notes_dirty"] = 1 if values.get("notes") else 0
                values["rating_dirty"] = 1 if values.get("rating") is not None else 0
                values["tags_dirty"] = 1 if values.get("tags") not in (None, "[]") else 0
            if values.get("code") is not None and values.get("state") != "rejected":
                values["state"] = "pending"
            cols = ", ".join(values)
            marks = ", ".join("?" for _ in values)
            cur = dest.execute(
                f"INSERT OR IGNORE INTO leads({cols}) VALUES ({marks})", tuple(values.values())
            )
            if cur.rowcount != 1:
                continue
            copied += 1
            max_seq = max(max_seq, int(values["seq"] or 0))
            if values.get("state") == "pending":
                dest.execute(
                    "INSERT OR IGNORE INTO outbox(lead_id, queued_at) VALUES (?, ?)",
                    (cur.lastrowid, datetime.now().astimezone().isoformat()),
                )
        row = dest.execute("SELECT value FROM meta WHERE key = 'next_seq'").fetchone()
        try:
            known = int(row[0]) if row else 0
        except (TypeError, ValueError):
            known = 0
        dest.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('next_seq', ?)",
            (str(max(known, max_seq + 1)),),
        )
        dest.execute("COMMIT")
    except BaseException:
        dest.execute("ROLLBACK")
        raise
    return copied
