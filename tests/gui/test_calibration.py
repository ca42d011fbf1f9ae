"""USB scanner on the wrong keyboard layout (K10, K11): the calibration step in Settings,
through the real app, with real key events; the mapping is kept and applied after a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from guiharness import WAIT_MS, make_gui
from keys import key_events, send
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from leadscan.core.scan import layout
from leadscan.gui.calibration import CalibrationDialog

pytestmark = pytest.mark.gui


def _as_typed(text: str, os_layout: str) -> str:
    """What a US-layout scanner types on a computer set to `os_layout`."""
    return layout.apply(text, layout.invert(layout.PRESETS[os_layout]))


@pytest.mark.parametrize("os_layout, badge", [("de", "k7yzqa2m"), ("fr", "qz7ma2")])
def test_calibrate_once_then_codes_read_right(qtbot: Any, tmp_path: Path, emulator: Any,
                                              os_layout: str, badge: str) -> None:
    received = _as_typed(badge, os_layout)
    assert received != badge  # K10: k7zyqa2m, K11: awè,qé
    g = make_gui(qtbot, tmp_path / "booth")
    try:
        g.login(emulator.base_url, emulator.exhibitor["access_code"])
        w = g.window
        w.show_settings()
        view = w.settings_view
        qtbot.mouseClick(view.calibrate, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: any(isinstance(d, CalibrationDialog) and d.isVisible()
                                    for d in QApplication.topLevelWidgets()), timeout=WAIT_MS)
        dlg = next(d for d in QApplication.topLevelWidgets()
                   if isinstance(d, CalibrationDialog) and d.isVisible())
        # the scanner reads the test code on screen, typing it through the wrong layout
        send(key_events(_as_typed(layout.CALIBRATION_CODE, os_layout)), dlg)
        qtbot.waitUntil(lambda: dlg.mapping is not None, timeout=WAIT_MS)
        assert "keys are corrected" in dlg.result.text()
        dlg.accept()
        assert "Layout correction active" in view.calibration.text()
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
        g.wait_idle()

        send(key_events(received), w.scan_view.entry)
        qtbot.waitUntil(lambda: g.booth.lead(badge) is not None, timeout=WAIT_MS)
        assert g.booth.lead(received) is None
    finally:
        g.close()

    again = make_gui(qtbot, tmp_path / "booth")  # kept in settings.json across a restart
    try:
        qtbot.waitUntil(lambda: again.window.pages.currentWidget() is again.window.scan_view,
                        timeout=WAIT_MS)
        second = badge[::-1]
        send(key_events(_as_typed(second, os_layout)), again.window.scan_view.entry)
        qtbot.waitUntil(lambda: again.booth.lead(second) is not None, timeout=WAIT_MS)
    finally:
        again.close()


def test_wrong_test_scan_says_so_and_keeps_no_mapping(qtbot: Any, tmp_path: Path) -> None:
    g = make_gui(qtbot, tmp_path / "booth")
    try:
        dlg = CalibrationDialog(g.shell.wedge, g.window)
        dlg.show()
        send(key_events("k7yzqa2mbbb222"), dlg)  # a badge, not the test code
        qtbot.waitUntil(lambda: dlg.result.text() != "Waiting for the scan…", timeout=WAIT_MS)
        assert dlg.mapping is None
        dlg.accept()
    finally:
        g.close()


def test_scanner_prefix_setting_is_removed_from_codes(qtbot: Any, tmp_path: Path,
                                                     emulator: Any) -> None:
    g = make_gui(qtbot, tmp_path / "booth")
    try:
        g.login(emulator.base_url, emulator.exhibitor["access_code"])
        g.window.show_settings()
        view = g.window.settings_view
        view.prefix.setText("]Q")
        qtbot.mouseClick(view.save_button, Qt.MouseButton.LeftButton)
        g.wait_idle()
        code = emulator.attendees[2]["secret"]
        send(key_events("]Q" + code), g.window.scan_view.entry)
        qtbot.waitUntil(lambda: g.booth.lead(code) is not None, timeout=WAIT_MS)
        g.wait_synced()
        assert g.booth.lead(code).display_name == emulator.attendees[2]["name"]
    finally:
        g.close()
