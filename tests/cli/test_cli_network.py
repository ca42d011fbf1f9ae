"""CLI against the real emulator: login, scan FILE (badge images), decode, sync, status."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from leadscan.cli import main
from leadscan.emulator.badges import render_badge


def run(capsys: pytest.CaptureFixture[str], data: Path, *argv: str) -> tuple[int, str, str]:
    rc = main(["--data-dir", str(data), *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def badge(tmp_path: Path, attendee: dict[str, Any]) -> Path:
    path = tmp_path / f"badge-{attendee['id']}.png"
    render_badge(attendee).save(path)
    return path


def test_login_scan_files_sync_status(tmp_path: Path, emulator: Any,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "data"
    code = emulator.exhibitor["access_code"]
    rc, out, err = run(capsys, d, "login", "--server", emulator.base_url, "--code", code,
                       "--device-name", "kiosk-3")
    assert rc == 0 and emulator.exhibitor["name"] in out
    files = [badge(tmp_path, a) for a in emulator.attendees[:3]]
    rc, out, err = run(capsys, d, "decode", *map(str, files), "--json")
    assert rc == 0
    decoded = json.loads(out)
    assert [e["codes"][0]["code"] for e in decoded] == [a["secret"] for a in emulator.attendees[:3]]
    assert json.loads(run(capsys, d, "leads", "--json")[1]) == []  # decode queues nothing
    rc, out, err = run(capsys, d, "scan", *map(str, files))
    assert rc == 0 and out.count(": queued ") == 3 and "3 new leads queued" in out
    rc, out, err = run(capsys, d, "add", "NOT-A-TICKET")
    rc, out, err = run(capsys, d, "sync")
    assert rc == 0, err  # nothing pending (the refused one is "rejected", not pending)
    st = json.loads(run(capsys, d, "status", "--json")[1])
    assert (st["pending"], st["synced"], st["rejected"]) == (0, 3, 1)
    assert st["last_sync"] and st["profile"]["exhibitor"] == emulator.exhibitor["name"]
    assert st["profile"]["event"] == "Demo Trade Show"
    leads = json.loads(run(capsys, d, "leads", "--json")[1])
    rejected = [x for x in leads if x["state"] == "rejected"]
    assert rejected[0]["reason"] and rejected[0]["code"] == "NOT-A-TICKET"
    synced = [x for x in leads if x["state"] == "synced"]
    assert all(x["fields"] and x["device_name"] == "kiosk-3" for x in synced)
    log_text = (d / "leadscan.log").read_text("utf-8")
    assert code not in log_text and "POST /leads/" in log_text.replace("/exhibitors/api/v1", "")


def test_sync_offline_exits_nonzero_and_keeps_leads(tmp_path: Path, emulator: Any,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "data"
    run(capsys, d, "login", "--server", emulator.base_url, "--code", emulator.exhibitor["access_code"])
    run(capsys, d, "add", emulator.attendees[0]["secret"])
    emulator.stop()
    rc, out, err = run(capsys, d, "sync")
    assert rc != 0 and "Offline" in err and "Traceback" not in err
    assert json.loads(run(capsys, d, "status", "--json")[1])["pending"] == 1
    emulator.start()
    assert run(capsys, d, "sync")[0] == 0


def test_bad_login_messages(tmp_path: Path, emulator: Any, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "data"
    rc, _, err = run(capsys, d, "login", "--server", emulator.base_url, "--code", "NOPE1234")
    assert rc == 1 and "access code" in err and "NOPE1234" not in err
    rc, _, err = run(capsys, d, "login", "--server", "http://example.com", "--code", "X")
    assert rc == 1 and "https" in err
    rc, _, err = run(capsys, d, "scan", str(tmp_path / "missing.png"))
    assert rc == 1 and "not found" in err and err.count("\n") == 1


def test_log_redaction_filter_hides_codes_everywhere(tmp_path: Path) -> None:
    from leadscan.core.logs import add_secret, setup_logging, teardown_logging

    path = setup_logging(tmp_path)
    try:
        add_secret("SECRETXY")
        log = logging.getLogger("leadscan.test")
        log.warning("code is %s", "SECRETXY")
        try:
            raise ValueError("boom SECRETXY")
        except ValueError:
            log.exception("failed with SECRETXY")
    finally:
        teardown_logging()
    text = path.read_text("utf-8")
    assert "SECRETXY" not in text and text.count("***") >= 3
