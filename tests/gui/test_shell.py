"""The composition root: demo mode end to end, the crash handler, event logo and links."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from guiharness import WAIT_MS, Gui, make_gui
from PySide6.QtWidgets import QApplication, QMessageBox

from leadscan.core.models import ScanSource

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]


def test_demo_mode_end_to_end(qtbot: Any, tmp_path: Path) -> None:
    """`leadscan --demo`: emulator in-process, logged in, scan screen, badges written; a
    second start reuses the data (same demo leads) and the same server URL."""
    g = make_gui(qtbot, tmp_path / "data", demo=True, demo_attendees=12)
    try:
        w = g.window
        qtbot.waitUntil(lambda: w.pages.currentWidget() is w.scan_view, timeout=WAIT_MS)
        assert g.shell.ready_at is not None
        assert w.profile is not None and w.profile.name == "Aperture Science"
        demo = g.shell.demo
        qtbot.waitUntil(demo.badges_ready, timeout=30_000)
        badges = sorted(demo.badges_dir.glob("*.png"))
        assert len(badges) == 12
        qtbot.waitUntil(lambda: "Demo badges are in" in w.scan_view.camera_status.text(),
                        timeout=WAIT_MS)
        secret = (demo.badges_dir / "badges.csv").read_text().splitlines()[1].split(",")[5]
        g.type_code(secret)
        g.wait_synced()
        lead = g.booth.lead(secret)
        assert lead is not None and lead.display_name
        url = g.booth.server_url
    finally:
        g.close()
    again = make_gui(qtbot, tmp_path / "data", demo=True, demo_attendees=12)
    try:
        w = again.window
        qtbot.waitUntil(lambda: w.pages.currentWidget() is w.scan_view, timeout=WAIT_MS)
        assert again.booth.server_url == url
        assert again.booth.lead(secret) is not None
    finally:
        again.close()


def test_unexpected_error_shows_a_dialog_and_keeps_running(gui: Gui) -> None:
    crash = gui.shell.crash
    crash.show_dialogs = True
    crash.install()
    try:
        try:
            raise RuntimeError("boom in a slot")
        except RuntimeError as exc:
            import sys

            sys.excepthook(type(exc), exc, exc.__traceback__)
        gui.qtbot.waitUntil(lambda: any(isinstance(x, QMessageBox) and x.isVisible()
                                        for x in QApplication.topLevelWidgets()), timeout=WAIT_MS)
        box = next(x for x in QApplication.topLevelWidgets()
                   if isinstance(x, QMessageBox) and x.isVisible())
        assert "keeps running" in box.text()
        assert "Traceback" not in box.text()  # the traceback is in "details" and the log
        assert crash.reports and isinstance(crash.reports[-1][0], RuntimeError)
        box.close()
        assert gui.window.isVisible()
    finally:
        crash.uninstall()


def test_task_bug_is_reported_not_swallowed(gui: Gui) -> None:
    def broken() -> None:
        raise ValueError("bug")

    with gui.qtbot.waitSignal(gui.tasks.crashed, timeout=WAIT_MS) as sig:
        gui.tasks.run(broken)
    assert isinstance(sig.args[0], ValueError)
    assert gui.shell.crash.reports


class _Png(BaseHTTPRequestHandler):
    data = (ROOT / "resources" / "leadscan.png").read_bytes()
    hits = 0

    def do_GET(self) -> None:  # noqa: N802
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(self.data)))
        self.end_headers()
        self.wfile.write(self.data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def png_server() -> Iterator[tuple[str, ThreadingHTTPServer]]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Png)
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/logo.png", httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        t.join(5)


def test_event_logo_and_links(gui: Gui, emulator: Any, png_server: tuple[str, Any]) -> None:
    url, httpd = png_server
    emulator.server.set_event(logo_url=url, help_url="https://expo.example.org/help")
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    w = gui.window
    gui.qtbot.waitUntil(lambda: w.logo.isVisible(), timeout=WAIT_MS)
    assert w.link_buttons["imprint"].isVisible() and w.link_buttons["help"].isVisible()
    assert not w.link_buttons["terms"].isVisible()  # null in the profile: no button
    assert w.link_buttons["help"].toolTip() == "https://expo.example.org/help"
    cached = list((gui.data_dir / "cache").glob("logo-*"))
    assert cached and cached[0].read_bytes() == _Png.data

    # offline next time: the cached logo is still shown
    httpd.shutdown()
    gui.close()
    again = make_gui(gui.qtbot, gui.data_dir)
    try:
        gui.qtbot.waitUntil(lambda: again.window.logo.isVisible(), timeout=WAIT_MS)
    finally:
        again.close()
    gui.shell = again.shell


def test_scan_from_any_source_uses_the_db_lane(gui: Gui, emulator: Any) -> None:
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    code = emulator.attendees[9]["secret"]
    with gui.qtbot.waitSignal(gui.window.scan_saved, timeout=WAIT_MS) as sig:
        gui.window.handle_code(code, ScanSource.SCANNER)
    result, seconds = sig.args
    assert result.is_new and result.lead.code == code
    assert seconds < 0.5  # "within a blink"; typically a few ms (bench/scan_bench.py)
    with gui.qtbot.waitSignal(gui.window.scan_saved, timeout=WAIT_MS) as sig:
        gui.window.handle_code(code, ScanSource.CAMERA)
    assert not sig.args[0].is_new
    assert "Already scanned" in gui.window.scan_view.card.band.text()



def test_repeat_window_setting_reaches_the_camera(qtbot: Any, tmp_path: Path, emulator: Any) -> None:
    from badge_video import write_video

    from leadscan.gui import settings as app_settings

    booth_dir = tmp_path / "booth"
    app_settings.save(booth_dir, app_settings.Settings(repeat_window_s=9))
    video = write_video(tmp_path / "one.avi", emulator.attendees[:1])
    g = make_gui(qtbot, booth_dir, camera=str(video))
    try:
        qtbot.waitUntil(lambda: g.shell.camera is not None and g.shell.camera.pipeline is not None,
                        timeout=WAIT_MS)
        assert g.shell.camera.pipeline.seen.window_s == 9.0
    finally:
        g.close()


def test_missing_named_camera_is_reported_not_replaced(qtbot: Any, tmp_path: Path,
                                                       emulator: Any) -> None:
    """A camera chosen by name that is not there: said on the scan screen (looked up on a
    worker, never the UI thread), no other camera is opened; typing still works."""
    g = make_gui(qtbot, tmp_path / "booth", camera="Logitech BRIO 4K")
    try:
        g.login(emulator.base_url, emulator.exhibitor["access_code"])
        view = g.window.scan_view
        qtbot.waitUntil(lambda: "is not connected" in view.camera_status.text(), timeout=WAIT_MS)
        assert "Logitech BRIO 4K" in view.camera_status.text()
        assert g.shell.camera is None
        g.type_code(emulator.attendees[0]["secret"])
        assert g.booth.lead(emulator.attendees[0]["secret"]) is not None
    finally:
        g.close()


def test_camera_setting_changed_while_the_first_start_is_pending(qtbot: Any, tmp_path: Path,
                                                                 emulator: Any) -> None:
    """Saving settings again before the camera of the first start is open: only the newest
    choice runs (no second camera left running)."""
    from badge_video import write_video

    video = write_video(tmp_path / "one.avi", emulator.attendees[:1])
    g = make_gui(qtbot, tmp_path / "booth", camera=str(video))
    try:
        g.shell.args.camera = "none"  # at once, before the first start has delivered
        g.shell._start_camera()
        g.wait_idle()
        qtbot.wait(300)
        assert g.shell.camera is None
    finally:
        g.close()


def test_camera_none_opens_no_device(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--camera none` (and "No camera" in Settings): no camera is opened at all."""
    from leadscan.gui.input import camera_worker

    opened: list[Any] = []
    real_start = camera_worker.CameraWorker.start

    def spy(self: Any) -> None:
        opened.append(self._source_spec)
        real_start(self)

    monkeypatch.setattr(camera_worker.CameraWorker, "start", spy)
    g = make_gui(qtbot, tmp_path / "booth")  # camera="none"
    try:
        qtbot.waitUntil(lambda: g.shell.findings is not None, timeout=WAIT_MS)
        g.wait_idle()
        assert opened == [] and g.shell.camera is None
        assert "Camera off" in g.window.scan_view.preview.text()
    finally:
        g.close()
