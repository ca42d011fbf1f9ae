"""Printable attendee badges: name, company and a QR code of the ticket secret."""

from __future__ import annotations

import csv
import io
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from PIL import Image, ImageDraw, ImageFont

from leadscan.emulator.dataset import list_attendees

WIDTH, HEIGHT = 800, 1100  # about A6 portrait at 190 dpi
QR_SIZE = 560  # pixels: scannable from a phone screen or a printout at arm's length
CSV_COLUMNS = ["order_code", "positionid", "name", "company", "email", "secret", "file"]
FONT_FILES = ["DejaVuSans-Bold.ttf", "DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
              "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "Arial Bold.ttf", "arialbd.ttf"]


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def qr_image(data: str, size: int = QR_SIZE) -> Image.Image:
    """A QR of `data` (error correction M, 4-module quiet zone), about `size` pixels square."""
    qr = segno.make(data, error="m", micro=False)
    modules = qr.symbol_size(scale=1, border=4)[0]
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=max(1, size // modules), border=4)
    buf.seek(0)
    with Image.open(buf) as img:
        return img.convert("L")


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> Any:
    while size > 14 and draw.textlength(text, font=_font(size)) > width:
        size -= 2
    return _font(size)


def render_badge(attendee: dict[str, Any], event_name: str = "Demo Trade Show") -> Image.Image:
    """One badge (RGB) for an attendee dict as `list_attendees` returns it (needs `secret`;
    uses `name` or `given_name`/`family_name`, `company`, `item`)."""
    name = attendee.get("name") or f"{attendee.get('given_name', '')} {attendee.get('family_name', '')}".strip()
    img = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, WIDTH, 110), fill=(0, 51, 102))
    draw.text((WIDTH // 2, 55), event_name, font=_fit(draw, event_name, 44, WIDTH - 60),
              fill="white", anchor="mm")
    draw.text((WIDTH // 2, 190), name, font=_fit(draw, name, 64, WIDTH - 60), fill="black", anchor="mm")
    company = attendee.get("company") or ""
    if company:
        draw.text((WIDTH // 2, 265), company, font=_fit(draw, company, 40, WIDTH - 60),
                  fill=(60, 60, 60), anchor="mm")
    qr = qr_image(attendee["secret"])
    img.paste(qr.convert("RGB"), ((WIDTH - qr.width) // 2, 320))
    item = attendee.get("item") or ""
    if item:
        draw.rectangle((0, HEIGHT - 100, WIDTH, HEIGHT), fill=(230, 236, 242))
        draw.text((WIDTH // 2, HEIGHT - 50), item, font=_font(36), fill=(0, 51, 102), anchor="mm")
    return img


def write_badges(data_dir: Path, out_dir: Path, event_name: str | None = None) -> Path:
    """A PNG per attendee plus `badges.csv` in `out_dir`; returns the CSV's path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if event_name is None:
        event_name = _event_name(Path(data_dir))
    csv_path = out_dir / "badges.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        for att in list_attendees(data_dir):
            file = f"{att['order_code']}-{att['positionid']}.png"
            render_badge(att, event_name).save(out_dir / file, compress_level=1)
            writer.writerow([att["order_code"], att["positionid"], att["name"], att["company"] or "",
                             att["email"] or "", att["secret"], file])
    return csv_path


def _event_name(data_dir: Path) -> str:
    from leadscan.emulator.db import Store

    store = Store(data_dir)
    try:
        name = store.meta("event")["name"]
    finally:
        store.close()
    return name.get("en") or next(iter(name.values()), "") if isinstance(name, dict) else str(name)
