"""Small widgets the views share."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """One line of text cut with "…" to the width it gets, the whole text as its tooltip.

    A plain QLabel asks for the width of its whole text, so a long exhibitor name would set
    the window's minimum width (wider than a kiosk screen)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        # prefers its whole text (sizeHint), may shrink to a little (minimumSizeHint)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)

    def setText(self, text: str) -> None:  # noqa: N802 - Qt name
        super().setText(text)
        self.setToolTip(text)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return QSize(self.minimumWidth(), super().minimumSizeHint().height())

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt name
        p = QPainter(self)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        p.setPen(self.palette().color(self.foregroundRole()))
        p.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), text)


def breakable(text: str, every: int = 16) -> str:
    """`text` with invisible break points (zero-width spaces) in runs longer than `every`
    characters, so a word-wrapping label can wrap a long code instead of growing past the
    screen. For display only: never store or send the result."""
    out: list[str] = []
    run = 0
    for ch in text:
        run = 0 if ch.isspace() else run + 1
        if run > every:
            out.append("\u200b")
            run = 1
        out.append(ch)
    return "".join(out)
