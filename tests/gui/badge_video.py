"""Build a test video of emulator badges the way a booth camera sees them: straight, tilted,
in perspective, blurred and small, each held up for a moment, with empty frames between."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np

from leadscan.emulator.badges import render_badge

W, H = 1280, 720
FPS = 15.0
HOLD_FRAMES = 24  # 1.6 s per badge at 15 fps: ~24 decodes of the same badge -> one lead
GAP_FRAMES = 6
POSES = ("straight", "tilted", "perspective", "blurred", "small")


def _canvas() -> np.ndarray:
    img = np.full((H, W, 3), 90, np.uint8)  # a grey booth wall
    cv2.rectangle(img, (0, H - 120), (W, H), (60, 60, 70), -1)
    return img


def _place(badge: np.ndarray, scale: float) -> np.ndarray:
    bh, bw = badge.shape[:2]
    s = scale * (H - 40) / bh
    small = cv2.resize(badge, (int(bw * s), int(bh * s)), interpolation=cv2.INTER_AREA)
    img = _canvas()
    y = (H - small.shape[0]) // 2
    x = (W - small.shape[1]) // 2
    img[y : y + small.shape[0], x : x + small.shape[1]] = small
    return img


def pose(badge_rgb: np.ndarray, kind: str) -> np.ndarray:
    badge = cv2.cvtColor(badge_rgb, cv2.COLOR_RGB2BGR)
    if kind == "straight":
        return _place(badge, 1.0)
    if kind == "tilted":
        img = _place(badge, 0.85)
        m = cv2.getRotationMatrix2D((W / 2, H / 2), 22, 1.0)
        return cv2.warpAffine(img, m, (W, H), borderValue=(90, 90, 90))
    if kind == "perspective":
        img = _place(badge, 0.95)
        src = np.float32([[0, 0], [W, 0], [W, H], [0, H]])
        dst = np.float32([[80, 40], [W - 160, 0], [W - 60, H], [120, H - 30]])
        m = cv2.getPerspectiveTransform(src, dst)
        return cv2.warpPerspective(img, m, (W, H), borderValue=(90, 90, 90))
    if kind == "blurred":
        return cv2.GaussianBlur(_place(badge, 1.0), (7, 7), 1.6)
    if kind == "small":
        return _place(badge, 0.42)
    raise ValueError(kind)


def write_video(path: Path, attendees: list[dict[str, Any]], poses: tuple[str, ...] = POSES) -> Path:
    """One badge per attendee, cycling through `poses`; MJPG in an AVI container."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), FPS, (W, H))
    assert writer.isOpened(), "OpenCV cannot write MJPG video"
    try:
        blank = _canvas()
        for _ in range(GAP_FRAMES):
            writer.write(blank)
        for i, att in enumerate(attendees):
            frame = pose(np.asarray(render_badge(att)), poses[i % len(poses)])
            for _ in range(HOLD_FRAMES):
                writer.write(frame)
            for _ in range(GAP_FRAMES):
                writer.write(blank)
    finally:
        writer.release()
    return path
