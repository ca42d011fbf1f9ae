"""Scanner layout calibration (K10/K11): show a test code, scan it once with the USB
scanner, derive the received->intended key map (core.scan.layout) for the settings."""

from __future__ import annotations

import io

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from leadscan.core.scan.layout import CALIBRATION_CODE, CalibrationError, derive_mapping


def qr_pixmap(text: str, scale: int = 6) -> QPixmap:
    import segno

    buf = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buf, kind="png", scale=scale, border=4)
    pix = QPixmap()
    pix.loadFromData(buf.getvalue())
    return pix


class CalibrationDialog(QDialog):
    mapping_found = Signal(dict)

    def __init__(self, wedge: object, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Calibrate the USB scanner")
        self.wedge = wedge
        self.mapping: dict[str, str] | None = None
        intro = QLabel("Scan this code with the USB scanner. leadscan learns how the scanner's "
                       "keyboard layout differs from this computer's and corrects it.")
        intro.setWordWrap(True)
        code = QLabel()
        code.setPixmap(qr_pixmap(CALIBRATION_CODE))
        code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.result = QLabel("Waiting for the scan…")
        self.result.setWordWrap(True)
        self.result.setStyleSheet("font-weight: bold;")
        done = QPushButton("Close")
        done.clicked.connect(self.accept)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(code)
        lay.addWidget(self.result)
        lay.addWidget(done)
        wedge.calibration_scanned.connect(self._scanned)  # type: ignore[attr-defined]
        wedge.begin_calibration()  # type: ignore[attr-defined]
        self.finished.connect(self._end)

    def _scanned(self, raw: str) -> None:
        try:
            mapping = derive_mapping(raw)
        except CalibrationError as exc:
            self.result.setText(str(exc))
            return
        self.mapping = mapping
        self.result.setText("Layouts match: no correction needed." if not mapping else
                            f"Done: {len(mapping)} keys are corrected from now on. Save the settings.")
        self.mapping_found.emit(mapping)

    def _end(self, _result: int) -> None:
        try:
            self.wedge.calibration_scanned.disconnect(self._scanned)  # type: ignore[attr-defined]
        except (RuntimeError, TypeError):
            pass
        self.wedge.end_calibration()  # type: ignore[attr-defined]
