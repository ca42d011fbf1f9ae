"""LeadStore: the leads, the outbox and a few settings, in one SQLite file.

Model (after Anki's pending marker and litequeue's claimed rows):
- `leads` holds one row per (account, code) with the latest local values. `version` counts
  local changes; `notes_dirty`/`rating_dirty`/`tags_dirty` hold the version at which the user
  last changed that field (0 = the server has it). An upload sends dirty fields and the
  spec's "keep" values (`notes=""`, `rating=null`, `tags=null`) for the others, so a re-scan or
  an edit of one field never wipes what another laptop of the booth wrote (K34).
- `outbox` holds at most one row per lead, in the order the lead first became pending: several
  edits of one code collapse into one upload of the latest state; order is kept. A row being
  uploaded carries `in_flight` = the version sent; one left so by a crash is released at open.
- A success answer only overwrites fields not changed locally since the version sent; a lead
  edited while its upload was in flight stays pending and goes up again.

Every write is one `BEGIN IMMEDIATE` transaction under a process-wide lock (UI thread and
sync worker share the connection); WAL with `synchronous=FULL` makes a commit durable.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from ..errors import LeadscanError, StoreError
from ..models import UNSET, AttendeeField, Lead, ScanSource, SyncState, Unset
from .db import RecoveryReport, open_database, store_error
from .lock import FolderLock


class ServerLead(Protocol):
    """What the server says it holds for a lead (LeadResponse / RemoteLead of the client)."""

    fields: tuple[AttendeeField, ...]
    notes: str
    rating: int | None
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Claim:
    """One outbox entry taken for upload: the values to send, computed from dirtiness."""

    outbox_id: int
    lead_id: int
    version: int
    code: str
    scanned: datetime
    notes: str  # "" = keep the server's notes
    rating: int | None  # None = keep
    tags: list[str] | None  # None = keep
    device_name: str | None
    device_uuid: str | None
    attempts: int


@dataclass(frozen=True)
class Outcome:
    """What became of one claimed upload: success (with the server's lead), rejected (400,
    with the reason), failed (transient, with the error and next attempt) or release."""

    kind: str
    server: Any = None
    text: str = ""
    next_attempt_at: datetime | None = None


@dataclass(frozen=True)
class RemoteMergeResult:
    added: int = 0
    updated: int = 0
    kept_local: int = 0  # matched leads whose unsynced local edits were kept
    unidentified: int = 0  # remote leads without code and without attendee data
    ambiguous: int = 0  # remote leads whose attendee data matches several leads: left alone


def now() -> datetime:
    return datetime.now().astimezone()


def fingerprint(fields: Iterable[AttendeeField]) -> str | None:
    """Identity of an attendee from the fields the server shows (GET leads has no code)."""
    pairs = sorted((f.id, f.value) for f in fields if f.value)
    if not pairs:
        return None
    return hashlib.sha256(json.dumps(pairs, ensure_ascii=False).encode()).hexdigest()[:32]


def _fields_json(fields: Iterable[AttendeeField]) -> str:
    return json.dumps([f.to_json() for f in fields], ensure_ascii=False)


def _dt(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def row_to_lead(row: sqlite3.Row) -> Lead:
    return Lead(
        id=row["id"],
        code=row["code"] if row["code"] is not None else "",
        scanned=datetime.fromisoformat(row["scanned"]),
        notes=row["notes"],
        rating=row["rating"],
        tags=tuple(json.loads(row["tags"])),
        device_name=row["device_name"],
        device_uuid=row["device_uuid"],
        fields=tuple(AttendeeField.from_json(f) for f in json.loads(row["fields"])),
        state=SyncState(row["state"]),
        reason=row["reason"],
        source=ScanSource(row["source"]),
        seq=row["seq"],
        updated_at=_dt(row["updated_at"]),
        synced_at=_dt(row["synced_at"]),
    )


class LeadStore:
    def __init__(self, conn: sqlite3.Connection, path: Path, recovery: RecoveryReport | None,
                 folder_lock: FolderLock | None = None) -> None:
        conn.row_factory = sqlite3.Row
        self._conn = conn
        self.path = path
        self.recovery = recovery
        self._lock = threading.RLock()
        self._closed = False
        self._folder_lock = folder_lock
        # Rows left in flight by a crash go back to the queue, unless another live process
        # owns the folder (they may be its uploads under way right now).
        self.owner = folder_lock is None or folder_lock.owned
        self.released_at_open = self._release_in_flight() if self.owner else 0

    @classmethod
    def open(cls, path: Path) -> "LeadStore":
        folder_lock = FolderLock(path.with_name(path.name + ".lock"))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # open_database reports it
        folder_lock.acquire()
        try:
            conn, recovery = open_database(path)
        except BaseException:
            folder_lock.release()
            raise
        try:
            return cls(conn, path, recovery, folder_lock)
        except BaseException:
            conn.close()
            folder_lock.release()
            raise

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()
                if self._folder_lock is not None:
                    self._folder_lock.release()

    def __enter__(self) -> "LeadStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ---------------------------------------------------------------------

    @contextmanager
    def _tx(self, action: str) -> Iterator[sqlite3.Connection]:
        """One write transaction; any SQLite failure becomes a StoreError, nothing half-done."""
        with self._lock:
            if self._closed:
                raise StoreError("The lead database is closed.")
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise store_error(exc, action) from None
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self._rollback()
                raise store_error(exc, action) from None
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        try:
            self._conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            if self._closed:
                raise StoreError("The lead database is closed.")
            try:
                return self._conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise store_error(exc, "read the leads") from None

    def execute_for_tests(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Raw access for tests and diagnostics (e.g. PRAGMA max_page_count)."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    # -- meta -----------------------------------------------------------------------------

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        rows = self._read("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows and rows[0][0] is not None else default

    def set_meta(self, key: str, value: str | None) -> None:
        self.set_many({key: value})

    def set_many(self, values: dict[str, str | None]) -> None:
        with self._tx("save the settings") as c:
            for key, value in values.items():
                if value is None:
                    c.execute("DELETE FROM meta WHERE key = ?", (key,))
                else:
                    c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def get_json(self, key: str) -> Any:
        text = self.get_meta(key)
        if text is None:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    def set_json(self, key: str, value: Any) -> None:
        self.set_meta(key, None if value is None else json.dumps(value, ensure_ascii=False))

    # -- leads ----------------------------------------------------------------------------

    def _next_seq(self, c: sqlite3.Connection) -> int:
        row = c.execute("SELECT value FROM meta WHERE key = 'next_seq'").fetchone()
        seq = int(row[0]) if row else 1
        if not row:  # first scan, or a file from before the counter: continue after the max
            top = c.execute("SELECT COALESCE(MAX(seq), 0) FROM leads").fetchone()[0]
            seq = max(seq, int(top) + 1)
        c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('next_seq', ?)", (str(seq + 1),))
        return seq

    def _get_row(self, c: sqlite3.Connection, account: str, code: str) -> sqlite3.Row | None:
        return c.execute("SELECT * FROM leads WHERE account = ? AND code = ?", (account, code)).fetchone()

    def _enqueue(self, c: sqlite3.Connection, lead_id: int, at: datetime) -> None:
        c.execute("INSERT OR IGNORE INTO outbox(lead_id, queued_at) VALUES (?, ?)", (lead_id, at.isoformat()))

    def record_scan(
        self,
        account: str,
        code: str,
        *,
        scanned: datetime,
        source: ScanSource,
        device_name: str | None,
        device_uuid: str | None,
    ) -> tuple[Lead, bool]:
        """Save a scan durably. A code already known keeps its first scan time and values."""
        if scanned.tzinfo is None:
            raise ValueError("scanned must be timezone-aware")
        with self._tx("save the scan") as c:
            row = self._get_row(c, account, code)
            if row is None:
                cur = c.execute(
                    """INSERT INTO leads(account, code, scanned, seq, source, device_name,
                           device_uuid, state, updated_at, version)
                       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, 1)""",
                    (account, code, scanned.isoformat(), self._next_seq(c), str(source),
                     device_name, device_uuid, scanned.isoformat()),
                )
                lead_id = int(cur.lastrowid or 0)
                self._enqueue(c, lead_id, scanned)
                is_new = True
            else:
                lead_id = row["id"]
                is_new = False
                if not row["uploaded"] and row["state"] == SyncState.SYNCED:
                    # Known only from a pull: register this device's scan (all fields "keep").
                    c.execute("UPDATE leads SET state = 'pending' WHERE id = ?", (lead_id,))
                    self._enqueue(c, lead_id, scanned)
            lead = row_to_lead(c.execute("SELECT * FROM leads WHERE id = ?", (lead_id,)).fetchone())
        return lead, is_new

    def edit(
        self,
        account: str,
        code: str,
        *,
        notes: str | None = None,
        rating: int | None | Unset = UNSET,
        tags: Sequence[str] | None = None,
        at: datetime | None = None,
    ) -> Lead:
        """Change notes/rating/tags (None/UNSET = unchanged) and queue the latest state."""
        at = at or now()
        with self._tx("save the edit") as c:
            row = self._get_row(c, account, code)
            if row is None:
                raise LeadscanError(f"No lead with the code {code!r} on this computer.")
            version = row["version"] + 1
            sets: dict[str, Any] = {}
            if notes is not None and notes != row["notes"]:
                sets.update(notes=notes, notes_dirty=version)
            if not isinstance(rating, Unset) and rating != row["rating"]:
                sets.update(rating=rating, rating_dirty=version)
            if tags is not None:
                tags_text = json.dumps(list(tags), ensure_ascii=False)
                if tags_text != row["tags"]:
                    sets.update(tags=tags_text, tags_dirty=version)
            if sets:
                sets.update(version=version, state="pending", reason=None, updated_at=at.isoformat())
                assign = ", ".join(f"{k} = ?" for k in sets)
                c.execute(f"UPDATE leads SET {assign} WHERE id = ?", (*sets.values(), row["id"]))
                self._enqueue(c, row["id"], at)
            return row_to_lead(c.execute("SELECT * FROM leads WHERE id = ?", (row["id"],)).fetchone())

    def requeue(self, account: str, code: str) -> Lead:
        """Put a rejected lead back in the outbox (the user says: try again)."""
        at = now()
        with self._tx("queue the lead again") as c:
            row = self._get_row(c, account, code)
            if row is None:
                raise LeadscanError(f"No lead with the code {code!r} on this computer.")
            if row["state"] == SyncState.REJECTED:
                c.execute("UPDATE leads SET state = 'pending' WHERE id = ?", (row["id"],))
                self._enqueue(c, row["id"], at)
            return row_to_lead(c.execute("SELECT * FROM leads WHERE id = ?", (row["id"],)).fetchone())

    def requeue_rejected(self, account: str) -> int:
        with self._tx("queue the rejected leads again") as c:
            rows = c.execute(
                "SELECT id FROM leads WHERE account = ? AND state = 'rejected' ORDER BY seq", (account,)
            ).fetchall()
            at = now()
            for r in rows:
                c.execute("UPDATE leads SET state = 'pending' WHERE id = ?", (r["id"],))
                self._enqueue(c, r["id"], at)
            return len(rows)

    def get(self, account: str, code: str) -> Lead | None:
        rows = self._read("SELECT * FROM leads WHERE account = ? AND code = ?", (account, code))
        return row_to_lead(rows[0]) if rows else None

    def list(self, account: str) -> list[Lead]:
        """Newest first (by local sequence, not the wall clock)."""
        rows = self._read("SELECT * FROM leads WHERE account = ? ORDER BY seq DESC", (account,))
        return [row_to_lead(r) for r in rows]

    def counts(self, account: str | None = None) -> dict[str, int]:
        if account is None:
            rows = self._read("SELECT state, COUNT(*) FROM leads GROUP BY state")
        else:
            rows = self._read("SELECT state, COUNT(*) FROM leads WHERE account = ? GROUP BY state", (account,))
        out = {s.value: 0 for s in SyncState}
        out.update({r[0]: r[1] for r in rows})
        return out

    def accounts_with_pending(self) -> list[str]:
        return [r[0] for r in self._read("SELECT DISTINCT account FROM leads WHERE state = 'pending'")]

    def adopt_unassigned(self, account: str) -> int:
        """Scans made before the first login belong to the account that logs in first. A code
        that account already has absorbs the early scan's edits (nothing is dropped)."""
        at = now()
        with self._tx("assign the leads to the account") as c:
            clashes = c.execute(
                "SELECT l.*, o.id AS target_id, o.version AS target_version FROM leads l "
                "JOIN leads o ON o.account = ? AND o.code = l.code WHERE l.account = ''", (account,)
            ).fetchall()
            for row in clashes:
                version = row["target_version"] + 1
                sets: dict[str, Any] = {}
                for name in ("notes", "rating", "tags"):
                    if row[f"{name}_dirty"]:
                        sets[name] = row[name]
                        sets[f"{name}_dirty"] = version
                if sets:
                    sets.update(version=version, state="pending", reason=None, updated_at=at.isoformat())
                    assign = ", ".join(f"{k} = ?" for k in sets)
                    c.execute(f"UPDATE leads SET {assign} WHERE id = ?", (*sets.values(), row["target_id"]))
                    self._enqueue(c, row["target_id"], at)
                c.execute("DELETE FROM outbox WHERE lead_id = ?", (row["id"],))
                c.execute("DELETE FROM leads WHERE id = ?", (row["id"],))
            moved = c.execute("UPDATE leads SET account = ? WHERE account = ''", (account,)).rowcount
            return moved + len(clashes)

    def pending_elsewhere(self, account: str) -> int:
        """Pending leads kept under other accounts (after a forced logout and a switch)."""
        rows = self._read(
            "SELECT COUNT(*) FROM leads WHERE state = 'pending' AND account NOT IN (?, '')", (account,)
        )
        return int(rows[0][0])

    def wipe_all(self) -> None:
        """Delete every lead, outbox row and setting, then compact the file so the deleted
        rows do not linger in free pages or the WAL."""
        with self._tx("wipe the leads") as c:
            c.execute("DELETE FROM outbox")
            c.execute("DELETE FROM leads")
            c.execute("DELETE FROM meta")
        with self._lock:
            try:
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._conn.execute("VACUUM")
                self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as exc:
                raise store_error(exc, "compact the database after the wipe") from None

    # -- outbox ---------------------------------------------------------------------------

    def _release_in_flight(self) -> int:
        """Rows left in flight by a crash go back to the queue (their upload may or may not
        have reached the server: uploading again is idempotent)."""
        with self._tx("recover the outbox") as c:
            return c.execute("UPDATE outbox SET in_flight = NULL WHERE in_flight IS NOT NULL").rowcount

    def outbox_size(self, account: str) -> int:
        rows = self._read(
            "SELECT COUNT(*) FROM outbox o JOIN leads l ON l.id = o.lead_id WHERE l.account = ?", (account,)
        )
        return int(rows[0][0])

    def claim(self, account: str, *, limit: int = 1) -> list[Claim]:
        """Take the oldest `limit` outbox rows not in flight (distinct leads by construction)."""
        with self._tx("prepare the upload") as c:
            rows = c.execute(
                """SELECT o.id AS outbox_id, o.attempts, l.* FROM outbox o JOIN leads l ON l.id = o.lead_id
                   WHERE l.account = ? AND o.in_flight IS NULL AND l.code IS NOT NULL
                   ORDER BY o.id LIMIT ?""",
                (account, limit),
            ).fetchall()
            claims = []
            for r in rows:
                c.execute("UPDATE outbox SET in_flight = ? WHERE id = ?", (r["version"], r["outbox_id"]))
                claims.append(
                    Claim(
                        outbox_id=r["outbox_id"],
                        lead_id=r["id"],
                        version=r["version"],
                        code=r["code"],
                        scanned=datetime.fromisoformat(r["scanned"]),
                        notes=r["notes"] if r["notes_dirty"] else "",
                        rating=r["rating"] if r["rating_dirty"] else None,
                        tags=json.loads(r["tags"]) if r["tags_dirty"] else None,
                        device_name=r["device_name"],
                        device_uuid=r["device_uuid"],
                        attempts=r["attempts"],
                    )
                )
            return claims

    def release(self, claims: Iterable[Claim]) -> None:
        with self._tx("release the upload") as c:
            for cl in claims:
                c.execute("UPDATE outbox SET in_flight = NULL WHERE id = ?", (cl.outbox_id,))

    def complete_success(self, claim: Claim, server: ServerLead, at: datetime | None = None) -> Lead:
        """Store what the server holds, except fields the user changed after `claim.version`."""
        with self._tx("save the server's answer") as c:
            return self._success(c, claim, server, at or now())

    def complete_rejected(self, claim: Claim, reason: str) -> Lead:
        """400: the server refuses the lead. Kept, visible, editable; leaves the outbox."""
        with self._tx("mark the lead as refused") as c:
            return self._rejected(c, claim, reason)

    def complete_failed(self, claim: Claim, error: str, next_attempt_at: datetime | None) -> None:
        """A transient failure: the lead stays pending with the error noted."""
        with self._tx("note the failed upload") as c:
            self._failed(c, claim, error, next_attempt_at)

    def complete_batch(self, outcomes: Sequence[tuple[Claim, Outcome]]) -> None:
        """Record the outcomes of several uploads in one transaction (one disk sync)."""
        at = now()
        with self._tx("save the server's answers") as c:
            for claim, out in outcomes:
                if out.kind == "success":
                    self._success(c, claim, out.server, at)
                elif out.kind == "rejected":
                    self._rejected(c, claim, out.text)
                elif out.kind == "failed":
                    self._failed(c, claim, out.text, out.next_attempt_at)
                else:
                    c.execute("UPDATE outbox SET in_flight = NULL WHERE id = ?", (claim.outbox_id,))

    def _success(self, c: sqlite3.Connection, claim: Claim, server: ServerLead, at: datetime) -> Lead:
        row = c.execute("SELECT * FROM leads WHERE id = ?", (claim.lead_id,)).fetchone()
        if row is None:  # cannot happen: leads are never deleted while queued
            raise StoreError("A queued lead disappeared from the database.")
        sets: dict[str, Any] = {}
        for name, value in (
            ("notes", server.notes),
            ("rating", server.rating),
            ("tags", json.dumps(list(server.tags), ensure_ascii=False)),
        ):
            if row[f"{name}_dirty"] > claim.version:
                continue  # edited while the upload was in flight: local wins, goes up next
            sets[name] = value
            sets[f"{name}_dirty"] = 0
        fp = fingerprint(server.fields)
        sets.update(fields=_fields_json(server.fields), fingerprint=fp, uploaded=1,
                    synced_at=at.isoformat())
        if row["version"] == claim.version:
            sets.update(state="synced", reason=None)
            c.execute("DELETE FROM outbox WHERE id = ?", (claim.outbox_id,))
        else:
            sets.update(state="pending", reason=None)
            c.execute(
                "UPDATE outbox SET in_flight = NULL, attempts = 0, next_attempt_at = NULL, "
                "last_error = NULL WHERE id = ?", (claim.outbox_id,)
            )
        assign = ", ".join(f"{k} = ?" for k in sets)
        c.execute(f"UPDATE leads SET {assign} WHERE id = ?", (*sets.values(), claim.lead_id))
        if fp and c.execute(
            "SELECT 1 FROM leads WHERE account = ? AND fingerprint = ? AND code IS NULL LIMIT 1",
            (row["account"], fp),
        ).fetchone():
            # a code-less copy pulled earlier may be this very lead: the next pull decides
            c.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('pull.reconcile', '1')")
        return row_to_lead(c.execute("SELECT * FROM leads WHERE id = ?", (claim.lead_id,)).fetchone())

    def _rejected(self, c: sqlite3.Connection, claim: Claim, reason: str) -> Lead:
        c.execute("DELETE FROM outbox WHERE id = ?", (claim.outbox_id,))
        c.execute("UPDATE leads SET state = 'rejected', reason = ? WHERE id = ?", (reason, claim.lead_id))
        return row_to_lead(c.execute("SELECT * FROM leads WHERE id = ?", (claim.lead_id,)).fetchone())

    def _failed(self, c: sqlite3.Connection, claim: Claim, error: str, next_attempt_at: datetime | None) -> None:
        c.execute(
            "UPDATE outbox SET in_flight = NULL, attempts = attempts + 1, last_error = ?, "
            "next_attempt_at = ? WHERE id = ?",
            (error, next_attempt_at.isoformat() if next_attempt_at else None, claim.outbox_id),
        )
        c.execute("UPDATE leads SET reason = ? WHERE id = ? AND state = 'pending'", (error, claim.lead_id))

    # -- pull -----------------------------------------------------------------------------

    def merge_remote(self, account: str, remotes: Iterable[Any], at: datetime | None = None) -> RemoteMergeResult:
        """Merge GET leads results (see docs/sync.md, "Pull").

        The spec's list entries carry no ticket code, so a remote lead is matched by `code`
        when the server sends one, else by the fingerprint of its attendee fields. Two
        attendees can show identical fields (same person with two tickets, namesakes), so a
        fingerprint only merges into a local lead when it is unambiguous: exactly one remote
        entry and exactly one local lead with it that is already on the server. Remote leads
        no local lead accounts for are mirrored as read-only "pull" leads without a code.
        Merging never overwrites a field the user changed locally and has not uploaded.
        """
        at = at or now()
        result = {"added": 0, "updated": 0, "kept_local": 0, "unidentified": 0, "ambiguous": 0}
        by_code: dict[str, list[Any]] = {}
        by_fp: dict[str, list[Any]] = {}
        for r in remotes:
            code = getattr(r, "code", None)
            fp = fingerprint(r.fields)
            if code:
                by_code.setdefault(code, []).append(r)
            elif fp:
                by_fp.setdefault(fp, []).append(r)
            else:
                result["unidentified"] += 1
        with self._tx("save the lead list from the server") as c:
            for code, rs in by_code.items():
                row = self._get_row(c, account, code)
                if len(rs) > 1 and row is not None:
                    result["ambiguous"] += len(rs)  # one lead per device on the server
                    continue
                if row is None:
                    for r in rs:
                        self._insert_pulled(c, account, r, at, code=code if len(rs) == 1 else None)
                        result["added"] += 1
                else:
                    self._merge_into(c, row, rs[0], result)
            for fp, rs in by_fp.items():
                coded = c.execute(
                    "SELECT * FROM leads WHERE account = ? AND fingerprint = ? AND code IS NOT NULL",
                    (account, fp)).fetchall()
                uploaded = [row for row in coded if row["uploaded"]]
                pulled = c.execute(
                    "SELECT * FROM leads WHERE account = ? AND fingerprint = ? AND code IS NULL ORDER BY seq",
                    (account, fp)).fetchall()
                if len(rs) == 1 and len(uploaded) == 1:
                    self._merge_into(c, uploaded[0], rs[0], result)
                    self._delete_rows(c, pulled)
                elif not uploaded:
                    self._mirror(c, account, pulled, rs, at, result)
                elif len(rs) <= len(uploaded):  # all of them are ours; which is which is unknown
                    result["ambiguous"] += len(rs) if len(uploaded) > 1 else 0
                    self._delete_rows(c, pulled)
                else:
                    result["ambiguous"] += len(rs)
            c.execute("DELETE FROM meta WHERE key = 'pull.reconcile'")
        return RemoteMergeResult(**result)

    def _insert_pulled(self, c: sqlite3.Connection, account: str, r: Any, at: datetime,
                       code: str | None = None) -> None:
        scanned = _remote_time(getattr(r, "raw", None)) or at
        c.execute(
            """INSERT INTO leads(account, code, scanned, seq, notes, rating, tags, device_name,
                   device_uuid, fields, state, source, updated_at, synced_at, fingerprint)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'synced', 'pull', ?, ?, ?)""",
            (account, code, scanned.isoformat(), self._next_seq(c), r.notes, r.rating,
             json.dumps(list(r.tags), ensure_ascii=False), r.device_name, r.device_uuid,
             _fields_json(r.fields), at.isoformat(), at.isoformat(), fingerprint(r.fields)),
        )

    def _merge_into(self, c: sqlite3.Connection, row: sqlite3.Row, r: Any, result: dict[str, int]) -> None:
        """Server values for every field the user has not changed locally since the last upload."""
        sets: dict[str, Any] = {}
        kept = False
        tags_text = json.dumps(list(r.tags), ensure_ascii=False)
        for name, value in (("notes", r.notes), ("rating", r.rating), ("tags", tags_text)):
            if row[f"{name}_dirty"]:
                kept = True
            elif row[name] != value:
                sets[name] = value
        new_fields = _fields_json(r.fields)
        if r.fields and new_fields != row["fields"]:
            sets.update(fields=new_fields, fingerprint=fingerprint(r.fields))
        result["kept_local"] += int(kept)
        if sets:
            assign = ", ".join(f"{k} = ?" for k in sets)
            c.execute(f"UPDATE leads SET {assign} WHERE id = ?", (*sets.values(), row["id"]))
            result["updated"] += 1

    def _mirror(self, c: sqlite3.Connection, account: str, pulled: list[sqlite3.Row], rs: list[Any],
                at: datetime, result: dict[str, int]) -> None:
        """Code-less copies of other devices' leads follow the server one to one, in order."""
        for row, r in zip(pulled, rs):
            sets = {"notes": r.notes, "rating": r.rating,
                    "tags": json.dumps(list(r.tags), ensure_ascii=False), "fields": _fields_json(r.fields),
                    "device_name": r.device_name, "device_uuid": r.device_uuid}
            if any(row[k] != v for k, v in sets.items()):
                assign = ", ".join(f"{k} = ?" for k in sets)
                c.execute(f"UPDATE leads SET {assign}, synced_at = ? WHERE id = ?",
                          (*sets.values(), at.isoformat(), row["id"]))
                result["updated"] += 1
        for r in rs[len(pulled):]:
            self._insert_pulled(c, account, r, at)
            result["added"] += 1
        self._delete_rows(c, pulled[len(rs):])

    @staticmethod
    def _delete_rows(c: sqlite3.Connection, rows: Iterable[sqlite3.Row]) -> None:
        """Only code-less pulled copies are ever deleted: they mirror the server, which
        still holds them (they are never in the outbox)."""
        for row in rows:
            c.execute("DELETE FROM leads WHERE id = ? AND code IS NULL AND source = 'pull' "
                      "AND id NOT IN (SELECT lead_id FROM outbox)", (row["id"],))

    def needs_reconcile(self) -> bool:
        rows = self._read("SELECT 1 FROM meta WHERE key = 'pull.reconcile'")
        return bool(rows)


def _remote_time(raw: dict[str, Any] | None) -> datetime | None:
    """A list entry may carry `scanned` or `first_upload` (REST API style); use it if so."""
    if not raw:
        return None
    for key in ("scanned", "first_upload"):
        v = raw.get(key)
        if isinstance(v, str):
            try:
                dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
            except ValueError:
                continue
            if dt.tzinfo:
                return dt
    return None
