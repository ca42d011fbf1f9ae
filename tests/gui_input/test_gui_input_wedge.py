"""The USB-scanner filter with real Qt key events (offscreen), K12-K15."""

from __future__ import annotations

import threading
import time

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QPlainTextEdit, QTextEdit, QVBoxLayout, QWidget

from keys import _T, key_events, send

from leadscan.core.scan.wedge import WedgeConfig
from leadscan.gui.input.wedge_filter import WedgeFilter

pytestmark = pytest.mark.gui

TICKET = "k7yzqa2mbbb222cdefghjkmnpqrstuv9"


@pytest.fixture
def wedge(qtbot):
    app = QApplication.instance()
    f = WedgeFilter(app)
    app.installEventFilter(f)
    got: list[str] = []
    f.scanned.connect(got.append)
    f.got = got
    yield f
    app.removeEventFilter(f)
    f.deleteLater()


@pytest.fixture
def window(qtbot):
    w = QWidget()
    lay = QVBoxLayout(w)
    w.line = QLineEdit()
    w.notes = QPlainTextEdit()
    w.rich = QTextEdit()
    for x in (w.line, w.notes, w.rich):
        lay.addWidget(x)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    return w


def focus(qtbot, widget):
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)


@pytest.mark.parametrize("editor", ["notes", "rich", "line"])
def test_k15_burst_never_lands_in_focused_editor(qtbot, wedge, window, editor):
    w = getattr(window, editor)
    focus(qtbot, w)
    w.setPlainText("met at booth") if hasattr(w, "setPlainText") else w.setText("met at booth")
    send(key_events("bbb222"))
    qtbot.waitUntil(lambda: wedge.got == ["bbb222"])
    qtbot.wait(120)
    text = w.toPlainText() if hasattr(w, "toPlainText") else w.text()
    assert text == "met at booth"
    assert wedge.got == ["bbb222"]


def test_human_typing_reaches_the_editor(qtbot, wedge, window):
    focus(qtbot, window.notes)
    qtbot.keyClicks(window.notes, "Hi there", delay=70)
    qtbot.waitUntil(lambda: window.notes.toPlainText() == "Hi there", timeout=2000)
    assert wedge.got == []


def test_typing_then_scan_then_typing(qtbot, wedge, window):
    focus(qtbot, window.notes)
    qtbot.keyClicks(window.notes, "ab", delay=70)
    qtbot.wait(100)
    send(key_events(TICKET))
    qtbot.waitUntil(lambda: wedge.got == [TICKET])
    qtbot.keyClicks(window.notes, "cd", delay=70)
    qtbot.waitUntil(lambda: window.notes.toPlainText() == "abcd", timeout=2000)


def test_k14_tab_suffix_does_not_move_focus(qtbot, wedge, window):
    focus(qtbot, window.line)
    send(key_events("bbb222", suffix="tab"))
    qtbot.waitUntil(lambda: wedge.got == ["bbb222"])
    qtbot.wait(100)
    assert QApplication.focusWidget() is window.line
    assert window.line.text() == ""


@pytest.mark.parametrize("suffix", ["enter", "crlf", "tab", "none"])
def test_k14_each_suffix_one_scan(qtbot, wedge, window, suffix):
    focus(qtbot, window.line)
    send(key_events("bbb222", suffix=suffix))
    qtbot.waitUntil(lambda: len(wedge.got) >= 1)
    qtbot.wait(150)
    assert wedge.got == ["bbb222"]
    assert window.line.text() == ""


def test_enter_of_a_scan_does_not_accept_a_dialog(qtbot, wedge):
    dlg = QDialog()
    edit = QLineEdit(dlg)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    focus(qtbot, edit)
    send(key_events("bbb222"))
    qtbot.waitUntil(lambda: wedge.got == ["bbb222"])
    qtbot.wait(100)
    assert dlg.isVisible() and dlg.result() == 0
    assert edit.text() == ""


def test_k12_caps_lock(qtbot, wedge, window):
    focus(qtbot, window.line)
    send(key_events("k7yzqa2m", caps_lock=True))
    qtbot.waitUntil(lambda: wedge.got == ["k7yzqa2m"])


def test_layout_mapping_and_hint(qtbot, wedge, window):
    from leadscan.core.scan import layout

    hints = []
    wedge.layout_hint.connect(hints.append)
    focus(qtbot, window.line)
    send(key_events("awè,qé"))  # K11 without calibration
    qtbot.waitUntil(lambda: len(wedge.got) == 1)
    assert wedge.got == ["awè,qé"] and hints and "layout" in hints[0]
    wedge.set_mapping(layout.PRESETS["fr"])
    send(key_events("awè,qé"))
    qtbot.waitUntil(lambda: len(wedge.got) == 2)
    assert wedge.got[1] == "qz7ma2"


def test_calibration_mode_gives_raw_text(qtbot, wedge, window):
    from leadscan.core.scan import layout

    raw = []
    wedge.calibration_scanned.connect(raw.append)
    wedge.begin_calibration()
    typed = layout.apply(layout.CALIBRATION_CODE, layout.invert(layout.PRESETS["de"]))
    focus(qtbot, window.line)
    send(key_events(typed, caps_lock=True))  # Caps Lock on while calibrating: no harm
    qtbot.waitUntil(lambda: len(raw) == 1)
    assert raw[0] == typed
    wedge.end_calibration()
    assert wedge.got == []
    assert layout.derive_mapping(raw[0])["z"] == "y"


@pytest.mark.parametrize("ms", [1, 2])
def test_k13_60_chars_while_ui_thread_busy(qtbot, wedge, window, ms):
    """Keys keep arriving (from the window system, here another thread) while the UI thread
    is blocked for 120 ms; they are processed late but carry their own timestamps."""
    code = (TICKET * 2)[:60]
    focus(qtbot, window.notes)
    window.notes.setPlainText("note")
    events = key_events(code, ms_per_key=ms)
    target = window.notes
    first, rest = events[:6], events[6:]
    send(first)  # 3 keys processed: the burst has started, the idle timer runs

    def producer():
        for ev in rest:
            QCoreApplication.postEvent(target, ev)
            time.sleep(ms / 1000)

    th = threading.Thread(target=producer)
    th.start()
    time.sleep(0.12)  # the UI thread is busy
    th.join()
    qtbot.waitUntil(lambda: len(wedge.got) >= 1, timeout=2000)
    qtbot.wait(100)
    assert wedge.got == [code]
    assert window.notes.toPlainText() == "note"


def test_autorepeat_is_typing(qtbot, wedge, window):
    focus(qtbot, window.line)
    t = _T[0]
    for i in range(6):
        ev = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_X, Qt.KeyboardModifier.NoModifier, 0, 0, 0, "x", i > 0)
        ev.setTimestamp(int(t + i * 30))
        QApplication.sendEvent(window.line, ev)
    _T[0] += 10_000
    qtbot.waitUntil(lambda: window.line.text() == "xxxxxx", timeout=2000)
    assert wedge.got == []


def test_disabled_passes_everything(qtbot, wedge, window):
    wedge.set_enabled(False)
    focus(qtbot, window.line)
    send(key_events("bbb222", suffix="none"))
    assert window.line.text() == "bbb222" and wedge.got == []


def test_shortcuts_are_not_held(qtbot, wedge, window):
    """Alt+letter (mnemonics) and Ctrl+letter go straight through, even in quick succession."""
    from PySide6.QtGui import QAction, QKeySequence

    hits = []
    act = QAction(window)
    act.setShortcut(QKeySequence("Ctrl+K"))
    act.triggered.connect(lambda: hits.append(1))
    window.addAction(act)
    focus(qtbot, window.line)
    qtbot.keyClick(window.line, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: hits == [1], timeout=1000)
    assert wedge.got == []


def test_alt_mnemonic_reaches_its_button(qtbot, wedge, window):
    from PySide6.QtWidgets import QPushButton

    clicked = []
    btn = QPushButton("&Save", window)
    btn.clicked.connect(lambda: clicked.append(1))
    btn.show()
    focus(qtbot, window.line)
    qtbot.keyClick(window.line, "s", Qt.KeyboardModifier.AltModifier)  # text "s", as X11 sends
    qtbot.waitUntil(lambda: clicked == [1], timeout=1000)
    assert window.line.text() == "" and wedge.got == []
