"""Settings of this installation, kept in `<data dir>/settings.json`.

Survive restarts and upgrades: unknown keys (from a newer version) are kept when saving,
missing keys take their defaults, a damaged file is moved aside (never a crash loop). The
device name lives in the booth (it is sent with every lead); the access code in the booth's
secret store. Written atomically (temp file + rename).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

log = logging.getLogger("leadscan.gui.settings")

FILE_NAME = "settings.json"
VERSION = 1
RESOLUTIONS = ("", "640x480", "1280x720", "1920x1080")


@dataclass
class Settings:
    camera: str = "0"  # camera index, camera name, video/image path, or "none"
    resolution: str = ""  # "" = the camera's default, else "WxH"
    sounds: bool = True
    kiosk: bool = False  # start in kiosk mode
    kiosk_pin: str = ""  # "scrypt$..." hash (see pin.py); "" = no PIN set yet
    idle_timeout_s: int = 120  # kiosk: back to an empty scan screen after this
    visitors_see_leads: bool = False  # kiosk: the leads list is hidden unless allowed
    scanner_mapping: dict[str, str] = field(default_factory=dict)  # layout calibration
    scanner_prefix: str = ""  # characters the USB scanner is set to send before each code
    repeat_window_s: int = 3  # camera: the same badge counts once within this many seconds
    extra: dict[str, Any] = field(default_factory=dict, repr=False)  # unknown keys, kept

    @property
    def size(self) -> tuple[int | None, int | None]:
        if "x" in self.resolution:
            w, _, h = self.resolution.partition("x")
            if w.isdigit() and h.isdigit():
                return int(w), int(h)
        return None, None


def load(data_dir: Path) -> Settings:
    path = Path(data_dir) / FILE_NAME
    try:
        raw = json.loads(path.read_text("utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("not an object")
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as exc:
        log.warning("settings file unreadable (%s); moved aside, defaults used", exc)
        try:
            path.replace(path.with_suffix(".damaged"))
        except OSError:
            pass
        return Settings()
    known = {f.name for f in fields(Settings)} - {"extra"}
    s = Settings()
    for name in known:
        if name in raw:
            default = getattr(s, name)
            value = raw[name]
            if isinstance(default, bool):
                value = bool(value)
            elif isinstance(default, int):
                try:
                    value = int(value)
                except (TypeError, ValueError):
                    value = default
            elif isinstance(default, str):
                value = str(value)
            elif isinstance(default, dict):
                value = {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}
            setattr(s, name, value)
    s.extra = {k: v for k, v in raw.items() if k not in known and k != "version"}
    return s


def save(data_dir: Path, settings: Settings) -> None:
    data = asdict(settings)
    extra = data.pop("extra", {}) or {}
    out = {**extra, **data, "version": VERSION}
    path = Path(data_dir) / FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
