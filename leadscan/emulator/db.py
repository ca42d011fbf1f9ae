"""The emulator's own SQLite file: schema, and one connection shared under a lock.

A single connection guarded by a lock keeps the server simple and makes every request an
atomic unit (two laptops posting the same code at once cannot both create a lead).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DB_NAME = "emulator.sqlite3"
SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE attendee (
    id INTEGER PRIMARY KEY,
    order_code TEXT NOT NULL,
    positionid INTEGER NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    email TEXT,
    company TEXT,
    item TEXT NOT NULL,
    secret TEXT NOT NULL UNIQUE,
    UNIQUE (order_code, positionid)
);
CREATE TABLE exhibitor_tag (name TEXT PRIMARY KEY);
CREATE TABLE exhibitor (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    internal_id TEXT,
    contact_name_parts TEXT NOT NULL DEFAULT '{}',
    contact_email TEXT,
    contact_cc_email TEXT,
    booth TEXT,
    locale TEXT,
    access_code TEXT NOT NULL UNIQUE,
    lead_scanning_access_code TEXT NOT NULL UNIQUE,
    allow_lead_scanning INTEGER NOT NULL DEFAULT 1,
    allow_lead_access INTEGER NOT NULL DEFAULT 1,
    allow_voucher_access INTEGER NOT NULL DEFAULT 1,
    lead_scanning_scope_by_device INTEGER NOT NULL DEFAULT 0,
    comment TEXT NOT NULL DEFAULT '',
    exhibitor_tags TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE lead (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    exhibitor_id INTEGER NOT NULL REFERENCES exhibitor(id) ON DELETE CASCADE,
    attendee_id INTEGER NOT NULL REFERENCES attendee(id),
    device_key TEXT NOT NULL DEFAULT '',
    rating INTEGER,
    notes TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    scanned TEXT,
    first_upload TEXT NOT NULL,
    device_name TEXT,
    device_uuid TEXT,
    UNIQUE (exhibitor_id, attendee_id, device_key)
);
CREATE TABLE voucher (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    max_usages INTEGER NOT NULL DEFAULT 1,
    redeemed INTEGER NOT NULL DEFAULT 0,
    valid_until TEXT,
    block_quota INTEGER NOT NULL DEFAULT 0,
    allow_ignore_quota INTEGER NOT NULL DEFAULT 0,
    price_mode TEXT NOT NULL DEFAULT 'set',
    value TEXT,
    item INTEGER,
    variation INTEGER,
    quota INTEGER,
    tag TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL DEFAULT '',
    seat TEXT,
    subevent INTEGER,
    exhibitor_id INTEGER REFERENCES exhibitor(id) ON DELETE SET NULL,
    exhibitor_comment TEXT NOT NULL DEFAULT ''
);
"""


class NotInitialised(Exception):
    """The data dir holds no emulator database (run `leadscan-emulator init` first)."""


def db_path(data_dir: Path) -> Path:
    return Path(data_dir) / DB_NAME


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def create(path: Path) -> sqlite3.Connection:
    conn = connect(path)
    conn.executescript(SCHEMA)
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    return conn


class Store:
    """One connection to the data dir's database, used under a lock by all threads."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        path = db_path(self.data_dir)
        if not path.is_file():
            raise NotInitialised(
                f"{self.data_dir} holds no emulator data; run `leadscan-emulator init --data "
                f"{self.data_dir}` first"
            )
        self._conn = connect(path)
        version = self._conn.execute("PRAGMA user_version").fetchone()[0]
        if version != SCHEMA_VERSION:
            self._conn.close()
            raise NotInitialised(f"{path} is not an emulator database (schema {version})")
        self._lock = threading.RLock()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (BEGIN IMMEDIATE) under the store lock."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def meta(self, key: str) -> Any:
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else json.loads(row["value"])

    def set_meta(self, key: str, value: Any) -> None:
        with self.tx() as c:
            set_meta(c, key, value)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def set_meta(conn: sqlite3.Connection, key: str, value: Any) -> None:
    conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value=excluded.value",
        (key, json.dumps(value)),
    )
