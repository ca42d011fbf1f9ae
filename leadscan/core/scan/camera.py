"""Frames from a camera, a video file or an image folder: always the newest, never blocking.

`FrameSource` runs a supervisor thread that owns one "session" thread at a time: the session
opens the capture (slow drivers may take 20 s: nobody waits for it) and reads frames as fast
as they come, keeping only the last one (K20: a decoder running at 5 fps on a 30 fps camera
sees the newest frame, not a queue). The supervisor notices a session that stops producing
frames — reads fail, a read hangs, or a live camera repeats the identical frame — within
`stall_timeout_s` (K21), says so, abandons the session (a hung driver call cannot be killed;
its thread exits when the call returns) and opens a new one after a backoff. A chosen camera
that is missing is reported as such and retried; it is never replaced by another one.

Video files play at their own frame rate (optionally looping), so recorded video can stand
in for a camera in demos and tests.
"""

from __future__ import annotations

import enum
import logging
import os
import re
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from leadscan.core.errors import CameraError

log = logging.getLogger("leadscan.scan.camera")

IMAGE_SUFFIXES = frozenset(".png .jpg .jpeg .bmp .tif .tiff .webp .pgm .ppm".split())


class Capture(Protocol):
    """The part of cv2.VideoCapture we use (tests substitute a fake for a physical camera)."""

    def isOpened(self) -> bool: ...  # noqa: N802 - OpenCV's name
    def read(self) -> tuple[bool, Any]: ...
    def release(self) -> None: ...
    def get(self, prop: int) -> float: ...


class SourceState(enum.StrEnum):
    OPENING = "opening"
    RUNNING = "running"
    DISCONNECTED = "disconnected"  # was running, frames stopped; reconnecting by itself
    UNAVAILABLE = "unavailable"  # could not be opened (missing, busy, no permission); retrying
    ENDED = "ended"  # a video/folder without loop has played to its end
    FAILED = "failed"  # permanent: e.g. the video file does not exist
    STOPPED = "stopped"


@dataclass(frozen=True)
class Frame:
    image: np.ndarray  # BGR (or grey) uint8
    seq: int  # 1, 2, 3, ... per source, across reconnects
    t: float  # monotonic time the frame was grabbed


@dataclass(frozen=True)
class CameraInfo:
    index: int
    name: str


# --- camera discovery ---------------------------------------------------------------------


def list_cameras(max_probe: int = 4) -> list[CameraInfo]:
    """Cameras present, best effort. On Linux from sysfs (no device is opened); elsewhere by
    probing indexes 0..max_probe-1, which opens each device briefly."""
    sysfs = Path("/sys/class/video4linux")
    if sys.platform.startswith("linux"):
        out = []
        if sysfs.is_dir():
            for dev in sorted(sysfs.glob("video*"), key=lambda p: _natural_index(p.name)):
                idx = _natural_index(dev.name)
                if not _is_capture_node(dev):
                    continue
                try:
                    name = (dev / "name").read_text(encoding="utf-8", errors="replace").strip()
                except OSError:
                    name = dev.name
                out.append(CameraInfo(idx, name or dev.name))
        return out
    import cv2

    found = []
    for idx in range(max_probe):
        cap = cv2.VideoCapture(idx)
        try:
            if cap.isOpened():
                found.append(CameraInfo(idx, f"Camera {idx}"))
        finally:
            cap.release()
    return found


def _natural_index(name: str) -> int:
    m = re.search(r"(\d+)$", name)
    return int(m.group(1)) if m else 1 << 30


def _is_capture_node(dev: Path) -> bool:
    # UVC cameras expose a second node per camera for metadata (index 1); skip those.
    try:
        return (dev / "index").read_text().strip() in ("", "0")
    except OSError:
        return True


def resolve_camera(name_or_index: int | str, cameras: Iterable[CameraInfo] | None = None) -> int:
    """Camera index for an index or a (part of a) camera name. Missing -> CameraError."""
    if isinstance(name_or_index, int) or str(name_or_index).isdigit():
        return int(name_or_index)
    cams = list(list_cameras() if cameras is None else cameras)
    wanted = str(name_or_index).casefold()
    for cam in cams:
        if cam.name.casefold() == wanted:
            return cam.index
    for cam in cams:
        if wanted in cam.name.casefold():
            return cam.index
    have = ", ".join(c.name for c in cams) or "none"
    raise CameraError(f"The camera '{name_or_index}' is not connected (cameras found: {have}).")


def describe_open_failure(index: int) -> str:
    """A readable reason why camera `index` did not open."""
    dev = Path(f"/dev/video{index}")
    if sys.platform.startswith("linux"):
        if not dev.exists():
            return f"No camera found at index {index}: is it plugged in?"
        if not os.access(dev, os.R_OK | os.W_OK):
            return f"No permission to use camera {index} ({dev}): add your user to the 'video' group."
        return f"Camera {index} could not be opened: it may be in use by another program."
    return (
        f"Camera {index} could not be opened: not connected, in use by another program, "
        "or the app has no permission to use the camera (check the system privacy settings)."
    )


# --- sources ------------------------------------------------------------------------------


class _FolderCapture:
    """An image folder (or a single image) as a capture: one image per read, in name order."""

    def __init__(self, files: list[Path]) -> None:
        self._files = files
        self._i = 0

    def isOpened(self) -> bool:  # noqa: N802
        return bool(self._files)

    def read(self) -> tuple[bool, Any]:
        import cv2

        while self._i < len(self._files):
            p = self._files[self._i]
            self._i += 1
            img = cv2.imdecode(np.fromfile(str(p), dtype=np.uint8), cv2.IMREAD_COLOR)
            if img is not None:
                return True, img
        return False, None

    def release(self) -> None:
        self._files = []

    def get(self, prop: int) -> float:
        return 0.0


class _Closed:
    """A capture that did not open (a missing device we did not even try)."""

    def isOpened(self) -> bool:  # noqa: N802
        return False

    def read(self) -> tuple[bool, Any]:
        return False, None

    def release(self) -> None:
        pass

    def get(self, prop: int) -> float:
        return 0.0


def _open_cv(source: int | str, width: int | None, height: int | None) -> Capture:
    import cv2

    if isinstance(source, int) and sys.platform.startswith("linux"):
        if not Path(f"/dev/video{source}").exists():
            return _Closed()  # spares OpenCV's probing of every backend (and its log noise)
        cap = cv2.VideoCapture(source, cv2.CAP_V4L2)
    else:
        cap = cv2.VideoCapture(source)
    if isinstance(source, int) and cap.isOpened():
        cap.set(cv2.CAP_PROP_BUFFERSIZE, 1)
        if width:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height:
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, height)
    return cap


# --- FrameSource --------------------------------------------------------------------------

StatusCallback = Callable[[SourceState, str], None]


class FrameSource:
    """Newest-frame source over a camera index, video file, image folder or single image.

    `start()` returns at once; frames arrive via `latest()`. `on_status(state, message)` is
    called from a worker thread on every state change (the GUI marshals it to its thread).

    `opener` (tests): a callable returning a `Capture`, used instead of OpenCV. It is called
    in a worker thread and may block as long as it likes.
    """

    def __init__(
        self,
        source: int | str | Path,
        *,
        width: int | None = None,
        height: int | None = None,
        fps: float | None = None,
        loop: bool = False,
        open_timeout_s: float = 5.0,
        stall_timeout_s: float = 2.0,
        detect_frozen: bool | None = None,
        backoff_s: tuple[float, float] = (0.5, 8.0),
        opener: Callable[[], Capture] | None = None,
        on_status: StatusCallback | None = None,
    ) -> None:
        self.source = source
        self.kind, self._target = self._classify(source)
        self.width, self.height = width, height
        self.loop = loop
        self.open_timeout_s = open_timeout_s
        self.stall_timeout_s = stall_timeout_s
        # A live camera always has sensor noise: identical frames mean a frozen driver.
        # A video or image folder may legitimately repeat frames.
        self.detect_frozen = (self.kind == "camera") if detect_frozen is None else detect_frozen
        self.backoff_s = backoff_s
        self._opener = opener
        self._on_status = on_status
        self._fps = fps

        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._seq = 0
        self._state = SourceState.STOPPED
        self._message = ""
        self._stop = threading.Event()
        self._gen = 0  # session generation; a session whose generation is stale exits
        self._session_state: dict[str, Any] = {}
        self._supervisor: threading.Thread | None = None
        self.frame_rate: float | None = None  # of the open source, when known

    # public API ---------------------------------------------------------------------------

    @property
    def state(self) -> SourceState:
        return self._state

    @property
    def message(self) -> str:
        return self._message

    def start(self) -> None:
        if self._supervisor is not None:
            return
        self._stop.clear()
        self._set_state(SourceState.OPENING, f"Opening {self.describe()}…")
        self._supervisor = threading.Thread(target=self._supervise, name="leadscan-camera", daemon=True)
        self._supervisor.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop and release. Returns within `timeout` even if a driver call hangs."""
        self._stop.set()
        with self._cond:
            self._gen += 1
            self._cond.notify_all()
        if self._supervisor is not None:
            self._supervisor.join(timeout)
            self._supervisor = None
        self._set_state(SourceState.STOPPED, "Camera stopped")

    def latest(self, timeout: float | None = None, after_seq: int = 0) -> Frame | None:
        """The newest frame with seq > after_seq, waiting up to `timeout` s for one (None: no wait)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                f = self._frame
                if f is not None and f.seq > after_seq:
                    return f
                if deadline is None or self._stop.is_set():
                    return None
                if self._state in (SourceState.ENDED, SourceState.FAILED):
                    return None
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def wait_state(self, states: Iterable[SourceState], timeout: float) -> bool:
        """Block until the state is one of `states` (for tests and the CLI)."""
        wanted = set(states)
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._state not in wanted:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def describe(self) -> str:
        if self.kind == "camera":
            return f"camera {self._target}"
        return f"{self.kind} {self._target}"

    def __enter__(self) -> FrameSource:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # internals ----------------------------------------------------------------------------

    @staticmethod
    def _classify(source: int | str | Path) -> tuple[str, Any]:
        if isinstance(source, int) or (isinstance(source, str) and source.isdigit()):
            return "camera", int(source)
        p = Path(source)
        if p.is_dir():
            return "folder", p
        if p.suffix.lower() in IMAGE_SUFFIXES:
            return "image", p
        return "video", p

    def _set_state(self, state: SourceState, message: str) -> None:
        with self._cond:
            changed = (state, message) != (self._state, self._message)
            self._state, self._message = state, message
            self._cond.notify_all()
        if changed:
            log.info("camera source %s: %s", state, message)
            if self._on_status is not None:
                try:
                    self._on_status(state, message)
                except Exception:
                    log.exception("camera status callback failed")

    def _make_capture(self) -> Capture:
        if self._opener is not None:
            return self._opener()
        if self.kind == "camera":
            return _open_cv(self._target, self.width, self.height)
        if self.kind == "folder":
            files = sorted(
                (p for p in self._target.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES), key=lambda p: p.name
            )
            return _FolderCapture(files)
        if self.kind == "image":
            return _FolderCapture([self._target])
        return _open_cv(str(self._target), None, None)

    def _check_target(self) -> str | None:
        """A permanent problem with a file source (no point retrying), else None."""
        if self.kind == "camera" or self._opener is not None:
            return None
        p: Path = self._target
        if not p.exists():
            return f"{p}: file or folder not found"
        if self.kind == "folder" and not any(q.suffix.lower() in IMAGE_SUFFIXES for q in p.iterdir()):
            return f"{p}: the folder holds no images"
        return None

    def _supervise(self) -> None:
        delay = self.backoff_s[0]
        problem = self._check_target()
        if problem:
            self._set_state(SourceState.FAILED, problem)
            return
        while not self._stop.is_set():
            outcome = self._run_session()
            if self._stop.is_set():
                return
            if outcome == "ended":
                self._set_state(SourceState.ENDED, f"End of {self.describe()}")
                return
            if outcome == "failed-file":
                return
            if outcome == "had-frames":
                delay = self.backoff_s[0]
            # wait out the backoff (interruptible), then try again
            self._stop.wait(delay)
            delay = min(delay * 2, self.backoff_s[1])

    def _run_session(self) -> str:
        """Open one session and watch it. Returns "ended", "had-frames", "no-frames", "failed-file"."""
        with self._cond:
            self._gen += 1
            gen = self._gen
        shared: dict[str, Any] = {"opened": None, "error": None, "last_t": None, "frames": 0, "ended": False}
        t = threading.Thread(target=self._session, args=(gen, shared), name=f"leadscan-capture-{gen}", daemon=True)
        started = time.monotonic()
        t.start()
        slow_said = False
        with self._cond:
            while not self._stop.is_set():
                if shared["ended"]:
                    return "ended"
                if shared["opened"] is False:
                    msg = shared["error"] or "could not be opened"
                    if self.kind == "video" and self._opener is None:
                        self._set_state(SourceState.FAILED, msg)
                        return "failed-file"
                    self._set_state(SourceState.UNAVAILABLE, msg)
                    return "no-frames"
                now = time.monotonic()
                if shared["opened"] is None:
                    if not slow_said and now - started > self.open_timeout_s:
                        slow_said = True
                        self._set_state(
                            SourceState.OPENING,
                            f"The {self.describe()} is slow to open; still trying. "
                            "The USB scanner and typing work meanwhile.",
                        )
                    self._cond.wait(0.25)
                    continue
                last = shared["last_t"] or started
                if now - last > self.stall_timeout_s:
                    kind = shared.get("why") or "no frames"
                    self._gen += 1  # abandon this session; it releases when its call returns
                    self._cond.notify_all()
                    self._set_state(
                        SourceState.DISCONNECTED,
                        f"Camera disconnected ({kind}); reconnecting by itself…",
                    )
                    return "had-frames" if shared["frames"] else "no-frames"
                self._cond.wait(min(0.25, self.stall_timeout_s / 4))
        return "no-frames"

    def _session(self, gen: int, shared: dict[str, Any]) -> None:
        def alive() -> bool:
            return gen == self._gen and not self._stop.is_set()

        cap: Capture | None = None
        try:
            try:
                cap = self._make_capture()
                ok = cap.isOpened()
            except Exception as exc:  # driver errors
                ok, shared["error"] = False, f"{self.describe()} could not be opened: {exc}"
            if not ok:
                if not shared["error"]:
                    if self.kind == "camera":
                        shared["error"] = describe_open_failure(self._target)
                    else:
                        shared["error"] = f"{self._target}: not a video file that can be played"
            with self._cond:
                shared["opened"] = ok
                self._cond.notify_all()
            if not ok or not alive():
                return
            fps = self._fps or _capture_fps(cap) or (5.0 if self.kind in ("folder", "image") else None)
            pace = self.kind != "camera" and fps is not None
            self.frame_rate = fps
            self._set_state(SourceState.RUNNING, f"{self.describe().capitalize()} running")
            t0 = time.monotonic()
            n = 0
            last_sig: int | None = None
            same_since: float | None = None
            while alive():
                try:
                    ok, img = cap.read()
                except Exception as exc:  # a driver error is a failed read, not a crash
                    log.warning("reading from %s failed: %s", self.describe(), exc)
                    ok, img = False, None
                now = time.monotonic()
                if not alive():
                    return
                if not ok or img is None:
                    if self.kind != "camera":
                        if self.loop and n > 0:
                            cap.release()
                            cap = self._make_capture()
                            continue
                        with self._cond:
                            shared["ended"] = True
                            self._cond.notify_all()
                        return
                    shared["why"] = "no frames"
                    self._stop.wait(0.05)  # failing reads: do not spin
                    continue
                n += 1
                if self.detect_frozen:
                    sig = _signature(img)
                    if sig == last_sig:
                        same_since = same_since or now
                        shared["why"] = "the picture is frozen"
                        self._stop.wait(0.02)
                        continue  # not a new frame: last_t is not refreshed
                    last_sig, same_since = sig, None
                with self._cond:
                    self._seq += 1
                    self._frame = Frame(img, self._seq, now)
                    shared["last_t"] = now
                    shared["frames"] += 1
                    self._cond.notify_all()
                if pace:
                    # play at the file's own rate; sleep until the next frame is due
                    due = t0 + n / fps
                    wait = due - time.monotonic()
                    if wait > 0:
                        self._stop.wait(wait)
        finally:
            if cap is not None:
                try:
                    cap.release()
                except Exception:
                    log.debug("release failed", exc_info=True)


def _capture_fps(cap: Capture) -> float | None:
    try:
        import cv2

        fps = float(cap.get(cv2.CAP_PROP_FPS))
    except Exception:
        return None
    return fps if 0 < fps < 1000 else None


def _signature(img: np.ndarray) -> int:
    """Cheap fingerprint of a frame: identical frames from a live camera mean it froze."""
    return zlib.crc32(np.ascontiguousarray(img[::8, ::8]).tobytes())
