"""Logging out and wiping from the GUI: leads the server lacks are offered to sync or export
first, and going ahead needs a second, explicit yes (issue: kiosk and booth operation)."""

from __future__ import annotations

from typing import Any

import pytest
from guiharness import WAIT_MS, DialogAnswerer, Gui, server_leads
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


def _answer(gui: Gui, answers: list[str], action: Any) -> DialogAnswerer:
    """Run `action` (which opens boxes) with `answers` queued; wait until all are used."""
    answerer = DialogAnswerer(answers)
    try:
        action()
        gui.qtbot.waitUntil(lambda: answerer.done, timeout=WAIT_MS)
        gui.wait_idle()
    finally:
        answerer.stop()
    assert answerer.missing == []
    return answerer


def _scan_offline(gui: Gui, emulator: Any, n: int = 1) -> list[str]:
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    emulator.stop()
    codes = [a["secret"] for a in emulator.attendees[3:3 + n]]
    for code in codes:
        gui.type_code(code)
    gui.wait_idle()
    assert gui.booth.status().pending == n
    return codes


def _on_login_page(gui: Gui) -> bool:
    return gui.window.pages.currentWidget() is gui.window.login_view


def test_logout_with_pending_leads_needs_two_confirmations(gui: Gui, emulator: Any) -> None:
    (code,) = _scan_offline(gui, emulator)

    seen = _answer(gui, ["Cancel"], gui.window.logout).seen
    assert "1 lead is not on the server yet" in seen[0]
    assert gui.booth.logged_in and not _on_login_page(gui)

    seen = _answer(gui, ["Log out anyway…", "Cancel"], gui.window.logout).seen
    assert "stay saved" in seen[1]
    assert gui.booth.logged_in and not _on_login_page(gui)  # second "no": nothing happened

    _answer(gui, ["Log out anyway…", "Log out"], gui.window.logout)
    gui.qtbot.waitUntil(lambda: _on_login_page(gui), timeout=WAIT_MS)
    assert not gui.booth.logged_in
    assert "wait on this computer" in gui.window.login_view.notice.text()
    assert gui.booth.lead(code) is not None  # nothing deleted

    emulator.start()  # back online, same account again: the kept lead uploads
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    gui.wait_synced()
    assert len(server_leads(emulator)) == 1


def test_logout_button_in_settings_when_everything_is_uploaded(gui: Gui, emulator: Any) -> None:
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    gui.type_code(emulator.attendees[0]["secret"])
    gui.wait_synced()
    gui.window.show_settings()
    view = gui.window.settings_view
    assert emulator.exhibitor["name"] in view.account.text()
    seen = _answer(gui, ["Log out"],
                   lambda: gui.qtbot.mouseClick(view.logout, Qt.MouseButton.LeftButton)).seen
    assert "Every lead is uploaded" in seen[0]
    gui.qtbot.waitUntil(lambda: _on_login_page(gui), timeout=WAIT_MS)
    assert not gui.booth.logged_in and len(gui.booth.leads()) == 1


def test_wipe_offers_sync_first_then_deletes_after_upload(gui: Gui, emulator: Any) -> None:
    codes = _scan_offline(gui, emulator, n=2)
    gui.window.show_settings()
    wipe_button = gui.window.settings_view.wipe

    seen = _answer(gui, ["Delete anyway…", "Cancel"],
                   lambda: gui.qtbot.mouseClick(wipe_button, Qt.MouseButton.LeftButton)).seen
    assert "2 leads are not on the server yet" in seen[0]
    assert "lost for good" in seen[1]
    assert len(gui.booth.leads()) == 2  # second "no": nothing deleted

    emulator.start()
    _answer(gui, ["Sync now"], gui.window.wipe)
    gui.wait_synced()
    assert len(gui.booth.leads()) == 2

    seen = _answer(gui, ["Delete"], gui.window.wipe).seen  # now all on the server: one question
    assert "Every lead is on the server" in seen[0]
    gui.qtbot.waitUntil(lambda: _on_login_page(gui), timeout=WAIT_MS)
    assert gui.booth.leads() == [] and not gui.booth.logged_in
    assert "2 leads deleted" in gui.window.login_view.notice.text()
    assert {lead["attendee_order"] for lead in server_leads(emulator)} == {
        a["order_code"] for a in emulator.attendees if a["secret"] in codes}


def test_wipe_of_leads_the_server_lacks_takes_two_yeses(gui: Gui, emulator: Any) -> None:
    _scan_offline(gui, emulator)
    _answer(gui, ["Delete anyway…", "Delete"], gui.window.wipe)
    gui.qtbot.waitUntil(lambda: _on_login_page(gui), timeout=WAIT_MS)
    assert gui.booth.leads() == []


def test_automatic_wipe_setting_and_run(gui: Gui, emulator: Any) -> None:
    emulator.server.set_event(end_date="2020-06-01T18:00:00+00:00")  # the show is long over
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    emulator.stop()
    gui.type_code(emulator.attendees[0]["secret"])
    gui.wait_idle()

    gui.window.show_settings()
    view = gui.window.settings_view
    assert not view.auto_wipe.isChecked() and not view.auto_wipe_days.isEnabled()
    view.auto_wipe.setChecked(True)
    view.auto_wipe_days.setValue(3)
    gui.qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
    gui.wait_idle()
    assert gui.booth.auto_wipe_days == 3
    # due, but the lead is not on the server: postponed, nothing deleted, the user is told
    assert len(gui.booth.leads()) == 1
    assert "postponed" in gui.window.scan_view.message.text()

    emulator.start()
    gui.window.sync.kick(force=True)
    gui.wait_synced()
    gui.window.check_auto_wipe()
    gui.qtbot.waitUntil(lambda: _on_login_page(gui), timeout=WAIT_MS)
    assert gui.booth.leads() == []
    assert "1 lead removed" in gui.window.login_view.notice.text()

    gui.window.show_settings()  # the choice itself is kept for the next show
    assert view.auto_wipe.isChecked() and view.auto_wipe_days.value() == 3


def test_scan_during_the_question_is_asked_about_again(gui: Gui, emulator: Any) -> None:
    """The USB scanner works under dialogs: a lead saved after the person agreed to delete N
    is not silently deleted with them; the app asks again with the new count."""
    _scan_offline(gui, emulator, n=2)  # the person agreed to lose 1; a 2nd arrived meanwhile
    seen = _answer(gui, ["Cancel"], lambda: gui.window._wipe(delete_not_uploaded=True,
                                                              confirmed=1)).seen
    assert "1 more lead was scanned" in seen[0]
    assert len(gui.booth.leads()) == 2 and gui.booth.logged_in
    _answer(gui, ["Delete anyway"], lambda: gui.window._wipe(delete_not_uploaded=True,
                                                              confirmed=1))
    gui.qtbot.waitUntil(lambda: _on_login_page(gui), timeout=WAIT_MS)
    assert gui.booth.leads() == []
