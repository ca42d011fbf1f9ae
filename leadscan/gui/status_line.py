"""Status line: connection state, pending count, last successful sync."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar, QWidget

from leadscan.gui import theme


# what the connection label says for the kinds of sync trouble that concern the connection
_CONNECTION_BY_KIND = {
    "auth": ("Access code needed", theme.RED),
    "tls": ("Certificate problem", theme.RED),
    "portal": ("Network needs a login", theme.AMBER),
    "offline": ("Offline — scans are kept", theme.AMBER),
}


def connection_text(status: Any) -> tuple[str, str]:
    """(text, colour) for the connection part of a BoothStatus (by the problem's kind)."""
    if getattr(status, "auth_needed", False):
        return _CONNECTION_BY_KIND["auth"]
    kind = getattr(status, "problem_kind", None)
    if kind in _CONNECTION_BY_KIND:
        return _CONNECTION_BY_KIND[kind]
    online = getattr(status, "online", None)
    if online:
        return "Online", theme.GREEN
    if online is None:
        return "Connecting…", theme.GREY
    return _CONNECTION_BY_KIND["offline"]


def other_problems(status: Any) -> list[str]:
    """Every current problem the connection label does not already say."""
    problems = list(getattr(status, "problems", ()) or ())
    if not problems and getattr(status, "problem", None):
        problems = [status.problem]
    covered = getattr(status, "sync_problem", None) if (
        getattr(status, "problem_kind", None) in _CONNECTION_BY_KIND
        or getattr(status, "auth_needed", False)) else None
    return [p for p in problems if p != covered]


def when_text(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return "never"
    now = now or datetime.now(moment.tzinfo)
    secs = (now - moment).total_seconds()
    if secs < 60:
        return "just now"
    if secs < 3600:
        return f"{int(secs // 60)} min ago"
    return moment.astimezone().strftime("%H:%M")


class StatusLine(QStatusBar):
    sync_clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.setMinimumHeight(theme.TOUCH + 12)
        self.connection = QLabel("…")
        self.connection.setObjectName("connection")
        self.pending = QLabel("")
        self.pending.setObjectName("pending")
        self.last_sync = QLabel("")
        self.last_sync.setObjectName("lastsync")
        self.problem = QLabel("")
        self.problem.setObjectName("hint")
        self.problem.setWordWrap(True)
        self.note_label = QLabel("")  # a passing message ("Settings saved."), beside the rest
        self.note_label.setObjectName("hint")
        self.note_label.setWordWrap(True)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.timeout.connect(lambda: self.note_label.setText(""))
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setStyleSheet("min-height: 36px; margin: 4px;")
        self.sync_button.clicked.connect(self.sync_clicked)
        self.addWidget(self.connection)
        self.addWidget(self.pending)
        self.addWidget(self.last_sync)
        self.addWidget(self.problem, 1)
        self.addWidget(self.note_label, 1)
        self.addPermanentWidget(self.sync_button)
        self.status: Any = None

    def set_status(self, status: Any) -> None:
        self.status = status
        text, colour = connection_text(status)
        self.connection.setText(f"● {text}")
        self.connection.setStyleSheet(f"color: {colour}; font-weight: bold;")
        pending = int(getattr(status, "pending", 0) or 0)
        rejected = int(getattr(status, "rejected", 0) or 0)
        parts = [f"{pending} waiting to upload" if pending else "All uploaded"]
        if rejected:
            parts.append(f"{rejected} rejected")
        self.pending.setText(", ".join(parts))
        self.pending.setStyleSheet(f"color: {theme.AMBER if pending else theme.GREEN};")
        self.last_sync.setText("Last sync: " + when_text(getattr(status, "last_sync", None)))
        extra = other_problems(status)
        self.problem.setText("  ·  ".join(extra))
        self.problem.setStyleSheet(f"color: {theme.RED};" if extra else "")
        self.problem.setToolTip("\n".join(getattr(status, "problems", ()) or ()))

    def note(self, text: str, ms: int = 5000) -> None:
        """Show a passing message for `ms`, without hiding the connection state (Qt's own
        showMessage() covers every other label while it shows)."""
        self.note_label.setText(" ".join(text.split()))
        self._note_timer.start(ms)

    def refresh_times(self) -> None:
        if self.status is not None:
            self.last_sync.setText("Last sync: " + when_text(getattr(self.status, "last_sync", None)))
