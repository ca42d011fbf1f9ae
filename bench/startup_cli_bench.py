"""Start-up time of the headless commands, from source and from the PyInstaller bundle.

    .venv/bin/python bench/startup_cli_bench.py [--runs 7] [--bundle dist/leadscan/leadscan]
                                                [--build] [--json bench/out/startup_cli.json]

Times, from process spawn to exit (the command's work done = "ready"):
  `leadscan --version`, `leadscan status --json` (fresh data folder), `leadscan decode BADGE`
  (a segno QR badge, the whole decode path: OpenCV imread + zxing-cpp).
Each command runs once to warm the page cache, then --runs times; the median and min are
reported. The GUI's time to a scan-ready screen is measured by bench/startup_bench.py
(the GUI's own benchmark); `--gui` runs the same measurement here for source and bundle.

`--build` builds the one-folder bundle into a temporary folder first and reports build
time and size. Without --bundle/--build only the source figures are printed (plus the
bundle's, if dist/leadscan/leadscan exists).

Also prints where the import time goes (python -X importtime, per top-level package, from
source), which shows what each command pulls in at start.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CODE = "k7yzqa2mq9w3e4r5t6y7u8p2a3s4d5f6"


def commands(badge: Path) -> dict[str, list[str]]:
    return {
        "--version": ["--version"],
        "status --json": ["status", "--json"],
        "decode": ["decode", str(badge), "--json"],
    }


def timed(cmd: list[str], env: dict[str, str], runs: int) -> list[float]:
    out = []
    for i in range(runs + 1):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, timeout=300)
        dt = time.perf_counter() - t0
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
        if i:  # the first run only warms the page cache
            out.append(dt)
    return out


def time_to_ready(cmd: list[str], env: dict[str, str], runs: int) -> list[float]:
    """GUI: spawn -> the `READY` line gui/app.py prints with LEADSCAN_EXIT_WHEN_READY=1."""
    out = []
    e = dict(env, LEADSCAN_EXIT_WHEN_READY="1")
    for i in range(runs + 1):
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=e, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout is not None
        dt = None
        for line in proc.stdout:
            if line.startswith("READY"):
                dt = time.perf_counter() - t0
                break
        proc.wait(timeout=120)
        if dt is None:
            raise SystemExit(f"{' '.join(cmd)}: no READY line (exit {proc.returncode})")
        if i:
            out.append(dt)
    return out


def import_profile(args: list[str], env: dict[str, str]) -> dict[str, float]:
    """Self import time (ms) per top-level package for one command, from source."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "leadscan", *args], env=env,
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    per: dict[str, float] = defaultdict(float)
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)", line)
        if m:
            per[m.group(4).split(".")[0]] += int(m.group(1)) / 1000.0
    return dict(sorted(per.items(), key=lambda kv: -kv[1]))


def build_bundle(dest: Path) -> tuple[Path, float, float]:
    t0 = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "LEADSCAN_ONEFILE"}
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                    "--distpath", str(dest / "dist"), "--workpath", str(dest / "work"),
                    str(ROOT / "leadscan.spec")], check=True, cwd=ROOT, env=env)
    elapsed = time.perf_counter() - t0
    folder = dest / "dist" / "leadscan"
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    return folder / ("leadscan.exe" if sys.platform.startswith("win") else "leadscan"), elapsed, size / 1e6


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--bundle", type=Path, help="bundled executable (default: dist/leadscan/leadscan if built)")
    p.add_argument("--build", action="store_true", help="build the bundle into a temp folder first")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    p.add_argument("--gui", action="store_true",
                   help="also time `--demo` to the scan-ready screen (offscreen, no camera)")
    args = p.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="leadscan-cli-bench-"))
    result: dict[str, object] = {"runs": args.runs, "python": sys.version.split()[0],
                                 "cpus": os.cpu_count()}
    try:
        import segno

        badge = tmp / "badge.png"
        segno.make(CODE, error="m").save(badge, scale=6, border=4)
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LEADSCAN_DATA_DIR=str(tmp / "data"))
        env.pop("LEADSCAN_PORTABLE", None)

        exe = args.bundle
        if args.build:
            exe, secs, mb = build_bundle(tmp / "build")
            result["build_seconds"] = round(secs, 1)
            result["bundle_mb"] = round(mb, 1)
            print(f"bundle: built in {secs:.0f} s, {mb:.0f} MB")
        elif exe is None:
            default = ROOT / "dist" / "leadscan" / "leadscan"
            exe = default if default.exists() else None

        targets = {"source": [sys.executable, "-m", "leadscan"]}
        if exe is not None:
            targets["bundle"] = [str(exe)]
        rows = []
        timings: dict[str, dict[str, dict[str, float]]] = {}
        for cmd_name, cmd_args in commands(badge).items():
            for target, prefix in targets.items():
                t = timed(prefix + cmd_args, env, args.runs)
                med, best = statistics.median(t), min(t)
                timings.setdefault(cmd_name, {})[target] = {"median_s": round(med, 3), "min_s": round(best, 3)}
                rows.append((cmd_name, target, med, best))
        if args.gui:
            # Same measurement as bench/startup_bench.py (the GUI's benchmark), for both targets.
            for target, prefix in targets.items():
                gui_env = dict(env, LEADSCAN_DATA_DIR=str(tmp / f"gui-{target}"))
                t = time_to_ready(prefix + ["--demo", "--camera", "none"], gui_env, args.runs)
                med, best = statistics.median(t), min(t)
                timings.setdefault("--demo to READY", {})[target] = {"median_s": round(med, 3),
                                                                       "min_s": round(best, 3)}
                rows.append(("--demo to READY", target, med, best))
        result["timings"] = timings

        print(f"\n{'command':<16} {'from':<7} {'median':>8} {'min':>8}   ({args.runs} runs, {os.cpu_count()} CPUs)")
        for cmd_name, target, med, best in rows:
            print(f"{cmd_name:<16} {target:<7} {med:>7.3f}s {best:>7.3f}s")

        print("\nimport time from source (ms, self time per top-level package, largest first):")
        profiles = {}
        for cmd_name, cmd_args in commands(badge).items():
            prof = import_profile(cmd_args, env)
            profiles[cmd_name] = {k: round(v, 1) for k, v in list(prof.items())[:12]}
            total = sum(prof.values())
            top = ", ".join(f"{k} {v:.0f}" for k, v in list(prof.items())[:8])
            print(f"  {cmd_name:<14} total {total:.0f} ms: {top}")
        result["import_ms"] = profiles
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
