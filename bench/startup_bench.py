"""How long `leadscan --demo` takes to show a scan-ready screen.

Runs the real command N times (offscreen unless DISPLAY is set) with
LEADSCAN_EXIT_WHEN_READY=1: the app prints `READY <s>` (seconds since the GUI module was
imported) when the scan screen is up and logged in, then quits. We time from process spawn
to that line (so interpreter start and imports count), first run with a fresh data folder
(creates the demo data set) and then warm runs (data set reused).

    .venv/bin/python bench/startup_bench.py [RUNS]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_once(data_dir: Path) -> tuple[float, float]:
    env = dict(os.environ, LEADSCAN_EXIT_WHEN_READY="1")
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    cmd = [sys.executable, "-m", "leadscan", "--data-dir", str(data_dir), "--demo", "--camera", "none"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    assert proc.stdout is not None
    inner = float("nan")
    wall = float("nan")
    for line in proc.stdout:
        if line.startswith("READY"):
            wall = time.perf_counter() - t0
            inner = float(line.split()[1])
            break
    proc.wait(timeout=60)
    return wall, inner


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    tmp = Path(tempfile.mkdtemp(prefix="leadscan-startup-"))
    try:
        cold_wall, cold_inner = run_once(tmp / "data")
        warm = [run_once(tmp / "data") for _ in range(runs)]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    walls = [w for w, _ in warm]
    print(f"first run (creates demo data): {cold_wall:.2f} s to scan screen "
          f"({cold_inner:.2f} s after the GUI module loaded)")
    print(f"later runs ({runs}): median {statistics.median(walls):.2f} s, "
          f"min {min(walls):.2f} s, max {max(walls):.2f} s "
          f"(GUI module to ready: median {statistics.median(i for _, i in warm):.2f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
