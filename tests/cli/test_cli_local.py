"""CLI local commands through main(argv): exit codes, JSON shapes, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from leadscan import __version__
from leadscan.cli import main


def run(capsys: pytest.CaptureFixture[str], data: Path, *argv: str) -> tuple[int, str, str]:
    rc = main(["--data-dir", str(data), *argv])
    out, err = capsys.readouterr()
    return rc, out, err


def test_add_edit_leads_status_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "data"
    assert run(capsys, d, "add", "aaa111")[0] == 0
    assert run(capsys, d, "add", "bbb222")[0] == 0
    rc, out, _ = run(capsys, d, "add", "aaa111")
    assert rc == 0 and "Already scanned" in out
    rc, out, _ = run(capsys, d, "edit", "aaa111", "--notes", "wants a demo", "--rating", "4", "--tags", "a,b")
    assert rc == 0
    rc, out, _ = run(capsys, d, "leads", "--json")
    leads = json.loads(out)
    assert [x["code"] for x in leads] == ["bbb222", "aaa111"]
    a = leads[1]
    assert {k: a[k] for k in ("notes", "rating", "tags", "state", "reason", "fields")} == {
        "notes": "wants a demo", "rating": 4, "tags": ["a", "b"], "state": "pending",
        "reason": None, "fields": []}
    assert a["scanned"].endswith(("+00:00", "Z")) or "+" in a["scanned"] or "-" in a["scanned"][19:]
    rc, out, _ = run(capsys, d, "status", "--json")
    st = json.loads(out)
    assert (st["pending"], st["synced"], st["rejected"], st["last_sync"], st["profile"]) == (2, 0, 0, None, None)
    rc, out, _ = run(capsys, d, "export", "--csv", str(tmp_path / "x.csv"))
    assert rc == 0 and (tmp_path / "x.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_expected_errors_are_one_line_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "data"
    for argv in (["edit", "nope", "--notes", "x"], ["sync"], ["edit", "x", "--rating", "high"],
                 ["add", ""], ["logout"] if False else ["pull"]):
        rc, out, err = run(capsys, d, *argv)
        assert rc == 1, argv
        assert err.count("\n") == 1 and err.startswith("leadscan: ") and "Traceback" not in err


def test_sync_exit_status_nonzero_when_pending(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "data"
    run(capsys, d, "add", "aaa111")
    rc, _, err = run(capsys, d, "sync")
    assert rc != 0 and "Not logged in" in err


def test_version_and_fast_qt_free_start(tmp_path: Path) -> None:
    code = ("import sys, leadscan.cli as c\n"
            "try:\n    c.main(['--version'])\nexcept SystemExit as e:\n    pass\n"
            "c.main(['--data-dir', sys.argv[1], 'status'])\n"
            "assert not any(m.startswith('PySide6') for m in sys.modules), 'Qt imported'\n"
            "assert 'cv2' not in sys.modules\n")
    p = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert __version__ in p.stdout


def test_data_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LEADSCAN_DATA_DIR", str(tmp_path / "env"))
    assert main(["add", "zzz"]) == 0
    capsys.readouterr()
    assert (tmp_path / "env" / "leadscan.db").exists()
    assert main(["--data-dir", str(tmp_path / "flag"), "leads", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
