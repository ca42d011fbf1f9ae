"""Fixtures for GUI tests (helpers in guiharness.py)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402
from guiharness import Gui, make_gui  # noqa: E402


@pytest.fixture
def gui(qtbot: Any, tmp_path: Path) -> Iterator[Gui]:
    g = make_gui(qtbot, tmp_path / "booth")
    try:
        yield g
    finally:
        g.close()
