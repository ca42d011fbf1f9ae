"""Badges carry a QR a real decoder reads back as the ticket secret."""

from __future__ import annotations

from pathlib import Path

import zxingcpp

from leadscan.emulator import init_dataset, list_attendees
from leadscan.emulator.badges import render_badge, write_badges


def test_render_badge_decodes_to_secret(tmp_path: Path) -> None:
    init_dataset(tmp_path, attendees=3, seed=11)
    for att in list_attendees(tmp_path):
        img = render_badge(att)
        assert img.mode == "RGB" and img.width >= 600
        found = zxingcpp.read_barcodes(img)
        assert [b.text for b in found] == [att["secret"]]


def test_render_badge_small_dict() -> None:
    img = render_badge({"name": "Zoë Łukasiewicz", "company": None, "secret": "abc"})
    assert [b.text for b in zxingcpp.read_barcodes(img)] == ["abc"]


def test_write_badges_every_attendee(tmp_path: Path) -> None:
    init_dataset(tmp_path / "d", attendees=3, seed=12)
    csv_path = write_badges(tmp_path / "d", tmp_path / "out")
    lines = csv_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4
    assert len(list((tmp_path / "out").glob("*.png"))) == 3
