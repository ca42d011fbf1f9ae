"""Scan screen: camera preview, manual entry, the last scanned lead and its editor.

Layout only: the window feeds it frames, leads and outcomes, and listens to
`code_entered(code)` and the editor's `changed` signal.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from leadscan.core.models import Lead
from leadscan.gui import theme
from leadscan.gui.views.editor import LeadEditor
from leadscan.gui.views.lead_card import LeadCard, Outcome


_PREVIEW_STYLE = "background: #1e1e1e; color: #e8e8e8; font-size: 16pt;"
FLASH_MS = 1500


class Preview(QLabel):
    """Camera picture scaled to fit, with a status text when there is no picture."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(QSize(320, 240))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setStyleSheet(_PREVIEW_STYLE)
        self.setWordWrap(True)
        self._image: QImage | None = None
        self.frames = 0

    def set_frame(self, image: QImage) -> None:
        self._image = image
        self.frames += 1
        self._render()

    def set_message(self, text: str) -> None:
        self._image = None
        self.clear()
        self.setText(text)

    def _render(self) -> None:
        if self._image is None or self._image.isNull():
            return
        pix = QPixmap.fromImage(self._image).scaled(
            self.size(), Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
        )
        self.setPixmap(pix)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        self._render()


class ScanView(QWidget):
    code_entered = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scan")

        # left: camera + manual entry
        self.preview = Preview()
        self.preview.set_message("Starting camera…")
        self.camera_status = QLabel("")
        self.camera_status.setObjectName("hint")
        self.camera_status.setWordWrap(True)
        self.entry = QLineEdit()
        self.entry.setObjectName("entry")
        self.entry.setPlaceholderText("Type a code, Enter")
        self.entry.setStyleSheet("font-size: 18pt; min-height: 56px;")
        self.entry.setClearButtonEnabled(True)
        self.entry.returnPressed.connect(self._submit)
        self.add = QPushButton("Add")
        self.add.setObjectName("primary")
        self.add.setMinimumWidth(120)
        self.add.setMinimumHeight(56)
        self.add.clicked.connect(self._submit)
        self.message = QLabel("")
        self.message.setObjectName("error")
        self.message.setWordWrap(True)
        self.message.hide()
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(self.message.hide)
        entry_row = QHBoxLayout()
        entry_row.addWidget(self.entry, 1)
        entry_row.addWidget(self.add)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.preview, 1)
        ll.addWidget(self.camera_status)
        ll.addWidget(self.message)
        ll.addLayout(entry_row)

        # right: last lead + editor
        self.card = LeadCard()
        self.editor = LeadEditor()
        self.editor.hide()  # shown with the first lead
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        inner = QWidget()
        rl = QVBoxLayout(inner)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.card, 0)
        rl.addWidget(line)
        rl.addWidget(self.editor, 1)
        rl.addStretch(0)
        # never let a long field list grow the window past the screen: scroll instead
        right = QScrollArea()
        right.setWidget(inner)
        right.setWidgetResizable(True)
        right.setFrameShape(QFrame.Shape.NoFrame)
        right.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        right.setMinimumWidth(420)
        self.right = right

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)
        self.splitter = split

        self.banner = QFrame()
        self.banner.setObjectName("banner")
        bl = QHBoxLayout(self.banner)
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.banner_button = QPushButton()
        bl.addWidget(self.banner_text, 1)
        bl.addWidget(self.banner_button)
        self.banner.hide()
        # what this machine cannot do (self-check: no QR decoder, no sound): stays visible
        self.limits = QFrame()
        self.limits.setObjectName("banner")
        ql = QHBoxLayout(self.limits)
        self.limits_text = QLabel()
        self.limits_text.setWordWrap(True)
        ql.addWidget(self.limits_text, 1)
        self.limits.hide()

        self._unflash = QTimer(self)
        self._unflash.setSingleShot(True)
        self._unflash.setInterval(FLASH_MS)
        self._unflash.timeout.connect(self._end_flash)

        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addWidget(self.limits)
        lay.addWidget(split, 1)

    # -- input --------------------------------------------------------------------------

    def _submit(self) -> None:
        code = self.entry.text()
        if not code.strip():
            if code:  # only spaces: nothing to save, and say so
                self.entry.clear()
                self.show_message("Nothing to save: type the code from the badge, then Enter.", 5)
            self.entry.setFocus()
            return
        self.entry.clear()
        self.code_entered.emit(code)

    # -- output -------------------------------------------------------------------------

    def show_lead(self, lead: Lead, outcome: Outcome | None = None, *, online: bool = True) -> None:
        self.card.show_lead(lead, outcome, online=online)
        self.editor.set_lead(lead)
        self.editor.show()

    def clear_lead(self) -> None:
        """Hide the last visitor's details (idle in kiosk mode)."""
        self.editor.set_lead(None)
        self.editor.hide()
        self.card.clear()

    def set_banner(self, text: str | None, button: str | None = None) -> None:
        if not text:
            self.banner.hide()
            return
        self.banner_text.setText(text)
        self.banner_button.setVisible(bool(button))
        self.banner_button.setText(button or "")
        self.banner.show()

    def set_limits(self, text: str | None) -> None:
        """A lasting notice of what this machine cannot do (e.g. scanner-only mode)."""
        self.limits_text.setText(text or "")
        self.limits.setVisible(bool(text))

    def show_message(self, text: str, seconds: float = 10.0) -> None:
        """A problem with the last input (shown for a while, never blocking)."""
        self.message.setText(text)
        self.message.show()
        self._message_timer.start(int(seconds * 1000))

    def set_camera_status(self, text: str) -> None:
        self.camera_status.setText(text)

    def flash(self, outcome: Outcome) -> None:
        """Colour the entry frame for a moment (in addition to the card's band)."""
        colour = {
            Outcome.NEW: theme.GREEN,
            Outcome.AGAIN: theme.BLUE,
            Outcome.OFFLINE: theme.AMBER,
            Outcome.INVALID: theme.RED,
        }[outcome]
        self.preview.setStyleSheet(_PREVIEW_STYLE + f"border: 8px solid {colour};")
        self._unflash.start()

    def _end_flash(self) -> None:
        self.preview.setStyleSheet(_PREVIEW_STYLE)
