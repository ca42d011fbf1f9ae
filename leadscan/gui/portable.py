"""Portable mode: data next to the program, for booth laptops wiped after a show.

A marker file `leadscan-portable` beside the executable (or, from source, beside the
`leadscan` package) switches it on; data then lives in `leadscan-data/` in that folder.
`--data-dir` and LEADSCAN_DATA_DIR still win. Takes effect at the next start.
"""

from __future__ import annotations

import sys
from pathlib import Path

MARKER = "leadscan-portable"
DATA = "leadscan-data"


def program_dir() -> Path:
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parents[2]


def is_portable(base: Path | None = None) -> bool:
    return ((base or program_dir()) / MARKER).is_file()


def portable_data_dir(base: Path | None = None) -> Path:
    return (base or program_dir()) / DATA


def set_portable(on: bool, base: Path | None = None) -> None:
    marker = (base or program_dir()) / MARKER
    if on:
        marker.write_text("leadscan keeps its data in the leadscan-data folder next to this file.\n",
                          encoding="utf-8")
    else:
        marker.unlink(missing_ok=True)
