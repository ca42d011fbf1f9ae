"""`leadscan --demo`: a complete booth on this computer, no account needed.

The emulator runs in-process on a loopback port with its data in `<data dir>/demo/`
(kept between runs, so demo leads survive a restart); the app logs in with the first demo
exhibitor and opens the scan screen. The demo badges (one PNG per attendee, plus
`badges.csv`) are written once to `<data dir>/demo/badges/` in the background: open one on
a phone and hold it up to the webcam, or print a few.

Layout of `<data dir>/demo/`:
    emulator/   the emulator's own SQLite data set
    booth/      leadscan's data for the demo (kept apart from real leads)
    badges/     PNG badges + badges.csv
    demo.json   base port and the demo exhibitor's access code (readable by this user only)

Everything here blocks; the GUI calls it from worker threads.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("leadscan.gui.demo")

DEMO_ATTENDEES = 300


@dataclass(frozen=True)
class DemoInfo:
    base_url: str
    access_code: str
    exhibitor: str
    badges_dir: Path
    booth_dir: Path


class Demo:
    def __init__(self, data_dir: Path, *, attendees: int = DEMO_ATTENDEES) -> None:
        self.attendees = attendees
        self.root = Path(data_dir) / "demo"
        self.emulator_dir = self.root / "emulator"
        self.badges_dir = self.root / "badges"
        self.booth_dir = self.root / "booth"
        self.info_file = self.root / "demo.json"
        self.server: Any = None

    # -- emulator -----------------------------------------------------------------------

    def _load(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.info_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not data.get("exhibitors"):
            return None
        return data

    def _save(self, data: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.info_file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
        os.replace(tmp, self.info_file)

    def start(self) -> DemoInfo:
        """Create the data set the first time, start the emulator (same port as last time
        if it is free, so the demo booth's server URL stays valid)."""
        from leadscan.emulator import EmulatorServer, init_dataset
        from leadscan.emulator.db import db_path

        data = self._load()
        if data is None or not db_path(self.emulator_dir).is_file():
            log.info("creating the demo data set in %s", self.emulator_dir)
            info = init_dataset(self.emulator_dir, attendees=self.attendees, force=True)
            data = {"info": info, "exhibitors": info["exhibitors"], "port": 0}
        port = int(data.get("port") or 0)
        try:
            server = EmulatorServer(self.emulator_dir, host="127.0.0.1", port=port).start()
        except OSError:
            log.info("demo port %s is taken; using another one", port)
            server = EmulatorServer(self.emulator_dir, host="127.0.0.1", port=0).start()
        self.server = server
        if data.get("port") != server.port:
            data["port"] = server.port
            self._save(data)
        ex = data["exhibitors"][0]
        return DemoInfo(
            base_url=server.base_url,
            access_code=ex["access_code"],
            exhibitor=ex["name"],
            badges_dir=self.badges_dir,
            booth_dir=self.booth_dir,
        )

    def stop(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            server.stop()

    # -- badges -------------------------------------------------------------------------

    def badges_ready(self) -> bool:
        return (self.badges_dir / "badges.csv").is_file()

    def write_badges(self) -> Path:
        """Write the demo badges once (about 10 s for 300); returns the badge folder."""
        if self.badges_ready():
            return self.badges_dir
        from leadscan.emulator.badges import write_badges

        tmp = self.badges_dir.with_name("badges.partial")
        tmp.mkdir(parents=True, exist_ok=True)
        write_badges(self.emulator_dir, tmp)
        if self.badges_dir.exists():  # a half-written folder from an interrupted run
            for p in self.badges_dir.iterdir():
                p.unlink()
            self.badges_dir.rmdir()
        tmp.rename(self.badges_dir)
        return self.badges_dir

    def login_if_needed(self, booth: Any, info: DemoInfo) -> Any:
        """Log the demo booth in (again, if the emulator's URL changed)."""
        if getattr(booth, "logged_in", False) and booth.server_url == info.base_url:
            return booth.profile
        return booth.login(info.base_url, info.access_code, None)
