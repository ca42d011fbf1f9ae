"""Scan-to-saved time in the GUI: from a code arriving (scanner/camera/typed) to the lead
being durably committed and shown on the scan screen.

The path measured is the app's own: `MainWindow.handle_code` -> DB lane (one worker
thread) -> `Booth.scan` (one SQLite commit, WAL) -> result queued back to the UI thread ->
card + editor updated. For comparison, the bare `Booth.scan` call on the calling thread.
Sync is stopped so uploads do not compete (they run on their own thread in the app).

    .venv/bin/python bench/scan_bench.py [N]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer  # noqa: E402

from leadscan.core.booth import Booth  # noqa: E402
from leadscan.core.models import ScanSource  # noqa: E402
from leadscan.emulator import EmulatorServer, init_dataset, list_attendees  # noqa: E402
from leadscan.gui.app import make_app  # noqa: E402
from leadscan.gui.main_window import MainWindow  # noqa: E402
from leadscan.gui.tasks import TaskManager  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    app = make_app()
    tmp = Path(tempfile.mkdtemp(prefix="leadscan-scanbench-"))
    info = init_dataset(tmp / "emu", attendees=max(n * 2, 300), seed=1)
    server = EmulatorServer(tmp / "emu").start()
    codes = [a["secret"] for a in list_attendees(tmp / "emu")]
    booth = Booth(tmp / "booth")
    booth.login(server.base_url, info["exhibitors"][0]["access_code"])
    tasks = TaskManager()
    w = MainWindow(booth, tasks)
    w.sync.stop()
    w.resize(1280, 800)
    w.show()
    try:
        # chain the scans from the event loop itself (app.exec), as in the running app:
        # each scan starts once the previous one is on screen and its follow-ups are done
        todo = list(codes[:n])

        def next_scan() -> None:
            if tasks.busy:
                QTimer.singleShot(1, next_scan)
                return
            if not todo:
                app.quit()
                return
            w.handle_code(todo.pop(0), ScanSource.SCANNER)

        w.scan_saved.connect(lambda *_: QTimer.singleShot(1, next_scan))
        QTimer.singleShot(0, next_scan)
        app.exec()
        saved_ms = [t * 1000 for t in w.scan_times]
        gui_ms = [t * 1000 for t in w.shown_times]
        direct_ms = []
        for code in codes[n : 2 * n]:
            t0 = time.perf_counter()
            booth.scan(code, ScanSource.SCANNER)
            direct_ms.append((time.perf_counter() - t0) * 1000)
    finally:
        tasks.shutdown()
        booth.close()
        server.stop()
    print(f"scan-to-saved (GUI, DB lane),          n={n}: median {statistics.median(saved_ms):.1f} ms, "
          f"p95 {pct(saved_ms, 0.95):.1f} ms, max {max(saved_ms):.1f} ms")
    print(f"scan-to-saved-and-shown (GUI, DB lane), n={n}: median {statistics.median(gui_ms):.1f} ms, "
          f"p95 {pct(gui_ms, 0.95):.1f} ms, max {max(gui_ms):.1f} ms")
    print(f"Booth.scan alone (durable commit),     n={n}: median {statistics.median(direct_ms):.1f} ms, "
          f"p95 {pct(direct_ms, 0.95):.1f} ms, max {max(direct_ms):.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
