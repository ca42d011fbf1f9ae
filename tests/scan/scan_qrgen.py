"""Real QR images for the scan tests: segno encodes, numpy/OpenCV render badge-like frames."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import segno

TICKET = "k7yzqa2mbbb222cdefghjkmnpqrstuv9"  # 32 chars of the pretix alphabet


def qr_modules(data: bytes | str, *, error: str = "m") -> np.ndarray:
    """Module matrix (1 = dark) of a byte-mode QR without ECI, checked to hold `data`'s bytes."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    q = segno.make_qr(raw, mode="byte", eci=False, error=error, boost_error=False)
    assert q.mode == "byte"
    return np.array(q.matrix, dtype=np.uint8)


def qr_image(data: bytes | str, *, scale: int = 8, border: int = 4, invert: bool = False,
             dark: int = 0, light: int = 255) -> np.ndarray:
    """Grey image of the code (dark on light, or light on dark with invert=True)."""
    m = qr_modules(data)
    fg, bg = (light, dark) if invert else (dark, light)
    img = np.where(m > 0, fg, bg).astype(np.uint8)
    img = np.pad(img, border, constant_values=bg)
    return cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)


def badge_frame(data: bytes | str, *, size: tuple[int, int] = (640, 480), scale: int = 6,
                invert: bool = False, angle: float = 0.0, blur: float = 0.0,
                offset: tuple[int, int] = (0, 0), bg: int = 150) -> np.ndarray:
    """A BGR camera-like frame with the code somewhere on a grey background."""
    w, h = size
    frame = np.full((h, w), bg, np.uint8)
    code = qr_image(data, scale=scale, invert=invert, dark=30 if invert else 0)
    if angle:
        ch, cw = code.shape
        m = cv2.getRotationMatrix2D((cw / 2, ch / 2), angle, 1.0)
        side = int((cw**2 + ch**2) ** 0.5) + 2
        m[0, 2] += (side - cw) / 2
        m[1, 2] += (side - ch) / 2
        code = cv2.warpAffine(code, m, (side, side), borderValue=bg)
    ch, cw = code.shape
    x = (w - cw) // 2 + offset[0]
    y = (h - ch) // 2 + offset[1]
    frame[y : y + ch, x : x + cw] = code
    if blur:
        frame = cv2.GaussianBlur(frame, (0, 0), blur)
    return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR)


def write_video(path: Path, frames: list[np.ndarray], fps: float = 30.0) -> Path:
    """MJPG/AVI video (works with opencv-python-headless)."""
    h, w = frames[0].shape[:2]
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    assert vw.isOpened()
    for f in frames:
        vw.write(f if f.ndim == 3 else cv2.cvtColor(f, cv2.COLOR_GRAY2BGR))
    vw.release()
    return path


def blank_frame(size: tuple[int, int] = (640, 480), bg: int = 150) -> np.ndarray:
    return np.full((size[1], size[0], 3), bg, np.uint8)
