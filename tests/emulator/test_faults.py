"""Faults: the SPEC format, each fault kind on the wire, determinism, run-time switching."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from leadscan.emulator import init_dataset
from leadscan.emulator.faults import FaultSpecError, parse_spec

PROFILE = "/exhibitors/api/v1/profile"
LEADS = "/exhibitors/api/v1/leads/"


# --- SPEC format --------------------------------------------------------------------------

def test_parse_full_spec() -> None:
    cfg = parse_spec("seed=1,latency=200ms:jitter=50ms,error_rate=0.2:codes=502/503,"
                     "rate_limit=0.1:retry_after=2,reset=0.05,captive,truncate=0.1,drip=5s:rate=0.5,"
                     "lb403_after=100,revoke=ABCD1234@+30s,revoke=EFGH5678,mail_fail,scope=app",
                     now=1000.0)
    assert cfg.seed == 1 and cfg.latency == pytest.approx(0.2) and cfg.jitter == pytest.approx(0.05)
    assert cfg.error_rate == 0.2 and cfg.error_codes == (502, 503)
    assert cfg.rate_limit == 0.1 and cfg.retry_after == 2
    assert cfg.reset == 0.05 and cfg.captive == 1.0 and cfg.truncate == 0.1
    assert cfg.drip == 5.0 and cfg.drip_rate == 0.5
    assert cfg.lb403_after == 100
    assert cfg.revoke == [("ABCD1234", 1030.0), ("EFGH5678", 1000.0)]
    assert cfg.mail_fail and cfg.scope == "app"


def test_parse_empty_and_absolute_moment() -> None:
    assert parse_spec("").error_rate == 0 and parse_spec(None).revoke == []
    cfg = parse_spec("revoke=X@2030-01-01T00:00:00Z,captive=0.5, latency=1.5")
    assert cfg.revoke[0][1] == pytest.approx(1893456000.0)
    assert cfg.captive == 0.5 and cfg.latency == 1.5


@pytest.mark.parametrize("spec", [
    "nonsense", "error_rate=2", "error_rate=x", "latency=fast", "latency=-1s", "seed=abc",
    "rate_limit=0.1:retry_after", "rate_limit=0.1:foo=1", "error_rate=0.1:codes=404",
    "revoke=@+1s", "revoke=X@tomorrow", "revoke=X@2030-01-01T00:00:00", "lb403_after=-1",
    "scope=admin", "drip", "reset",
])
def test_parse_errors_name_the_part(spec: str) -> None:
    with pytest.raises(FaultSpecError) as exc:
        parse_spec(spec)
    assert str(exc.value)


# --- on the wire --------------------------------------------------------------------------

def test_latency(emulator: Any, app: httpx.Client) -> None:
    emulator.set_faults("latency=300ms")
    t0 = time.perf_counter()
    assert app.get(PROFILE).status_code == 200
    assert time.perf_counter() - t0 >= 0.3


@pytest.mark.parametrize("spec,codes", [("error_rate=1", {500, 502, 503}),
                                         ("error_rate=1:codes=503", {503})])
def test_server_errors(emulator: Any, app: httpx.Client, spec: str, codes: set[int]) -> None:
    emulator.set_faults(spec)
    got = {app.get(PROFILE).status_code for _ in range(20)}
    assert got <= codes and got


def test_rate_limit(emulator: Any, app: httpx.Client) -> None:
    emulator.set_faults("rate_limit=1:retry_after=7")
    r = app.post(LEADS, json={"code": emulator.attendees[0]["secret"]})
    assert r.status_code == 429 and r.headers["retry-after"] == "7"
    emulator.set_faults(None)
    assert app.get(LEADS).json()["count"] == 0  # the throttled request did nothing


def test_reset(emulator: Any, app: httpx.Client) -> None:
    emulator.set_faults("reset=1")
    with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
        app.get(PROFILE)


@pytest.mark.parametrize("path", [PROFILE, LEADS, "/api/v1/organizers/demo/events/expo/exhibitors/",
                                  "/anything/else", "/"])
def test_captive_portal_answers_every_url(emulator: Any, app: httpx.Client, path: str) -> None:
    emulator.set_faults("captive")
    r = app.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert 'http-equiv="refresh"' in r.text
    assert app.post(path, json={}).status_code == 200


def test_admin_endpoints_are_never_faulty(emulator: Any, app: httpx.Client) -> None:
    emulator.set_faults("captive,error_rate=1,latency=2s")
    t0 = time.perf_counter()
    r = app.get("/_emulator/health")
    assert r.status_code == 200 and r.json() == {"ok": True}
    assert time.perf_counter() - t0 < 1


def test_truncated_json(emulator: Any, app: httpx.Client) -> None:
    emulator.set_faults("truncate=1")
    r = app.get(PROFILE)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.content)


def test_drip_trips_read_timeout_but_delivers_when_patient(emulator: Any, app_for: Any) -> None:
    emulator.set_faults("drip=0.4s")
    with pytest.raises(httpx.ReadTimeout):
        app_for(timeout=httpx.Timeout(5, read=0.2)).get(PROFILE)
    emulator.set_faults("drip=0.01s")
    r = app_for(timeout=5).get(PROFILE)
    assert r.status_code == 200 and r.json()["scan_types"]


def test_stop_during_drip_is_fast(emulator: Any, app_for: Any) -> None:
    emulator.set_faults("drip=10s")
    with pytest.raises(httpx.ReadTimeout):
        app_for(timeout=httpx.Timeout(5, read=0.2)).get(PROFILE)
    t0 = time.perf_counter()
    emulator.stop()
    assert time.perf_counter() - t0 < 1


def test_load_balancer_403_after_n_requests(emulator: Any, app: httpx.Client) -> None:
    emulator.set_faults("lb403_after=3")
    assert [app.get(PROFILE).status_code for _ in range(3)] == [200, 200, 200]
    r = app.get(PROFILE)
    assert r.status_code == 403 and r.headers["content-type"].startswith("text/html")
    assert "nginx" in r.text


def test_revoke_from_a_moment(emulator: Any, app_for: Any) -> None:
    code = emulator.exhibitor["access_code"]
    emulator.set_faults(f"revoke={code}@+0.3s")
    app = app_for()
    assert app.get(PROFILE).status_code == 200
    time.sleep(0.35)
    for r in (app.get(PROFILE), app.post(LEADS, json={"code": emulator.attendees[0]["secret"]})):
        assert r.status_code == 401 and r.json()["detail"]
    other = emulator.info["exhibitors"][1]["access_code"]
    assert app_for(other).get(PROFILE).status_code == 200
    assert app_for(emulator.exhibitor["lead_scanning_access_code"]).get(PROFILE).status_code == 200


def test_scope_app_leaves_rest_alone(emulator: Any, app: httpx.Client, rest: httpx.Client) -> None:
    emulator.set_faults("error_rate=1,scope=app")
    assert app.get(PROFILE).status_code >= 500
    assert rest.get("exhibitors/").status_code == 200
    emulator.set_faults("error_rate=1,scope=rest")
    assert app.get(PROFILE).status_code == 200
    assert rest.get("exhibitors/").status_code >= 500


def test_deterministic_under_seed(emulator: Any, app: httpx.Client) -> None:
    def run() -> list[int]:
        emulator.set_faults("seed=7,error_rate=0.3,rate_limit=0.2")
        return [app.get(PROFILE).status_code for _ in range(40)]

    first, second = run(), run()
    assert first == second
    assert {200, 429} <= set(first) and any(s >= 500 for s in first)


def test_share_is_roughly_right(emulator: Any, app: httpx.Client) -> None:
    emulator.set_faults("seed=3,error_rate=0.25")
    errors = sum(app.get(PROFILE).status_code >= 500 for _ in range(200))
    assert 25 <= errors <= 75


# --- switching ----------------------------------------------------------------------------

def test_admin_endpoint_switches_faults(emulator: Any, app_for: Any) -> None:
    admin = app_for("")
    token = {"Authorization": f"Token {emulator.api_token}"}
    assert admin.post("/_emulator/faults", json={"spec": "captive"}).status_code == 401
    assert admin.post("/_emulator/faults", json={"spec": "captive"},
                      headers={"Authorization": "Token wrong"}).status_code == 401
    r = admin.post("/_emulator/faults", json={"spec": "captive"}, headers=token)
    assert r.status_code == 200 and r.json()["captive"] == 1.0 and r.json()["spec"] == "captive"
    assert app_for().get(PROFILE).headers["content-type"].startswith("text/html")
    assert admin.get("/_emulator/faults", headers=token).json()["spec"] == "captive"
    r = admin.post("/_emulator/faults", json={"spec": "error_rate=7"}, headers=token)
    assert r.status_code == 400 and "error_rate" in r.json()["spec"][0]
    assert admin.delete("/_emulator/faults", headers=token).status_code == 204
    assert app_for().get(PROFILE).status_code == 200


def test_admin_endpoint_event_settings(emulator: Any, app_for: Any) -> None:
    token = {"Authorization": f"Token {emulator.api_token}"}
    admin = app_for("")
    r = admin.patch("/_emulator/event", json={"attendee_data": "all"}, headers=token)
    assert r.status_code == 200 and r.json()["attendee_data"] == "all"
    assert admin.patch("/_emulator/event", json={"attendee_data": "x"}, headers=token).status_code == 400
    assert admin.patch("/_emulator/event", json={"nope": 1}, headers=token).status_code == 400


def test_serve_with_faults_from_command_line(tmp_path: Path) -> None:
    info = init_dataset(tmp_path, attendees=3, seed=1)
    proc = subprocess.Popen([sys.executable, "-m", "leadscan.emulator", "serve", "--data", str(tmp_path),
                             "--faults", "captive"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        code = info["exhibitors"][0]["access_code"]
        r = httpx.get(url + PROFILE, headers={"Authorization": f"Exhibitor {code}"}, verify=False)
        assert r.status_code == 200 and "refresh" in r.text
        proc.terminate()
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
