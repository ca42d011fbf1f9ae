"""Draw the app icon with QPainter: a badge with a QR-like pattern and a green tick.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tools/make_icon.py   -> resources/leadscan.png
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QBrush, QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PATTERN = [
    "1111111001011",
    "1000001010101",
    "1011101001100",
    "1011101011011",
    "1011101000110",
    "1000001011001",
    "1111111010101",
    "0000000001110",
    "1101011100101",
    "0110100011011",
    "1011011101100",
    "0100110010111",
    "1110101101001",
]


def draw(size: int = 256) -> QImage:
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 256
    # badge card
    card = QRectF(40 * s, 20 * s, 176 * s, 216 * s)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#003366"))
    p.drawRoundedRect(card, 22 * s, 22 * s)
    p.setBrush(QColor("white"))
    p.drawRoundedRect(card.adjusted(10 * s, 40 * s, -10 * s, -10 * s), 12 * s, 12 * s)
    # lanyard slot
    p.setBrush(QColor("#8fb3d9"))
    p.drawRoundedRect(QRectF(104 * s, 30 * s, 48 * s, 12 * s), 6 * s, 6 * s)
    # QR-like pattern
    cell = 9.5 * s
    x0, y0 = 66 * s, 84 * s
    p.setBrush(QColor("#111111"))
    for r, row in enumerate(PATTERN):
        for c, bit in enumerate(row):
            if bit == "1":
                p.drawRect(QRectF(x0 + c * cell, y0 + r * cell, cell + 0.5, cell + 0.5))
    # green tick in a circle
    p.setBrush(QColor("#1b7f3b"))
    p.setPen(QPen(QColor("white"), 8 * s))
    p.drawEllipse(QPointF(196 * s, 196 * s), 46 * s, 46 * s)
    path = QPainterPath()
    path.moveTo(174 * s, 197 * s)
    path.lineTo(190 * s, 213 * s)
    path.lineTo(219 * s, 180 * s)
    p.setBrush(QBrush(Qt.BrushStyle.NoBrush))
    p.setPen(QPen(QColor("white"), 11 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
                  Qt.PenJoinStyle.RoundJoin))
    p.drawPath(path)
    p.end()
    return img


def main() -> int:
    QGuiApplication([])
    out = ROOT / "resources"
    out.mkdir(exist_ok=True)
    draw(256).save(str(out / "leadscan.png"))
    print(out / "leadscan.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
