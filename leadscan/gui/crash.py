"""Never die with a traceback: log unexpected exceptions and show a friendly dialog.

Expected faults (`LeadscanError`) show their own message. Bugs are logged with the
traceback (the log holds no access code: `redact`) and the user sees one calm dialog saying
the saved leads are safe; the app keeps running.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from leadscan.core.errors import LeadscanError
from leadscan.core import advice

log = logging.getLogger("leadscan.gui.crash")


class _Relay(QObject):
    report = Signal(object, str)


class CrashHandler:
    """Installs `sys.excepthook` and `threading.excepthook`; dialogs appear on the main thread."""

    def __init__(
        self,
        parent: Callable[[], QWidget | None] = lambda: None,
        *,
        secrets: Callable[[], tuple[str, ...]] = lambda: (),
        log_path: str | None = None,
        show_dialogs: bool = True,
    ) -> None:
        self._parent = parent
        self._secrets = secrets
        self.log_path = log_path
        self.show_dialogs = show_dialogs
        self.reports: list[tuple[BaseException, str]] = []
        self._relay = _Relay()
        self._relay.report.connect(self._show)
        self._open = False
        self.installed = False
        self._old_hook = sys.excepthook
        self._old_thread_hook = threading.excepthook

    def install(self) -> CrashHandler:
        self._old_hook = sys.excepthook
        self._old_thread_hook = threading.excepthook
        self.installed = True
        sys.excepthook = self.excepthook
        threading.excepthook = self._thread_hook
        return self

    def uninstall(self) -> None:
        if not self.installed:
            return
        self.installed = False
        sys.excepthook = self._old_hook
        threading.excepthook = self._old_thread_hook

    def excepthook(
        self, etype: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(etype, KeyboardInterrupt):
            app = QApplication.instance()
            if app is not None:
                app.quit()
            return
        text = "".join(traceback.format_exception(etype, exc, tb))
        self.report(exc, text)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        text = "".join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
        self.report(args.exc_value, text)

    def report(self, exc: BaseException, text: str) -> None:
        """Log and (on the main thread) show. Safe to call from any thread."""
        from leadscan.core.errors import redact

        secrets = self._secrets()
        text = redact(text, *secrets)
        if isinstance(exc, LeadscanError):
            log.warning("%s: %s", type(exc).__name__, redact(str(exc), *secrets))
        else:
            log.error("unexpected error:\n%s", text)
        self.reports.append((exc, text))
        self._relay.report.emit(exc, text)

    def _show(self, exc: BaseException, text: str) -> None:
        if not self.show_dialogs or self._open:
            return
        self._open = True
        try:
            box = QMessageBox(self._parent())
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("leadscan")
            if isinstance(exc, LeadscanError):
                box.setText(advice.describe(exc))
            else:
                box.setText(
                    "Something unexpected happened, but leadscan keeps running.\n"
                    "Every scan that was confirmed is saved on this computer."
                )
                where = f"\n\nDetails were written to {self.log_path}." if self.log_path else ""
                box.setInformativeText("If it happens again, please tell the support." + where)
                box.setDetailedText(text[-4000:])
            box.setStandardButtons(QMessageBox.StandardButton.Ok)
            # non-blocking: scanning goes on behind the dialog
            box.setModal(False)
            box.finished.connect(self._closed)
            box.show()
            QTimer.singleShot(0, box.raise_)
        except Exception:  # noqa: BLE001 - the last line of defence must not raise
            self._open = False
            print(text, file=sys.stderr)

    def _closed(self, _result: int) -> None:
        self._open = False
