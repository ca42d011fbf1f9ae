"""Where leadscan keeps its data: `--data-dir DIR` > `LEADSCAN_DATA_DIR` > the platform's
user data folder ("leadscan")."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "LEADSCAN_DATA_DIR"
APP_NAME = "leadscan"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resources_dir() -> Path:
    """Bundled resources (images, sounds), next to the package or inside a frozen bundle."""
    import sys

    base = getattr(sys, "_MEIPASS", None)
    if base:
        return Path(base) / "leadscan" / "resources"
    return Path(__file__).resolve().parent / "resources"
