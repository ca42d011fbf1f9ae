"""USB scanner (keyboard wedge) input: Qt adapter over `core.scan.wedge`.

Installed on the QApplication, so it sees every key press before any widget, wherever the
focus is (scan screen, notes editor, a dialog). Printable keys are held back while a burst
might be starting; the core decides, by the events' own timestamps, whether they were a
scan (swallowed: `scanned(code)`) or typing (replayed, in order, to the focused widget
about `idle_ms` later). Suffix keys of a scan never act (Tab does not move focus).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

from leadscan.core.scan import payload
from leadscan.core.scan.wedge import Key, KeyIn, Replay, Scan, WedgeConfig, WedgeDecoder, typed_text

log = logging.getLogger("leadscan.gui.wedge")

_MODIFIER_KEYS = {
    Qt.Key.Key_Shift,
    Qt.Key.Key_Control,
    Qt.Key.Key_Alt,
    Qt.Key.Key_AltGr,
    Qt.Key.Key_Meta,
    Qt.Key.Key_CapsLock,
    Qt.Key.Key_NumLock,
    Qt.Key.Key_ScrollLock,
    Qt.Key.Key_Super_L,
    Qt.Key.Key_Super_R,
}
_ENTER_KEYS = {Qt.Key.Key_Return, Qt.Key.Key_Enter}
_TAB_KEYS = {Qt.Key.Key_Tab, Qt.Key.Key_Backtab}


def _shortcut_modifiers(mods: Qt.KeyboardModifier) -> bool:
    """Ctrl+key, Alt+key (mnemonics), Meta+key: a shortcut, never scanner text. Ctrl+Alt
    together is AltGr on Windows (typing `@`, `€` ...): text."""
    ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
    alt = bool(mods & Qt.KeyboardModifier.AltModifier)
    return ctrl != alt or bool(mods & Qt.KeyboardModifier.MetaModifier)


@dataclass
class _Held:
    """A key press we held back: enough to re-create it, and whether its release came."""

    receiver: QWidget | None
    key: int
    modifiers: Qt.KeyboardModifier
    scan_code: int
    virtual_key: int
    native_modifiers: int
    text: str
    released: bool = False
    release_modifiers: Qt.KeyboardModifier | None = field(default=None)


class WedgeFilter(QObject):
    """Application-wide event filter turning scanner bursts into `scanned(code)`.

    Signals: `scanned(code)`; `layout_hint(message)` when a scan has characters a wrong
    scanner layout produces; `calibration_scanned(raw)` instead of `scanned` while
    calibrating (the raw text, no mapping, for `layout.derive_mapping`).
    """

    scanned = Signal(str)
    layout_hint = Signal(str)
    calibration_scanned = Signal(str)

    def __init__(self, parent: QObject | None = None, config: WedgeConfig | None = None) -> None:
        super().__init__(parent)
        self._decoder = WedgeDecoder(config or WedgeConfig())
        self._enabled = True
        self._calibrating = False
        self._replaying = False
        self._held_by_key: dict[tuple[int, int], _Held] = {}
        self._swallow_release: set[tuple[int, int]] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_idle_timer)
        self._t0 = time.monotonic()
        self.scans = 0

    # configuration ------------------------------------------------------------------------

    @property
    def config(self) -> WedgeConfig:
        return self._decoder.config

    def set_config(self, config: WedgeConfig) -> None:
        self._settle(self._decoder.idle())
        self._decoder = WedgeDecoder(config)

    def set_mapping(self, mapping: dict[str, str] | None) -> None:
        """Keyboard layout fix from `core.scan.layout` (received -> intended characters)."""
        self._decoder.config.mapping = dict(mapping) if mapping else None

    def set_prefix(self, prefix: str) -> None:
        """The scanner's configured prefix (removed from codes); "" for none."""
        self._decoder.config.prefix = prefix

    def set_enabled(self, on: bool) -> None:
        if not on:
            self._settle(self._decoder.idle())
        self._enabled = on

    def begin_calibration(self) -> None:
        self._calibrating = True

    def end_calibration(self) -> None:
        self._calibrating = False

    # Qt -----------------------------------------------------------------------------------

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        etype = event.type()
        if etype not in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride):
            return False
        if self._replaying or not self._enabled or not self._is_first_receiver(obj):
            return False
        assert isinstance(event, QKeyEvent)
        if etype == QEvent.Type.ShortcutOverride:
            return self._shortcut_override(event)
        if etype == QEvent.Type.KeyRelease:
            return self._release(event)
        return self._press(obj, event)

    # internals ----------------------------------------------------------------------------

    @staticmethod
    def _is_first_receiver(obj: QObject) -> bool:
        """A key event propagates from the focus widget to its parents, and the application
        filter sees every hop; handle it once, at the widget that got it first."""
        if not isinstance(obj, QWidget):
            return False
        focus = QApplication.focusWidget()
        if focus is not None:
            return obj is focus
        return obj.isWindow()

    def _classify(self, ev: QKeyEvent) -> KeyIn:
        key = ev.key()
        text = ev.text()
        mods = ev.modifiers()
        t = float(ev.timestamp()) or (time.monotonic() - self._t0) * 1000.0
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if ev.isAutoRepeat():  # a held key, never a scanner
            kind = Key.OTHER
        elif key in _MODIFIER_KEYS:
            kind = Key.MODIFIER
        elif key in _ENTER_KEYS or (text == "\n"):
            kind = Key.ENTER
        elif key in _TAB_KEYS:
            kind = Key.TAB
        elif text and text.isprintable() and not _shortcut_modifiers(mods):
            kind = Key.CHAR
        else:
            kind = Key.OTHER
        return KeyIn(text, t, kind, shift=shift)

    def _shortcut_override(self, ev: QKeyEvent) -> bool:
        """Claim keys a scan might use, so no shortcut fires on them mid-burst."""
        k = self._classify(ev)
        if k.key is Key.CHAR or (k.key in (Key.ENTER, Key.TAB) and self._decoder.busy):
            ev.accept()
            return True
        return False

    def _press(self, obj: QObject, ev: QKeyEvent) -> bool:
        k = self._classify(ev)
        held = _Held(
            receiver=obj if isinstance(obj, QWidget) else None,
            key=ev.key(),
            modifiers=ev.modifiers(),
            scan_code=ev.nativeScanCode(),
            virtual_key=ev.nativeVirtualKey(),
            native_modifiers=ev.nativeModifiers(),
            text=ev.text(),
        )
        k = KeyIn(k.text, k.t_ms, k.key, k.shift, token=held)
        result = self._decoder.feed(k)
        self._settle(result.actions)
        if result.consume:
            if k.key is not Key.MODIFIER:
                self._held_by_key[(held.key, held.scan_code)] = held
            ev.accept()
        if self._decoder.busy:
            self._timer.start(max(1, int(self._decoder.config.idle_ms)))
        else:
            self._timer.stop()
        return result.consume

    def _release(self, ev: QKeyEvent) -> bool:
        ident = (ev.key(), ev.nativeScanCode())
        held = self._held_by_key.get(ident)
        if held is not None and not held.released:
            held.released = True
            held.release_modifiers = ev.modifiers()
            return True
        if ident in self._swallow_release:
            self._swallow_release.discard(ident)
            return True
        return False

    def _on_idle_timer(self) -> None:
        # Input that queued up while the UI thread was busy may be waiting behind this timer:
        # decide only after the event loop has delivered it (it restarts the timer).
        QTimer.singleShot(0, self, self._idle_now)  # cancelled if this filter is deleted

    def _idle_now(self) -> None:
        if self._timer.isActive():
            return  # keys arrived meanwhile
        self._settle(self._decoder.idle())

    def _settle(self, actions: tuple | list) -> None:
        for action in actions:
            if isinstance(action, Scan):
                self._done_with(action.keys, replayed=False)
                self._emit_scan(action.code, action.keys)
            elif isinstance(action, Replay):
                self._replay(action.keys)

    def _done_with(self, keys: tuple[KeyIn, ...], replayed: bool) -> None:
        for k in keys:
            held = k.token
            if isinstance(held, _Held):
                ident = (held.key, held.scan_code)
                self._held_by_key.pop(ident, None)
                if not replayed and not held.released:
                    self._swallow_release.add(ident)  # its release is still to come
        if len(self._swallow_release) > 64:
            self._swallow_release.clear()

    def _emit_scan(self, code: str, keys: tuple[KeyIn, ...]) -> None:
        self.scans += 1
        if self._calibrating:
            self.calibration_scanned.emit(typed_text(keys, self._decoder.config.prefix))
            return
        hint = payload.layout_hint(code)
        self.scanned.emit(code)
        if hint:
            self.layout_hint.emit(hint)

    def _replay(self, keys: tuple[KeyIn, ...]) -> None:
        self._done_with(keys, replayed=True)
        self._replaying = True
        try:
            for k in keys:
                held = k.token
                if not isinstance(held, _Held):
                    continue
                target = QApplication.focusWidget() or held.receiver
                if target is None:
                    continue
                try:
                    target.objectName()  # the widget may have been deleted meanwhile
                except RuntimeError:
                    continue
                press = QKeyEvent(
                    QEvent.Type.KeyPress, held.key, held.modifiers, held.scan_code,
                    held.virtual_key, held.native_modifiers, held.text,
                )
                QApplication.sendEvent(target, press)
                if held.released:
                    release = QKeyEvent(
                        QEvent.Type.KeyRelease, held.key, held.release_modifiers or held.modifiers,
                        held.scan_code, held.virtual_key, held.native_modifiers, held.text,
                    )
                    QApplication.sendEvent(target, release)
        finally:
            self._replaying = False
