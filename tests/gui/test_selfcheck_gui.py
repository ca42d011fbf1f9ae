"""The self-check in the app (issue: packaged app; K50): a missing library is named on the
scan screen and the app falls back instead of crashing; a Qt platform plugin that cannot
load is named before Qt would abort the process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from guiharness import WAIT_MS, make_gui
from standins import fake_missing_zxing, fake_pyzbar_without_libzbar

from leadscan import selfcheck
from leadscan.selfcheck import Finding

pytestmark = pytest.mark.gui

ROOT = Path(__file__).resolve().parents[2]
VIDEO_FRAMES = 45


def findings_without_decoders(tmp_path: Path) -> list[Finding]:
    """What the real self-check finds on a machine without libzbar and zxing-cpp (run in a
    subprocess with stand-ins that fail the way those packages do)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LEADSCAN_DATA_DIR=str(tmp_path / "sc"))
    env["PYTHONPATH"] = os.pathsep.join(
        [str(fake_pyzbar_without_libzbar(tmp_path)), str(fake_missing_zxing(tmp_path)), str(ROOT)])
    proc = subprocess.run([sys.executable, "-m", "leadscan.selfcheck", "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    rep = json.loads(proc.stdout)
    return [Finding(**{k: v for k, v in f.items() if k != "fatal"}) for f in rep["findings"]
            if f["component"] not in ("qt", "qt-platform", "qt-multimedia")]


def _video(tmp_path: Path) -> Path:
    import cv2
    import numpy as np

    path = tmp_path / "plain.avi"
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 15, (640, 480))
    for i in range(VIDEO_FRAMES):
        out.write(np.full((480, 640, 3), 40 + i, np.uint8))
    out.release()
    return path


def test_nothing_missing_no_notice(qtbot: Any, tmp_path: Path) -> None:
    g = make_gui(qtbot, tmp_path / "booth")
    try:
        qtbot.waitUntil(lambda: g.shell.findings is not None, timeout=WAIT_MS)
        assert all(f.ok for f in g.shell.findings), [f for f in g.shell.findings if not f.ok]
        assert g.window.scan_view.limits.isHidden()
    finally:
        g.close()


def test_no_decoder_scanner_only_banner_stays_while_the_camera_runs(
        qtbot: Any, tmp_path: Path, emulator: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = findings_without_decoders(tmp_path)
    assert any(f.component == "qr-decoders" and not f.ok for f in missing)
    monkeypatch.setattr(selfcheck, "check_decoders",
                        lambda: [f for f in missing if f.component != "data-dir"])
    g = make_gui(qtbot, tmp_path / "booth", camera=str(_video(tmp_path)))
    try:
        view = g.window.scan_view
        g.login(emulator.base_url, emulator.exhibitor["access_code"])
        qtbot.waitUntil(lambda: view.limits.isVisible(), timeout=WAIT_MS)
        text = view.limits_text.text()
        assert text.startswith("Scanner-only mode") and "zbar" in text and "zxing-cpp" in text
        # the camera's own status lines come and go; the notice stays
        qtbot.waitUntil(lambda: view.preview.frames > 5, timeout=WAIT_MS)
        assert view.limits.isVisible() and view.limits_text.text() == text
        # and the app falls back: typing (like the USB scanner) still saves leads
        g.type_code(emulator.attendees[0]["secret"])
        assert g.booth.lead(emulator.attendees[0]["secret"]) is not None
    finally:
        g.close()


@pytest.mark.parametrize("env, named", [
    ({"QT_QPA_PLATFORM": "nosuchplatform"}, "nosuchplatform: plugin not found"),
    ({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ""}, "no X11 display"),
])
def test_qt_platform_that_cannot_start_is_named_not_aborted(tmp_path: Path, env: dict[str, str],
                                                            named: str) -> None:
    e = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    e.update(env)
    e["LEADSCAN_DATA_DIR"] = str(tmp_path / "data")
    proc = subprocess.run([sys.executable, "-m", "leadscan", "--camera", "none"],
                          capture_output=True, text=True, env=e, timeout=120)
    assert proc.returncode == 1, proc.stderr
    assert "cannot open its window" in proc.stderr and named in proc.stderr
    assert "Traceback" not in proc.stderr
    log = (tmp_path / "data" / "leadscan.log").read_text(encoding="utf-8")
    assert named in log
