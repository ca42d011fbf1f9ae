"""Child process of the crash-safety test: streams scans and edits into a Booth while a
worker thread syncs, printing `BEGIN ...` before and `OK ...` after each operation returns.
The parent SIGKILLs it at random moments. `--finish` syncs until nothing is pending."""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from pathlib import Path

from leadscan.core.booth import Booth
from leadscan.core.models import ScanSource


def say(*parts: object) -> None:
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("data")
    p.add_argument("url")
    p.add_argument("access_code")
    p.add_argument("codes")
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--finish", action="store_true")
    a = p.parse_args()
    codes = Path(a.codes).read_text().split()
    booth = Booth(Path(a.data))
    if not booth.logged_in:
        booth.login(a.url, a.access_code, device_name="crash-test")
    if a.finish:
        for _ in range(200):
            if booth.sync_once(force=True).pending == 0:
                say("DONE")
                booth.close()
                return 0
            time.sleep(0.05)
        return 1
    say("READY")
    stop = threading.Event()

    def worker() -> None:
        while not stop.is_set():
            booth.sync_once(force=True)
            time.sleep(0.002)

    threading.Thread(target=worker, daemon=True).start()
    rng = random.Random(a.seed)
    scanned: list[str] = [lead.code for lead in booth.leads() if lead.code]
    i = a.start
    for n in range(100_000):
        if scanned and (rng.random() < 0.4 or i >= len(codes)):
            code = rng.choice(scanned)
            notes = f"n{a.seed}-{n}"
            say("BEGIN edit", code, notes)
            booth.edit(code, notes=notes)
            say("OK edit", code, notes)
        elif i < len(codes):
            code = codes[i]
            i += 1
            say("BEGIN scan", code)
            booth.scan(code, ScanSource.CAMERA)
            say("OK scan", code)
            scanned.append(code)
        time.sleep(rng.random() * 0.02)
    stop.set()
    return 0


if __name__ == "__main__":
    sys.exit(main())
