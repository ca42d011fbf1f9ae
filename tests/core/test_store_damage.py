"""K40/K41: a damaged database file is moved aside, what can be read is recovered into a
fresh file, the user is told, and the next start is clean (no crash loop)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from leadscan.core.booth import Booth
from leadscan.core.models import ScanSource, SyncState
from leadscan.core.store import LeadStore

ACC = ""


def fill(path: Path, n: int) -> None:
    with LeadStore.open(path) as s:
        for i in range(n):
            s.record_scan(ACC, f"code-{i:05d}-" + "p" * 150, scanned=datetime.now(timezone.utc),
                          source=ScanSource.MANUAL, device_name=None, device_uuid=None)
        s.set_meta("device.uuid", "keep-me")
        s.execute_for_tests("PRAGMA wal_checkpoint(TRUNCATE)")


def test_garbage_header_starts_fresh_and_tells(tmp_path: Path) -> None:
    path = tmp_path / "leadscan.db"
    fill(path, 20)
    with open(path, "r+b") as fh:
        fh.write(b"this is not sqlite at all" * 4)
    with LeadStore.open(path) as s:
        assert s.recovery is not None
        assert "damaged" in s.recovery.message()
        assert Path(s.recovery.damaged_file).exists()
        s.record_scan(ACC, "after", scanned=datetime.now(timezone.utc), source=ScanSource.MANUAL,
                      device_name=None, device_uuid=None)
    with LeadStore.open(path) as s:  # no crash loop, no second recovery
        assert s.recovery is None
        assert s.get(ACC, "after") is not None


def test_damaged_pages_recover_the_readable_leads(tmp_path: Path) -> None:
    path = tmp_path / "leadscan.db"
    fill(path, 400)
    size = path.stat().st_size
    page = 4096
    with open(path, "r+b") as fh:  # smash two pages in the middle of the leads table
        for p in (size // page // 2, size // page // 2 + 1):
            fh.seek(p * page)
            fh.write(b"\xff" * page)
    with LeadStore.open(path) as s:
        assert s.recovery is not None
        got = s.list(ACC)
        assert 0 < s.recovery.recovered_leads == len(got) < 400
        assert all(lead.state is SyncState.PENDING for lead in got)  # uploaded again, harmless
        assert s.get_meta("device.uuid") == "keep-me"
        assert s.execute_for_tests("PRAGMA integrity_check")[0][0] == "ok"


def test_booth_reports_recovery_until_dismissed_and_keeps_device_uuid(tmp_path: Path) -> None:
    with Booth(tmp_path) as b:
        uid = b.device_uuid
        b.scan("aaa111", ScanSource.MANUAL)
    with open(tmp_path / "leadscan.db", "r+b") as fh:
        fh.write(b"\x00" * 100)
    with Booth(tmp_path) as b:
        st = b.status()
        assert st.recovery_notice and st.problem == st.recovery_notice
        assert "damaged" in st.problem
        assert b.device_uuid == uid  # kept in device.json too
        b.dismiss_recovery_notice()
        assert b.status().problem is None
        b.scan("bbb222", ScanSource.MANUAL)
    with Booth(tmp_path) as b:
        assert b.status().recovery_notice is None
        assert b.lead("bbb222") is not None


def test_destroyed_file_header_still_recovers_every_lead(tmp_path: Path) -> None:
    """The header (first 100 bytes) holds no data: with it overwritten, all pages are intact,
    and every lead comes back (a header is rebuilt on a copy; the damaged file is kept as is)."""
    path = tmp_path / "leadscan.db"
    fill(path, 300)
    with open(path, "r+b") as fh:
        fh.write(bytes(range(100)))
    with LeadStore.open(path) as s:
        assert s.recovery is not None and s.recovery.recovered_leads == 300
        got = s.list(ACC)
        assert len(got) == 300 and all(lead.state is SyncState.PENDING for lead in got)
        assert s.get_meta("device.uuid") == "keep-me"
        assert Path(s.recovery.damaged_file).read_bytes()[:100] == bytes(range(100))
