"""`leadscan-emulator` commands as a user runs them (real subprocesses)."""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from leadscan.emulator import init_dataset

CMD = [sys.executable, "-m", "leadscan.emulator"]


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CMD, *args], capture_output=True, text=True, timeout=timeout)


def test_init_prints_one_json_object(tmp_path: Path) -> None:
    p = run("init", "--data", str(tmp_path / "d"), "--attendees", "10", "--seed", "5")
    assert p.returncode == 0, p.stderr
    info = json.loads(p.stdout)
    assert set(info) == {"organizer", "event", "api_token", "exhibitors"}
    assert info == init_dataset(tmp_path / "again", attendees=10, seed=5)


def test_init_twice_is_one_clear_line(tmp_path: Path) -> None:
    assert run("init", "--data", str(tmp_path), "--attendees", "3").returncode == 0
    p = run("init", "--data", str(tmp_path), "--attendees", "3")
    assert p.returncode != 0
    assert "Traceback" not in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert "--force" in p.stderr


def test_serve_uninitialised_dir_is_one_clear_line(tmp_path: Path) -> None:
    p = run("serve", "--data", str(tmp_path / "never"))
    assert p.returncode != 0
    assert "Traceback" not in p.stderr
    assert "init" in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_serve_port_in_use_is_one_clear_line(tmp_path: Path) -> None:
    init_dataset(tmp_path, attendees=3, seed=1)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        p = run("serve", "--data", str(tmp_path), "--port", str(port))
    assert p.returncode != 0
    assert "Traceback" not in p.stderr
    assert "in use" in p.stderr and len(p.stderr.strip().splitlines()) == 1


def test_serve_bad_faults_spec_is_one_clear_line(tmp_path: Path) -> None:
    init_dataset(tmp_path, attendees=3, seed=1)
    p = run("serve", "--data", str(tmp_path), "--faults", "error_rate=2")
    assert p.returncode != 0 and "Traceback" not in p.stderr and "error_rate" in p.stderr


def test_serve_prints_url_first_and_stops_on_signal(tmp_path: Path) -> None:
    info = init_dataset(tmp_path, attendees=3, seed=1)
    proc = subprocess.Popen([*CMD, "serve", "--data", str(tmp_path), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        code = info["exhibitors"][0]["access_code"]
        r = httpx.get(f"{url}/exhibitors/api/v1/profile", headers={"Authorization": f"Exhibitor {code}"}, verify=False)
        assert r.status_code == 200
        proc.send_signal(signal.SIGTERM if os.name != "nt" else signal.CTRL_C_EVENT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]


def test_serve_sigint(tmp_path: Path) -> None:
    init_dataset(tmp_path, attendees=3, seed=1)
    proc = subprocess.Popen([*CMD, "serve", "--data", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().startswith("http://")
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert "Traceback" not in err


def test_badges_png_and_csv(tmp_path: Path) -> None:
    init_dataset(tmp_path / "d", attendees=4, seed=3)
    p = run("badges", "--data", str(tmp_path / "d"), "--out", str(tmp_path / "out"))
    assert p.returncode == 0, p.stderr
    assert str(tmp_path / "out") in p.stdout
    with (tmp_path / "out" / "badges.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["order_code", "positionid", "name", "company", "email", "secret", "file"]
    assert len(rows) == 5
    for row in rows[1:]:
        assert (tmp_path / "out" / row[6]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_badges_uninitialised(tmp_path: Path) -> None:
    p = run("badges", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "out"))
    assert p.returncode != 0 and "Traceback" not in p.stderr


@pytest.mark.parametrize("args, said", [
    (["--port", "99999"], "a port is 0 to 65535"),
    (["--port", "-1"], "a port is 0 to 65535"),
    (["--port", "eighty"], "not a port number"),
    (["--page-size", "0"], "a page holds 1 to 1000"),
])
def test_serve_rejects_impossible_numbers_in_one_line(tmp_path: Path, args: list[str],
                                                      said: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "leadscan.emulator", "serve", "--data",
                           str(tmp_path), *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and said in proc.stderr
    assert "Traceback" not in proc.stderr
