"""Versioned schema: `PRAGMA user_version` plus ordered migration functions (as Picard's
config_upgrade). A migration never deletes a lead; each runs in the transaction that also
bumps `user_version`, so a crash mid-migration leaves the old version intact.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import sqlite_utils


def _v1(db: sqlite_utils.Database) -> None:
    """Issue 2's schema: leads (one row per code and account) and an outbox."""
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute(
        """
        CREATE TABLE leads (
            id INTEGER PRIMARY KEY,
            account TEXT NOT NULL DEFAULT '',
            code TEXT,
            scanned TEXT NOT NULL,
            seq INTEGER NOT NULL,
            notes TEXT NOT NULL DEFAULT '',
            rating INTEGER,
            tags TEXT NOT NULL DEFAULT '[]',
            device_name TEXT,
            device_uuid TEXT,
            fields TEXT NOT NULL DEFAULT '[]',
            state TEXT NOT NULL DEFAULT 'pending',
            reason TEXT,
            source TEXT NOT NULL,
            updated_at TEXT,
            synced_at TEXT,
            UNIQUE (account, code)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            lead_id INTEGER NOT NULL UNIQUE REFERENCES leads(id),
            queued_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error TEXT
        )
        """
    )


def _v2(db: sqlite_utils.Database) -> None:
    """Issue 4: per-field dirtiness, a local version counter, in-flight marker, pull key.

    `*_dirty` holds the lead `version` at which the user last changed that field, 0 when the
    server already has it. Leads queued under v1 uploaded every field, so their non-empty
    fields become dirty (the user did type them); empty ones stay clean so an upload never
    wipes what another laptop of the booth wrote.
    """
    leads = db["leads"]
    leads.add_column("version", int, not_null_default=1)
    leads.add_column("notes_dirty", int, not_null_default=0)
    leads.add_column("rating_dirty", int, not_null_default=0)
    leads.add_column("tags_dirty", int, not_null_default=0)
    leads.add_column("uploaded", int, not_null_default=0)
    leads.add_column("fingerprint", str)
    db["outbox"].add_column("in_flight", int)
    db.execute(
        """
        UPDATE leads SET
            notes_dirty = CASE WHEN notes != '' THEN 1 ELSE 0 END,
            rating_dirty = CASE WHEN rating IS NOT NULL THEN 1 ELSE 0 END,
            tags_dirty = CASE WHEN tags != '[]' THEN 1 ELSE 0 END
        WHERE id IN (SELECT lead_id FROM outbox)
        """
    )
    db.execute("UPDATE leads SET uploaded = 1 WHERE state = 'synced'")
    db.execute("CREATE INDEX leads_seq ON leads(account, seq)")
    db.execute("CREATE INDEX leads_fingerprint ON leads(account, fingerprint)")


MIGRATIONS: list[Callable[[sqlite_utils.Database], None]] = [_v1, _v2]
LATEST = len(MIGRATIONS)


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, *, target: int = LATEST) -> int:
    """Bring the schema to `target`; returns the version found. Newer files are refused."""
    found = user_version(conn)
    if found > LATEST:
        from ..errors import StoreError

        raise StoreError(
            f"The lead database was written by a newer leadscan (schema {found}); "
            "update leadscan to open it."
        )
    db = sqlite_utils.Database(conn)
    for version in range(found + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version - 1](db)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return found
