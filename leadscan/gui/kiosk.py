"""Kiosk mode: the booth laptop as an unattended, touchable scan station.

- full screen, no window decorations; closing, Alt+F4, Esc, Ctrl+Q/W are blocked — the
  staff leave through the lock button and the exit PIN (salted hash, slower after wrong
  tries: pin.PinGuard);
- after `idle_timeout_s` without input or scan, back to an empty scan screen: the last
  visitor's details are hidden (K51), open pop-ups closed, the manual entry cleared;
- the display is kept awake (keepawake.KeepAwake), best effort;
- the USB scanner filter stays application-wide, so bursts count whatever has focus;
- the leads list is hidden unless the setting allows visitors to see it;
- larger touch targets.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from leadscan.gui import theme
from leadscan.gui.keepawake import KeepAwake
from leadscan.gui.pin import PinGuard, hash_pin, valid_new_pin

log = logging.getLogger("leadscan.gui.kiosk")

_INPUT_EVENTS = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.TouchBegin,
    QEvent.Type.Wheel,
}


def _blocked_key(ev: QKeyEvent) -> bool:
    key, mods = ev.key(), ev.modifiers()
    ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
    alt = bool(mods & Qt.KeyboardModifier.AltModifier)
    return (
        key == Qt.Key.Key_Escape
        or (alt and key in (Qt.Key.Key_F4, Qt.Key.Key_Tab))
        or (ctrl and key in (Qt.Key.Key_Q, Qt.Key.Key_W))
        or key == Qt.Key.Key_Close
    )


class PinPad(QDialog):
    """PIN entry with a big number pad. `mode="check"` or `"new"` (choose + repeat)."""

    def __init__(self, parent: QWidget | None, *, title: str, guard: PinGuard | None = None,
                 mode: str = "check") -> None:
        super().__init__(parent)
        self.setObjectName("pinpad")
        self.setWindowTitle(title)
        self.setModal(True)
        self.guard = guard
        self.mode = mode
        self.new_hash: str | None = None
        self._first: str | None = None
        self.heading = QLabel(title)
        self.heading.setObjectName("title")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field.setStyleSheet("font-size: 28pt; min-height: 64px;")
        self.field.setMaxLength(12)
        self.field.returnPressed.connect(self.submit)
        self.message = QLabel(" ")
        self.message.setObjectName("hint")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        grid = QGridLayout()
        grid.setSpacing(8)
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "⌫", "0", "OK"]
        self.keys: dict[str, QPushButton] = {}
        for i, k in enumerate(keys):
            b = QPushButton(k)
            b.setMinimumSize(96, 72)
            b.setStyleSheet("font-size: 22pt;")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            if k == "OK":
                b.setObjectName("primary")
                b.clicked.connect(self.submit)
            elif k == "⌫":
                b.clicked.connect(self.field.backspace)
            else:
                b.clicked.connect(lambda _=False, d=k: self.field.insert(d))
            self.keys[k] = b
            grid.addWidget(b, i // 3, i % 3)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addWidget(self.field)
        lay.addWidget(self.message)
        lay.addLayout(grid)
        lay.addWidget(cancel)
        self._tick = QTimer(self)
        self._tick.setInterval(250)
        self._tick.timeout.connect(self._update_wait)
        if mode == "new":
            self.message.setText("Choose an exit PIN (at least 4 digits).")
        self.field.setFocus()

    def _update_wait(self) -> None:
        wait = self.guard.wait_s() if self.guard else 0.0
        ok = wait <= 0
        self.keys["OK"].setEnabled(ok)
        if ok:
            self._tick.stop()
            self.message.setText("Try again.")
        else:
            self.message.setText(f"Wrong PIN. Wait {int(wait) + 1} s before the next try.")

    def submit(self) -> None:
        pin = self.field.text()
        self.field.clear()
        if self.mode == "new":
            if self._first is None:
                problem = valid_new_pin(pin)
                if problem:
                    self.message.setText(problem)
                    return
                self._first = pin
                self.message.setText("Enter the same PIN again.")
                return
            if pin != self._first:
                self._first = None
                self.message.setText("The two PINs differ. Choose the PIN again.")
                return
            self.new_hash = hash_pin(pin)
            self.accept()
            return
        assert self.guard is not None
        if self.guard.wait_s() > 0:
            self._update_wait()
            self._tick.start()
            return
        if self.guard.check(pin):
            self.accept()
            return
        if self.guard.wait_s() > 0:
            self._update_wait()
            self._tick.start()
        else:
            self.message.setText("Wrong PIN.")


class ExitChoice(QDialog):
    """After the right PIN: leave kiosk mode (staff use the app) or quit."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Kiosk")
        self.choice = ""
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("PIN accepted."))
        row = QHBoxLayout()
        for text, key in (("Leave kiosk mode", "leave"), ("Quit leadscan", "quit"),
                          ("Back to kiosk", "")):
            b = QPushButton(text)
            b.setMinimumHeight(64)
            b.clicked.connect(lambda _=False, k=key: self._pick(k))
            row.addWidget(b)
        lay.addLayout(row)

    def _pick(self, key: str) -> None:
        self.choice = key
        self.accept()


class Kiosk(QObject):
    entered = Signal()
    left = Signal()
    idled = Signal()

    def __init__(self, window: Any, settings: Any, *, save_settings: Any = None,
                 keep_awake: bool = True) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.save_settings = save_settings
        self.active = False
        self.unlocked = False  # set just before a permitted close
        self.guard = PinGuard(settings.kiosk_pin)
        self.keep_awake = KeepAwake() if keep_awake else None
        self.pin_dialog: PinPad | None = None
        self.exit_choice: ExitChoice | None = None
        self.staff_pad: PinPad | None = None
        self._idle = QTimer(self)
        self._idle.setSingleShot(True)
        self._idle.timeout.connect(self.go_idle)
        self.lock_button = QPushButton("Staff")
        self.lock_button.setObjectName("lock")
        self.lock_button.setToolTip("Leave kiosk mode (PIN)")
        self.lock_button.clicked.connect(self.request_exit)
        self.lock_button.hide()
        window.nav_layout.addWidget(self.lock_button)
        window.scan_saved.connect(lambda *_: self.touch())

    # -- mode -----------------------------------------------------------------------------

    def enter(self) -> None:
        if not self.settings.kiosk_pin:
            pad = PinPad(self.window, title="Choose the kiosk exit PIN", mode="new")
            if pad.exec() != QDialog.DialogCode.Accepted or not pad.new_hash:
                log.info("kiosk mode not entered: no exit PIN chosen")
                self.window.show()
                return
            self.settings.kiosk_pin = pad.new_hash
            self.guard = PinGuard(pad.new_hash)
            if self.save_settings:
                self.save_settings()
        w = self.window
        self.active = True
        self.unlocked = False
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        theme.apply(app, touch=True)
        w.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        w.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, True)
        w.showFullScreen()
        self.lock_button.show()
        self.apply_visibility()
        if self.keep_awake is not None:
            self.keep_awake.start()
        w.login_gate = self.staff_only
        self.touch()
        self.entered.emit()

    def leave(self) -> None:
        if not self.active:
            return
        self.active = False
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
            theme.apply(app, touch=False)
        self._idle.stop()
        self.release()
        w = self.window
        w.setWindowFlag(Qt.WindowType.FramelessWindowHint, False)
        w.setWindowFlag(Qt.WindowType.WindowStaysOnTopHint, False)
        w.showNormal()
        self.lock_button.hide()
        w.login_gate = None
        self.apply_visibility()
        self.left.emit()

    def release(self) -> None:
        if self.keep_awake is not None:
            self.keep_awake.stop()

    def apply_visibility(self) -> None:
        """Visitors see the leads list (and settings) only if allowed."""
        w = self.window
        show_leads = not self.active or self.settings.visitors_see_leads
        logged_in = w.pages.currentWidget() is not w.login_view
        w.nav_leads.setVisible(show_leads and logged_in)
        if hasattr(w, "nav_settings"):
            w.nav_settings.setVisible(not self.active and logged_in)
        if self.active and not show_leads and w.pages.currentWidget() is w.leads_view:
            w.show_scan()

    # -- idle ------------------------------------------------------------------------------

    def touch(self) -> None:
        if self.active:
            self._idle.start(max(5, int(self.settings.idle_timeout_s)) * 1000)

    def go_idle(self) -> None:
        """K51: nobody is at the booth — hide the last visitor and start fresh."""
        w = self.window
        for dlg in (self.pin_dialog, self.exit_choice, self.staff_pad):
            if dlg is not None:
                dlg.reject()
        if w.login_dialog is not None and w.login_dialog.isVisible():
            w.login_dialog.close()
        w.scan_view.editor.flush()
        w.show_scan()
        w.scan_view.clear_lead()
        w.scan_view.entry.clear()
        self.idled.emit()

    # -- exit -------------------------------------------------------------------------------

    def staff_only(self, then: Any) -> None:
        """Run `then` after the staff PIN (the window's `login_gate` in kiosk mode)."""
        if self.staff_pad is not None:
            self.staff_pad.raise_()
            return
        pad = PinPad(self.window, title="Staff only: enter the PIN to change the access code",
                     guard=self.guard)
        self.staff_pad = pad

        def done(result: int) -> None:
            self.staff_pad = None
            if result == QDialog.DialogCode.Accepted:
                then()

        pad.finished.connect(done)
        pad.open()

    def request_exit(self) -> None:
        """Ask for the PIN (non-blocking dialog; scanning continues behind it)."""
        if self.pin_dialog is not None:
            self.pin_dialog.raise_()
            return
        pad = PinPad(self.window, title="Staff only: enter the exit PIN", guard=self.guard)
        self.pin_dialog = pad
        pad.finished.connect(self._pin_done)
        pad.open()

    def _pin_done(self, result: int) -> None:
        self.pin_dialog = None
        if result != QDialog.DialogCode.Accepted:
            return
        choice = ExitChoice(self.window)
        self.exit_choice = choice
        choice.finished.connect(lambda _r: self._chosen(choice.choice))
        choice.open()

    def _chosen(self, key: str) -> None:
        self.exit_choice = None
        if key == "leave":
            self.leave()
        elif key == "quit":
            self.unlocked = True
            self.leave()
            app = QApplication.instance()
            if app is not None:
                app.quit()

    # -- the guard ----------------------------------------------------------------------

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if not self.active:
            return False
        etype = event.type()
        if etype in _INPUT_EVENTS:
            self.touch()
        if etype == QEvent.Type.Close and obj is self.window and not self.unlocked:
            event.ignore()
            return True
        if etype in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            assert isinstance(event, QKeyEvent)
            if _blocked_key(event):
                # Esc may still cancel our own PIN pad
                if event.key() == Qt.Key.Key_Escape and self.pin_dialog is not None and \
                        isinstance(obj, QWidget) and self.pin_dialog.isAncestorOf(obj):
                    return False
                return True
        if etype == QEvent.Type.WindowDeactivate and obj is self.window:
            # switching away: come back to the front (best effort; the OS has the last word)
            QTimer.singleShot(200, self._refocus)
        return False

    def _refocus(self) -> None:
        if self.active and QApplication.activeModalWidget() is None:
            self.window.raise_()
            self.window.activateWindow()
