"""Booth + SyncEngine against the real emulator over loopback: the spec's semantics and the
field cases K30-K35."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from leadscan.core.booth import Booth
from leadscan.core.errors import AccountSwitchRefused, AuthError, LeadscanError
from leadscan.core.models import ScanSource, SyncState

from .conftest import attendee_key, by_attendee, rest_leads


def secret(emulator: Any, i: int) -> str:
    return emulator.attendees[i]["secret"]


def key(emulator: Any, i: int) -> tuple[str, int]:
    return attendee_key(emulator.attendees[i])


def test_scan_sync_shows_attendee_fields_and_status(booth: Booth, emulator: Any) -> None:
    code = secret(emulator, 0)
    booth.scan(code, ScanSource.CAMERA)
    report = booth.sync_once()
    assert (report.uploaded, report.pending, report.problem) == (1, 0, None)
    lead = booth.lead(code)
    assert lead.state is SyncState.SYNCED
    assert lead.display_name == emulator.attendees[0]["name"]
    st = booth.status()
    assert st.synced == 1 and st.last_sync is not None and st.online is True and st.problem is None
    assert st.profile.name == emulator.exhibitor["name"]
    (server,) = rest_leads(emulator)
    assert server["device_name"] == "laptop 1" and server["device_uuid"] == booth.device_uuid


def test_export_has_attendee_fields_as_columns_and_no_access_code(booth: Booth, emulator: Any,
                                                                   tmp_path: Path) -> None:
    import csv
    import io

    booth.scan(secret(emulator, 0), ScanSource.CAMERA)
    booth.sync_once()
    booth.export_csv(tmp_path / "x.csv")
    text = (tmp_path / "x.csv").read_text("utf-8-sig")
    (row,) = list(csv.DictReader(io.StringIO(text, newline="")))
    lead = booth.lead(secret(emulator, 0))
    for f in lead.fields:
        assert row[f.label] == f.value
    assert emulator.attendees[0]["name"] in row.values()
    assert emulator.exhibitor["access_code"] not in text
    assert emulator.exhibitor["access_code"] not in repr(booth.status())


def test_k33_offline_edits_collapse_into_two_leads(booth: Booth, emulator: Any) -> None:
    a, b = secret(emulator, 1), secret(emulator, 2)
    emulator.stop()
    booth.scan(a, ScanSource.CAMERA)
    booth.scan(b, ScanSource.CAMERA)
    booth.edit(a, notes="first thought")
    booth.edit(a, notes="wants a quote for 40 seats")
    report = booth.sync_once(force=True)
    assert report.pending == 2 and report.uploaded == 0
    st = booth.status()
    assert st.online is False and st.problem.startswith("Offline")
    assert rest_leads_or_none(emulator) is None
    emulator.start()
    report = booth.sync_once(force=True)
    assert report.pending == 0 and report.uploaded == 2
    server = by_attendee(rest_leads(emulator))
    assert len(server) == 2
    assert server[key(emulator, 1)]["notes"] == "wants a quote for 40 seats"
    assert server[key(emulator, 2)]["notes"] == ""


def rest_leads_or_none(emulator: Any) -> list | None:
    try:
        return rest_leads(emulator)
    except Exception:  # noqa: BLE001 - the server is down, as intended
        return None


def test_k34_rescan_on_second_laptop_keeps_first_laptops_notes(booth: Booth, booth2: Booth,
                                                               emulator: Any) -> None:
    code = secret(emulator, 3)
    booth.scan(code, ScanSource.CAMERA)
    booth.edit(code, notes="met CEO, send deck", rating=5, tags=["Hot lead"])
    booth.sync_once()
    booth2.scan(code, ScanSource.SCANNER)
    booth2.sync_once()
    (server,) = rest_leads(emulator)
    assert (server["notes"], server["rating"], server["tags"]) == ("met CEO, send deck", 5, ["Hot lead"])
    mine = booth2.lead(code)  # laptop 2 now shows laptop 1's annotations
    assert (mine.notes, mine.rating, mine.tags) == ("met CEO, send deck", 5, ("Hot lead",))
    booth2.edit(code, tags=["Hot lead", "Partner"])  # only tags touched on laptop 2
    booth2.sync_once()
    (server,) = rest_leads(emulator)
    assert (server["notes"], server["rating"], server["tags"]) == ("met CEO, send deck", 5,
                                                                  ["Hot lead", "Partner"])


def test_clearing_a_note_reaches_the_server(booth: Booth, emulator: Any) -> None:
    code = secret(emulator, 4)
    booth.scan(code, ScanSource.CAMERA)
    booth.edit(code, notes="wrong person")
    booth.sync_once()
    booth.edit(code, notes="")
    booth.sync_once()
    (server,) = rest_leads(emulator)
    assert server["notes"].strip() == "" and booth.lead(code).notes == server["notes"]


def test_400_rejected_kept_exported_and_does_not_block_others(booth: Booth, emulator: Any,
                                                               tmp_path: Path) -> None:
    booth.scan("NOT-A-TICKET", ScanSource.SCANNER)
    booth.scan(secret(emulator, 5), ScanSource.CAMERA)
    report = booth.sync_once()
    assert (report.uploaded, report.rejected, report.pending) == (1, 1, 0)
    bad = booth.lead("NOT-A-TICKET")
    assert bad.state is SyncState.REJECTED and "not a ticket" in bad.reason
    assert booth.status().rejected == 1
    assert booth.export_csv(tmp_path / "x.csv") == 2
    assert "NOT-A-TICKET" in (tmp_path / "x.csv").read_text("utf-8-sig")
    booth.edit("NOT-A-TICKET", notes="asked at the desk")  # editable -> pending again
    assert booth.lead("NOT-A-TICKET").state is SyncState.PENDING
    booth.sync_once(force=True)
    assert booth.lead("NOT-A-TICKET").state is SyncState.REJECTED
    assert len(rest_leads(emulator)) == 1


def test_k30_offline_backoff_then_immediate_attempt_when_back(booth: Booth, emulator: Any) -> None:
    emulator.stop()
    booth.scan(secret(emulator, 6), ScanSource.CAMERA)
    r1 = booth.sync_once()
    assert r1.pending == 1 and r1.next_attempt_at is not None and r1.problem.startswith("Offline")
    assert r1.probe_after is not None and r1.probe_after <= 10
    assert booth.lead(secret(emulator, 6)).state is SyncState.PENDING
    r2 = booth.sync_once()  # not due: nothing tried, no error raised
    assert r2.skipped and r2.pending == 1
    r3 = booth.sync_once(force=True)  # "Sync now" tries, fails, backs off longer
    assert r3.next_attempt_at > r1.next_attempt_at - timedelta(seconds=1)
    emulator.start()
    r4 = booth.sync_once()  # backoff not over, but the server is reachable again
    assert not r4.skipped and r4.pending == 0 and r4.uploaded == 1
    assert booth.status().online is True and booth.status().problem is None


def test_k31_captive_portal_never_marks_synced(booth: Booth, emulator: Any) -> None:
    booth.scan(secret(emulator, 7), ScanSource.CAMERA)
    emulator.set_faults("captive")
    report = booth.sync_once(force=True)
    assert report.pending == 1 and report.uploaded == 0
    st = booth.status()
    assert "needs a login" in st.problem and st.online is False
    assert booth.lead(secret(emulator, 7)).state is SyncState.PENDING
    emulator.set_faults("lb403_after=0")  # an HTML 403 from a load balancer: not "forbidden"
    report = booth.sync_once(force=True)
    assert report.pending == 1 and not report.auth_needed
    assert booth.lead(secret(emulator, 7)).state is SyncState.PENDING
    emulator.set_faults(None)
    assert booth.sync_once(force=True).pending == 0
    assert len(rest_leads(emulator)) == 1


def test_429_retry_after_is_honoured(booth: Booth, emulator: Any) -> None:
    booth.scan(secret(emulator, 8), ScanSource.CAMERA)
    booth.sync_once()  # profile checked
    booth.scan(secret(emulator, 9), ScanSource.CAMERA)
    emulator.set_faults("rate_limit=1:retry_after=120")
    before = datetime.now(timezone.utc)
    report = booth.sync_once(force=True)
    assert report.pending == 1
    assert report.next_attempt_at >= before + timedelta(seconds=119)
    emulator.set_faults(None)
    assert booth.sync_once().skipped  # still waiting as asked
    assert booth.sync_once(force=True).pending == 0


def test_k32_code_changed_mid_show_300_queued(booth: Booth, emulator: Any) -> None:
    codes = [a["secret"] for a in emulator.attendees[:300]]
    for c in codes[:20]:
        booth.scan(c, ScanSource.CAMERA)
    booth.sync_once()
    for c in codes[20:]:
        booth.scan(c, ScanSource.CAMERA)
    old = emulator.exhibitor["access_code"]
    emulator.set_faults(f"latency=4ms,revoke={old}@+0.4s")
    report = booth.sync_once(force=True)  # 401 arrives in the middle of the pass
    assert report.auth_needed and 0 < report.uploaded < 280
    st = booth.status()
    assert st.auth_needed and st.problem.startswith("Access code no longer valid")
    # scanning goes on, nothing is lost, nothing is tried until a new code is entered
    booth.edit(codes[0], notes="edited while locked out")
    assert booth.sync_once(force=True).auth_needed
    with pytest.raises(AuthError):
        booth.login(emulator.base_url, old)
    assert booth.status().pending == 280 - report.uploaded + 1
    booth.login(emulator.base_url, emulator.exhibitor["lead_scanning_access_code"])
    emulator.set_faults(None)
    report = booth.sync_once()
    assert report.pending == 0 and not report.auth_needed
    server = rest_leads(emulator)
    assert len(server) == 300
    assert by_attendee(server)[key(emulator, 0)]["notes"] == "edited while locked out"


def test_account_switch_with_pending_is_refused(booth: Booth, emulator: Any) -> None:
    emulator.stop()
    booth.scan(secret(emulator, 10), ScanSource.CAMERA)
    emulator.start()
    other = emulator.info["exhibitors"][1]["access_code"]
    with pytest.raises(AccountSwitchRefused):
        booth.login(emulator.base_url, other)
    assert booth.status().pending == 1 and booth.status().profile.name == emulator.exhibitor["name"]
    booth.sync_once()
    booth.login(emulator.base_url, other)  # nothing pending: allowed
    assert booth.leads() == []  # the other booth's list
    assert rest_leads(emulator, emulator.info["exhibitors"][1]["id"]) == []


def test_k35_wrong_laptop_clock_warns_and_keeps_offset(tmp_path: Path, emulator: Any) -> None:
    wrong = datetime(2019, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    start = time.monotonic()
    b = Booth(tmp_path / "clock", clock=lambda: wrong + timedelta(seconds=time.monotonic() - start))
    try:
        b.login(emulator.base_url, emulator.exhibitor["access_code"])
        lead = b.scan(secret(emulator, 11), ScanSource.CAMERA).lead
        assert lead.scanned.utcoffset() == timedelta(hours=1)
        b.sync_once()
        st = b.status()
        assert st.clock_skew_seconds is not None and st.clock_skew_seconds < -300
        assert any(p.startswith("Computer clock is wrong by") for p in st.problems)
        assert b.lead(lead.code).state is SyncState.SYNCED  # still uploads
    finally:
        b.close()


def test_pull_merges_other_laptops_leads_without_overwriting_local_edits(
        booth: Booth, booth2: Booth, emulator: Any) -> None:
    shared, theirs = secret(emulator, 12), secret(emulator, 13)
    booth.scan(shared, ScanSource.CAMERA)
    booth.sync_once()
    booth2.scan(shared, ScanSource.CAMERA)
    booth2.scan(theirs, ScanSource.CAMERA)
    booth2.edit(shared, notes="laptop 2 notes", rating=3)
    booth2.edit(theirs, notes="only on laptop 2")
    booth2.sync_once()
    emulator.stop()
    booth.edit(shared, rating=1)  # a local edit not uploaded yet
    emulator.start()
    report = booth.pull()
    assert report.added == 1 and report.problem is None
    mine = booth.lead(shared)
    assert mine.rating == 1 and mine.state is SyncState.PENDING  # local edit kept
    assert mine.notes == "laptop 2 notes"  # untouched field follows the server
    pulled = [lead for lead in booth.leads() if lead.source is ScanSource.PULL]
    assert len(pulled) == 1 and pulled[0].notes == "only on laptop 2" and pulled[0].code == ""
    with pytest.raises(LeadscanError, match="another device"):
        booth.edit("", notes="x")
    booth.sync_once(force=True)
    (s_shared,) = [x for x in rest_leads(emulator) if x["notes"] == "laptop 2 notes"]
    assert s_shared["rating"] == 1
    # scanning the pulled badge here turns the pulled copy into this laptop's lead: one row
    booth.scan(theirs, ScanSource.CAMERA)
    booth.sync_once(force=True)
    assert len(booth.leads()) == 2
    assert booth.lead(theirs).notes == "only on laptop 2"
    assert booth.pull().added == 0


def test_pull_with_scanning_only_code_stops_quietly(tmp_path: Path, emulator: Any) -> None:
    with Booth(tmp_path / "scanonly") as b:
        b.login(emulator.base_url, emulator.exhibitor["lead_scanning_access_code"])
        b.scan(secret(emulator, 14), ScanSource.CAMERA)
        report = b.sync_once()
        assert report.pending == 0 and report.pulled is not None and report.pulled.forbidden
        st = b.status()
        assert st.pull_forbidden and "may not read leads" in " ".join(st.problems)
        assert not st.auth_needed
        assert b.sync_once().pulled is None  # not asked again


def test_login_errors_are_typed_and_keep_nothing(tmp_path: Path, emulator: Any) -> None:
    with Booth(tmp_path / "x") as b:
        with pytest.raises(AuthError) as info:
            b.login(emulator.base_url, "WRONGCODE")
        assert "WRONGCODE" not in str(info.value)
        assert not b.logged_in and not (tmp_path / "x" / "access_code").exists()
        emulator.stop()
        with pytest.raises(LeadscanError):
            b.login(emulator.base_url, emulator.exhibitor["access_code"])
        emulator.start()
        b.login(emulator.base_url, emulator.exhibitor["access_code"])
        if b.credential_notice:  # no OS keyring here: a file only the user can read
            mode = (tmp_path / "x" / "access_code").stat().st_mode & 0o777
            assert mode == 0o600
        b.logout()
        assert not b.logged_in and not (tmp_path / "x" / "access_code").exists()
        b.login(emulator.base_url, emulator.exhibitor["access_code"])
        code = emulator.exhibitor["access_code"]
        assert code not in repr(b) and code not in repr(b.status())


def test_scans_before_login_are_adopted(tmp_path: Path, emulator: Any) -> None:
    with Booth(tmp_path / "early") as b:
        b.scan(secret(emulator, 15), ScanSource.CAMERA)
        b.login(emulator.base_url, emulator.exhibitor["access_code"])
        assert b.sync_once().uploaded == 1
    assert len(rest_leads(emulator)) == 1


def test_late_401_for_the_replaced_code_does_not_lock_out_the_new_one(booth: Booth, emulator: Any) -> None:
    """The GUI's worker may be mid-pass with the old code while the user logs in anew."""
    from leadscan.core.api.client import AppApiClient
    from leadscan.core.sync import SyncEngine
    from leadscan.core.sync.engine import K_GENERATION

    booth.scan(secret(emulator, 16), ScanSource.CAMERA)
    old_code = emulator.exhibitor["access_code"]
    with AppApiClient(emulator.base_url, old_code) as old_client:
        old_engine = SyncEngine(booth.store, booth.account, old_client,
                                generation=booth.store.get_meta(K_GENERATION))
        emulator.set_faults(f"revoke={old_code}")
        booth.login(emulator.base_url, emulator.exhibitor["lead_scanning_access_code"])
        report = old_engine.run_pass(force=True)  # its requests carry the revoked code: 401
        assert report.uploaded == 0
        old_engine.close()
    assert not booth.status().auth_needed
    assert booth.sync_once(force=True).pending == 0


def test_pass_on_a_closed_client_is_transient_not_a_crash(booth: Booth, emulator: Any) -> None:
    booth.scan(secret(emulator, 17), ScanSource.CAMERA)
    engine = booth._get_engine()
    engine.client.close()  # what a concurrent re-login does to a running pass
    report = engine.run_pass(force=True)
    assert report.pending == 1 and report.problem
    booth.login(emulator.base_url, emulator.exhibitor["access_code"])
    assert booth.sync_once(force=True).pending == 0


def test_disk_full_during_sync_is_a_store_error_and_loses_nothing(booth: Booth, emulator: Any) -> None:
    from leadscan.core.errors import StoreError

    codes = [secret(emulator, i) for i in range(20, 60)]
    for c in codes:
        booth.scan(c, ScanSource.CAMERA)
        booth.edit(c, notes="x" * 3000)  # answers (attendee fields) need room to be recorded
    pages = booth.store.execute_for_tests("PRAGMA page_count")[0][0]
    booth.store.execute_for_tests(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(StoreError, match="disk is full"):
        booth.sync_once(force=True)
    assert booth.status().pending == len(codes)
    booth.store.execute_for_tests("PRAGMA max_page_count = 1073741823")
    assert booth.sync_once(force=True).pending == 0  # nothing stuck in flight
    assert all(lead.notes == "x" * 3000 for lead in booth.leads())
    assert {x["notes"] for x in rest_leads(emulator)} == {"x" * 3000}


def test_tag_removed_by_the_organizer_stays_on_its_lead_and_edits_go_on(booth: Booth,
                                                                       emulator: Any) -> None:
    code = secret(emulator, 0)
    tags = booth.profile.tags
    booth.scan(code, ScanSource.CAMERA)
    booth.edit(code, tags=[tags[0]])
    assert booth.sync_once().pending == 0
    emulator.server.set_event(lead_tags=list(tags[1:]))  # the organizer drops the first tag
    booth.refresh_profile()
    assert tags[0] not in booth.profile.tags
    # the lead keeps it, and adding another tag (what the editor sends) is not refused
    lead = booth.edit(code, tags=[tags[0], tags[1]])
    assert list(lead.tags) == [tags[0], tags[1]]
    with pytest.raises(LeadscanError, match="Unknown tag"):
        booth.edit(code, tags=[tags[0], "never-a-tag"])
    assert booth.sync_once().pending == 0
    (server,) = rest_leads(emulator)
    assert server["tags"] == [tags[0], tags[1]]
