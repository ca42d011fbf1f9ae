"""Fixtures for the Qt input adapters (offscreen)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scan"))  # scan_qrgen helpers

import pytest  # noqa: E402

pytestmark = pytest.mark.gui
