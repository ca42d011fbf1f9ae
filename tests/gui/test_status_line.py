"""The status line says what is wrong with the connection by the kind of trouble (K31 captive
portal, certificate, offline, access code), and shows every other current problem (K35 clock,
a database repair notice) instead of only the first."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from guiharness import WAIT_MS, Gui

from leadscan.core.booth import BoothStatus
from leadscan.gui.status_line import StatusLine

pytestmark = pytest.mark.gui


def _pass(gui: Gui) -> None:
    sync = gui.window.sync
    passes = sync.passes
    sync.kick(force=True)
    gui.qtbot.waitUntil(lambda: sync.passes > passes and not sync.running, timeout=WAIT_MS)
    gui.wait_idle()


def test_k31_captive_portal_then_back_online(gui: Gui, emulator: Any) -> None:
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    line = gui.window.status_line
    emulator.set_faults("captive")
    gui.type_code(emulator.attendees[0]["secret"])
    _pass(gui)
    assert "Network needs a login" in line.connection.text()
    assert "1 waiting to upload" in line.pending.text()
    assert "hotspot" not in line.problem.text()  # said once, by the connection label
    assert gui.booth.status().pending == 1  # never marked synced

    emulator.set_faults(None)
    _pass(gui)
    assert "Online" in line.connection.text() and "All uploaded" in line.pending.text()
    assert line.problem.text() == ""


def test_k35_wrong_clock_is_shown_with_other_problems(gui: Gui, emulator: Any) -> None:
    wrong = datetime(2019, 1, 1, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    start = time.monotonic()
    gui.booth._clock = lambda: wrong + timedelta(seconds=time.monotonic() - start)  # noqa: SLF001 - the laptop's clock
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    gui.type_code(emulator.attendees[1]["secret"])
    line = gui.window.status_line
    gui.qtbot.waitUntil(lambda: "Computer clock is wrong" in line.problem.text(), timeout=WAIT_MS)
    assert "Online" in line.connection.text()

    # with a repair notice as well, both are on screen (not only the first)
    status = replace(line.status, problems=("The lead database was damaged; 12 leads recovered.",
                                            *line.status.problems))
    line.set_status(status)
    assert "damaged" in line.problem.text() and "Computer clock is wrong" in line.problem.text()


def _status(**kw: Any) -> BoothStatus:
    base = dict(pending=2, synced=0, rejected=0, last_sync=None, online=False, problem=None,
                auth_needed=False, next_attempt_at=None, profile=None)
    base.update(kw)
    return BoothStatus(**base)


@pytest.mark.parametrize("kind, online, text, expected", [
    ("tls", True, "The server's security certificate could not be verified.", "Certificate problem"),
    ("portal", False, "Network needs a login (hotspot page)", "Network needs a login"),
    ("offline", False, "Offline — scans are saved and will sync", "Offline — scans are kept"),
    ("server", True, "The server had a problem (HTTP 503). Scans are saved and will sync.", "Online"),
])
def test_connection_label_follows_the_kind_not_the_first_problem(qtbot: Any, kind: str,
                                                                 online: bool, text: str,
                                                                 expected: str) -> None:
    line = StatusLine()
    qtbot.addWidget(line)
    notice = "The lead database was damaged; 3 leads recovered."
    line.set_status(_status(online=online, problem=notice, problems=(notice, text),
                            problem_kind=kind, sync_problem=text))
    assert expected in line.connection.text()
    assert notice in line.problem.text()
    assert (text in line.problem.text()) == (kind == "server")  # others are the label's job


def test_a_passing_message_keeps_the_connection_state_visible(gui: Gui, emulator: Any) -> None:
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    emulator.stop()
    gui.type_code(emulator.attendees[2]["secret"])
    _pass(gui)
    line = gui.window.status_line
    gui.window.show_error_text("Something to read for a moment")
    assert "Something to read" in line.note_label.text()
    assert line.connection.isVisible() and "Offline" in line.connection.text()
    assert line.pending.isVisible() and "1 waiting" in line.pending.text()
