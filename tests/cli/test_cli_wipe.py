"""`leadscan wipe` / `auto-wipe` / `selfcheck` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .test_cli_local import run


def test_wipe_asks_then_refuses_pending_then_second_confirmation(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "d"
    assert run(capsys, data, "add", "aaa111")[0] == 0
    code, out, _ = run(capsys, data, "wipe")
    assert code == 0 and "would delete 1 leads" in out and "1 of them are not on the server" in out
    code, _, err = run(capsys, data, "wipe", "--yes")
    assert code == 1 and "not on the server yet" in err and "Traceback" not in err
    code, out, _ = run(capsys, data, "leads", "--json")
    assert len(json.loads(out)) == 1  # nothing deleted
    code, out, _ = run(capsys, data, "wipe", "--yes", "--delete-not-uploaded")
    assert code == 0 and "Wiped 1 leads" in out
    code, out, _ = run(capsys, data, "leads", "--json")
    assert json.loads(out) == []


def test_auto_wipe_setting(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "d"
    code, out, _ = run(capsys, data, "auto-wipe", "14")
    assert code == 0 and "14 days after the event ends" in out
    code, _, err = run(capsys, data, "auto-wipe", "soon")
    assert code == 1 and "number of days" in err
    assert run(capsys, data, "auto-wipe", "off")[0] == 0


def test_selfcheck_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, tmp_path / "d", "selfcheck", "--json")
    assert code == 0
    report = json.loads(out)
    assert report  # findings listed
    assert "zbar" in out
