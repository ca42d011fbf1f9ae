"""Render every screen offscreen into docs/screenshots/*.png (real widgets, real emulator).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/screenshots.py [OUT_DIR]

Look at the PNGs after changing a screen: sizes, clipping, readability from a metre away.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

# an offscreen "screen" the size of a typical booth laptop (kiosk mode is full screen)
_SCREEN = Path(tempfile.gettempdir()) / "leadscan-offscreen-1366x768.json"
_SCREEN.write_text('{"screens": [{"name": "Booth", "x": 0, "y": 0, "width": 1366, '
                   '"height": 768, "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}')
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={_SCREEN}")

import numpy as np  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QScrollArea, QWidget  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "gui"))

from leadscan.core.booth import Booth  # noqa: E402
from leadscan.core.models import ScanSource  # noqa: E402
from leadscan.emulator import EmulatorServer, init_dataset, list_attendees  # noqa: E402
from leadscan.emulator.badges import render_badge  # noqa: E402
from leadscan.gui.app import make_app  # noqa: E402
from leadscan.gui.main_window import MainWindow  # noqa: E402
from leadscan.gui.tasks import TaskManager  # noqa: E402

SIZE = (1280, 800)


def pump(app: QApplication, cond=lambda: False, timeout: float = 5.0) -> bool:  # noqa: ANN001
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if cond():
            break
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()
        time.sleep(0.01)
    return bool(cond())


def save(widget: QWidget, out: Path, name: str) -> None:
    QApplication.processEvents()
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(path)


def grab_box(out: Path, name: str, done: list[bool]) -> None:
    """Save the open message box, then cancel it (boxes are modal: called from a timer)."""
    for box in QApplication.topLevelWidgets():
        if isinstance(box, QMessageBox) and box.isVisible():
            save(box, out, name)
            box.reject()
            done.append(True)
            return
    QTimer.singleShot(100, lambda: grab_box(out, name, done))


def camera_frame(attendee: dict) -> QImage:
    from badge_video import pose

    bgr = pose(np.asarray(render_badge(attendee)), "tilted")
    rgb = np.ascontiguousarray(bgr[:, :, ::-1])
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def serve_file(path: Path) -> str:
    """Serve one file over loopback (the event logo); returns its URL."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    data = path.read_bytes()

    class H(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *a: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}/logo.png"


def main() -> int:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    app = make_app()
    tmp = Path(tempfile.mkdtemp(prefix="leadscan-shots-"))
    info = init_dataset(tmp / "emu", seed=7)
    server = EmulatorServer(tmp / "emu").start()
    att = list_attendees(tmp / "emu")
    code = info["exhibitors"][0]["access_code"]
    booth = Booth(tmp / "booth")
    tasks = TaskManager()
    w = MainWindow(booth, tasks)
    w.resize(*SIZE)
    w.show()
    try:
        save(w, out, "login")
        w.login_view.server.setText(server.base_url)
        w.login_view.code.setText("WRONG123")
        w.login_view.submit()
        pump(app, lambda: w.login_view.error.isVisible())
        save(w, out, "login-wrong-code")

        w.login_view.code.setText(code)
        w.login_view.submit()
        pump(app, lambda: w.pages.currentWidget() is w.scan_view)
        w.scan_view.preview.set_message("Camera: waiting for a badge…")
        save(w, out, "scan-ready")

        w.scan_view.preview.set_frame(camera_frame(att[3]))
        w.handle_code(att[3]["secret"], ScanSource.CAMERA)
        pump(app, lambda: w.scan_view.card.lead is not None and bool(w.scan_view.card.lead.fields))
        ed = w.scan_view.editor
        ed.rating_buttons[4].click()
        ed.tags.buttons[0].click()
        ed.tags.buttons[2].click()
        ed.notes.setPlainText("Wants a demo of the API in March; send pricing for 20 seats.")
        ed._notes_dirty = True
        ed.flush()
        pump(app, lambda: not tasks.busy, 3)
        save(w, out, "scan-lead")

        w.handle_code(att[3]["secret"], ScanSource.CAMERA)
        pump(app, lambda: not tasks.busy, 3)
        save(w, out, "scan-again")

        w.handle_code("HELLO-WORLD", ScanSource.MANUAL)
        pump(app, lambda: w.scan_view.card.lead is not None and w.scan_view.card.lead.reason is not None, 5)
        save(w, out, "scan-not-a-ticket")

        for a in att[5:12]:
            w.handle_code(a["secret"], ScanSource.SCANNER)
        pump(app, lambda: booth.status().pending == 0, 10)

        server.stop()  # venue network goes down
        w.sync.kick(force=True)
        pump(app, lambda: w.sync.passes > 0 and not w.sync.running and booth.status().online is False, 10)
        w.scan_view.preview.set_frame(camera_frame(att[20]))
        w.handle_code(att[20]["secret"], ScanSource.CAMERA)
        w.handle_code(att[21]["secret"], ScanSource.CAMERA)
        pump(app, lambda: w.status_line.status is not None and w.status_line.status.pending == 2, 5)
        save(w, out, "scan-offline")

        w.show_leads()
        pump(app, lambda: len(w.leads_view.model.leads) >= 10, 5)
        save(w, out, "leads")

        server.start()
        w.sync.kick(force=True)
        pump(app, lambda: booth.status().pending == 0, 10)
        server.set_faults(f"revoke={code}")
        w.show_scan()
        w.handle_code(att[30]["secret"], ScanSource.SCANNER)
        pump(app, lambda: w.login_dialog is not None and w.login_dialog.isVisible(), 10)
        save(w, out, "scan-access-code-needed")
        if w.login_dialog is not None:
            save(w.login_dialog, out, "dialog-new-access-code")
            w.login_dialog.close()
        server.set_faults(None)
        w._relogged_in(booth.login(server.base_url, code))
        pump(app, lambda: booth.status().pending == 0 and not booth.status().auth_needed, 10)

        w.scan_view.clear_lead()
        w.scan_view.set_banner(None)
        save(w, out, "scan-idle")

        # K50: a machine whose QR decoders cannot load (what the self-check says there)
        from leadscan import selfcheck

        missing = [selfcheck.Finding("zbar", False, "libzbar is not installed", "…"),
                   selfcheck.Finding("zxing-cpp", False, "zxing-cpp could not be loaded", "…"),
                   selfcheck.Finding("qr-decoders", False, "no QR decoder", selfcheck.SCANNER_ONLY)]
        w.scan_view.set_limits(selfcheck.banner_text(missing))
        w.scan_view.preview.set_message("Camera running (no decoder)")
        save(w, out, "scan-scanner-only")
        w.scan_view.set_limits(None)
        w.scan_view.preview.set_frame(camera_frame(att[3]))

        # event links + logo (served locally, fetched on a worker and cached)
        logo_url = serve_file(ROOT / "resources" / "leadscan.png")
        from PySide6.QtGui import QPixmap

        from leadscan.gui.logo import fetch_logo

        def got_logo(data: bytes | None) -> None:
            pix = QPixmap()
            if data and pix.loadFromData(data):
                w.set_logo(pix)

        w.logo_url_changed.connect(lambda url: tasks.run(lambda: fetch_logo(url, tmp / "cache"),
                                                         on_done=got_logo))
        server.set_event(logo_url=logo_url, help_url="https://expo.example.org/help",
                         terms_url="https://expo.example.org/terms")
        booth.refresh_profile()
        w.sync.refresh_status()
        pump(app, lambda: w.logo.isVisible(), 10)
        w.handle_code(att[3]["secret"], ScanSource.CAMERA)
        pump(app, lambda: not tasks.busy, 3)
        save(w, out, "scan-with-logo-and-links")

        # settings
        from leadscan.gui import settings as app_settings

        w.show_settings()
        profile = w.profile
        w.settings_view.load(app_settings.Settings(), device_name=booth.device_name,
                             data_dir=tmp / "booth", portable=False, auto_wipe_days=14,
                             account=f"{profile.name} — {profile.event.display_name()} on "
                                     f"{booth.server_url}" if profile else "")
        save(w, out, "settings")
        scroll = w.settings_view.findChild(QScrollArea)
        scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
        save(w, out, "settings-after-the-show")

        # logging out while leads wait (offline): the first of the two questions
        server.stop()
        w.show_scan()
        w.handle_code(att[50]["secret"], ScanSource.SCANNER)
        w.handle_code(att[51]["secret"], ScanSource.SCANNER)
        pump(app, lambda: booth.status().pending == 2, 5)
        grabbed: list[bool] = []
        QTimer.singleShot(300, lambda: grab_box(out, "dialog-logout-pending", grabbed))
        w.logout()
        pump(app, lambda: bool(grabbed), 5)
        server.start()
        w.sync.kick(force=True)
        pump(app, lambda: booth.status().pending == 0, 10)

        # kiosk: full screen, touch sizes, PIN pad
        from leadscan.gui.kiosk import Kiosk, PinPad
        from leadscan.gui.pin import PinGuard, hash_pin

        ks = app_settings.Settings(kiosk_pin=hash_pin("2468"))
        kiosk = Kiosk(w, ks, keep_awake=False)
        w.page_changed.connect(lambda _p: kiosk.apply_visibility())
        kiosk.enter()
        w.resize(*SIZE)
        w.show_scan()
        w.scan_view.preview.set_frame(camera_frame(att[40]))
        w.handle_code(att[40]["secret"], ScanSource.CAMERA)
        pump(app, lambda: w.scan_view.card.lead is not None and bool(w.scan_view.card.lead.fields), 5)
        save(w, out, "kiosk-scan")
        pad = PinPad(w, title="Staff only: enter the exit PIN", guard=PinGuard(ks.kiosk_pin))
        pad.resize(420, 640)
        pad.show()
        save(pad, out, "kiosk-pin")
        pad.close()
        kiosk.go_idle()
        save(w, out, "kiosk-idle")
        kiosk.unlocked = True
        kiosk.leave()
    finally:
        w.sync.stop()
        tasks.shutdown()
        booth.close()
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
