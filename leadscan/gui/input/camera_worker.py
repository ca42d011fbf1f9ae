"""Camera input for the GUI: the core `ScanPipeline` in its own threads, results as Qt signals.

Nothing here runs on the UI thread except `start()`/`stop()`, which return at once (opening a
slow camera happens in the source's worker thread). Signals are emitted from worker threads;
Qt queues them to receivers on the UI thread.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from leadscan.core.errors import CameraError
from leadscan.core.scan import qr
from leadscan.core.scan.camera import Frame, FrameSource, SourceState, resolve_camera
from leadscan.core.scan.dedupe import DEFAULT_WINDOW_S
from leadscan.core.scan.pipeline import ScanPipeline

log = logging.getLogger("leadscan.gui.camera")


def to_qimage(image: np.ndarray, max_width: int = 640) -> QImage:
    """BGR/grey frame -> RGB QImage no wider than `max_width` (owns its pixels)."""
    import cv2

    h, w = image.shape[:2]
    if w > max_width:
        scale = max_width / w
        image = cv2.resize(image, (max_width, max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    else:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    image = np.ascontiguousarray(image)
    h, w = image.shape[:2]
    return QImage(image.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class CameraWorker(QObject):
    """`frame(QImage)` preview, `code_scanned(code, decoder)`, `status(text)`.

    `source`: camera index, camera name, video file, image folder (see `FrameSource`).
    """

    frame = Signal(QImage)
    code_scanned = Signal(str, str)
    status = Signal(str)

    def __init__(
        self,
        source: int | str | Path,
        parent: QObject | None = None,
        *,
        decoders: list[str] | None = None,
        window_s: float = DEFAULT_WINDOW_S,
        preview_width: int = 640,
        preview_fps: float = 15.0,
        loop: bool = False,
        width: int | None = None,
        height: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._source_spec = source
        self._decoders = decoders
        self._window_s = window_s
        self._preview_width = preview_width
        self._preview_dt = 1.0 / preview_fps if preview_fps else 0.0
        self._last_preview = 0.0
        self._loop = loop
        self._size = (width, height)
        self.pipeline: ScanPipeline | None = None
        self.last_state: SourceState | None = None

    def start(self) -> None:
        if self.pipeline is not None:
            return
        missing = qr.missing_decoders_message()
        if missing:
            self.status.emit(missing)
        try:
            target = self._resolve(self._source_spec)
        except CameraError as exc:
            self.status.emit(str(exc))
            return
        source = FrameSource(
            target, loop=self._loop, width=self._size[0], height=self._size[1], on_status=self._on_status
        )
        self.pipeline = ScanPipeline(
            source, self._on_code, decoders=self._decoders, window_s=self._window_s, on_frame=self._on_frame
        )
        self.pipeline.start()

    def stop(self) -> None:
        if self.pipeline is not None:
            self.pipeline.stop(timeout=1.0)
            self.pipeline = None

    @property
    def running(self) -> bool:
        return self.pipeline is not None and self.pipeline.running

    @staticmethod
    def _resolve(spec: int | str | Path) -> int | str | Path:
        return resolve_source(spec)

    # worker-thread callbacks ---------------------------------------------------------------

    def _on_status(self, state: SourceState, message: str) -> None:
        self.last_state = state
        self.status.emit(message)

    def _on_code(self, d: qr.Decoded) -> None:
        self.code_scanned.emit(d.code, d.decoder)

    def _on_frame(self, f: Frame) -> None:
        now = time.monotonic()
        if now - self._last_preview < self._preview_dt:
            return
        self._last_preview = now
        try:
            self.frame.emit(to_qimage(f.image, self._preview_width))
        except Exception:  # noqa: BLE001 - a preview problem must not stop scanning
            log.exception("preview conversion failed")


def resolve_source(spec: int | str | Path) -> int | str | Path:
    """A camera index, a file path, or a camera name -> what FrameSource opens.

    A name may mean listing the cameras, which off Linux opens each device (slow drivers):
    call this on a worker thread (the shell does), not on the UI thread."""
    if isinstance(spec, (int, Path)):
        return spec
    if spec.isdigit() or Path(spec).exists():
        return spec
    if any(spec.lower().endswith(s) for s in (".avi", ".mp4", ".mkv", ".mov", ".webm", ".png", ".jpg")):
        return spec  # a file path that does not exist: FrameSource reports it
    return resolve_camera(spec)  # a camera name
