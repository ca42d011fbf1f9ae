"""Stand-ins for missing native libraries (K50): copies of the real packages that fail the
way they do on a machine without the library. Put their folder first on PYTHONPATH of a
subprocess; nothing in the test process itself is changed."""

from __future__ import annotations

import shutil
from pathlib import Path


def fake_pyzbar_without_libzbar(tmp_path: Path) -> Path:
    """A copy of the real pyzbar whose zbar_library.load() fails like on a machine without
    libzbar (pyzbar's own message)."""
    import pyzbar

    root = tmp_path / "no_zbar"
    shutil.copytree(Path(pyzbar.__file__).parent, root / "pyzbar",
                    ignore=shutil.ignore_patterns("__pycache__", "tests"))
    (root / "pyzbar" / "zbar_library.py").write_text(
        "def load():\n    raise ImportError('Unable to find zbar shared library')\n", encoding="utf-8")
    return root


def fake_missing_zxing(tmp_path: Path) -> Path:
    root = tmp_path / "no_zxing"
    root.mkdir()
    (root / "zxingcpp.py").write_text(
        "raise ImportError('libzxing.so: cannot open shared object file')\n", encoding="utf-8")
    return root
