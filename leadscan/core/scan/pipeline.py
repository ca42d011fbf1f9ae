"""Camera -> codes: pull the newest frame, decode, drop noise and repeats, report new codes.

Runs in its own thread (Qt-free); the GUI wraps it in `gui/input/camera_worker.py`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from leadscan.core.scan import payload, qr
from leadscan.core.scan.camera import Frame, FrameSource
from leadscan.core.scan.dedupe import DEFAULT_WINDOW_S, SeenWindow

log = logging.getLogger("leadscan.scan.pipeline")


class ScanPipeline:
    """Decode the newest frames of `source`; call `on_code(decoded)` once per badge shown.

    - `on_frame(frame)` gets every frame that is decoded (for a preview), before decoding.
    - Codes outside the ticket alphabet must be seen in two frames within `confirm_s`
      (`payload.needs_confirmation`): a misread does not repeat.
    - A code seen again within `window_s` of its last sighting is ignored (`SeenWindow`).
    - `max_fps` caps the decode rate (None: as fast as decoding goes).
    - Fallback decoders (all but the first of `decoders`) run on every `fallback_every`-th
      frame only: they are slow (zbar ~100-200 ms on an empty 1080p frame against ~10 ms for
      zxing-cpp) and a badge stays in view for many frames, so the camera stays responsive.
    Callbacks run on the pipeline thread.
    """

    def __init__(
        self,
        source: FrameSource,
        on_code: Callable[[qr.Decoded], None],
        *,
        decoders: Sequence[str] | None = None,
        window_s: float = DEFAULT_WINDOW_S,
        confirm_s: float = 1.0,
        max_fps: float | None = None,
        fallback_every: int = 3,
        on_frame: Callable[[Frame], None] | None = None,
        seen: SeenWindow | None = None,
    ) -> None:
        self.source = source
        self.on_code = on_code
        self.on_frame = on_frame
        self.decoders = tuple(decoders) if decoders else None
        self.seen = seen or SeenWindow(window_s)
        self.confirm_s = confirm_s
        self.max_fps = max_fps
        self.fallback_every = max(1, fallback_every)
        self._pending: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.frames_decoded = 0
        self.last_decode_ms = 0.0

    def start(self) -> None:
        """Start the source (if not running) and the decode thread; returns at once."""
        if self._thread is not None:
            return
        self._stop.clear()
        self.source.start()
        self._thread = threading.Thread(target=self._run, name="leadscan-decode", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        self._stop.set()
        self.source.stop(timeout)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def process(self, frame: Frame) -> list[qr.Decoded]:
        """Decode one frame and return the codes it accepts (also used by tests directly)."""
        chain = self.decoders or qr.default_chain()
        if self.frames_decoded % self.fallback_every:
            chain = chain[:1]
        t0 = time.perf_counter()
        found = qr.decode_frame(frame.image, chain)
        self.last_decode_ms = (time.perf_counter() - t0) * 1000
        self.frames_decoded += 1
        return self.filter(found, frame.t)

    def filter(self, found: Sequence[qr.Decoded], now: float) -> list[qr.Decoded]:
        accepted = []
        for d in found:
            if payload.is_junk(d.code):
                continue
            if payload.needs_confirmation(d.code):
                prev = self._pending.get(d.code)
                self._pending[d.code] = now
                if prev is None or now - prev > self.confirm_s:
                    continue
            if self.seen.admit(d.code, now):
                accepted.append(d)
        if len(self._pending) > 256:
            self._pending = {c: t for c, t in self._pending.items() if now - t <= self.confirm_s}
        return accepted

    def _run(self) -> None:
        last_seq = 0
        min_dt = 1.0 / self.max_fps if self.max_fps else 0.0
        next_t = 0.0
        while not self._stop.is_set():
            if min_dt:
                wait = next_t - time.monotonic()
                if wait > 0 and self._stop.wait(wait):
                    return
                next_t = time.monotonic() + min_dt
            frame = self.source.latest(timeout=0.5, after_seq=last_seq)
            if frame is None:
                if self.source.state in ("ended", "failed", "stopped"):
                    self._stop.wait(0.2)  # nothing more will come until restarted
                continue
            last_seq = frame.seq
            try:
                if self.on_frame is not None:
                    self.on_frame(frame)
                for d in self.process(frame):
                    self.on_code(d)
            except Exception:  # a failing callback must not stop the camera
                log.exception("scan pipeline callback failed")
