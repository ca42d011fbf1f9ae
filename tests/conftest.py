"""Shared fixtures. `emulator`: a real emulator server over loopback on a fresh data set."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # CI has no display

from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402

from leadscan.emulator import EmulatorServer, init_dataset, list_attendees  # noqa: E402

EMULATOR_SEED = 4242
EMULATOR_ATTENDEES = 300


@dataclass
class EmulatorHandle:
    """A running emulator for one test.

    `stop()` / `start()` take it down and bring it back on the same port (same `base_url`),
    with the same data. `set_faults("captive")` switches faults (see docs/emulator.md).
    """

    data_dir: Path
    info: dict[str, Any]
    attendees: list[dict[str, Any]]
    server: EmulatorServer

    @property
    def base_url(self) -> str:
        return self.server.base_url

    @property
    def exhibitor(self) -> dict[str, Any]:
        """First exhibitor: {id, name, access_code, lead_scanning_access_code}; all allowed."""
        return self.info["exhibitors"][0]

    @property
    def api_token(self) -> str:
        return self.info["api_token"]

    @property
    def rest_url(self) -> str:
        """Base of the REST API for the demo event (ends with a slash)."""
        return (f"{self.base_url}/api/v1/organizers/{self.info['organizer']}"
                f"/events/{self.info['event']}/")

    def stop(self) -> None:
        self.server.stop()

    def start(self) -> None:
        self.server.start()

    def restart(self) -> None:
        self.server.stop()
        self.server.start()

    def set_faults(self, spec: str | None) -> None:
        self.server.set_faults(spec)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[EmulatorHandle]:
    data_dir = tmp_path / "emulator"
    info = init_dataset(data_dir, attendees=EMULATOR_ATTENDEES, seed=EMULATOR_SEED)
    server = EmulatorServer(data_dir, host="127.0.0.1", port=0)
    server.start()
    try:
        yield EmulatorHandle(data_dir, info, list_attendees(data_dir), server)
    finally:
        server.stop()
