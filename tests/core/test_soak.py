"""Issue 4 point 7, soak: thousands of scans and edits while a worker thread syncs through a
flapping network, 5xx, 429, connection resets, truncated answers, a captive-portal period
and one access-code revocation. At the end local state equals server state, read through
the emulator's REST API."""

from __future__ import annotations

import os
import random
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from leadscan.core.booth import Booth
from leadscan.core.errors import LeadscanError
from leadscan.core.models import ScanSource, SyncState
from leadscan.emulator import EmulatorServer, init_dataset, list_attendees

from .conftest import attendee_key, by_attendee, rest_leads

ATTENDEES = int(os.environ.get("LEADSCAN_SOAK_ATTENDEES", "1500"))
OPS_PER_PHASE = int(os.environ.get("LEADSCAN_SOAK_OPS", "300"))
TAGS = ["Hot lead", "Newsletter", "Call back", "Partner"]


class Handle:
    def __init__(self, data: Path, info: dict[str, Any], server: EmulatorServer) -> None:
        self.data_dir, self.info, self.server = data, info, server
        self.exhibitor = info["exhibitors"][0]
        self.api_token = info["api_token"]

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def rest_url(self) -> str:
        return f"{self.base_url}/api/v1/organizers/{self.info['organizer']}/events/{self.info['event']}/"


@pytest.mark.slow
def test_soak_local_equals_server(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("LEADSCAN_SOAK_SEED", "11")))
    info = init_dataset(tmp_path / "emu", attendees=ATTENDEES, seed=99)
    attendees = list_attendees(tmp_path / "emu")
    server = EmulatorServer(tmp_path / "emu", port=0)
    server.start()
    emu = Handle(tmp_path / "emu", info, server)
    booth = Booth(tmp_path / "booth")
    laptop2 = Booth(tmp_path / "laptop2")  # same booth, re-scans laptop 1's visitors (K34)
    stop = threading.Event()
    worker_errors: list[BaseException] = []
    passes = {"n": 0, "auth": 0}

    def worker() -> None:  # the GUI's sync thread: "Sync now" pressed all the time
        while not stop.is_set():
            try:
                r = booth.sync_once(force=True)
                passes["n"] += 1
                passes["auth"] += int(r.auth_needed)
            except LeadscanError:
                pass
            except BaseException as exc:  # noqa: BLE001 - a bug: fail the test
                worker_errors.append(exc)
                return
            time.sleep(0.005)

    try:
        booth.login(emu.base_url, emu.exhibitor["access_code"], device_name="soak")
        laptop2.login(emu.base_url, emu.exhibitor["access_code"], device_name="laptop 2")
        own2: dict[str, str] = {}  # codes only laptop 2 scanned -> its notes
        spare = len(attendees) - 1  # laptop 2's own visitors come from the end of the list
        t = threading.Thread(target=worker, name="sync-worker")
        t.start()
        revoked = emu.exhibitor["access_code"]
        phases: list[tuple[str, str | None]] = [
            ("clean", None),
            ("5xx", "seed=1,error_rate=0.3"),
            ("429", "seed=2,rate_limit=0.3:retry_after=1"),
            ("resets", "seed=3,reset=0.25"),
            ("flapping", "flap"),
            ("captive portal", "captive"),
            ("truncated", "seed=4,truncate=0.3"),
            ("revocation", f"revoke={revoked}"),
            ("mixed", "seed=5,error_rate=0.1,rate_limit=0.1:retry_after=1,reset=0.1,truncate=0.1,latency=1ms"),
        ]
        next_code = 0
        scanned: list[str] = []
        ops = 0
        for name, spec in phases:
            server.set_faults(None if spec in (None, "flap") else spec)
            for i in range(OPS_PER_PHASE):
                if spec == "flap" and i % 40 == 0:
                    (server.stop if server.running else server.start)()
                r = rng.random()
                if r < 0.45 and next_code < len(attendees):
                    code = attendees[next_code]["secret"]
                    next_code += 1
                    booth.scan(code, ScanSource.CAMERA)
                    scanned.append(code)
                elif r < 0.48:
                    booth.scan(f"INVALID-{i}-{name}", ScanSource.SCANNER)  # gets rejected
                elif scanned:
                    code = rng.choice(scanned)
                    what = rng.random()
                    if what < 0.5:
                        booth.edit(code, notes=f"{name} note {i} ✓")
                    elif what < 0.75:
                        booth.edit(code, rating=rng.randint(0, 5))
                    else:
                        booth.edit(code, tags=rng.sample(TAGS, rng.randint(0, 3)))
                if scanned and rng.random() < 0.05:
                    laptop2.scan(rng.choice(scanned), ScanSource.CAMERA)  # never edits those
                if rng.random() < 0.02 and spare > next_code + 10:
                    code2 = attendees[spare]["secret"]
                    spare -= 1
                    laptop2.scan(code2, ScanSource.CAMERA)
                    own2[code2] = f"laptop 2 {name} {i}"
                    laptop2.edit(code2, notes=own2[code2])
                ops += 1
                if i % 25 == 0:
                    time.sleep(0.01)  # let the worker interleave
            if spec == "flap" and not server.running:
                server.start()
            try:
                laptop2.sync_once(force=True)
            except LeadscanError:
                pass
            if name == "revocation":
                deadline = time.monotonic() + 20
                while not booth.status().auth_needed:
                    assert time.monotonic() < deadline, "revocation never noticed"
                    time.sleep(0.02)
                booth.scan(attendees[next_code]["secret"], ScanSource.CAMERA)  # still scanning
                scanned.append(attendees[next_code]["secret"])
                next_code += 1
                booth.login(emu.base_url, emu.exhibitor["lead_scanning_access_code"])
        server.set_faults(None)
        deadline = time.monotonic() + 90
        while booth.status().pending:
            assert time.monotonic() < deadline, f"still pending: {booth.status()}"
            time.sleep(0.05)
        stop.set()
        t.join(timeout=60)
        assert not t.is_alive() and worker_errors == []
        final = booth.sync_once(force=True)
        assert final.pending == 0 and not final.auth_needed and final.problem is None
        if laptop2.status().auth_needed:
            laptop2.login(emu.base_url, emu.exhibitor["lead_scanning_access_code"])
        assert laptop2.sync_once(force=True).pending == 0
        booth.login(emu.base_url, emu.exhibitor["access_code"])  # revocation over: may read again
        assert booth.pull().problem is None

        assert ops >= 2000 and passes["auth"] >= 1
        pulled = [lead for lead in booth.leads() if lead.source is ScanSource.PULL]
        local = [lead for lead in booth.leads() if lead.source is not ScanSource.PULL]
        valid = [lead for lead in local if not lead.code.startswith("INVALID-")]
        invalid = [lead for lead in local if lead.code.startswith("INVALID-")]
        assert all(lead.state is SyncState.SYNCED for lead in valid)
        assert invalid and all(lead.state is SyncState.REJECTED and lead.reason for lead in invalid)
        assert {lead.code for lead in valid} == set(scanned)
        server_leads = by_attendee(rest_leads(emu))
        keys = {a["secret"]: attendee_key(a) for a in attendees}
        for lead in valid:
            s = server_leads[keys[lead.code]]
            assert (lead.notes, lead.rating, list(lead.tags)) == (s["notes"], s["rating"], s["tags"]), lead.code
        # laptop 2's own visitors: on the server with its notes, and in laptop 1's list after a
        # pull (except any whose attendee data is ambiguous, see docs/sync.md "Pull")
        assert own2 and len(server_leads) == len(valid) + len(own2) - len(set(own2) & set(scanned))
        for code, notes in own2.items():
            assert server_leads[keys[code]]["notes"] == notes
        assert 0 < len(pulled) <= len(own2)
        assert {lead.notes for lead in pulled} <= set(own2.values())
    finally:
        stop.set()
        booth.close()
        laptop2.close()
        server.stop()
