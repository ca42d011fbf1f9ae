"""Throughput of the sync engine (issue 4 point 8): replay a 10,000-lead outbox to the
emulator over loopback and report leads/s and peak memory for several client set-ups.

    .venv/bin/python bench/sync_bench.py [--leads 10000] [--modes fresh-conn,reuse,reuse-c4,reuse-c8]

Each mode runs in its own process (clean peak RSS) against its own emulator process, on a
copy of the same prepared outbox. Not a timed test: figures go to docs/sync.md / README.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MODES = {
    "fresh-conn": {"reuse": False, "concurrency": 1},  # before: a new TCP connection per lead
    "reuse": {"reuse": True, "concurrency": 1},  # one keep-alive connection
    "reuse-c4": {"reuse": True, "concurrency": 4},  # + 4 uploads at once (distinct codes)
    "reuse-c8": {"reuse": True, "concurrency": 8},
}


def start_emulator(data: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "leadscan.emulator", "serve", "--data", str(data),
                             "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, cwd=ROOT)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http"):
        proc.kill()
        raise SystemExit(f"emulator did not start: {url!r}")
    return proc, url


def prepare(work: Path, n: int) -> tuple[Path, Path, dict]:
    """An emulator data set with n attendees and a booth with all n scanned (offline)."""
    from leadscan.core.booth import Booth
    from leadscan.core.models import ScanSource
    from leadscan.emulator import init_dataset, list_attendees

    emu = work / "emu-template"
    info = init_dataset(emu, attendees=n, seed=1)
    codes = [a["secret"] for a in list_attendees(emu)]
    booth_dir = work / "booth-template"
    proc, url = start_emulator(emu)
    try:
        with Booth(booth_dir) as b:
            b.login(url, info["exhibitors"][0]["access_code"], device_name="bench")
    finally:
        proc.terminate()
        proc.wait()
    t = time.perf_counter()
    with Booth(booth_dir) as b:
        for code in codes:
            b.scan(code, ScanSource.CAMERA)
        assert b.status().pending == n
    scan_rate = n / (time.perf_counter() - t)
    return emu, booth_dir, {"scan_per_s": round(scan_rate), "access_code": info["exhibitors"][0]["access_code"]}


def run_mode(booth_dir: Path, url: str, mode: str) -> dict:
    """In the child process: replay the outbox; report rate and peak memory."""
    import httpx

    from leadscan.core.booth import Booth

    cfg = MODES[mode]
    transport = None if cfg["reuse"] else httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))
    with Booth(booth_dir, transport=transport, concurrency=cfg["concurrency"]) as b:
        b.store.set_meta("account.server_url", url)
        engine = b._get_engine()  # the upload pass alone (sync_once would also pull afterwards)
        engine.refresh_profile()
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        n = b.status().pending
        t = time.perf_counter()
        report = engine.run_pass(force=True)
        dt = time.perf_counter() - t
        assert report.pending == 0, report
        assert report.uploaded == n, report
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"mode": mode, "leads": n, "seconds": round(dt, 2), "leads_per_s": round(n / dt),
            "peak_rss_mib": round(rss / 1024, 1), "rss_growth_mib": round((rss - rss0) / 1024, 1)}


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--leads", type=int, default=10_000)
    p.add_argument("--modes", default=",".join(MODES))
    p.add_argument("--child", nargs=3, metavar=("BOOTH", "URL", "MODE"), help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.child:
        print(json.dumps(run_mode(Path(a.child[0]), a.child[1], a.child[2])))
        return 0
    with tempfile.TemporaryDirectory(prefix="leadscan-bench-") as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        emu_tpl, booth_tpl, prep = prepare(work, a.leads)
        print(f"prepared {a.leads} queued leads in {time.perf_counter() - t:.1f}s "
              f"(local scans: {prep['scan_per_s']}/s, each committed with fsync)", flush=True)
        results = []
        for mode in a.modes.split(","):
            emu = work / f"emu-{mode}"
            booth = work / f"booth-{mode}"
            shutil.copytree(emu_tpl, emu)
            shutil.copytree(booth_tpl, booth)
            proc, url = start_emulator(emu)
            try:
                out = subprocess.run([sys.executable, __file__, "--child", str(booth), url, mode],
                                     capture_output=True, text=True, cwd=ROOT,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)})
            finally:
                proc.terminate()
                proc.wait()
            if out.returncode != 0:
                print(out.stderr, file=sys.stderr)
                return 1
            res = json.loads(out.stdout.strip().splitlines()[-1])
            results.append(res)
            print(f"{mode:11} {res['leads_per_s']:6} leads/s  {res['seconds']:7.2f} s  "
                  f"peak RSS {res['peak_rss_mib']} MiB (+{res['rss_growth_mib']} during sync)", flush=True)
        print(json.dumps({"prepare": {k: v for k, v in prep.items() if k != "access_code"},
                          "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
