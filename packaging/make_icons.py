"""Draw the stand-in app icon (until the GUI's own sits in leadscan/resources/):
packaging/icons/leadscan.png (512 px, Linux/window icon), .ico (Windows), .icns (macOS).

    .venv/bin/python packaging/make_icons.py

A blue rounded tile with three QR finder squares and a green tick: "badge scanned".
leadscan.spec prefers leadscan/resources/leadscan.{ico,icns,png} when the GUI ships one.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent / "icons"
BLUE = (31, 95, 168, 255)
WHITE = (255, 255, 255, 255)
GREEN = (46, 160, 67, 255)


def draw(size: int = 1024) -> Image.Image:
    s = size / 1024
    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle([40 * s, 40 * s, 984 * s, 984 * s], radius=200 * s, fill=BLUE)

    def finder(x: float, y: float) -> None:
        d.rectangle([x * s, y * s, (x + 280) * s, (y + 280) * s], fill=WHITE)
        d.rectangle([(x + 40) * s, (y + 40) * s, (x + 240) * s, (y + 240) * s], fill=BLUE)
        d.rectangle([(x + 90) * s, (y + 90) * s, (x + 190) * s, (y + 190) * s], fill=WHITE)

    finder(170, 170)
    finder(574, 170)
    finder(170, 574)
    for x, y in [(600, 600), (720, 600), (600, 720), (840, 720), (720, 840)]:
        d.rectangle([x * s, y * s, (x + 80) * s, (y + 80) * s], fill=WHITE)
    d.ellipse([560 * s, 560 * s, 940 * s, 940 * s], fill=GREEN)
    d.line([(650 * s, 760 * s), (730 * s, 840 * s), (860 * s, 670 * s)], fill=WHITE,
           width=int(56 * s), joint="curve")
    return im


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    big = draw(1024)
    big.resize((512, 512), Image.LANCZOS).save(OUT / "leadscan.png")
    big.save(OUT / "leadscan.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64),
                                          (128, 128), (256, 256)])
    big.save(OUT / "leadscan.icns")
    for name in ("leadscan.png", "leadscan.ico", "leadscan.icns"):
        print(OUT / name, (OUT / name).stat().st_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
