"""Booth's local side: scan/edit/leads/status/export never touch the network."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from leadscan.core.booth import CLEARED_NOTE, UNSET, Booth
from leadscan.core.errors import LeadscanError
from leadscan.core.models import ScanSource, SyncState


@pytest.fixture
def booth(tmp_path: Path):
    b = Booth(tmp_path / "data")
    yield b
    b.close()


def test_scan_is_durable_and_ordered_newest_first(tmp_path: Path) -> None:
    with Booth(tmp_path) as b:
        r1 = b.scan("aaa111", ScanSource.CAMERA)
        r2 = b.scan("bbb222", ScanSource.SCANNER)
        r3 = b.scan("aaa111", ScanSource.CAMERA)
        assert r1.is_new and r2.is_new and not r3.is_new
        assert r1.lead.scanned.utcoffset() is not None
        uid = b.device_uuid
    with Booth(tmp_path) as b:  # a new process sees the same
        assert [lead.code for lead in b.leads()] == ["bbb222", "aaa111"]
        assert b.device_uuid == uid and b.lead("aaa111").device_uuid == uid
        assert b.status().pending == 2


@pytest.mark.parametrize("bad", ["", " ", "\n", "x" * 5000, "ab\udcff"])
def test_empty_or_absurd_codes_refused_with_message(booth: Booth, bad: str) -> None:
    with pytest.raises(LeadscanError):
        booth.scan(bad, ScanSource.MANUAL)
    assert booth.leads() == []


def test_edit_validations(booth: Booth) -> None:
    booth.scan("c", ScanSource.MANUAL)
    for rating in (-1, 6, True, 2.5):
        with pytest.raises(LeadscanError, match="0 to 5"):
            booth.edit("c", rating=rating)  # type: ignore[arg-type]
    with pytest.raises(LeadscanError, match="No lead"):
        booth.edit("missing", notes="x")
    lead = booth.edit("c", rating=0)
    assert lead.rating == 0
    with pytest.raises(LeadscanError, match="cannot be removed"):
        booth.edit("c", rating=None)
    assert booth.edit("c", rating=UNSET, notes="n").rating == 0


def test_clearing_a_note_uploads_a_single_space(booth: Booth) -> None:
    booth.scan("c", ScanSource.MANUAL)
    assert booth.edit("c", notes="").notes == ""  # nothing to clear: unchanged
    booth.edit("c", notes="call back")
    lead = booth.edit("c", notes="")
    assert lead.notes == CLEARED_NOTE
    (claim,) = booth.store.claim(booth.account)
    assert claim.notes == CLEARED_NOTE  # not "", which the server reads as "keep"


def test_tags_deduplicated_and_cleared(booth: Booth) -> None:
    booth.scan("c", ScanSource.MANUAL)
    assert booth.edit("c", tags=["a", "b", "a"]).tags == ("a", "b")
    assert booth.edit("c", tags=[]).tags == ()


def test_export_csv_excel_friendly_and_injection_safe(booth: Booth, tmp_path: Path) -> None:
    booth.scan("=HYPERLINK(\"http://x\")", ScanSource.MANUAL)
    booth.scan("Müller-42", ScanSource.MANUAL)
    booth.edit("Müller-42", notes="+1 555 call\nsecond line", tags=["@vip"], rating=5)
    lead = booth.store.claim(booth.account)[0]
    booth.store.complete_rejected(lead, "not a ticket")
    out = tmp_path / "leads.csv"
    assert booth.export_csv(out) == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert [r["code"] for r in rows] == ["'=HYPERLINK(\"http://x\")", "Müller-42"]
    assert rows[0]["state"] == "rejected" and rows[0]["reason"] == "not a ticket"
    assert rows[1]["notes"] == "'+1 555 call\nsecond line" and rows[1]["tags"] == "'@vip"
    assert rows[1]["state"] == "pending" and rows[1]["rating"] == "5"


def test_export_escapes_control_characters_k04(booth: Booth, tmp_path: Path) -> None:
    binary = "".join(chr(i) for i in range(32))  # K04: bytes 00..1f
    booth.scan(binary, ScanSource.CAMERA)
    booth.scan("esc-\x1b[2J-code", ScanSource.SCANNER)
    booth.edit("esc-\x1b[2J-code", notes="bell\x07 and NUL\x00\nnext line\tindented")
    out = tmp_path / "leads.csv"
    booth.export_csv(out)
    raw = out.read_bytes()
    assert b"\x00" not in raw and b"\x1b" not in raw and b"\x07" not in raw
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0]["code"] == "\\x00\\x01\\x02\\x03" + rows[0]["code"][16:]
    assert rows[1]["code"] == "esc-\\x1b[2J-code"
    assert rows[1]["notes"] == "bell\\x07 and NUL\\x00\nnext line\tindented"
    assert booth.lead(binary) is not None  # the lead itself keeps the exact bytes


def test_export_to_missing_folder_is_a_message(booth: Booth, tmp_path: Path) -> None:
    with pytest.raises(LeadscanError, match="Could not write"):
        booth.export_csv(tmp_path / "no" / "such" / "dir" / "x.csv")


def test_status_offline_before_login(booth: Booth) -> None:
    booth.scan("c", ScanSource.MANUAL)
    st = booth.status()
    assert (st.pending, st.synced, st.rejected) == (1, 0, 0)
    assert st.logged_in is False and st.profile is None and st.auth_needed is False
    assert st.last_sync is None


def test_logout_refused_while_pending(booth: Booth) -> None:
    booth.scan("c", ScanSource.MANUAL)
    with pytest.raises(LeadscanError, match="not uploaded"):
        booth.logout()
    booth.logout(force=True)
    assert booth.lead("c") is not None


def test_device_uuid_generated_once_and_name_settable(tmp_path: Path) -> None:
    with Booth(tmp_path) as b:
        uid = b.device_uuid
        b.device_name = "Stand 4 laptop"
    with Booth(tmp_path) as b:
        assert b.device_uuid == uid and b.device_name == "Stand 4 laptop"
    assert (tmp_path / "device.json").exists()


def test_state_enum_values(booth: Booth) -> None:
    lead = booth.scan("c", ScanSource.FILE).lead
    assert lead.state is SyncState.PENDING and lead.source is ScanSource.FILE
