"""Client fixtures for the emulator tests (the `emulator` fixture is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest


@pytest.fixture
def app_for(emulator: Any) -> Iterator[Callable[..., httpx.Client]]:
    """`app_for(code=None)`: an httpx client for the App API with that access code
    (default: the first exhibitor's full code); closed after the test."""
    clients: list[httpx.Client] = []

    def make(code: str | None = None, **kw: Any) -> httpx.Client:
        code = emulator.exhibitor["access_code"] if code is None else code
        headers = {"Authorization": f"Exhibitor {code}"} if code else {}
        c = httpx.Client(base_url=emulator.base_url, timeout=kw.pop("timeout", 10), headers=headers,
                         verify=False, **kw)  # plain http; skips loading CA certificates (~0.1 s)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def rest_for(emulator: Any) -> Iterator[Callable[..., httpx.Client]]:
    """`rest_for(token=None)`: an httpx client whose base URL is the demo event's REST root."""
    clients: list[httpx.Client] = []

    def make(token: str | None = None, base_url: str | None = None) -> httpx.Client:
        token = emulator.api_token if token is None else token
        headers = {"Authorization": f"Token {token}"} if token else {}
        c = httpx.Client(base_url=base_url or emulator.rest_url, timeout=10, headers=headers, verify=False)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def app(app_for: Callable[..., httpx.Client]) -> httpx.Client:
    return app_for()


@pytest.fixture
def rest(rest_for: Callable[..., httpx.Client]) -> httpx.Client:
    return rest_for()
