"""Wires the scan engineer's Qt input adapters (`leadscan.gui.input`) into the window.

- USB scanner (keyboard wedge): an event filter on the QApplication; its bursts become scans
  wherever the focus is (also with a dialog open).
- Camera: a worker emitting frames (preview) and decoded codes; status texts ("no camera",
  "camera disconnected") go to the scan screen. No camera is not an error: the scanner and
  manual entry keep working.
- Feedback: sound + colour per outcome.

Each adapter is optional: if it cannot load (missing library), the app says so and runs on.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject

from leadscan.core.models import ScanSource

log = logging.getLogger("leadscan.gui.inputs")


def install_wedge(app: QObject, window: Any) -> Any:
    try:
        from leadscan.gui.input.wedge_filter import WedgeFilter
    except Exception as exc:  # noqa: BLE001 - optional adapter
        log.warning("USB scanner input not available: %s", exc)
        return None
    wedge = WedgeFilter(app)
    app.installEventFilter(wedge)
    wedge.scanned.connect(lambda code: window.handle_code(code, ScanSource.SCANNER))
    wedge.layout_hint.connect(lambda text: window.show_error_text(
        text + " (Settings → Calibrate USB scanner)"))
    return wedge


def make_feedback(window: Any) -> Any:
    try:
        from leadscan.gui.input.feedback import Feedback
    except Exception as exc:  # noqa: BLE001
        log.warning("scan feedback sounds not available: %s", exc)
        return None
    try:
        return Feedback(window)
    except Exception as exc:  # noqa: BLE001
        log.warning("scan feedback sounds not available: %s", exc)
        return None


def parse_camera(source: Any) -> int | str | None:
    """A camera setting -> an index or a path/name; None (or "none", "off") = no camera."""
    if source is None:
        return None
    if isinstance(source, int):
        return source
    text = str(source).strip()
    if text.lower() in ("", "none", "off", "no"):
        return None
    if text.isdigit():
        return int(text)
    return text


def warm_up_decoders() -> str | None:
    """Load the QR decoder libraries (blocking; worker thread). Returns what is missing."""
    from leadscan.core.scan import qr

    return qr.missing_decoders_message()


def self_check(data_dir: Any) -> list[Any]:
    """The self-check's decoder and data-folder part (blocking, ~0.3 s; worker thread). Also
    loads the decoder libraries, like `warm_up_decoders`."""
    from leadscan import selfcheck

    return selfcheck.check_decoders() + [selfcheck.check_data_dir(data_dir)]


def resolve_camera_source(source: Any) -> tuple[Any, str | None]:
    """(what to open, None) or (None, why not) for a camera setting (blocking: may list the
    cameras; worker thread)."""
    from leadscan.core.errors import CameraError
    from leadscan.gui.input.camera_worker import resolve_source

    src = parse_camera(source)
    if src is None:
        return None, None
    try:
        return resolve_source(src), None
    except CameraError as exc:
        return None, str(exc)


def show_camera_problem(window: Any, text: str) -> None:
    _camera_status(window.scan_view, text)


def camera_off(window: Any) -> None:
    window.scan_view.preview.set_message("Camera off — use the USB scanner or type the code.")


def start_camera(window: Any, source: Any, *, width: int | None = None,
                 height: int | None = None, window_s: float | None = None) -> Any:
    """Open the camera `source` (an index, a file, a resolved name); the worker, or None."""
    view = window.scan_view
    src = parse_camera(source)
    if src is None:
        camera_off(window)
        return None
    try:
        from leadscan.gui.input.camera_worker import CameraWorker
    except Exception as exc:  # noqa: BLE001
        log.warning("camera input not available: %s", exc)
        view.preview.set_message(
            "Camera support could not be loaded — use the USB scanner or type the code."
        )
        return None
    extra = {"window_s": window_s} if window_s is not None else {}
    worker = CameraWorker(src, width=width, height=height, **extra)
    worker.frame.connect(view.preview.set_frame)
    worker.code_scanned.connect(lambda code, _fmt: window.handle_code(code, ScanSource.CAMERA))
    worker.status.connect(lambda text: _camera_status(view, text))
    worker.start()
    return worker


def _camera_status(view: Any, text: str) -> None:
    view.set_camera_status(text)
    if view.preview.frames == 0 or "disconnect" in text.lower() or "no camera" in text.lower():
        view.preview.set_message(text)


def stop_camera(worker: Any) -> None:
    if worker is None:
        return
    try:
        worker.stop()
    except Exception:  # noqa: BLE001
        log.exception("stopping the camera")
