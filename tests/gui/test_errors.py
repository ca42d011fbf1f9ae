"""Bad input gets a clear message and loses nothing: wrong access code, unreachable server,
an HTML page instead of the App API, a revoked code mid-show, an unreadable image, no camera."""

from __future__ import annotations

import socket
from datetime import datetime, timezone
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from leadscan.core.models import SyncState

from guiharness import WAIT_MS, Gui, by_attendee, server_leads

pytestmark = pytest.mark.gui


class _HtmlHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = b"<!doctype html><html><body><h1>Welcome to our company website</h1></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def html_server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _HtmlHandler)
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        t.join(5)


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def login_error(gui: Gui) -> str:
    return gui.window.login_view.error.text()


def test_wrong_access_code(gui: Gui, emulator: Any) -> None:
    gui.login(emulator.base_url, "WRONG999", expect_ok=False)
    text = login_error(gui)
    assert "access code was not accepted" in text
    assert "WRONG999" not in text
    assert gui.window.pages.currentWidget() is gui.window.login_view
    assert not gui.booth.logged_in


def test_unreachable_server(gui: Gui) -> None:
    gui.login(f"http://127.0.0.1:{free_port()}", "ABCDE123", expect_ok=False)
    text = login_error(gui)
    assert "reach the server" in text
    assert "Traceback" not in text


def test_html_page_is_not_an_app_api(gui: Gui, html_server: str) -> None:
    gui.login(html_server, "ABCDE123", expect_ok=False)
    text = login_error(gui)
    assert "web page" in text
    assert "server address" in text
    assert not gui.booth.logged_in


def test_empty_fields_are_explained(gui: Gui) -> None:
    view = gui.window.login_view
    view.server.setText("https://example.org")
    view.code.clear()
    gui.qtbot.mouseClick(view.button, Qt.MouseButton.LeftButton)
    assert "access code" in view.error.text()


def test_revoked_code_mid_show_keeps_scanning(gui: Gui, emulator: Any) -> None:
    """K32: the code is changed mid-show (401): scanning goes on, the login dialog asks for
    the new code, and everything uploads after it is entered."""
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    gui.wait_synced()
    emulator.set_faults(f"revoke={emulator.exhibitor['access_code']}")
    codes = [a["secret"] for a in emulator.attendees[:3]]
    gui.type_code(codes[0])
    gui.qtbot.waitUntil(lambda: gui.window.login_dialog is not None
                        and gui.window.login_dialog.isVisible(), timeout=WAIT_MS)
    assert gui.window.scan_view.banner.isVisible()
    for code in codes[1:]:  # scanning continues with the dialog open
        gui.type_code(code)
    gui.wait_idle()
    assert sorted(lead.code for lead in gui.booth.leads()) == sorted(codes)
    assert all(lead.state is SyncState.PENDING for lead in gui.booth.leads())
    gui.qtbot.waitUntil(lambda: "Access code needed" in gui.window.status_line.connection.text(),
                        timeout=WAIT_MS)

    emulator.set_faults(None)  # the organizer hands out the (same) code again
    dlg = gui.window.login_dialog
    dlg.view.code.setText(emulator.exhibitor["access_code"])
    gui.qtbot.mouseClick(dlg.view.button, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=WAIT_MS)
    gui.wait_synced()
    grouped = by_attendee(emulator, server_leads(emulator))
    assert sorted(grouped) == sorted(codes)
    assert all(len(v) == 1 for v in grouped.values())
    assert not gui.window.scan_view.banner.isVisible()


def test_no_camera_manual_entry_still_works(gui: Gui, emulator: Any) -> None:
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    gui.start_camera(57)  # no such camera
    view = gui.window.scan_view
    gui.qtbot.waitUntil(lambda: "camera" in view.preview.text().lower()
                        and "starting" not in view.preview.text().lower(), timeout=WAIT_MS)
    code = emulator.attendees[0]["secret"]
    gui.type_code(code)
    gui.qtbot.waitUntil(lambda: gui.booth.lead(code) is not None, timeout=WAIT_MS)
    gui.wait_synced()


def test_unreadable_image(gui: Gui, emulator: Any, tmp_path: Path) -> None:
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    bad = tmp_path / "badge.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n this is not an image")
    gui.start_camera(str(bad))
    view = gui.window.scan_view
    gui.qtbot.waitUntil(lambda: bool(view.camera_status.text())
                        and "starting" not in view.camera_status.text().lower(), timeout=WAIT_MS)
    assert "Traceback" not in view.camera_status.text()
    code = emulator.attendees[1]["secret"]
    gui.type_code(code)
    gui.qtbot.waitUntil(lambda: gui.booth.lead(code) is not None, timeout=WAIT_MS)


def test_not_a_ticket_is_kept_and_shown_rejected(gui: Gui, emulator: Any) -> None:
    played: list[str] = []
    gui.window.feedback.played.connect(played.append)
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    gui.type_code("NOT-A-TICKET-42")
    gui.wait_synced()
    lead = gui.booth.lead("NOT-A-TICKET-42")
    assert lead is not None and lead.state is SyncState.REJECTED
    card = gui.window.scan_view.card
    gui.qtbot.waitUntil(lambda: card.lead is not None and card.lead.state is SyncState.REJECTED,
                        timeout=WAIT_MS)
    assert "Not a ticket" in card.band.text()
    # saved at once (its own sound), then the server's refusal has the "not a ticket" sound
    gui.qtbot.waitUntil(lambda: "invalid" in played, timeout=WAIT_MS)
    assert played[0] in ("new", "offline") and played.count("invalid") == 1

    # "Send again" on the card queues it once more; refused again, it buzzes again
    assert card.retry.isVisible()
    gui.qtbot.mouseClick(card.retry, Qt.MouseButton.LeftButton)
    gui.qtbot.waitUntil(lambda: played.count("invalid") == 2, timeout=WAIT_MS)
    assert gui.booth.lead("NOT-A-TICKET-42").state is SyncState.REJECTED
    gui.window.show_leads()
    gui.qtbot.waitUntil(lambda: len(gui.window.leads_view.model.leads) == 1)
    model = gui.window.leads_view.model
    assert "Rejected" in model.data(model.index(0, 6))


def test_idle_booth_catches_up_soon_after_the_network_returns(gui: Gui, emulator: Any) -> None:
    """While offline the app checks every few seconds whether the server is back, instead
    of sleeping through its (growing) backoff: an idle booth uploads soon after Wi-Fi returns."""
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    emulator.stop()
    code = emulator.attendees[5]["secret"]
    gui.type_code(code)
    sync = gui.window.sync
    for _ in range(6):  # several failed passes: the backoff is now 16 s or more
        passes = sync.passes
        sync.kick(force=True)
        gui.qtbot.waitUntil(lambda: sync.passes > passes and not sync.running, timeout=WAIT_MS)
    report = sync.last_report
    assert report.pending == 1 and report.probe_after is not None
    assert (report.next_attempt_at - datetime.now(timezone.utc)).total_seconds() > 12
    emulator.start()
    # no scan, no "Sync now": the controller's own timer finds the server within seconds
    gui.qtbot.waitUntil(lambda: gui.booth.status().pending == 0, timeout=11_000)
    assert len(server_leads(emulator)) == 1


@pytest.mark.parametrize("address", ["javascript:alert(1)", "http://127.0.0.1:abc", "http://[::1"])
def test_malformed_server_address_is_a_message_not_a_crash(gui: Gui, address: str) -> None:
    crashes: list[Any] = []
    gui.tasks.crashed.connect(lambda exc, text: crashes.append(exc))
    gui.login(address, "ABCD1234", expect_ok=False)
    assert "is not a web address" in gui.window.login_view.error.text()
    assert crashes == []
