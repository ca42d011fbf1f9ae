"""LeadStore on a real SQLite file: durability, exact codes, dirtiness, collapse, migrations."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from leadscan.core.errors import StoreError
from leadscan.core.models import UNSET, AttendeeField, ScanSource, SyncState
from leadscan.core.store import LeadStore
from leadscan.core.store.db import connect
from leadscan.core.store.migrations import LATEST, migrate, user_version

ACC = "acct"


def at(minutes: int = 0) -> datetime:
    return datetime(2026, 5, 4, 10, 0, tzinfo=timezone(timedelta(hours=2))) + timedelta(minutes=minutes)


class Resp:
    """A server answer (the shape of the client's LeadResponse)."""

    def __init__(self, notes: str = "", rating: int | None = None, tags: tuple[str, ...] = (),
                 fields: tuple[AttendeeField, ...] = ()) -> None:
        self.notes, self.rating, self.tags, self.fields = notes, rating, tags, fields
        self.code = None
        self.device_name = self.device_uuid = None
        self.raw = None


def scan(store: LeadStore, code: str, minute: int = 0):
    return store.record_scan(ACC, code, scanned=at(minute), source=ScanSource.MANUAL,
                             device_name="laptop-1", device_uuid="u-1")


@pytest.fixture
def store(tmp_path: Path):
    s = LeadStore.open(tmp_path / "leads.db")
    yield s
    s.close()


def test_pragmas_wal_full_and_latest_schema(store: LeadStore) -> None:
    assert store.execute_for_tests("PRAGMA journal_mode")[0][0] == "wal"
    assert store.execute_for_tests("PRAGMA synchronous")[0][0] == 2  # FULL
    assert store.execute_for_tests("PRAGMA user_version")[0][0] == LATEST
    assert store.execute_for_tests("PRAGMA busy_timeout")[0][0] >= 5000


@pytest.mark.parametrize("code", ["aaa111", "AAA111", " lead with spaces ", "Müller-42",
                                  "\x00\x01\x1f", "tab\there", "ä" * 300])
def test_code_is_kept_exactly_and_survives_reopen(tmp_path: Path, code: str) -> None:
    with LeadStore.open(tmp_path / "x.db") as s:
        lead, is_new = scan(s, code)
        assert is_new and lead.code == code
    with LeadStore.open(tmp_path / "x.db") as s:
        got = s.get(ACC, code)
        assert got is not None and got.code == code
        assert got.scanned == at(0) and got.scanned.utcoffset() == timedelta(hours=2)
        assert got.state is SyncState.PENDING


def test_case_variants_are_distinct_leads(store: LeadStore) -> None:
    scan(store, "abc")
    _, is_new = scan(store, "ABC")
    assert is_new
    assert {lead.code for lead in store.list(ACC)} == {"abc", "ABC"}


def test_rescan_keeps_first_scan_and_values(store: LeadStore) -> None:
    scan(store, "aaa111", 0)
    store.edit(ACC, "aaa111", notes="hello")
    lead, is_new = scan(store, "aaa111", 30)
    assert not is_new
    assert lead.scanned == at(0) and lead.notes == "hello"


def test_sequence_is_independent_of_wall_clock(store: LeadStore) -> None:
    scan(store, "later", 60)
    scan(store, "earlier-clock", -600)  # clock jumped back
    assert [lead.code for lead in store.list(ACC)] == ["earlier-clock", "later"]  # newest first
    seqs = [lead.seq for lead in store.list(ACC)]
    assert seqs[0] > seqs[1]


def test_naive_time_refused(store: LeadStore) -> None:
    with pytest.raises(ValueError):
        store.record_scan(ACC, "x", scanned=datetime(2026, 1, 1), source=ScanSource.MANUAL,
                          device_name=None, device_uuid=None)


def test_edits_collapse_into_one_upload_of_latest_state_in_order(store: LeadStore) -> None:
    scan(store, "aaa111")
    scan(store, "bbb222")
    store.edit(ACC, "aaa111", notes="first")
    store.edit(ACC, "aaa111", notes="second", rating=4)
    assert store.outbox_size(ACC) == 2
    claims = store.claim(ACC, limit=10)
    assert [c.code for c in claims] == ["aaa111", "bbb222"]
    a, b = claims
    assert (a.notes, a.rating, a.tags) == ("second", 4, None)
    assert (b.notes, b.rating, b.tags) == ("", None, None)  # untouched: "keep" values (K34)


def test_clean_fields_are_sent_as_keep(store: LeadStore) -> None:
    scan(store, "c1")
    store.complete_success(store.claim(ACC)[0], Resp(notes="from laptop 2", rating=5, tags=("hot",)))
    store.edit(ACC, "c1", tags=["cold"])
    (claim,) = store.claim(ACC)
    assert claim.notes == "" and claim.rating is None and claim.tags == ["cold"]


def test_success_stores_server_values_and_fields(store: LeadStore) -> None:
    scan(store, "c1")
    fields = (AttendeeField("attendee_name", "Name", "Jon Doe"),)
    lead = store.complete_success(store.claim(ACC)[0], Resp(notes="n", rating=2, tags=("a",), fields=fields))
    assert lead.state is SyncState.SYNCED and lead.fields == fields
    assert (lead.notes, lead.rating, lead.tags) == ("n", 2, ("a",))
    assert store.outbox_size(ACC) == 0


def test_edit_while_in_flight_is_not_clobbered_and_goes_up_again(store: LeadStore) -> None:
    scan(store, "c1")
    store.edit(ACC, "c1", notes="v1")
    (claim,) = store.claim(ACC)
    store.edit(ACC, "c1", notes="v2 typed during upload")
    lead = store.complete_success(claim, Resp(notes="v1", rating=3))
    assert lead.notes == "v2 typed during upload" and lead.rating == 3
    assert lead.state is SyncState.PENDING
    (again,) = store.claim(ACC)
    assert again.notes == "v2 typed during upload" and again.rating is None
    assert store.complete_success(again, Resp(notes=again.notes, rating=3)).state is SyncState.SYNCED


def test_in_flight_row_left_by_crash_is_retried_at_open(tmp_path: Path) -> None:
    s = LeadStore.open(tmp_path / "x.db")
    scan(s, "c1")
    assert len(s.claim(ACC)) == 1
    assert s.claim(ACC) == []  # claimed
    s.close()  # "crash": never completed
    with LeadStore.open(tmp_path / "x.db") as s2:
        assert s2.released_at_open == 1
        (claim,) = s2.claim(ACC)
        assert claim.code == "c1"


def test_rejected_lead_kept_visible_editable_and_retryable(store: LeadStore) -> None:
    scan(store, "bogus")
    lead = store.complete_rejected(store.claim(ACC)[0], "not a ticket of this event")
    assert lead.state is SyncState.REJECTED and lead.reason == "not a ticket of this event"
    assert store.outbox_size(ACC) == 0 and store.get(ACC, "bogus") is not None
    lead = store.edit(ACC, "bogus", notes="typo?")
    assert lead.state is SyncState.PENDING and lead.reason is None
    store.complete_rejected(store.claim(ACC)[0], "still not")
    assert store.requeue(ACC, "bogus").state is SyncState.PENDING


def test_transient_failure_keeps_pending_with_error(store: LeadStore) -> None:
    scan(store, "c1")
    (claim,) = store.claim(ACC)
    store.complete_failed(claim, "Offline", at(5))
    lead = store.get(ACC, "c1")
    assert lead.state is SyncState.PENDING and lead.reason == "Offline"
    row = store.execute_for_tests("SELECT attempts, last_error, next_attempt_at FROM outbox")[0]
    assert row[0] == 1 and row[1] == "Offline" and row[2] == at(5).isoformat()
    assert store.claim(ACC)[0].attempts == 1


def test_unchanged_edit_queues_nothing(store: LeadStore) -> None:
    scan(store, "c1")
    store.complete_success(store.claim(ACC)[0], Resp(notes="x"))
    store.edit(ACC, "c1", notes="x", rating=UNSET)
    assert store.outbox_size(ACC) == 0


def test_v1_database_migrates_to_latest_without_losing_anything(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = connect(path)
    migrate(conn, target=1)
    assert user_version(conn) == 1
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO leads(account, code, scanned, seq, notes, rating, tags, source, state) "
        "VALUES ('acct', 'old1', ?, 1, 'typed', 4, '[]', 'camera', 'pending')", (at(0).isoformat(),)
    )
    conn.execute(
        "INSERT INTO leads(account, code, scanned, seq, notes, rating, tags, source, state, fields) "
        "VALUES ('acct', 'old2', ?, 2, 'srv', 1, '[\"a\"]', 'camera', 'synced', ?)",
        (at(1).isoformat(), json.dumps([{"id": "attendee_name", "label": "Name", "value": "X"}])),
    )
    conn.execute("INSERT INTO outbox(lead_id, queued_at) VALUES (1, ?)", (at(0).isoformat(),))
    conn.execute("COMMIT")
    conn.close()
    with LeadStore.open(path) as s:
        assert s.execute_for_tests("PRAGMA user_version")[0][0] == LATEST
        old1, old2 = s.get(ACC, "old1"), s.get(ACC, "old2")
        assert old1.notes == "typed" and old1.state is SyncState.PENDING
        assert old2.fields[0].value == "X" and old2.state is SyncState.SYNCED
        (claim,) = s.claim(ACC)
        # typed values of a v1 pending lead are uploaded; empty tags are not (never wipe)
        assert (claim.code, claim.notes, claim.rating, claim.tags) == ("old1", "typed", 4, None)
        scan(s, "new1")
        assert s.get(ACC, "new1").seq == 3


def test_newer_schema_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer leadscan"):
        LeadStore.open(path)


def test_threads_write_concurrently_without_locked_errors(tmp_path: Path) -> None:
    s = LeadStore.open(tmp_path / "x.db")
    errors: list[BaseException] = []

    def ui(prefix: str) -> None:
        try:
            for i in range(300):
                scan(s, f"{prefix}{i}")
                if i % 3 == 0:
                    s.edit(ACC, f"{prefix}{i}", notes=f"n{i}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    def worker() -> None:
        try:
            for _ in range(400):
                for claim in s.claim(ACC, limit=3):
                    s.complete_success(claim, Resp(notes=claim.notes))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=ui, args=(p,)) for p in ("a", "b")] + [threading.Thread(target=worker)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(s.list(ACC)) == 600
    # a second connection (another process, e.g. the CLI next to the GUI) can write too
    other = LeadStore.open(tmp_path / "x.db")
    scan(other, "from-cli")
    other.close()
    assert s.get(ACC, "from-cli") is not None
    s.close()


def test_full_disk_is_a_clear_store_error_and_loses_nothing(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    s = LeadStore.open(path)
    pages = s.execute_for_tests("PRAGMA page_count")[0][0]
    s.execute_for_tests(f"PRAGMA max_page_count = {pages + 3}")
    confirmed = []
    with pytest.raises(StoreError, match="disk is full") as info:
        for i in range(10_000):
            scan(s, f"code-{i}-" + "x" * 200)
            confirmed.append(f"code-{i}-" + "x" * 200)
    assert "Traceback" not in str(info.value)
    assert len(confirmed) > 3
    s.close()
    with LeadStore.open(path) as s2:
        assert {lead.code for lead in s2.list(ACC)} == set(confirmed)
        assert s2.execute_for_tests("PRAGMA integrity_check")[0][0] == "ok"


def remote(notes: str = "", rating: int | None = None, tags: tuple[str, ...] = (),
           name: str = "Omar Silva", code: str | None = None) -> Resp:
    r = Resp(notes=notes, rating=rating, tags=tags,
             fields=(AttendeeField("attendee_name", "Name", name),
                     AttendeeField("attendee_email", "Email", "omar@example.com")))
    r.code = code
    return r


def test_pull_never_merges_namesakes_into_the_wrong_lead(store: LeadStore) -> None:
    """Two attendees with identical visible data (same person, two tickets): the list entries
    are ambiguous, so the local lead keeps its own values."""
    scan(store, "ticket-A")
    store.edit(ACC, "ticket-A", notes="mine")
    store.complete_success(store.claim(ACC)[0], remote(notes="mine"))
    result = store.merge_remote(ACC, [remote(notes="mine"), remote(notes="someone else's", rating=1)])
    assert result.ambiguous == 2 and result.updated == 0
    assert store.get(ACC, "ticket-A").notes == "mine"


def test_pull_unique_match_updates_clean_fields_only(store: LeadStore) -> None:
    scan(store, "ticket-A")
    store.complete_success(store.claim(ACC)[0], remote())
    store.edit(ACC, "ticket-A", rating=2)  # not uploaded yet
    result = store.merge_remote(ACC, [remote(notes="from laptop 2", rating=5, tags=("x",))])
    lead = store.get(ACC, "ticket-A")
    assert (lead.notes, lead.rating, lead.tags) == ("from laptop 2", 2, ("x",))
    assert result.updated == 1 and result.kept_local == 1


def test_pull_mirrors_other_devices_leads_one_to_one(store: LeadStore) -> None:
    two = [remote(notes="first"), remote(notes="second")]
    assert store.merge_remote(ACC, two).added == 2
    assert store.merge_remote(ACC, two).added == 0  # idempotent
    assert sorted(lead.notes for lead in store.list(ACC)) == ["first", "second"]
    store.merge_remote(ACC, [remote(notes="first, edited")])
    assert [lead.notes for lead in store.list(ACC)] == ["first, edited"]
    assert all(lead.code == "" and lead.source is ScanSource.PULL for lead in store.list(ACC))
    # a code sent by the server is used as the key
    store.merge_remote(ACC, [remote(notes="coded", code="ticket-Z", name="Zed")])
    assert store.get(ACC, "ticket-Z").notes == "coded"


def test_early_scans_are_adopted_and_clashing_edits_absorbed(store: LeadStore) -> None:
    store.record_scan("", "early-only", scanned=at(0), source=ScanSource.MANUAL, device_name=None, device_uuid=None)
    store.record_scan("", "both", scanned=at(1), source=ScanSource.MANUAL, device_name=None, device_uuid=None)
    store.edit("", "both", notes="typed before login")
    scan(store, "both")
    store.complete_success(store.claim(ACC)[0], Resp(notes="server", rating=2))
    assert store.adopt_unassigned(ACC) == 2
    assert store.list("") == []
    both = store.get(ACC, "both")
    assert both.notes == "typed before login" and both.rating == 2 and both.state is SyncState.PENDING
    assert store.get(ACC, "early-only") is not None
    claims = {c.code: c for c in store.claim(ACC, limit=5)}
    assert claims["both"].notes == "typed before login" and claims["both"].rating is None


def test_second_process_does_not_release_the_owners_uploads(tmp_path: Path) -> None:
    """The CLI opened next to the running GUI must not re-queue rows the GUI is uploading."""
    owner = LeadStore.open(tmp_path / "x.db")
    scan(owner, "c1")
    (claim,) = owner.claim(ACC)
    second = LeadStore.open(tmp_path / "x.db")
    assert owner.owner and not second.owner and second.released_at_open == 0
    assert second.claim(ACC) == []  # still in flight for the owner
    second.close()
    owner.close()  # as if the GUI died: the lock goes with it
    with LeadStore.open(tmp_path / "x.db") as third:
        assert third.owner and third.released_at_open == 1
        assert third.claim(ACC)[0].code == "c1"
    del claim
