"""Keep the display on while the kiosk runs, with each platform's own mechanism.

- Linux: `org.freedesktop.ScreenSaver.Inhibit` on the session bus (desktop screensavers,
  GNOME/KDE idle), plus `systemd-inhibit --what=idle:sleep` when that tool exists.
- Windows: `SetThreadExecutionState(ES_CONTINUOUS | ES_DISPLAY_REQUIRED | ES_SYSTEM_REQUIRED)`.
- macOS: `caffeinate -d -i -w <our pid>` (ends with us even after a crash).

Best effort: where nothing is available (a bare CI box) it says so in `methods`/`problems`
and never raises.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from typing import Any

log = logging.getLogger("leadscan.gui.keepawake")

REASON = "leadscan kiosk: booth display must stay on"


class KeepAwake:
    def __init__(self) -> None:
        self.methods: list[str] = []
        self.problems: list[str] = []
        self._procs: list[subprocess.Popen[bytes]] = []
        self._dbus_cookie: int | None = None
        self._dbus_iface: Any = None
        self._win = False

    @property
    def active(self) -> bool:
        return bool(self.methods)

    def start(self) -> KeepAwake:
        try:
            if sys.platform.startswith("win"):
                self._windows(True)
            elif sys.platform == "darwin":
                self._spawn(["caffeinate", "-d", "-i", "-w", str(os.getpid())], "caffeinate")
            else:
                self._dbus_inhibit()
                self._spawn(["systemd-inhibit", "--what=idle:sleep", "--who=leadscan",
                             f"--why={REASON}", "--mode=block", "sleep", "infinity"],
                            "systemd-inhibit")
        except Exception as exc:  # noqa: BLE001 - never fail the app for this
            self.problems.append(f"{type(exc).__name__}: {exc}")
        if not self.methods:
            log.info("display keep-awake unavailable here: %s", "; ".join(self.problems) or "-")
        return self

    def stop(self) -> None:
        for p in self._procs:
            try:
                p.terminate()
                p.wait(timeout=2)
            except Exception:  # noqa: BLE001
                pass
        self._procs.clear()
        if self._dbus_cookie is not None and self._dbus_iface is not None:
            try:
                self._dbus_iface.call("UnInhibit", self._dbus_cookie)
            except Exception:  # noqa: BLE001
                pass
            self._dbus_cookie = None
        if self._win:
            self._windows(False)
        self.methods.clear()

    # -- platforms ------------------------------------------------------------------------

    def _spawn(self, cmd: list[str], name: str) -> None:
        if shutil.which(cmd[0]) is None:
            self.problems.append(f"{name} not found")
            return
        try:
            p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        except OSError as exc:
            self.problems.append(f"{name}: {exc}")
            return
        try:
            p.wait(timeout=0.2)  # exits at once when it is refused (no logind, no bus)
            self.problems.append(f"{name} exited with {p.returncode}")
        except subprocess.TimeoutExpired:
            self._procs.append(p)
            self.methods.append(name)

    def _dbus_inhibit(self) -> None:
        try:
            from PySide6.QtDBus import QDBusConnection, QDBusInterface
        except ImportError as exc:
            self.problems.append(f"QtDBus: {exc}")
            return
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            self.problems.append("no D-Bus session bus")
            return
        iface = QDBusInterface("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver",
                               "org.freedesktop.ScreenSaver", bus)
        if not iface.isValid():
            self.problems.append("no org.freedesktop.ScreenSaver service")
            return
        reply = iface.call("Inhibit", "leadscan", REASON)
        args = reply.arguments()
        if args:
            self._dbus_cookie = int(args[0])
            self._dbus_iface = iface
            self.methods.append("org.freedesktop.ScreenSaver")
        else:
            self.problems.append(f"ScreenSaver.Inhibit: {reply.errorMessage()}")

    def _windows(self, on: bool) -> None:
        import ctypes

        es_continuous, es_system, es_display = 0x80000000, 0x00000001, 0x00000002
        flags = es_continuous | (es_system | es_display if on else 0)
        if ctypes.windll.kernel32.SetThreadExecutionState(flags):  # type: ignore[attr-defined]
            self._win = on
            if on:
                self.methods.append("SetThreadExecutionState")
        else:
            self.problems.append("SetThreadExecutionState failed")
