"""Composition root of the desktop app: QApplication, Booth, inputs, demo, main window.

`leadscan.cli` calls `main(args)` when no subcommand is given. Attributes read from `args`
(all optional, `getattr` with defaults):

    data_dir: str | None     --data-dir (else LEADSCAN_DATA_DIR, else the user data folder)
    demo: bool               --demo: in-process emulator, demo login, demo badges
    kiosk: bool              --kiosk: full screen, exit only with the PIN
    camera: str | int | None --camera INDEX_OR_VIDEO_PATH (default: settings, else index 0;
                             "none" disables the camera)

Environment (for benchmarks and tests): LEADSCAN_EXIT_WHEN_READY=1 prints
`READY <seconds since start>` once the scan screen is shown, then quits.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from leadscan import paths
from leadscan.gui import theme
from leadscan.gui.crash import CrashHandler
from leadscan.gui.tasks import Lane, TaskManager

log = logging.getLogger("leadscan.gui.app")

_T0 = time.perf_counter()


def icon_path() -> Path | None:
    here = Path(__file__).resolve()
    for base in (paths.resources_dir(), here.parents[2] / "resources"):
        p = base / "leadscan.png"
        if p.is_file():
            return p
    return None


class Shell(QObject):
    """Owns the booth, the background tasks, the inputs and the window for one run."""

    def __init__(self, args: argparse.Namespace, *, app: QApplication,
                 show_dialogs: bool = True) -> None:
        super().__init__()
        from leadscan.core.booth import Booth
        from leadscan.gui.main_window import MainWindow

        self.args = args
        self.app = app
        self.data_dir = paths.data_dir(getattr(args, "data_dir", None))
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.demo: Any = None
        self.demo_info: Any = None
        self.tasks = TaskManager(self)
        booth_dir = self.data_dir
        if getattr(args, "demo", False):
            from leadscan.gui.demo import Demo

            self.demo = Demo(self.data_dir)
            booth_dir = self.demo.booth_dir
        booth_dir.mkdir(parents=True, exist_ok=True)
        self.booth = Booth(booth_dir)
        self.crash = CrashHandler(lambda: self.window, secrets=self._secrets,
                                  log_path=str(self.data_dir / "leadscan.log"),
                                  show_dialogs=show_dialogs)
        self.window: Any = None
        self.window = MainWindow(self.booth, self.tasks)
        self.tasks.crashed.connect(lambda exc, text: self.crash.report(exc, text))
        self.camera: Any = None
        self.wedge: Any = None
        self.kiosk: Any = None
        self.ready_at: float | None = None

    def _secrets(self) -> tuple[str, ...]:
        code = getattr(self.booth, "access_code", None) if self.booth else None
        return (code,) if isinstance(code, str) and code else ()

    # -- start --------------------------------------------------------------------------

    def start(self) -> None:
        w = self.window
        self._install_inputs()
        if getattr(self.args, "kiosk", False):
            from leadscan.gui.kiosk import Kiosk

            self.kiosk = Kiosk(w, self.data_dir)
            self.kiosk.enter()
        else:
            w.show()
        if self.demo is not None:
            self._start_demo()  # the camera follows once the demo is up
        else:
            if w.pages.currentWidget() is w.scan_view:
                self._ready()
            self._start_camera()

    def _start_demo(self) -> None:
        w = self.window
        w.login_view.set_busy(True)
        w.login_view.button.setText("Starting the demo…")
        demo, booth = self.demo, self.booth

        def work() -> tuple[Any, Any]:
            info = demo.start()
            profile = demo.login_if_needed(booth, info)
            return info, profile

        def done(result: tuple[Any, Any]) -> None:
            info, profile = result
            self.demo_info = info
            w.login_view.set_busy(False)
            w._logged_in(profile)
            self._show_badges_hint(writing=not demo.badges_ready())
            self._ready()
            self._start_camera()
            if not demo.badges_ready():
                self.tasks.run(demo.write_badges, on_done=lambda _p: self._show_badges_hint(False),
                               lane=Lane.NET, owner=self, label="demo badges")

        def failed(err: BaseException) -> None:
            from leadscan.gui import messages

            w.login_view.set_busy(False)
            w.login_view.show_error("The demo could not start.\n" + messages.describe(err))
            self._start_camera()

        self.tasks.run(work, on_done=done, on_error=failed, lane=Lane.NET, owner=self,
                       label="demo start")

    def _show_badges_hint(self, writing: bool) -> None:
        folder = self.demo.badges_dir
        if writing:
            text = f"Demo: writing demo badges to {folder} …"
        else:
            text = (f"Demo badges are in {folder} — open one on a phone or print a few and "
                    "hold it up to the camera.")
        print(text, flush=True)
        self.window.scan_view.set_camera_status(text)

    def _ready(self) -> None:
        if self.ready_at is not None:
            return
        self.ready_at = time.perf_counter() - _T0
        log.info("scan screen ready after %.3f s", self.ready_at)
        if os.environ.get("LEADSCAN_EXIT_WHEN_READY"):
            print(f"READY {self.ready_at:.3f}", flush=True)
            QTimer.singleShot(0, self.app.quit)

    # -- inputs -------------------------------------------------------------------------

    def _install_inputs(self) -> None:
        from leadscan.gui import inputs

        self.wedge = inputs.install_wedge(self.app, self.window)
        self.window.feedback = inputs.make_feedback(self.window)

    def _start_camera(self) -> None:
        """Load the QR decoders on a worker (about 0.5 s of native library loading, kept off
        the UI thread and serialised with other start-up work: loading zxing/zbar while
        another thread imports modules has crashed), then open the camera."""
        from leadscan.gui import inputs

        inputs.stop_camera(self.camera)
        self.camera = None
        source = getattr(self.args, "camera", None)
        if inputs.parse_camera(source) is None:
            inputs.start_camera(self.window, None)
            return
        self.window.scan_view.preview.set_message("Starting camera…")

        def open_camera(_: object) -> None:
            self.camera = inputs.start_camera(self.window, source)

        self.tasks.run(inputs.warm_up_decoders, on_done=open_camera, on_error=open_camera,
                       lane=Lane.NET, owner=self, label="load decoders")

    # -- stop ---------------------------------------------------------------------------

    def shutdown(self) -> None:
        from leadscan.gui import inputs

        w = self.window
        if w is not None:
            w.scan_view.editor.flush()
            w.sync.stop()
        inputs.stop_camera(self.camera)
        self.camera = None
        if self.kiosk is not None:
            self.kiosk.release()
        self.tasks.shutdown(wait_db=True, timeout=5.0)
        try:
            self.booth.close()
        except Exception:  # noqa: BLE001
            log.exception("closing the booth")
        if self.demo is not None:
            self.demo.stop()
        self.crash.uninstall()


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("leadscan")
    app.setOrganizationName("leadscan")
    theme.apply(app)
    p = icon_path()
    if p is not None:
        app.setWindowIcon(QIcon(str(p)))
    return app


def main(args: argparse.Namespace) -> int:
    data_dir = paths.data_dir(getattr(args, "data_dir", None))
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        from leadscan.core import logs

        logs.setup_logging(data_dir)
    except OSError as exc:
        print(f"leadscan: cannot use the data folder {data_dir}: {exc}", file=sys.stderr)
        return 2
    app = make_app()
    try:
        shell = Shell(args, app=app)
    except Exception as exc:  # noqa: BLE001 - shown, not a traceback
        from PySide6.QtWidgets import QMessageBox

        from leadscan.core.errors import LeadscanError

        log.exception("start-up failed")
        text = str(exc) if isinstance(exc, LeadscanError) else (
            f"leadscan could not start: {type(exc).__name__}: {exc}\n"
            f"Details are in {data_dir / 'leadscan.log'}.")
        if not os.environ.get("LEADSCAN_EXIT_WHEN_READY"):
            QMessageBox.critical(None, "leadscan", text)
        print(text, file=sys.stderr)
        return 1
    shell.crash.install()
    shell.start()
    try:
        rc = app.exec()
    finally:
        shell.shutdown()
    return rc
