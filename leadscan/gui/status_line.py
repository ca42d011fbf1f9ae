"""Status line: connection state, pending count, last successful sync."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QPushButton, QStatusBar, QWidget

from leadscan.gui import theme


def connection_text(status: Any) -> tuple[str, str]:
    """(text, colour) for the connection part of a BoothStatus."""
    if getattr(status, "auth_needed", False):
        return "Access code needed", theme.RED
    problem = getattr(status, "problem", None) or ""
    if getattr(status, "online", False):
        return "Online", theme.GREEN
    if "login" in problem.lower() or "portal" in problem.lower():
        return "Network needs a login", theme.AMBER
    if "certificate" in problem.lower():
        return "Certificate problem", theme.RED
    return "Offline — scans are kept", theme.AMBER


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
        self.sync_button = QPushButton("Sync now")
        self.sync_button.clicked.connect(self.sync_clicked)
        self.addWidget(self.connection)
        self.addWidget(self.pending)
        self.addWidget(self.last_sync)
        self.addWidget(self.problem, 1)
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
        problem = getattr(status, "problem", None) or ""
        self.problem.setText(problem if not getattr(status, "online", False) else "")
        self.problem.setToolTip(problem)

    def refresh_times(self) -> None:
        if self.status is not None:
            self.last_sync.setText("Last sync: " + when_text(getattr(self.status, "last_sync", None)))
