"""K40 / issue 4 point 7: SIGKILL at random moments while scans stream in and sync runs.

Every scan the child confirmed (printed after `scan()` returned) must be in the database
after a restart, and end up on the emulator exactly once with its latest notes (the last
confirmed edit, or an edit that was under way when the process died)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from leadscan.core.booth import Booth

from .conftest import attendee_key, by_attendee, rest_leads

CHILD = Path(__file__).with_name("crash_child.py")
ROOT = Path(__file__).resolve().parents[2]
ROUNDS = int(os.environ.get("LEADSCAN_CRASH_ROUNDS", "30"))


def run_child(args: list[str], kill_after: float | None, out_file: Path) -> list[str]:
    """Run the child with its stdout in a file (what it printed before the kill stays there)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    err_file = out_file.with_suffix(".err")
    with open(out_file, "wb") as out, open(err_file, "wb") as err:
        proc = subprocess.Popen([sys.executable, str(CHILD), *args], stdout=out, stderr=err,
                                env=env, cwd=ROOT)
    try:
        if kill_after is None:
            proc.wait(timeout=120)
            assert proc.returncode == 0, err_file.read_text()
        else:
            if kill_after > 0:  # wait until it is up (imports take a while), then a random moment
                deadline = time.monotonic() + 30
                while b"READY" not in out_file.read_bytes():
                    assert proc.poll() is None, err_file.read_text()
                    assert time.monotonic() < deadline, "child did not start"
                    time.sleep(0.01)
            time.sleep(kill_after)
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            assert proc.returncode in (-signal.SIGKILL, 0), err_file.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return out_file.read_text().splitlines()


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path, emulator: Any) -> None:
    rng = random.Random(int(os.environ.get("LEADSCAN_CRASH_SEED", "7")))
    codes = [a["secret"] for a in emulator.attendees]
    codes_file = tmp_path / "codes.txt"
    codes_file.write_text("\n".join(codes))
    data = tmp_path / "booth"
    common = [str(data), emulator.base_url, emulator.exhibitor["access_code"], str(codes_file)]
    confirmed: set[str] = set()
    begun: set[str] = set()
    last_ok_notes: dict[str, str] = {}
    maybe_notes: dict[str, set[str]] = {}  # edits under way at a kill, after the last OK
    start = 0
    for r in range(ROUNDS):
        # mostly kill while streaming; sometimes right at start-up (opening the database)
        kill_after = 0.0 if r % 7 == 3 else rng.uniform(0.05, 0.6)
        lines = run_child([*common, "--start", str(start), "--seed", str(r)], kill_after,
                          tmp_path / f"round{r}.out")
        for line in lines:
            parts = line.split(" ", 3)
            if parts[0] == "BEGIN" and parts[1] == "scan":
                begun.add(parts[2])
                start = max(start, codes.index(parts[2]) + 1)
            elif parts[0] == "OK" and parts[1] == "scan":
                confirmed.add(parts[2])
            elif parts[0] == "BEGIN" and parts[1] == "edit":
                maybe_notes.setdefault(parts[2], set()).add(parts[3])
            elif parts[0] == "OK" and parts[1] == "edit":
                last_ok_notes[parts[2]] = parts[3]
                maybe_notes[parts[2]] = set()
    assert len(confirmed) > 50, "the child hardly ran: the test would prove nothing"
    assert "DONE" in run_child([*common, "--finish"], None, tmp_path / "finish.out")

    with Booth(data) as b:
        assert b.store.execute_for_tests("PRAGMA integrity_check")[0][0] == "ok"
        local = {lead.code: lead for lead in b.leads()}
        st = b.status()
    assert confirmed <= set(local), f"lost confirmed scans: {sorted(confirmed - set(local))[:5]}"
    assert set(local) <= begun
    assert st.pending == 0 and st.rejected == 0

    server = rest_leads(emulator)
    keys = {a["secret"]: attendee_key(a) for a in emulator.attendees}
    server_by_key = by_attendee(server)
    assert len(server) == len(server_by_key) == len(local)  # each exactly once
    for code, lead in local.items():
        s = server_by_key[keys[code]]
        assert s["notes"] == lead.notes, code
        if code in last_ok_notes or maybe_notes.get(code):
            allowed = {last_ok_notes.get(code, "")} | maybe_notes.get(code, set())
            assert lead.notes in allowed, (code, lead.notes, allowed)
