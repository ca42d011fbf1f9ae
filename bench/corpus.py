"""A generated corpus of badge photos for the decoding benchmark.

Each sample is a camera frame (720p or 1080p) showing a badge card with a QR code, damaged
the way booth cameras damage it. Everything is derived from a seed, so runs are comparable.

    from bench.corpus import generate
    for s in generate(seed=1, per_condition=10): ...  # s.frame (BGR), s.expected (str)
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
import segno

ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RESOLUTIONS = {"720p": (1280, 720), "1080p": (1920, 1080)}
CONDITIONS = (
    "clean",
    "blur",
    "motion",
    "tilt",
    "perspective",
    "glare",
    "low_contrast",
    "small",
    "noise",
    "jpeg",
    "inverted",
)
UTF8_NAMES = ["Müller-42", "Associação", "Łódź Expo", "Ærøskøbing", "東京-7", "Ελλάδα", "İstanbul Çay"]


@dataclass
class Sample:
    frame: np.ndarray  # BGR uint8
    expected: str  # the code text that must come out
    raw: bytes  # the bytes in the QR
    condition: str
    resolution: str
    payload_kind: str  # ticket | utf8 | binary


def payload(rng: np.random.Generator, i: int) -> tuple[str, bytes]:
    """Mostly ticket secrets; every 5th a UTF-8 text, every 7th binary bytes."""
    if i % 7 == 3:
        raw = bytes(rng.integers(0, 256, int(rng.integers(12, 40))).astype(np.uint8))
        if raw.decode("latin-1").isprintable():
            raw = b"\x00\x01" + raw
        return "binary", raw
    if i % 5 == 2:
        text = UTF8_NAMES[int(rng.integers(len(UTF8_NAMES)))] + "-" + str(int(rng.integers(1, 999)))
        return "utf8", text.encode("utf-8")
    return "ticket", "".join(ALPHABET[int(k)] for k in rng.integers(0, len(ALPHABET), 32)).encode()


def expected_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def qr_modules(raw: bytes) -> np.ndarray:
    q = segno.make_qr(raw, mode="byte", eci=False, error="m", boost_error=False)
    return np.array(q.matrix, dtype=np.uint8)


def render_badge(raw: bytes, module_px: float, rng: np.random.Generator, *, inverted: bool,
                 contrast: float, glare: bool = False) -> np.ndarray:
    """A badge card (BGR) with a coloured header, text bars and the QR code."""
    m = qr_modules(raw)
    n = m.shape[0] + 8  # quiet zone of 4 modules
    qr_px = max(8, int(round(n * module_px)))
    card_w = int(qr_px * 1.5)
    card_h = int(qr_px * 2.1)
    if inverted:
        base = np.array([90, 40, 20], np.float32)  # navy (BGR)
        light = np.array([250, 250, 250], np.float32)
    else:
        base = np.array([245, 245, 242], np.float32)
        light = base
    card = np.empty((card_h, card_w, 3), np.float32)
    card[:] = base
    header = rng.integers(40, 220, 3).astype(np.float32)
    card[: int(card_h * 0.16)] = header
    for k in range(3):  # name / company lines as bars
        y = int(card_h * (0.2 + 0.06 * k))
        card[y : y + max(2, card_h // 40), card_w // 8 : card_w // 8 + int(card_w * (0.7 - 0.15 * k))] = (
            60 if not inverted else 230
        )
    # QR, dark modules on light (or light on navy when inverted)
    q = np.pad(m, 4)
    q = cv2.resize(q, (qr_px, qr_px), interpolation=cv2.INTER_NEAREST).astype(bool)
    qx = (card_w - qr_px) // 2
    qy = int(card_h * 0.40)
    dark = np.array([20, 20, 20], np.float32)
    paper = base if inverted else light
    ink = light if inverted else dark  # inverted: light modules printed on navy
    mid = (paper + ink) / 2
    ink_c, paper_c = mid + (ink - mid) * contrast, mid + (paper - mid) * contrast
    region = card[qy : qy + qr_px, qx : qx + qr_px]
    region[:] = np.where(q[..., None], ink_c, paper_c)
    if glare:  # a specular highlight off the badge sleeve, over part of the code
        yy, xx = np.mgrid[0:card_h, 0:card_w].astype(np.float32)
        cx = qx + float(rng.uniform(0.2, 0.8)) * qr_px
        cy = qy + float(rng.uniform(0.2, 0.8)) * qr_px
        r = float(rng.uniform(0.12, 0.22)) * qr_px
        spot = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))[..., None]
        card = card + spot * float(rng.uniform(170, 260))
    return np.clip(card, 0, 255).astype(np.uint8)


def background(size: tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    w, h = size
    ends = rng.integers(30, 200, (2, 1, 3)).astype(np.uint8)
    img = cv2.resize(ends, (w, h), interpolation=cv2.INTER_LINEAR)  # vertical gradient
    for _ in range(6):  # clutter: booth furniture, people
        x0, y0 = int(rng.integers(0, w)), int(rng.integers(0, h))
        x1, y1 = x0 + int(rng.integers(50, w // 2)), y0 + int(rng.integers(50, h // 2))
        cv2.rectangle(img, (x0, y0), (x1, y1), [int(v) for v in rng.integers(0, 255, 3)], -1)
    return img


def place(frame: np.ndarray, card: np.ndarray, rng: np.random.Generator, *, angle: float,
          persp: float) -> np.ndarray:
    """Warp the card into the frame: rotation and a perspective tilt, random position."""
    h, w = frame.shape[:2]
    ch, cw = card.shape[:2]
    src = np.float32([[0, 0], [cw, 0], [cw, ch], [0, ch]])
    # perspective: shrink one side
    d = persp * cw
    dst = np.float32([[0, d * 0.5], [cw, 0], [cw, ch], [0, ch - d * 0.5]])
    if rng.random() < 0.5:
        dst = np.float32([[0, 0], [cw, d * 0.5], [cw, ch - d * 0.5], [0, ch]])
    a = math.radians(angle)
    rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]], np.float32)
    centre = dst.mean(axis=0)
    dst = (dst - centre) @ rot.T
    span = dst.max(axis=0) - dst.min(axis=0)
    scale = min(1.0, 0.9 * w / span[0], 0.9 * h / span[1])
    dst *= scale
    lo = -dst.min(axis=0)
    room = np.array([w, h], np.float32) - (dst.max(axis=0) - dst.min(axis=0))
    offset = lo + rng.random(2).astype(np.float32) * np.maximum(room, 1)
    dst = dst + offset
    mtx = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    warped = cv2.warpPerspective(card, mtx, (w, h), flags=cv2.INTER_LINEAR)
    mask = cv2.warpPerspective(np.full((ch, cw), 255, np.uint8), mtx, (w, h), flags=cv2.INTER_LINEAR)
    out = frame.copy()
    cv2.copyTo(warped, (mask > 127).astype(np.uint8), out)
    return out


def damage(img: np.ndarray, condition: str, rng: np.random.Generator) -> np.ndarray:
    if condition == "blur":
        return cv2.GaussianBlur(img, (0, 0), float(rng.uniform(1.5, 2.8)))
    if condition == "motion":
        k = int(rng.integers(7, 13))
        kernel = np.zeros((k, k), np.float32)
        kernel[k // 2, :] = 1.0 / k
        rot = cv2.getRotationMatrix2D((k / 2 - 0.5, k / 2 - 0.5), float(rng.uniform(0, 180)), 1.0)
        kernel = cv2.warpAffine(kernel, rot, (k, k))
        kernel /= kernel.sum()
        return cv2.filter2D(img, -1, kernel)
    if condition == "noise":
        noise = rng.normal(0, float(rng.uniform(14, 24)), img.shape)
        return np.clip(img.astype(np.float32) + noise, 0, 255).astype(np.uint8)
    if condition == "jpeg":
        q = int(rng.integers(12, 28))
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
        return cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return img


def make_sample(i: int, condition: str, resolution: str, rng: np.random.Generator) -> Sample:
    kind, raw = payload(rng, i)
    size = RESOLUTIONS[resolution]
    h = size[1]
    # module size in pixels: a badge at arm's length on a 720p webcam is ~3-5 px per module
    module = float(rng.uniform(3.0, 5.0)) * h / 720
    angle = float(rng.uniform(-12, 12))
    persp = float(rng.uniform(0.0, 0.08))
    contrast = 1.0
    if condition == "small":
        module = float(rng.uniform(1.6, 2.3)) * h / 720
    elif condition == "tilt":
        angle = float(rng.choice([-1, 1]) * rng.uniform(25, 60))
    elif condition == "perspective":
        persp = float(rng.uniform(0.2, 0.38))
    elif condition == "low_contrast":
        contrast = float(rng.uniform(0.18, 0.32))
    card = render_badge(raw, module, rng, inverted=condition == "inverted", contrast=contrast,
                        glare=condition == "glare")
    frame = place(background(size, rng), card, rng, angle=angle, persp=persp)
    frame = damage(frame, condition, rng)
    if condition != "noise":  # every camera has a little sensor noise
        frame = cv2.subtract(cv2.add(frame, rng.integers(0, 7, frame.shape, dtype=np.uint8)), (3, 3, 3, 0))
    return Sample(frame, expected_text(raw), raw, condition, resolution, kind)


def generate(seed: int = 1, per_condition: int = 8,
             conditions: tuple[str, ...] = CONDITIONS,
             resolutions: tuple[str, ...] = tuple(RESOLUTIONS)) -> Iterator[Sample]:
    """`per_condition` frames for every condition and resolution."""
    rng = np.random.default_rng(seed)
    i = 0
    for res in resolutions:
        for cond in conditions:
            for _ in range(per_condition):
                yield make_sample(i, cond, res, rng)
                i += 1


def empty_frames(seed: int = 2, per_resolution: int = 5) -> Iterator[tuple[str, np.ndarray]]:
    """Frames with no badge (most of what a booth camera sees): decoding cost and junk."""
    rng = np.random.default_rng(seed)
    for res, size in RESOLUTIONS.items():
        for _ in range(per_resolution):
            frame = background(size, rng)
            frame = cv2.subtract(cv2.add(frame, rng.integers(0, 7, frame.shape, dtype=np.uint8)), (3, 3, 3, 0))
            yield res, frame


def write(out_dir: str, **kw: object) -> int:
    """Write the corpus as PNGs plus an index (for looking at it, or `leadscan decode`)."""
    import csv
    from pathlib import Path

    d = Path(out_dir)
    d.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(d / "index.csv", "w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh)
        wr.writerow(["file", "resolution", "condition", "kind", "raw_hex"])
        for n, s in enumerate(generate(**kw), 1):  # type: ignore[arg-type]
            name = f"{n:04d}_{s.resolution}_{s.condition}.png"
            cv2.imwrite(str(d / name), s.frame)
            wr.writerow([name, s.resolution, s.condition, s.payload_kind, s.raw.hex()])
    return n


if __name__ == "__main__":
    import sys

    print(write(sys.argv[1] if len(sys.argv) > 1 else "bench/out/corpus", per_condition=3))
