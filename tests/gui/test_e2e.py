"""End to end (issue 2 "Done when"): badges seen by the camera pipeline -> leads saved ->
notes/rating/tags set in the editor with real clicks and keys -> the emulator holds each
lead once with those values. Then the same with the emulator down at first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from leadscan.core.models import SyncState

from badge_video import write_video
from guiharness import WAIT_MS, Gui, app_api_leads, by_attendee, server_leads

pytestmark = [pytest.mark.gui, pytest.mark.slow]

N_BADGES = 5


def edit_in_editor(gui: Gui, code: str, *, notes: str, rating: int, tags: list[str]) -> None:
    """Open the lead from the leads list (double-click) and edit it like a person would."""
    qtbot, w = gui.qtbot, gui.window
    qtbot.mouseClick(w.nav_leads, Qt.MouseButton.LeftButton)
    table, model = w.leads_view.table, w.leads_view.model
    qtbot.waitUntil(lambda: any(lead.code == code for lead in model.leads), timeout=WAIT_MS)
    row = next(i for i, lead in enumerate(model.leads) if lead.code == code)
    rect = table.visualRect(model.index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    editor = w.scan_view.editor
    qtbot.waitUntil(lambda: editor.code == code and w.pages.currentWidget() is w.scan_view,
                    timeout=WAIT_MS)
    qtbot.mouseClick(editor.rating_buttons[rating], Qt.MouseButton.LeftButton)
    for b in editor.tags.buttons:
        if b.text() in tags and not b.isChecked():
            qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(editor.notes.viewport(), Qt.MouseButton.LeftButton)
    editor.notes.setFocus()
    qtbot.keyClicks(editor.notes, notes, delay=40)  # a person types (> 35 ms a key), not a scanner burst
    # leaving the editor saves the note (also saved 600 ms after the last key)
    qtbot.mouseClick(w.nav_leads, Qt.MouseButton.LeftButton)
    gui.wait_idle()


def run_flow(gui: Gui, emulator: Any, tmp_path: Path, *, offline_first: bool) -> None:
    attendees = emulator.attendees[:N_BADGES]
    video = write_video(tmp_path / "badges.avi", attendees)
    gui.login(emulator.base_url, emulator.exhibitor["access_code"])
    if offline_first:
        emulator.stop()  # venue network down from here on

    played: list[str] = []
    gui.window.feedback.played.connect(played.append)
    gui.start_camera(str(video))
    codes = [a["secret"] for a in attendees]
    gui.qtbot.waitUntil(lambda: len(gui.booth.leads()) >= N_BADGES, timeout=60_000)
    gui.wait_idle()
    # K03: each badge is in view for ~24 frames, yet counts once with one beep
    assert played.count("new") + played.count("offline") == N_BADGES
    assert "again" not in played
    assert sorted(lead.code for lead in gui.booth.leads()) == sorted(codes)
    assert gui.window.scan_view.preview.frames > 0  # the preview showed the video

    tags = list(gui.booth.profile.tags)
    wanted = {}
    for i, code in enumerate(codes):
        values = {"notes": f"Talked about product {i}, wants a call", "rating": (i % 5) + 1,
                  "tags": [tags[i % len(tags)]]}
        wanted[code] = values
        edit_in_editor(gui, code, **values)

    local = {lead.code: lead for lead in gui.booth.leads()}
    for code, values in wanted.items():
        assert local[code].notes == values["notes"]
        assert local[code].rating == values["rating"]
        assert list(local[code].tags) == values["tags"]

    if offline_first:
        gui.qtbot.waitUntil(lambda: gui.window.status_line.status is not None
                            and gui.window.status_line.status.pending == N_BADGES, timeout=WAIT_MS)
        assert all(lead.state is SyncState.PENDING for lead in gui.booth.leads())
        gui.qtbot.waitUntil(lambda: "Offline" in gui.window.status_line.connection.text(),
                            timeout=WAIT_MS)
        assert f"{N_BADGES} waiting" in gui.window.status_line.pending.text()
        gui.window.show_leads()
        gui.qtbot.waitUntil(lambda: len(gui.window.leads_view.model.leads) == N_BADGES)
        assert "waiting" in gui.window.leads_view.summary.text()
        emulator.start()  # network back
        gui.qtbot.mouseClick(gui.window.status_line.sync_button, Qt.MouseButton.LeftButton)

    gui.wait_synced(timeout=60_000)
    gui.qtbot.waitUntil(lambda: "All uploaded" in gui.window.status_line.pending.text(),
                        timeout=WAIT_MS)

    grouped = by_attendee(emulator, server_leads(emulator))
    assert sorted(grouped) == sorted(codes)
    for code, values in wanted.items():
        (lead,) = grouped[code]  # exactly once
        assert lead["notes"] == values["notes"]
        assert lead["rating"] == values["rating"]
        assert lead["tags"] == values["tags"]
    assert len(app_api_leads(emulator)) == N_BADGES
    # the card shows what the server returned, with its labels
    card = gui.window.scan_view.card
    assert card.lead is not None and card.lead.fields


def test_camera_video_edit_and_upload(gui: Gui, emulator: Any, tmp_path: Path) -> None:
    run_flow(gui, emulator, tmp_path, offline_first=False)


def test_emulator_down_first_queues_then_uploads_once(gui: Gui, emulator: Any, tmp_path: Path) -> None:
    run_flow(gui, emulator, tmp_path, offline_first=True)
