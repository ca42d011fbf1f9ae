"""Kiosk rules with real widgets (issue 6): blocked close and keys, PIN exit (slower after
wrong tries), idle reset hides the last visitor (K51), scanner bursts counted with a dialog
open, leads list hidden from visitors, settings round trip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from guiharness import WAIT_MS, Gui, make_gui
from keys import key_events, send
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from leadscan.gui import settings as app_settings
from leadscan.gui.pin import PinGuard, hash_pin, verify_pin

pytestmark = pytest.mark.gui

PIN = "2468"


def press(widget: Any, key: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> bool:
    """Send a key press; True if something accepted it (it was not blocked)."""
    ev = QKeyEvent(QEvent.Type.KeyPress, key, mods)
    QApplication.sendEvent(widget, ev)
    return ev.isAccepted()


@pytest.fixture
def kiosk_gui(qtbot: Any, tmp_path: Path, emulator: Any, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("LEADSCAN_NO_KEEP_AWAKE", "1")
    booth_dir = tmp_path / "booth"
    booth_dir.mkdir()
    s = app_settings.Settings(kiosk_pin=hash_pin(PIN), idle_timeout_s=10, camera="none")
    app_settings.save(booth_dir, s)
    g = make_gui(qtbot, booth_dir)
    g.login(emulator.base_url, emulator.exhibitor["access_code"])
    g.shell.start_kiosk()
    qtbot.waitUntil(lambda: g.shell.kiosk.active, timeout=WAIT_MS)
    try:
        yield g
    finally:
        if g.shell.kiosk is not None:
            g.shell.kiosk.unlocked = True
            g.shell.kiosk.leave()
        g.close()


def test_pin_hash_is_salted_and_verifies() -> None:
    a, b = hash_pin(PIN), hash_pin(PIN)
    assert a != b and PIN not in a
    assert verify_pin(PIN, a) and not verify_pin("1111", a)


@pytest.mark.parametrize("pin", ["１２３４", "١٢٣٤", "²³⁴⁵", "12a4", "123"])
def test_only_pins_the_exit_pad_can_type(pin: str) -> None:
    from leadscan.gui.pin import valid_new_pin

    assert valid_new_pin(pin) is not None  # full-width/Arabic-Indic digits would lock staff out
    assert valid_new_pin("2468") is None


def test_wrong_pins_slow_down() -> None:
    now = [100.0]
    guard = PinGuard(hash_pin(PIN), clock=lambda: now[0])
    assert not guard.check("0000") and not guard.check("0001")
    assert guard.wait_s() == 0
    assert not guard.check("0002")  # third wrong: now it waits
    assert guard.wait_s() == pytest.approx(2.0)
    assert not guard.check(PIN)  # even the right PIN waits its turn
    now[0] += 2.1
    assert not guard.check("0003")
    assert guard.wait_s() == pytest.approx(4.0)
    now[0] += 4.1
    assert guard.check(PIN) and guard.failures == 0


def test_close_and_exit_keys_are_blocked(kiosk_gui: Gui) -> None:
    w = kiosk_gui.window
    assert w.isFullScreen()
    assert w.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert not w.close()  # close() returns False when the close event was ignored
    assert w.isVisible()
    for key, mods in ((Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
                      (Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
                      (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
                      (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)):
        ev = QKeyEvent(QEvent.Type.KeyPress, key, mods)
        assert kiosk_gui.shell.kiosk.eventFilter(w, ev) is True
    assert w.isVisible()


def test_pin_exit(kiosk_gui: Gui) -> None:
    qtbot, kiosk = kiosk_gui.qtbot, kiosk_gui.shell.kiosk
    qtbot.mouseClick(kiosk.lock_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.pin_dialog is not None and kiosk.pin_dialog.isVisible())
    pad = kiosk.pin_dialog
    for d in "1357":  # wrong PIN on the number pad
        qtbot.mouseClick(pad.keys[d], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pad.keys["OK"], Qt.MouseButton.LeftButton)
    assert "Wrong PIN" in pad.message.text()
    assert kiosk.active
    for d in PIN:
        qtbot.mouseClick(pad.keys[d], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pad.keys["OK"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.exit_choice is not None and kiosk.exit_choice.isVisible())
    choice = kiosk.exit_choice
    leave = next(b for b in choice.findChildren(type(pad.keys["OK"])) if "Leave" in b.text())
    qtbot.mouseClick(leave, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not kiosk.active)
    assert not kiosk_gui.window.isFullScreen()
    assert kiosk_gui.window.nav_leads.isVisible()


def test_idle_returns_to_empty_scan_screen(kiosk_gui: Gui, emulator: Any) -> None:
    """K51: the next visitor must not see the previous one's details."""
    w, kiosk = kiosk_gui.window, kiosk_gui.shell.kiosk
    kiosk_gui.type_code(emulator.attendees[0]["secret"])
    kiosk_gui.qtbot.waitUntil(lambda: w.scan_view.card.lead is not None, timeout=WAIT_MS)
    w.scan_view.entry.setText("half typed")
    kiosk.settings.idle_timeout_s = 5  # minimum; start the countdown again with it
    kiosk.touch()
    assert kiosk._idle.isActive() and kiosk._idle.interval() == 5000
    with kiosk_gui.qtbot.waitSignal(kiosk.idled, timeout=8000):
        pass
    assert w.scan_view.card.lead is None
    assert w.scan_view.card.name.text() == "Scan a badge"
    assert not w.scan_view.editor.isVisible()
    assert w.scan_view.entry.text() == ""
    assert w.pages.currentWidget() is w.scan_view
    # the lead itself is of course kept
    assert kiosk_gui.booth.lead(emulator.attendees[0]["secret"]) is not None


def test_input_postpones_idle(kiosk_gui: Gui) -> None:
    kiosk = kiosk_gui.shell.kiosk
    kiosk._idle.start(100_000)
    before = kiosk._idle.remainingTime()
    kiosk_gui.qtbot.mouseClick(kiosk_gui.window.scan_view.entry, Qt.MouseButton.LeftButton)
    assert kiosk._idle.remainingTime() > 0
    assert kiosk._idle.interval() == kiosk.settings.idle_timeout_s * 1000
    assert before > 0


def test_scanner_burst_counts_with_pin_dialog_open(kiosk_gui: Gui, emulator: Any) -> None:
    qtbot, kiosk, w = kiosk_gui.qtbot, kiosk_gui.shell.kiosk, kiosk_gui.window
    kiosk.request_exit()
    qtbot.waitUntil(lambda: kiosk.pin_dialog is not None and kiosk.pin_dialog.isVisible())
    pad = kiosk.pin_dialog
    pad.activateWindow()
    pad.field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is pad.field)
    code = emulator.attendees[5]["secret"]
    send(key_events(code, ms_per_key=3.0), pad.field)
    qtbot.waitUntil(lambda: kiosk_gui.booth.lead(code) is not None, timeout=WAIT_MS)
    assert pad.field.text() == ""  # the burst did not land in the PIN field
    assert kiosk.active
    pad.reject()


def test_visitors_do_not_see_leads_by_default(kiosk_gui: Gui) -> None:
    w = kiosk_gui.window
    assert not w.nav_leads.isVisible()
    assert not w.nav_settings.isVisible()
    kiosk_gui.shell.kiosk.settings.visitors_see_leads = True
    kiosk_gui.shell.kiosk.apply_visibility()
    assert w.nav_leads.isVisible()


def test_settings_round_trip(gui: Gui, emulator: Any, tmp_path: Path) -> None:
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    w, qtbot = gui.window, gui.qtbot
    qtbot.mouseClick(w.nav_settings, Qt.MouseButton.LeftButton)
    view = w.settings_view
    qtbot.waitUntil(lambda: w.pages.currentWidget() is view)
    view.device.setText("Booth A2 laptop 2")
    view.camera.setEditText("none")
    view.resolution.setCurrentIndex(view.resolution.findData("1280x720"))
    view.sounds.setChecked(False)
    view.pin1.setText("1234")
    view.pin2.setText("1234")
    view.idle.setValue(300)
    view.visitors_leads.setChecked(True)
    view.set_mapping({"z": "y", "y": "z"})
    view.prefix.setText("##")
    view.repeat.setValue(10)
    qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.pages.currentWidget() is w.scan_view)
    gui.wait_idle()
    assert gui.booth.device_name == "Booth A2 laptop 2"

    raw = json.loads((gui.data_dir / "settings.json").read_text())
    assert raw["version"] == 1 and "1234" not in json.dumps(raw)
    raw["from_a_newer_version"] = {"x": 1}  # an upgrade must not lose what it does not know
    (gui.data_dir / "settings.json").write_text(json.dumps(raw))

    s = app_settings.load(gui.data_dir)
    assert (s.camera, s.resolution, s.sounds, s.idle_timeout_s, s.visitors_see_leads) == \
        ("none", "1280x720", False, 300, True)
    assert verify_pin("1234", s.kiosk_pin)
    assert s.scanner_mapping == {"z": "y", "y": "z"}
    assert (s.scanner_prefix, s.repeat_window_s) == ("##", 10)
    app_settings.save(gui.data_dir, s)
    assert json.loads((gui.data_dir / "settings.json").read_text())["from_a_newer_version"] == {"x": 1}

    # a restart picks them up
    gui.close()
    again = make_gui(qtbot, gui.data_dir)
    try:
        assert again.shell.settings.idle_timeout_s == 300
        again.window.show_settings()
        assert again.window.settings_view.device.text() == "Booth A2 laptop 2"
        assert again.window.settings_view.sounds.isChecked() is False
    finally:
        again.close()
    gui.shell = again.shell  # the fixture closes this one again: harmless


def test_damaged_settings_file_is_moved_aside(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text("{not json")
    s = app_settings.load(tmp_path)
    assert s == app_settings.Settings()
    assert (tmp_path / "settings.damaged").exists()


def test_revoked_code_in_kiosk_needs_the_staff_pin(kiosk_gui: Gui, emulator: Any) -> None:
    """A visitor never gets the server/access-code form: in kiosk mode the banner's button
    asks for the PIN first, and going idle closes the form."""
    w, kiosk, qtbot = kiosk_gui.window, kiosk_gui.shell.kiosk, kiosk_gui.qtbot
    emulator.server.change_access_codes(emulator.exhibitor["id"])
    kiosk_gui.type_code(emulator.attendees[0]["secret"])
    qtbot.waitUntil(lambda: w.scan_view.banner.isVisible(), timeout=WAIT_MS)
    qtbot.wait(300)
    assert w.login_dialog is None or not w.login_dialog.isVisible()  # not opened by itself

    qtbot.mouseClick(w.scan_view.banner_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kiosk.staff_pad is not None and kiosk.staff_pad.isVisible())
    assert w.login_dialog is None or not w.login_dialog.isVisible()
    for d in PIN:
        qtbot.mouseClick(kiosk.staff_pad.keys[d], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(kiosk.staff_pad.keys["OK"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.login_dialog is not None and w.login_dialog.isVisible(),
                    timeout=WAIT_MS)
    assert kiosk.active  # staff change the code without leaving kiosk mode

    kiosk.go_idle()  # walked away with the form open
    assert not w.login_dialog.isVisible()
    assert kiosk_gui.booth.status().pending == 1  # the scan waits for the new code
