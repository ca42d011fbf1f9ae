"""Helpers for GUI tests: real widgets offscreen, a real Booth on a temp folder, the real
emulator over loopback (the `emulator` fixture of tests/conftest.py). Nothing of ours is
mocked. Every wait has a timeout; teardown stops the camera, sync, threads and the booth."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
import argparse  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import httpx  # noqa: E402
import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402

from PySide6.QtWidgets import QApplication  # noqa: E402

from leadscan.gui.app import Shell, make_app  # noqa: E402
from leadscan.gui.main_window import MainWindow  # noqa: E402
from leadscan.gui.tasks import TaskManager  # noqa: E402

WAIT_MS = 15_000


@dataclass
class Gui:
    """One app instance built by the real composition root (`leadscan.gui.app.Shell`):
    window + booth + task lanes + USB-scanner filter + feedback (+ camera when started)."""

    qtbot: Any
    data_dir: Path
    shell: Shell

    @property
    def booth(self) -> Any:
        return self.shell.booth

    @property
    def tasks(self) -> TaskManager:
        return self.shell.tasks

    @property
    def window(self) -> MainWindow:
        return self.shell.window

    # -- actions through real widgets ---------------------------------------------------

    def login(self, server: str, code: str, *, expect_ok: bool = True) -> None:
        view = self.window.login_view
        view.server.setText(server)
        view.code.setText(code)
        self.qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
        if expect_ok:
            self.qtbot.waitUntil(lambda: self.window.pages.currentWidget() is self.window.scan_view,
                                 timeout=WAIT_MS)
        else:
            self.qtbot.waitUntil(lambda: view.error.isVisible() and view.button.isEnabled(),
                                 timeout=WAIT_MS)

    def type_code(self, code: str) -> None:
        """Manual entry: type into the big field, press Enter; returns once saved."""
        before = len(self.window.scan_times)
        entry = self.window.scan_view.entry
        entry.setText(code)
        self.qtbot.keyClick(entry, Qt.Key.Key_Return)
        self.qtbot.waitUntil(lambda: len(self.window.scan_times) > before, timeout=WAIT_MS)

    def start_camera(self, source: Any) -> None:
        self.shell.args.camera = source
        self.shell._start_camera()

    def wait_idle(self, timeout: int = WAIT_MS) -> None:
        """Every queued task has delivered its result."""
        self.qtbot.waitUntil(lambda: not self.tasks.busy, timeout=timeout)

    def wait_synced(self, timeout: int = 30_000) -> None:
        self.wait_idle()
        self.qtbot.waitUntil(lambda: self.booth.status().pending == 0, timeout=timeout)

    def close(self) -> None:
        if self.shell.wedge is not None:
            QApplication.instance().removeEventFilter(self.shell.wedge)
        self.window.close()
        self.shell.shutdown()


class DialogAnswerer:
    """Answers the app's modal message boxes, one click per box in the given order.

    Modal boxes run their own event loop inside the call that opened them, so the answers
    must be queued before that call: a timer (which fires in nested loops too) finds each
    new box and clicks the button with the next label. `seen` keeps each box's text (text
    and informative text). A box with no answer left, or without the wanted button, is
    rejected and noted in `missing`: never left open to hang the test. Call `stop()`."""

    def __init__(self, answers: list[str]) -> None:
        from PySide6.QtCore import QTimer

        self.answers = list(answers)
        self.seen: list[str] = []
        self.missing: list[str] = []
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        for box in QApplication.topLevelWidgets():
            if not isinstance(box, QMessageBox) or not box.isVisible() or box.property("answered"):
                continue
            box.setProperty("answered", True)
            self.seen.append(f"{box.text()} {box.informativeText()}".strip())
            want = self.answers.pop(0) if self.answers else None
            buttons = [b for b in box.buttons() if b.text().replace("&", "") == want]
            if buttons:
                buttons[0].click()
            else:
                self.missing.append(f"{want!r} in {box.text()!r}")
                box.reject()

    @property
    def done(self) -> bool:
        return not self.answers

    def stop(self) -> None:
        self.timer.stop()


def make_gui(qtbot: Any, data_dir: Path, **args: Any) -> Gui:
    app = make_app()
    ns = argparse.Namespace(data_dir=str(data_dir), demo=False, kiosk=False, camera="none")
    for k, v in args.items():
        setattr(ns, k, v)
    shell = Shell(ns, app=app, show_dialogs=False)
    qtbot.addWidget(shell.window)
    shell.window.resize(1280, 800)
    shell.start()
    return Gui(qtbot, data_dir, shell)


# -- checking the server side ---------------------------------------------------------


def server_leads(emulator: Any) -> list[dict[str, Any]]:
    """Every lead of the first exhibitor, read through the admin REST API."""
    url = f"{emulator.rest_url}exhibitors/{emulator.exhibitor['id']}/leads/"
    out: list[dict[str, Any]] = []
    with httpx.Client(headers={"Authorization": f"Token {emulator.api_token}"}, timeout=10) as c:
        while url:
            r = c.get(url)
            r.raise_for_status()
            body = r.json()
            out.extend(body["results"])
            url = body.get("next")
    return out


def app_api_leads(emulator: Any) -> list[dict[str, Any]]:
    """The same through the App API, as the exhibitor sees them."""
    url = f"{emulator.base_url}/exhibitors/api/v1/leads/"
    out: list[dict[str, Any]] = []
    auth = {"Authorization": f"Exhibitor {emulator.exhibitor['access_code']}"}
    with httpx.Client(headers=auth, timeout=10) as c:
        while url:
            r = c.get(url)
            r.raise_for_status()
            body = r.json()
            out.extend(body["results"])
            url = body.get("next")
    return out


def by_attendee(emulator: Any, leads: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Server leads grouped by the attendee's ticket secret."""
    secrets = {(a["order_code"], a["positionid"]): a["secret"] for a in emulator.attendees}
    grouped: dict[str, list[dict[str, Any]]] = {}
    for lead in leads:
        key = secrets[(lead["attendee_order"], lead["attendee_positionid"])]
        grouped.setdefault(key, []).append(lead)
    return grouped
