"""Helpers for core tests against the real emulator (loopback HTTP, its own SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from leadscan.core.booth import Booth


def rest_leads(emulator: Any, exhibitor_id: int | None = None) -> list[dict[str, Any]]:
    """Every lead the server holds for the exhibitor, read through the admin REST API."""
    ex_id = exhibitor_id or emulator.exhibitor["id"]
    url: str | None = f"{emulator.rest_url}exhibitors/{ex_id}/leads/"
    out: list[dict[str, Any]] = []
    with httpx.Client(headers={"Authorization": f"Token {emulator.api_token}"}, timeout=30) as c:
        while url:
            r = c.get(url)
            r.raise_for_status()
            page = r.json()
            out.extend(page["results"])
            url = page["next"]
    return out


def by_attendee(leads: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, Any]]:
    """REST leads keyed by (order code, position id) (the REST API carries no ticket code)."""
    return {(lead["attendee_order"], lead["attendee_positionid"]): lead for lead in leads}


def attendee_key(attendee: dict[str, Any]) -> tuple[str, int]:
    return (attendee["order_code"], attendee["positionid"])


def set_faults(emulator: Any, spec: str | None) -> None:
    emulator.server.set_faults(spec)


@pytest.fixture
def booth(tmp_path: Path, emulator: Any) -> Iterator[Booth]:
    b = Booth(tmp_path / "laptop1")
    b.login(emulator.base_url, emulator.exhibitor["access_code"], device_name="laptop 1")
    yield b
    b.close()


@pytest.fixture
def booth2(tmp_path: Path, emulator: Any) -> Iterator[Booth]:
    b = Booth(tmp_path / "laptop2")
    b.login(emulator.base_url, emulator.exhibitor["access_code"], device_name="laptop 2")
    yield b
    b.close()
