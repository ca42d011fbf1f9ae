"""Key events as a USB barcode scanner (keyboard wedge) produces them, with timestamps,
for pytest-qt tests of the scanner input."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

_T = [10_000]  # event clock (ms), increasing across tests


def key_events(code: str, ms_per_key: float = 2.0, suffix: str = "enter", caps_lock: bool = False):
    """Press/release pairs a scanner makes, with event timestamps."""
    t = _T[0]
    out = []

    def add(key, text, mods=Qt.KeyboardModifier.NoModifier):
        nonlocal t
        for etype in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            ev = QKeyEvent(etype, key, mods, 0, 0, 0, text)
            ev.setTimestamp(int(t))
            out.append(ev)
        t += ms_per_key

    for ch in code:
        shift = ch.isupper()
        text = ch.swapcase() if caps_lock and ch.isalpha() and len(ch.swapcase()) == 1 else ch
        key = Qt.Key(ord(ch.upper())) if ch.isascii() and ch.isalnum() else Qt.Key.Key_unknown
        add(key, text, Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier)
    if suffix in ("enter", "crlf"):
        add(Qt.Key.Key_Return, "\r")
    if suffix == "crlf":
        add(Qt.Key.Key_Return, "\n")
    if suffix == "tab":
        add(Qt.Key.Key_Tab, "\t")
    _T[0] = t + 10_000
    return out


def send(events, fallback=None):
    """Deliver events to whatever has the focus (as the OS does), else to `fallback`."""
    for ev in events:
        QApplication.sendEvent(QApplication.focusWidget() or fallback, ev)
