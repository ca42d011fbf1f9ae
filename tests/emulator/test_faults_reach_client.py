"""Each fault kind reaches the app's client (leadscan.core.api.client) as its typed error."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from leadscan.core.api.client import AppApiClient, LeadUpload
from leadscan.core.errors import (
    AuthError,
    BadResponse,
    InvalidLead,
    NetworkError,
    PermissionDenied,
    RateLimited,
    ServerError,
)


@pytest.fixture
def client_for(emulator: Any) -> Iterator[Callable[..., AppApiClient]]:
    made: list[AppApiClient] = []

    def make(code: str | None = None, timeout: float = 5.0) -> AppApiClient:
        c = AppApiClient(emulator.base_url, code or emulator.exhibitor["access_code"], timeout=timeout)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


@pytest.fixture
def client(client_for: Callable[..., AppApiClient]) -> AppApiClient:
    return client_for()


def upload(emulator: Any, i: int = 0, **kw: Any) -> LeadUpload:
    return LeadUpload(code=emulator.attendees[i]["secret"], scanned=datetime.now(timezone.utc), **kw)


def test_baseline_works(emulator: Any, client: AppApiClient) -> None:
    assert client.get_profile().name == emulator.exhibitor["name"]
    assert client.post_lead(upload(emulator, notes="hi")).created is True
    assert client.post_lead(upload(emulator)).notes == "hi"
    assert [lead.notes for lead in client.iter_leads()] == ["hi"]


@pytest.mark.parametrize("code", [500, 502, 503])
def test_5xx_is_server_error(emulator: Any, client: AppApiClient, code: int) -> None:
    emulator.set_faults(f"error_rate=1:codes={code}")
    with pytest.raises(ServerError) as exc:
        client.post_lead(upload(emulator))
    assert exc.value.status == code


def test_429_is_rate_limited_with_retry_after(emulator: Any, client: AppApiClient) -> None:
    emulator.set_faults("rate_limit=1:retry_after=3")
    with pytest.raises(RateLimited) as exc:
        client.get_profile()
    assert exc.value.retry_after == 3


def test_reset_is_network_error(emulator: Any, client: AppApiClient) -> None:
    emulator.set_faults("reset=1")
    with pytest.raises(NetworkError):
        client.post_lead(upload(emulator))


def test_latency_beyond_timeout_is_network_error(emulator: Any, client_for: Any) -> None:
    emulator.set_faults("latency=1s")
    with pytest.raises(NetworkError):
        client_for(timeout=0.3).get_profile()


def test_drip_is_network_error(emulator: Any, client_for: Any) -> None:
    """Pieces arrive every 0.1 s (no single read times out); the client's overall deadline trips."""
    emulator.set_faults("drip=0.1s")
    t0 = time.perf_counter()
    with pytest.raises(NetworkError):
        client_for(timeout=0.5).get_profile()
    assert time.perf_counter() - t0 < 2


def test_slow_drip_trips_read_timeout(emulator: Any, client_for: Any) -> None:
    emulator.set_faults("drip=2s")
    with pytest.raises(NetworkError):
        client_for(timeout=0.3).get_profile()


def test_captive_portal_is_bad_response_captive(emulator: Any, client: AppApiClient) -> None:
    emulator.set_faults("captive")
    for call in (client.get_profile, lambda: client.post_lead(upload(emulator)),
                 lambda: list(client.iter_leads())):
        with pytest.raises(BadResponse) as exc:
            call()
        assert exc.value.captive_portal is True


def test_load_balancer_403_is_bad_response_captive(emulator: Any, client: AppApiClient) -> None:
    emulator.set_faults("lb403_after=1")
    client.get_profile()
    with pytest.raises(BadResponse) as exc:
        client.post_lead(upload(emulator))
    assert exc.value.captive_portal is True and exc.value.status == 403


def test_truncated_json_is_bad_response(emulator: Any, client: AppApiClient) -> None:
    emulator.set_faults("truncate=1")
    with pytest.raises(BadResponse) as exc:
        client.post_lead(upload(emulator))
    assert exc.value.captive_portal is False


def test_revocation_is_auth_error(emulator: Any, client: AppApiClient) -> None:
    code = emulator.exhibitor["access_code"]
    emulator.set_faults(f"revoke={code}@+0.2s")
    client.get_profile()
    time.sleep(0.25)
    with pytest.raises(AuthError) as exc:
        client.post_lead(upload(emulator))
    assert code not in str(exc.value)


def test_emulator_down_then_up(emulator: Any, client: AppApiClient) -> None:
    emulator.stop()
    with pytest.raises(NetworkError):
        client.post_lead(upload(emulator))
    emulator.start()
    assert client.post_lead(upload(emulator)).created is True


def test_not_a_ticket_is_invalid_lead(emulator: Any, client: AppApiClient) -> None:
    with pytest.raises(InvalidLead) as exc:
        client.post_lead(LeadUpload(code="no-such-ticket", scanned=datetime.now(timezone.utc)))
    assert "not a ticket" in exc.value.reason


def test_scanning_only_code_listing_is_permission_denied(emulator: Any, client_for: Any) -> None:
    c = client_for(emulator.exhibitor["lead_scanning_access_code"])
    with pytest.raises(PermissionDenied):
        list(c.iter_leads())


def test_scanning_disabled_is_permission_denied(emulator: Any, client: AppApiClient) -> None:
    with emulator.server.store.tx() as c:
        c.execute("UPDATE exhibitor SET allow_lead_scanning=0 WHERE id=?", (emulator.exhibitor["id"],))
    with pytest.raises(PermissionDenied) as exc:
        client.post_lead(upload(emulator))
    assert "not enabled" in str(exc.value)


def test_paginated_list_is_followed(emulator: Any, client: AppApiClient) -> None:
    emulator.stop()
    emulator.server.page_size = 4
    emulator.start()
    for i in range(10):
        client.post_lead(upload(emulator, i, notes=str(i)))
    assert [lead.notes for lead in client.iter_leads()] == [str(i) for i in range(10)]
