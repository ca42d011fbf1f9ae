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


def salvage(damaged: Path, dest: sqlite3.Connection) -> int:
    """Copy readable meta and leads from `damaged` into the fresh `dest`; returns leads copied."""
    try:
        src = sqlite3.connect(f"file:{damaged}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        log.warning("damaged database cannot be opened at all: %s", exc)
        return 0
    src.row_factory = sqlite3.Row
    try:
        meta = _rows(src, "meta")
        leads = _rows(src, "leads")
    except sqlite3.Error:
        meta, leads = [], []
    finally:
        src.close()
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
