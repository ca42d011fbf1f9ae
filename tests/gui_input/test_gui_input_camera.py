"""CameraWorker with a video file as camera (no physical camera needed)."""

import time

import pytest
from scan_qrgen import TICKET, badge_frame, blank_frame, write_video

from leadscan.gui.input.camera_worker import CameraWorker, to_qimage

pytestmark = pytest.mark.gui


def test_video_as_camera_emits_frames_and_codes(qtbot, tmp_path):
    frames = [blank_frame()] * 5 + [badge_frame(TICKET, angle=15)] * 20 + [blank_frame()] * 5
    video = write_video(tmp_path / "badges.avi", frames, fps=30)
    worker = CameraWorker(str(video))
    codes, images, statuses = [], [], []
    worker.code_scanned.connect(lambda c, d: codes.append((c, d)))
    worker.frame.connect(images.append)
    worker.status.connect(statuses.append)
    t0 = time.monotonic()
    worker.start()
    assert time.monotonic() - t0 < 0.2  # never blocks the UI thread
    qtbot.waitUntil(lambda: bool(codes), timeout=5000)
    qtbot.waitUntil(lambda: any("End of" in s for s in statuses), timeout=5000)
    worker.stop()
    assert [c for c, _ in codes] == [TICKET]
    assert codes[0][1] in ("zxing", "zbar", "opencv")
    assert images and images[0].width() <= 640 and not images[0].isNull()


def test_missing_camera_reported(qtbot):
    worker = CameraWorker(97)
    statuses = []
    worker.status.connect(statuses.append)
    worker.start()
    qtbot.waitUntil(lambda: any("no camera" in s.lower() for s in statuses), timeout=5000)
    worker.stop()


def test_unknown_camera_name_is_not_replaced(qtbot):
    worker = CameraWorker("Definitely Not A Camera 3000")
    statuses = []
    worker.status.connect(statuses.append)
    worker.start()
    assert worker.pipeline is None
    assert statuses and "not connected" in statuses[-1]


def test_to_qimage_downscales():
    img = to_qimage(badge_frame(TICKET, size=(1920, 1080)), 640)
    assert (img.width(), img.height()) == (640, 360)
