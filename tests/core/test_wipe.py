"""After the show: wipe and automatic wipe never delete what the server does not hold
without an explicit second confirmation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from leadscan.core.booth import Booth, PendingLeadsError
from leadscan.core.models import ScanSource

from .conftest import rest_leads


def _files_mentioning(base: Path, needle: str) -> list[Path]:
    hits = []
    for p in base.rglob("*"):
        if p.is_file() and needle.encode() in p.read_bytes():
            hits.append(p)
    return hits


def test_wipe_refuses_while_leads_are_not_uploaded(booth: Booth, emulator: Any) -> None:
    emulator.stop()
    booth.scan(emulator.attendees[0]["secret"], ScanSource.MANUAL)
    with pytest.raises(PendingLeadsError) as err:
        booth.wipe()
    assert err.value.pending == 1
    assert "not on the server yet" in str(err.value)
    assert len(booth.leads()) == 1 and booth.logged_in  # nothing deleted


def test_wipe_after_sync_removes_leads_code_and_logs(booth: Booth, emulator: Any, tmp_path: Path) -> None:
    secret = emulator.attendees[0]["secret"]
    booth.scan(secret, ScanSource.MANUAL)
    booth.edit(secret, notes="personal remark")
    assert booth.sync_once(force=True).pending == 0
    uuid_before = booth.device_uuid
    booth.auto_wipe_days = 3
    report = booth.wipe()
    assert report.deleted == 1 and report.not_uploaded == 0
    assert booth.leads() == [] and not booth.logged_in and booth.profile is None
    assert booth.device_uuid == uuid_before and booth.auto_wipe_days == 3
    assert _files_mentioning(booth.data_dir, secret) == []
    assert _files_mentioning(booth.data_dir, "personal remark") == []
    assert len(rest_leads(emulator)) == 1  # the server keeps its copy
    booth.scan("after-wipe-1", ScanSource.MANUAL)  # the app keeps working
    assert [lead.code for lead in booth.leads()] == ["after-wipe-1"]


def test_wipe_with_second_confirmation_deletes_pending(booth: Booth, emulator: Any) -> None:
    emulator.stop()
    booth.scan(emulator.attendees[0]["secret"], ScanSource.MANUAL)
    report = booth.wipe(delete_not_uploaded=True)
    assert report.not_uploaded == 1 and booth.leads() == []


def test_auto_wipe_waits_for_end_date_and_for_uploads(tmp_path: Path, emulator: Any) -> None:
    booth = Booth(tmp_path / "b")
    try:
        booth.login(emulator.base_url, emulator.exhibitor["access_code"])
        end = booth.profile.event.end_date
        assert end is not None
        booth.scan(emulator.attendees[1]["secret"], ScanSource.MANUAL)
        assert booth.auto_wipe_if_due() is None  # off by default
        booth.auto_wipe_days = 2
        booth._clock = lambda: (end + timedelta(days=1)).astimezone()  # noqa: SLF001 - laptop clock
        assert booth.auto_wipe_if_due() is None  # not due yet
        booth._clock = lambda: (end + timedelta(days=3)).astimezone()  # noqa: SLF001
        emulator.stop()
        msg = booth.auto_wipe_if_due()
        assert msg is not None and "postponed" in msg and len(booth.leads()) == 1
        emulator.start()
        assert booth.sync_once(force=True).pending == 0
        msg = booth.auto_wipe_if_due()
        assert msg is not None and "1 lead removed" in msg and booth.leads() == []
    finally:
        booth.close()


def test_auto_wipe_days_validated(booth: Booth) -> None:
    with pytest.raises(Exception, match="number of days"):
        booth.auto_wipe_days = -1
    booth.auto_wipe_days = None
    assert booth.auto_wipe_days is None


def test_wipe_never_deletes_more_than_was_confirmed(booth: Booth, emulator: Any) -> None:
    """A badge scanned while the "delete anyway?" question was open is not deleted unasked."""
    emulator.stop()
    booth.scan(emulator.attendees[0]["secret"], ScanSource.MANUAL)
    booth.scan(emulator.attendees[1]["secret"], ScanSource.SCANNER)  # arrived during the question
    with pytest.raises(PendingLeadsError) as err:
        booth.wipe(delete_not_uploaded=True, confirmed=1)
    assert err.value.pending == 2 and "1 more" in str(err.value)
    assert len(booth.leads()) == 2
    assert booth.wipe(delete_not_uploaded=True, confirmed=2).deleted == 2
