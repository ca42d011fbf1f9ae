"""What real data does to the layout and the editor: a long exhibitor name, a long code, a
huge paste into the notes. The window never grows past the screen; what is shown is saved."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from guiharness import WAIT_MS, Gui
from PySide6.QtWidgets import QApplication

from leadscan.core.booth import MAX_NOTES_LEN

pytestmark = pytest.mark.gui

LONG_NAME = "Fraunhofer-Institut für Produktionstechnik und Automatisierung IPA — Abteilung Robotik"


def _settle(gui: Gui) -> None:
    gui.wait_idle()
    for _ in range(5):
        QApplication.processEvents()


def test_long_exhibitor_name_is_cut_not_widening_the_window(gui: Gui, emulator: Any) -> None:
    url = f"{emulator.rest_url}exhibitors/{emulator.exhibitor['id']}/"
    r = httpx.patch(url, json={"name": LONG_NAME},
                    headers={"Authorization": f"Token {emulator.api_token}"}, timeout=10)
    assert r.status_code == 200, r.text
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    w = gui.window
    w.resize(1024, 700)
    _settle(gui)
    assert w.minimumSizeHint().width() <= 1024
    assert w.width() <= 1024
    assert w.title.toolTip().startswith(LONG_NAME)  # the whole name is still there to read


def test_long_code_wraps_inside_the_card(gui: Gui, emulator: Any) -> None:
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    w = gui.window
    w.resize(1280, 800)
    gui.type_code("ABCDEFGHIJ" * 30)
    _settle(gui)
    right = w.scan_view.right
    assert right.widget().width() <= right.viewport().width()
    assert w.width() <= 1280


def test_notes_paste_over_the_limit_keeps_what_fits_and_says_so(gui: Gui, emulator: Any) -> None:
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    code = emulator.attendees[0]["secret"]
    gui.type_code(code)
    editor = gui.window.scan_view.editor
    gui.qtbot.waitUntil(lambda: editor.code == code, timeout=WAIT_MS)
    editor.notes.setFocus()
    editor.notes.insertPlainText("x" * (MAX_NOTES_LEN + 500))  # like a paste
    assert len(editor.notes.toPlainText()) == MAX_NOTES_LEN
    assert "at most" in editor.saved.text()
    editor.flush()
    gui.wait_idle()
    assert len(gui.booth.lead(code).notes) == MAX_NOTES_LEN


def test_only_spaces_typed_is_explained_and_cleared(gui: Gui, emulator: Any) -> None:
    from PySide6.QtCore import Qt

    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    entry = gui.window.scan_view.entry
    entry.setText("    ")
    gui.qtbot.keyClick(entry, Qt.Key.Key_Return)
    gui.wait_idle()
    assert entry.text() == "" and "Nothing to save" in gui.window.scan_view.message.text()
    assert gui.booth.leads() == []
