"""The scanning benchmarks in one command: QR decoding on the generated badge corpus, then
USB-scanner bursts. Each runs in its own process (the decode benchmark pins itself to one
core). Tables go to stdout and bench/out/.

    .venv/bin/python -m bench.scanning        # ~2-3 minutes
"""

from __future__ import annotations

import subprocess
import sys


def main() -> int:
    worst = 0
    for module in ("bench.decode_bench", "bench.hid_bench"):
        print(f"== {module}", flush=True)
        worst = max(worst, subprocess.call([sys.executable, "-m", module]))
    return worst


if __name__ == "__main__":
    raise SystemExit(main())
