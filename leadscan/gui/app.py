"""Composition root of the desktop app: QApplication, Booth, inputs, demo, main window.

`leadscan.cli` calls `main(args)` when no subcommand is given. Attributes read from `args`
(all optional, `getattr` with defaults):

    data_dir: str | None     --data-dir (else LEADSCAN_DATA_DIR, else the user data folder)
    demo: bool               --demo: in-process emulator, demo login, demo badges
    kiosk: bool              --kiosk: full screen, exit only with the PIN
    camera: str | int | None --camera INDEX_OR_VIDEO_PATH (default: settings, else index 0;
                             "none" disables the camera)
    demo_attendees: int      (tests) size of a freshly created demo data set, default 300

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
from leadscan.gui import settings as app_settings
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


def resolve_data_dir(args: argparse.Namespace) -> Path:
    """--data-dir > LEADSCAN_DATA_DIR > portable mode (marker next to the program) > the
    platform's user data folder."""
    explicit = getattr(args, "data_dir", None)
    if not explicit and not os.environ.get(paths.ENV_VAR):
        from leadscan.gui import portable

        if portable.is_portable():
            return portable.portable_data_dir()
    return paths.data_dir(explicit)


class Shell(QObject):
    """Owns the booth, the background tasks, the inputs and the window for one run."""

    def __init__(self, args: argparse.Namespace, *, app: QApplication,
                 show_dialogs: bool = True, qt_findings: list[Any] | None = None) -> None:
        super().__init__()
        from leadscan.core.booth import Booth
        from leadscan.gui.main_window import MainWindow

        self.args = args
        self.app = app
        self.show_dialogs = show_dialogs
        # the self-check: Qt's part ran before QApplication (main), the rest runs on a worker
        # with the first camera start; `findings` holds all of it once known
        self.qt_findings: list[Any] = list(qt_findings or [])
        self.findings: list[Any] | None = None
        self.data_dir = resolve_data_dir(args)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.demo: Any = None
        self.demo_info: Any = None
        self.tasks = TaskManager(self)
        booth_dir = self.data_dir
        if getattr(args, "demo", False):
            from leadscan.gui.demo import Demo

            self.demo = Demo(self.data_dir, attendees=int(getattr(args, "demo_attendees", 0) or 300))
            booth_dir = self.demo.booth_dir
        booth_dir.mkdir(parents=True, exist_ok=True)
        self.booth = Booth(booth_dir)
        self.crash = CrashHandler(lambda: self.window, secrets=self._secrets,
                                  log_path=str(self.data_dir / "leadscan.log"),
                                  show_dialogs=show_dialogs)
        self.settings = app_settings.load(booth_dir)
        self.window: Any = None
        self.window = MainWindow(self.booth, self.tasks)
        self.tasks.crashed.connect(lambda exc, text: self.crash.report(exc, text))
        self.camera: Any = None
        self._camera_generation = 0
        self.wedge: Any = None
        self.kiosk: Any = None
        self.ready_at: float | None = None
        self.booth_dir = booth_dir
        w = self.window
        w.settings_requested.connect(self._open_settings)
        w.settings_view.saved.connect(self.apply_settings)
        w.settings_view.calibrate_requested.connect(self._calibrate)
        w.logo_url_changed.connect(self._fetch_logo)
        if w.profile is not None and w.profile.event.logo_url:
            self._fetch_logo(w.profile.event.logo_url)

    # -- settings -----------------------------------------------------------------------

    def save_settings(self) -> None:
        try:
            app_settings.save(self.booth_dir, self.settings)
        except OSError as exc:
            self.window.show_error_text(f"Settings could not be saved: {exc}")

    def _open_settings(self) -> None:
        from leadscan.gui import portable

        view = self.window.settings_view
        profile = self.window.profile
        account = (f"{profile.name} — {profile.event.display_name()} on {self.booth.server_url}"
                   if profile is not None else "")
        view.load(self.settings, device_name=self.booth.device_name, data_dir=self.booth_dir,
                  portable=portable.is_portable(), account=account,
                  auto_wipe_days=self.booth.auto_wipe_days)

        def cams() -> list[Any]:
            from leadscan.core.scan.camera import list_cameras

            return list_cameras()

        self.tasks.run(cams, on_done=view.set_cameras, lane=Lane.NET, owner=view,
                       label="list cameras")

    def apply_settings(self, new: Any, device_name: str) -> None:
        from leadscan.gui import portable

        old = self.settings
        self.settings = new
        self.save_settings()
        booth = self.booth
        if device_name != booth.device_name:
            def set_name() -> None:
                booth.device_name = device_name

            self.tasks.run(set_name, lane=Lane.DB, owner=self, label="device name")
        wipe_days = self.window.settings_view.auto_wipe_value()
        if wipe_days != booth.auto_wipe_days:
            def set_wipe_days() -> None:
                booth.auto_wipe_days = wipe_days

            self.tasks.run(set_wipe_days, on_done=lambda _r: self.window.check_auto_wipe(),
                           lane=Lane.DB, owner=self, label="auto wipe days")
        if self.window.feedback is not None and hasattr(self.window.feedback, "set_sound_enabled"):
            self.window.feedback.set_sound_enabled(new.sounds)
        if self.wedge is not None:
            self.wedge.set_mapping(new.scanner_mapping or None)
            self.wedge.set_prefix(new.scanner_prefix)
        if ((new.camera, new.resolution, new.repeat_window_s)
                != (old.camera, old.resolution, old.repeat_window_s)):
            self.args.camera = None  # the setting now decides
            self._start_camera()
        if self.kiosk is not None:
            from leadscan.gui.pin import PinGuard

            self.kiosk.settings = new
            self.kiosk.guard = PinGuard(new.kiosk_pin)
            self.kiosk.apply_visibility()
        want_portable = self.window.settings_view.portable.isChecked()
        if want_portable != portable.is_portable():
            try:
                portable.set_portable(want_portable)
            except OSError as exc:
                self.window.show_error_text(f"Portable mode could not be switched: {exc}")
        self.window.status_line.note("Settings saved.")
        self.window.show_scan()

    def _calibrate(self) -> None:
        from leadscan.gui.calibration import CalibrationDialog

        if self.wedge is None:
            self.window.settings_view._fail("The USB scanner input is not available.")
            return
        dlg = CalibrationDialog(self.wedge, self.window)
        dlg.mapping_found.connect(self.window.settings_view.set_mapping)
        dlg.open()

    def _fetch_logo(self, url: str) -> None:
        if not url:
            self.window.set_logo(None)
            return
        from leadscan.gui.logo import fetch_logo

        cache = self.booth_dir / "cache"

        def done(data: bytes | None) -> None:
            from PySide6.QtGui import QPixmap

            pix = QPixmap()
            if data and pix.loadFromData(data):
                self.window.set_logo(pix)

        self.tasks.run(lambda: fetch_logo(url, cache), on_done=done, lane=Lane.NET, owner=self,
                       label="logo")

    def _secrets(self) -> tuple[str, ...]:
        code = getattr(self.booth, "access_code", None) if self.booth else None
        return (code,) if isinstance(code, str) and code else ()

    # -- start --------------------------------------------------------------------------

    def start(self) -> None:
        w = self.window
        self._install_inputs()
        if getattr(self.args, "kiosk", False) or self.settings.kiosk:
            self.start_kiosk()
        else:
            w.show()
        if self.demo is not None:
            self._start_demo()  # the camera follows once the demo is up
        else:
            if w.pages.currentWidget() is w.scan_view:
                self._ready()
            self._start_camera()

    def start_kiosk(self) -> None:
        from leadscan.gui.kiosk import Kiosk

        w = self.window
        if self.kiosk is None:
            self.kiosk = Kiosk(w, self.settings, save_settings=self.save_settings,
                               keep_awake=not os.environ.get("LEADSCAN_NO_KEEP_AWAKE"))
            w.page_changed.connect(lambda _p: self.kiosk.apply_visibility())
            self.kiosk.entered.connect(lambda: setattr(w, "open_links_in_browser", False))
            self.kiosk.left.connect(lambda: setattr(w, "open_links_in_browser", True))
        self.kiosk.enter()

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
            from leadscan.core import advice

            w.login_view.set_busy(False)
            w.login_view.show_error("The demo could not start.\n" + advice.describe(err))
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
        if self.wedge is not None:
            if self.settings.scanner_mapping:
                self.wedge.set_mapping(self.settings.scanner_mapping)
            self.wedge.set_prefix(self.settings.scanner_prefix)
        self.window.feedback = inputs.make_feedback(self.window)
        fb = self.window.feedback
        if fb is not None and hasattr(fb, "set_sound_enabled"):
            fb.set_sound_enabled(self.settings.sounds)

    def _start_camera(self) -> None:
        """Load the QR decoders on a worker (about 0.5 s of native library loading, kept off
        the UI thread and serialised with other start-up work: loading zxing/zbar while
        another thread imports modules has crashed), then open the camera."""
        from leadscan.gui import inputs

        inputs.stop_camera(self.camera)
        self.camera = None
        self._camera_generation += 1  # a newer start (settings saved again) wins over this one
        generation = self._camera_generation
        source = getattr(self.args, "camera", None)
        if source is None:
            source = self.settings.camera
        width, height = self.settings.size
        use_camera = inputs.parse_camera(source) is not None
        if not use_camera:
            inputs.camera_off(self.window)  # (start_camera(None) would mean camera 0)
            if self.findings is not None:
                return
        else:
            self.window.scan_view.preview.set_message("Starting camera…")
        first = self.findings is None
        booth_dir = self.booth_dir

        def work() -> tuple[list[Any], Any, str | None]:
            if first:
                found = inputs.self_check(booth_dir)
            else:
                inputs.warm_up_decoders()
                found = []
            target, problem = inputs.resolve_camera_source(source) if use_camera else (None, None)
            return found, target, problem

        def done(result: tuple[list[Any], Any, str | None]) -> None:
            found, target, problem = result
            if first:
                self.show_findings(self.qt_findings + found)
            if generation != self._camera_generation:
                return
            if problem:
                inputs.show_camera_problem(self.window, problem)
            elif target is not None:
                self.camera = inputs.start_camera(self.window, target, width=width, height=height,
                                                  window_s=float(self.settings.repeat_window_s))

        self.tasks.run(work, on_done=done, on_error=lambda err: done(([], None, str(err))),
                       lane=Lane.NET, owner=self, label="load decoders")

    def show_findings(self, findings: list[Any]) -> None:
        """What the self-check found missing: a lasting notice on the scan screen and, once,
        a dialog naming it (K50: no decoder -> scanner-only mode)."""
        from leadscan import selfcheck

        self.findings = findings
        text = selfcheck.banner_text(findings)
        self.window.scan_view.set_limits(text)
        if not text:
            return
        for f in findings:
            if not f.ok:
                log.warning("self-check: %s: %s", f.component, f.detail)
        if self.show_dialogs:
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(QMessageBox.Icon.Warning, "leadscan: something is missing", text,
                              QMessageBox.StandardButton.Ok, self.window)
            box.setInformativeText("Details: leadscan selfcheck (or the log in the data folder).")
            box.open()

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


def _check_qt_before_start() -> list[Any] | None:
    """Qt's part of the self-check, before QApplication: Qt aborts the whole process when
    its platform plugin cannot load, so a broken one is named here (stderr and log) and the
    app exits 1; a working alternative (e.g. Wayland when X11 is broken) is used instead.
    Returns the findings, or None when Qt cannot start."""
    from leadscan import selfcheck

    try:
        findings = selfcheck.check_qt()
    except Exception:  # noqa: BLE001 - a broken check must not stop a working app
        log.exception("self-check of Qt failed")
        return []
    for f in findings:
        if f.component not in ("qt", "qt-platform") or f.ok:
            continue
        if f.env:
            log.warning("self-check: %s; using %s", f.detail, f.env)
            os.environ.update(f.env)
            continue
        text = (f"leadscan cannot open its window: {f.detail}\n"
                "Run `leadscan selfcheck` for details; see Troubleshooting in the README.")
        log.error("self-check: %s: %s", f.component, f.detail)
        print(text, file=sys.stderr)
        return None
    return findings


def main(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args)
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        from leadscan.core import logs

        logs.setup_logging(data_dir)
    except OSError as exc:
        print(f"leadscan: cannot use the data folder {data_dir}: {exc}", file=sys.stderr)
        return 2
    qt_findings = _check_qt_before_start()
    if qt_findings is None:
        return 1
    app = make_app()
    try:
        shell = Shell(args, app=app, qt_findings=qt_findings)
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
