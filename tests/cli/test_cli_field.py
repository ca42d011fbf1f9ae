"""What a break-it pass on the CLI found, each as the whole kind of fault: terminal control
characters from badges, a closed pipe, a log file that cannot be written, values out of range,
an access code that cannot be one, options after the command, messages with their advice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from leadscan.cli import main

ROOT = Path(__file__).resolve().parents[2]
NASTY = "\x1b]0;HACKED\x07\x1b[2J\x1b[31mRED\x00bin"


def run(capsys: pytest.CaptureFixture[str], data: Path, *argv: str) -> tuple[int, str, str]:
    rc = main([*argv, "--data-dir", str(data)])  # options after the command work too
    out, err = capsys.readouterr()
    return rc, out, err


def cli(data: Path, *argv: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LEADSCAN_DATA_DIR=str(data), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "leadscan", *argv], capture_output=True,
                          text=True, env=env, timeout=120, **kw)


def test_control_characters_never_reach_the_terminal(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "d"
    rc, out, _ = run(capsys, d, "add", NASTY)
    assert rc == 0 and "\x1b" not in out and "\x00" not in out and "\\x1b" in out
    rc, out, _ = run(capsys, d, "leads")
    assert rc == 0 and "\x1b" not in out and "\x00" not in out and "\\x1b]0;HACKED" in out
    rc, out, _ = run(capsys, d, "leads", "--json")
    assert json.loads(out)[0]["code"] == NASTY  # the data itself is kept exactly


def test_control_characters_in_decoded_files(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    import segno

    img = tmp_path / "evil.png"
    segno.make(NASTY.encode("latin-1"), error="m", mode="byte").save(str(img), scale=8)
    rc, out, _ = run(capsys, tmp_path / "d", "decode", str(img))
    assert rc == 0 and "\x1b" not in out and "\\x1b[31mRED" in out
    rc, out, _ = run(capsys, tmp_path / "d", "scan", str(img))
    assert rc == 0 and "\x1b" not in out


def test_unreadable_files_are_named_once_on_stderr_without_library_noise(tmp_path: Path) -> None:
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    proc = cli(tmp_path / "d", "decode", str(bad), str(empty))
    assert proc.returncode == 1 and proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 2, proc.stderr  # one per file; no OpenCV/FFmpeg chatter
    assert lines[0].count(str(bad)) == 1 and "cannot be read" in lines[0] or "read" in lines[0]


def test_closed_pipe_is_not_a_crash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "d"
    for i in range(600):  # more output than a pipe holds
        main(["--data-dir", str(d), "add", f"c{i:05d}-abcdefgh"])
    capsys.readouterr()
    env = dict(os.environ, LEADSCAN_DATA_DIR=str(d), PYTHONPATH=str(ROOT))
    proc = subprocess.run(f"{sys.executable} -m leadscan leads | head -1; exit ${{PIPESTATUS[0]}}",
                          shell=True, executable="/bin/bash", capture_output=True, text=True,
                          env=env, timeout=120)
    assert proc.stdout.count("\n") == 1
    assert proc.stderr == "" and proc.returncode == 141  # as `yes | head` reports it
    log = d / "leadscan.log"
    assert not log.exists() or "BrokenPipeError" not in log.read_text(encoding="utf-8")


@pytest.mark.skipif(os.geteuid() == 0 and not Path("/usr/bin/setpriv").exists(),
                    reason="root ignores file modes; setpriv drops that")
def test_read_only_log_file_is_one_notice_not_tracebacks(tmp_path: Path) -> None:
    d = tmp_path / "d"
    assert cli(d, "edit", "nope", "--notes", "x").returncode == 1  # logs its failure
    log = d / "leadscan.log"
    assert log.exists()
    log.chmod(0o400)
    argv = ["edit", "nope", "--notes", "x"]
    if os.geteuid() == 0:  # drop root's override of file modes, as a normal user has it
        env = dict(os.environ, LEADSCAN_DATA_DIR=str(d), PYTHONPATH=str(ROOT))
        proc = subprocess.run(["setpriv", "--inh-caps=-dac_override", "--bounding-set=-dac_override",
                               sys.executable, "-m", "leadscan", *argv],
                              capture_output=True, text=True, env=env, timeout=120)
    else:
        proc = cli(d, *argv)
    assert proc.returncode == 1 and "No lead with the code" in proc.stderr
    assert "Traceback" not in proc.stderr and "Logging error" not in proc.stderr
    assert proc.stderr.count("cannot write the log file") <= 1


def test_auto_wipe_days_out_of_range_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "d"
    rc, _, err = run(capsys, d, "auto-wipe", "3000000")
    assert rc == 1 and "0 to 3650" in err
    assert run(capsys, d, "auto-wipe", "3650")[0] == 0
    assert run(capsys, d, "status")[0] == 0  # and nothing later breaks


@pytest.mark.parametrize("code", ["Wé€", "AB CD", "A\nB", "\x00x"])
def test_access_code_that_cannot_be_one(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        code: str) -> None:
    rc, out, err = run(capsys, tmp_path / "d", "login", "--server", "http://127.0.0.1:9", "--code", code)
    assert rc == 1 and "not an access code" in err and len(err.strip().splitlines()) == 1


def test_messages_carry_the_advice_and_stay_on_one_line(tmp_path: Path, emulator: Any,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "d"
    rc, _, err = run(capsys, d, "login", "--server", emulator.base_url, "--code", "WRONG123")
    assert rc == 1 and "Check the access code the event organizer sent you" in err
    assert "WRONG123" not in err and len(err.strip().splitlines()) == 1
    emulator.stop()
    rc, _, err = run(capsys, d, "login", "--server", emulator.base_url, "--code", "WRONG123")
    assert rc == 1 and "Check the server address and the network connection" in err


def test_gui_options_after_gui_and_logout_twice(tmp_path: Path, emulator: Any,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from leadscan.cli import build_parser

    ns = build_parser().parse_args(["gui", "--demo", "--camera", "none", "--data-dir", "X"])
    assert (ns.demo, ns.camera, ns.data_dir, ns.kiosk) == (True, "none", "X", False)
    ns = build_parser().parse_args(["--kiosk", "gui"])
    assert ns.kiosk is True and ns.demo is False

    d = tmp_path / "d"
    assert run(capsys, d, "login", "--server", emulator.base_url,
               "--code", emulator.exhibitor["access_code"])[0] == 0
    emulator.stop()
    assert run(capsys, d, "add", emulator.attendees[0]["secret"])[0] == 0
    assert run(capsys, d, "logout", "--force")[0] == 0
    rc, out, _ = run(capsys, d, "logout")
    assert rc == 0 and "Not logged in" in out
    rc, out, _ = run(capsys, d, "status")
    assert out.startswith("Not logged in")


def test_https_to_a_plain_http_port_is_not_a_certificate_problem(
        tmp_path: Path, emulator: Any, capsys: pytest.CaptureFixture[str]) -> None:
    url = emulator.base_url.replace("http://", "https://")
    rc, _, err = run(capsys, tmp_path / "d", "login", "--server", url,
                     "--code", emulator.exhibitor["access_code"])
    assert rc == 1 and "does not answer over HTTPS" in err and "certificate" not in err


def test_edit_without_changes_and_retry_of_a_synced_lead(tmp_path: Path, emulator: Any,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "d"
    run(capsys, d, "login", "--server", emulator.base_url, "--code", emulator.exhibitor["access_code"])
    code = emulator.attendees[0]["secret"]
    run(capsys, d, "add", code)
    assert run(capsys, d, "sync")[0] == 0
    rc, _, err = run(capsys, d, "edit", code)
    assert rc == 1 and "Nothing to change" in err
    rc, out, _ = run(capsys, d, "retry", code)
    assert rc == 0 and "was not refused" in out
    rc, out, _ = run(capsys, d, "status", "--json")
    assert json.loads(out)["pending"] == 0


@pytest.mark.skipif(os.geteuid() == 0 and not Path("/usr/bin/setpriv").exists(),
                    reason="root ignores file modes; setpriv drops that")
def test_read_only_data_folder_can_still_be_listed_and_exported(tmp_path: Path) -> None:
    d = tmp_path / "stick"
    for code in ("aaa111bbb", "ccc222ddd"):
        assert cli(d, "add", code).returncode == 0
    for p in d.iterdir():
        p.chmod(0o400)
    d.chmod(0o500)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    tmp = tmp_path / "tmp"  # where the temporary copy goes (and must be gone from)
    tmp.mkdir()
    try:
        def ro(*argv: str) -> subprocess.CompletedProcess[str]:
            env = dict(os.environ, LEADSCAN_DATA_DIR=str(d), PYTHONPATH=str(ROOT), TMPDIR=str(tmp))
            pre = (["setpriv", "--inh-caps=-dac_override", "--bounding-set=-dac_override"]
                   if os.geteuid() == 0 else [])
            return subprocess.run([*pre, sys.executable, "-m", "leadscan", *argv],
                                  capture_output=True, text=True, env=env, timeout=120)

        proc = ro("leads", "--json")
        assert proc.returncode == 0, proc.stderr
        assert sorted(x["code"] for x in json.loads(proc.stdout)) == ["aaa111bbb", "ccc222ddd"]
        assert "cannot be written" in proc.stderr
        proc = ro("export", "--csv", str(out_dir / "x.csv"))
        assert proc.returncode == 0 and "aaa111bbb" in (out_dir / "x.csv").read_text("utf-8-sig")
        proc = ro("add", "eee333fff")  # a change is refused with a message, not a traceback
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
    finally:
        d.chmod(0o700)
        for p in d.iterdir():
            p.chmod(0o600)
    assert list(tmp.iterdir()) == []
    assert cli(d, "leads", "--json").returncode == 0
    assert len(json.loads(cli(d, "leads", "--json").stdout)) == 2


def test_control_characters_echoed_in_messages_are_escaped(tmp_path: Path, emulator: Any,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    d = tmp_path / "d"
    run(capsys, d, "login", "--server", emulator.base_url, "--code", emulator.exhibitor["access_code"])
    run(capsys, d, "add", "k7yzqa2m")
    rc, _, err = run(capsys, d, "edit", "k7yzqa2m", "--tags", "\x1b[1mbold")
    assert rc == 1 and "Unknown tag" in err and "\x1b" not in err and "\\x1b[1mbold" in err
