"""Server robustness: fast start, restart on the same URL with the data kept, concurrency."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from leadscan.emulator import EmulatorServer, init_dataset
from leadscan.emulator.db import NotInitialised

LEADS = "/exhibitors/api/v1/leads/"


def test_starts_in_under_a_second(tmp_path: Path) -> None:
    init_dataset(tmp_path, attendees=300, seed=1)
    t0 = time.perf_counter()
    with EmulatorServer(tmp_path) as server:
        r = httpx.get(server.base_url + "/_emulator/health", verify=False)
        elapsed = time.perf_counter() - t0
    assert r.status_code == 200
    assert elapsed < 1.0


def test_uninitialised_dir(tmp_path: Path) -> None:
    with pytest.raises(NotInitialised):
        EmulatorServer(tmp_path).start()


def test_data_survives_restart_on_same_url(emulator: Any) -> None:
    code = emulator.exhibitor["access_code"]
    secret = emulator.attendees[5]["secret"]
    url = emulator.base_url
    with httpx.Client(verify=False, headers={"Authorization": f"Exhibitor {code}"}) as c:
        assert c.post(url + LEADS, json={"code": secret, "notes": "kept", "rating": 5}).status_code == 201
        emulator.stop()
        with pytest.raises(httpx.ConnectError):
            c.get(url + LEADS)
        emulator.start()
        assert emulator.base_url == url
        r = c.get(url + LEADS)
    assert r.status_code == 200
    assert [(x["notes"], x["rating"]) for x in r.json()["results"]] == [("kept", 5)]


def test_stop_with_idle_keepalive_connection_is_fast(emulator: Any) -> None:
    code = emulator.exhibitor["access_code"]
    with httpx.Client(verify=False, headers={"Authorization": f"Exhibitor {code}"}) as c:
        assert c.get(emulator.base_url + "/exhibitors/api/v1/profile").status_code == 200
        t0 = time.perf_counter()
        emulator.stop()
        assert time.perf_counter() - t0 < 1.0


def test_concurrent_posts_of_one_code_make_one_lead(emulator: Any) -> None:
    """Two booth laptops upload the same badge at the same moment, many times over."""
    code = emulator.exhibitor["access_code"]
    secrets = [a["secret"] for a in emulator.attendees[:10]]
    statuses: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(4)

    def laptop(n: int) -> None:
        with httpx.Client(verify=False, base_url=emulator.base_url,
                          headers={"Authorization": f"Exhibitor {code}"}) as c:
            for s in secrets:
                barrier.wait()
                r = c.post(LEADS, json={"code": s, "notes": f"laptop {n}", "device_uuid": f"uuid-{n}"})
                with lock:
                    statuses.append(r.status_code)

    threads = [threading.Thread(target=laptop, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count(201) == len(secrets)
    assert statuses.count(200) == 3 * len(secrets)
    with httpx.Client(verify=False, base_url=emulator.base_url, headers={"Authorization": f"Exhibitor {code}"}) as c:
        assert c.get(LEADS).json()["count"] == len(secrets)


def test_chunked_request_body(emulator: Any) -> None:
    code = emulator.exhibitor["access_code"]
    secret = emulator.attendees[0]["secret"]

    def body() -> Any:
        yield b'{"code": "'
        yield secret.encode()
        yield b'", "notes": "chunked"}'

    with httpx.Client(verify=False, base_url=emulator.base_url,
                      headers={"Authorization": f"Exhibitor {code}"}) as c:
        r = c.post(LEADS, content=body(), headers={"Content-Type": "application/json"})
    assert r.status_code == 201 and r.json()["notes"] == "chunked"


def test_unknown_path_is_json_404(emulator: Any) -> None:
    r = httpx.get(emulator.base_url + "/nothing/here", verify=False)
    assert r.status_code == 404 and r.json() == {"detail": "Not found."}
    assert "date" in r.headers


def test_no_thread_outlives_stop(tmp_path: Path) -> None:
    init_dataset(tmp_path, attendees=5, seed=1)
    before = set(threading.enumerate())
    server = EmulatorServer(tmp_path).start()
    server.set_faults("drip=5s:rate=0.5,seed=2")
    clients = [httpx.Client(verify=False, base_url=server.base_url, timeout=httpx.Timeout(5, read=0.2))
               for _ in range(4)]
    try:
        for c in clients:  # idle keep-alive connections and dripping answers
            try:
                c.get("/exhibitors/api/v1/profile")
            except httpx.ReadTimeout:
                pass
        t0 = time.perf_counter()
        server.stop()
        assert time.perf_counter() - t0 < 1
    finally:
        for c in clients:
            c.close()
    assert set(threading.enumerate()) - before == set()


def test_damaged_database_is_one_clear_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    init_dataset(tmp_path, attendees=3, seed=1)
    (tmp_path / "emulator.sqlite3").write_bytes(b"this is not a database" * 100)
    for p in tmp_path.glob("emulator.sqlite3-*"):
        p.unlink()
    p = subprocess.run([sys.executable, "-m", "leadscan.emulator", "serve", "--data", str(tmp_path)],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode != 0 and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_change_access_codes_mid_show(emulator: Any) -> None:
    """K32: the organizer gives the exhibitor a new code; the old one is refused at once."""
    old = emulator.exhibitor["access_code"]
    secret = emulator.attendees[0]["secret"]
    with httpx.Client(verify=False, base_url=emulator.base_url) as c:
        auth = {"Authorization": f"Exhibitor {old}"}
        assert c.post(LEADS, json={"code": secret, "notes": "before"}, headers=auth).status_code == 201
        new = emulator.server.change_access_codes(emulator.exhibitor["id"])
        assert new["access_code"] != old
        assert c.get("/exhibitors/api/v1/profile", headers=auth).status_code == 401
        r = c.get(LEADS, headers={"Authorization": f"Exhibitor {new['access_code']}"})
        assert r.json()["results"][0]["notes"] == "before"
        admin = {"Authorization": f"Token {emulator.api_token}"}
        r = c.post(f"/_emulator/exhibitors/{emulator.exhibitor['id']}/new_access_codes", headers=admin)
        assert r.status_code == 200 and r.json()["access_code"] not in (old, new["access_code"])
        assert c.post("/_emulator/exhibitors/999/new_access_codes", headers=admin).status_code == 404


def test_init_attendee_data_option(tmp_path: Path) -> None:
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-m", "leadscan.emulator", "init", "--data", str(tmp_path),
                        "--attendees", "3", "--seed", "1", "--attendee-data", "all"],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    with EmulatorServer(tmp_path) as server:
        assert server.event_settings()["attendee_data"] == "all"
