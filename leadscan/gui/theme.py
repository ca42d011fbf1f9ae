"""Look of the app: sizes readable from a metre away, touch-sized controls, state colours."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QApplication

from leadscan.core.models import SyncState

# Colours (background, text) per outcome / state. Chosen for contrast on a bright booth.
GREEN = "#1b7f3b"
BLUE = "#1f5fa8"
AMBER = "#a86400"
RED = "#b3261e"
GREY = "#5f6368"
LIGHT = "#f4f6f8"

STATE_COLOURS: dict[SyncState, str] = {
    SyncState.PENDING: AMBER,
    SyncState.SYNCED: GREEN,
    SyncState.REJECTED: RED,
}

STATE_TEXT: dict[SyncState, str] = {
    SyncState.PENDING: "Waiting to upload",
    SyncState.SYNCED: "Uploaded",
    SyncState.REJECTED: "Rejected",
}

TOUCH = 48  # minimum height of a control, px (touch target)
BASE_PT = 12

STYLESHEET = f"""
QWidget {{ font-size: {BASE_PT}pt; }}
QPushButton, QToolButton {{ min-height: {TOUCH}px; padding: 4px 16px; }}
QLineEdit, QComboBox, QSpinBox {{ min-height: {TOUCH - 8}px; padding: 2px 8px; }}
QPushButton#primary {{
    background: {BLUE}; color: white; border: none; border-radius: 6px; font-weight: bold;
}}
QPushButton#primary:disabled {{ background: #9bb3d1; }}
QPushButton#primary:hover {{ background: #2a6fc0; }}
QLabel#title {{ font-size: 22pt; font-weight: bold; }}
QLabel#error {{
    color: {RED}; background: #fdecea; border: 1px solid #f5c2bd; border-radius: 6px;
    padding: 10px; font-weight: bold;
}}
QLabel#hint {{ color: {GREY}; }}
QFrame#banner {{ background: #fff4e5; border: 1px solid #f0c36d; border-radius: 6px; }}
QFrame#banner QLabel {{ color: #5c3b00; font-weight: bold; }}
QToolButton#star {{
    font-size: 24pt; min-width: {TOUCH}px; border: none; color: #b0b0b0; padding: 0;
}}
QToolButton#star:checked {{ color: #e8a200; }}
QPushButton#tag {{
    border: 2px solid {BLUE}; border-radius: {TOUCH // 2}px; color: {BLUE}; background: white;
}}
QPushButton#tag:checked {{ background: {BLUE}; color: white; }}
QStatusBar QLabel {{ padding: 0 10px; }}
QLabel#leadname {{ font-size: 28pt; font-weight: bold; }}
QLabel#leadname[code="true"] {{ font-size: 16pt; font-family: monospace; }}
QLabel#company {{ font-size: 18pt; }}
QLabel#detail {{ font-size: 14pt; color: {GREY}; }}
"""


TOUCH_EXTRA = f"""
QWidget {{ font-size: {BASE_PT + 3}pt; }}
QPushButton, QToolButton {{ min-height: {TOUCH + 16}px; padding: 6px 20px; }}
QLineEdit {{ min-height: {TOUCH + 8}px; }}
QToolButton#star {{ font-size: 28pt; min-width: {TOUCH + 8}px; padding: 0; }}
QPushButton#tag {{ border-radius: {(TOUCH + 16) // 2}px; }}
"""


def apply(app: QApplication, *, touch: bool = False) -> None:
    """The app's look; `touch=True` (kiosk) makes every control larger."""
    font = QFont(app.font())
    font.setPointSize(BASE_PT + (3 if touch else 0))
    app.setFont(font)
    app.setStyleSheet(STYLESHEET + (TOUCH_EXTRA if touch else ""))


def state_colour(state: SyncState) -> QColor:
    return QColor(STATE_COLOURS.get(state, GREY))
