"""Decoding benchmark: pyzbar(zbar) vs zxing-cpp vs OpenCV on a generated corpus of badge frames.

    python -m bench.decode_bench [--per-condition N] [--seed S] [--decoders zxing,zbar,opencv]

Reports per decoder: share of frames decoded correctly, wrong decodes, median and p95 ms per
frame on one core (process pinned to one CPU, cv2.setNumThreads(1)). Also the app's default
chain (`qr.DEFAULT_DECODERS`: first decoder, fallback when it finds nothing). Writes
bench/out/decode_bench.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` and `leadscan` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import cv2  # noqa: E402

from bench.corpus import CONDITIONS, RESOLUTIONS, empty_frames, generate  # noqa: E402
from leadscan.core.scan import qr  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def one_core() -> str:
    cv2.setNumThreads(1)
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "cv2.setNumThreads(1) (no CPU pinning on this OS)"


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))
    return s[k]


def run(per_condition: int, seed: int, variants: dict[str, tuple[str, ...]]) -> dict:
    results: dict[str, list[dict]] = {name: [] for name in variants}
    for dec in {d for chain in variants.values() for d in chain}:  # load outside the timing
        qr.decode_frame(_tiny(), [dec])
    n = 0
    t_start = time.monotonic()
    for sample in generate(seed=seed, per_condition=per_condition):
        n += 1
        for name, chain in variants.items():
            t0 = time.perf_counter()
            found = qr.decode_frame(sample.frame, chain)
            ms = (time.perf_counter() - t0) * 1000
            codes = [d.code for d in found]
            results[name].append(
                {
                    "resolution": sample.resolution,
                    "condition": sample.condition,
                    "kind": sample.payload_kind,
                    "ok": sample.expected in codes,
                    "wrong": any(c != sample.expected for c in codes),
                    "ms": ms,
                }
            )
        if n % 40 == 0:
            print(f"  {n} frames, {time.monotonic() - t_start:.0f} s", file=sys.stderr)
    for res, frame in empty_frames(seed=seed + 1, per_resolution=max(3, per_condition)):
        for name, chain in variants.items():
            t0 = time.perf_counter()
            found = qr.decode_frame(frame, chain)
            ms = (time.perf_counter() - t0) * 1000
            results[name].append(
                {"resolution": res, "condition": "empty", "kind": "none", "ok": not found,
                 "wrong": bool(found), "ms": ms}
            )
    return results


def _tiny():
    import numpy as np

    return np.full((64, 64), 255, np.uint8)


def summarise(rows: list[dict]) -> dict:
    """Over badge frames; `empty_*` over frames without a badge."""
    empty = [r for r in rows if r["condition"] == "empty"]
    rows = [r for r in rows if r["condition"] != "empty"]
    ms = [r["ms"] for r in rows]
    return {
        "frames": len(rows),
        "ok": sum(r["ok"] for r in rows) / len(rows),
        "wrong": sum(r["wrong"] for r in rows),
        "median_ms": statistics.median(ms),
        "p95_ms": pct(ms, 95),
        "empty_frames": len(empty),
        "empty_false_decodes": sum(r["wrong"] for r in empty),
        "empty_median_ms_720p": statistics.median([r["ms"] for r in empty if r["resolution"] == "720p"] or [0]),
        "empty_median_ms_1080p": statistics.median([r["ms"] for r in empty if r["resolution"] == "1080p"] or [0]),
    }


def report(results: dict[str, list[dict]], meta: dict) -> str:
    lines = [
        f"Corpus: {meta['frames']} frames ({meta['per_condition']} per condition and resolution, "
        f"seed {meta['seed']}), {len(CONDITIONS)} conditions x 720p/1080p; payloads: pretix secrets, "
        "UTF-8 names without ECI, binary bytes.",
        f"Machine: {meta['machine']}; {meta['cores']}. Decoders: {meta['versions']}.",
        "",
        "| decoder | decoded correctly | wrong decodes | median ms/frame | p95 ms/frame "
        "| 720p median ms | 1080p median ms | no badge: 720p / 1080p ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, rows in results.items():
        s = summarise(rows)
        badge = [r for r in rows if r["condition"] != "empty"]
        by_res = {
            res: statistics.median([r["ms"] for r in badge if r["resolution"] == res]) for res in RESOLUTIONS
        }
        lines.append(
            f"| {name} | {s['ok']:.1%} | {s['wrong'] + s['empty_false_decodes']} | {s['median_ms']:.1f} | {s['p95_ms']:.1f} | "
            f"{by_res['720p']:.1f} | {by_res['1080p']:.1f} | "
            f"{s['empty_median_ms_720p']:.1f} / {s['empty_median_ms_1080p']:.1f} |"
        )
    lines += [
        "",
        "Wrong decodes: frames where a decoder returned a code other than the one printed "
        "(including any code from the frames without a badge).",
    ]
    lines += ["", "Decoded correctly, by damage (720p and 1080p together):", ""]
    names = list(results)
    lines.append("| condition | " + " | ".join(names) + " |")
    lines.append("|---|" + "---|" * len(names))
    for cond in CONDITIONS:
        cells = []
        for name in names:
            rows = [r for r in results[name] if r["condition"] == cond]
            cells.append(f"{sum(r['ok'] for r in rows) / len(rows):.0%}")
        lines.append(f"| {cond} | " + " | ".join(cells) + " |")
    lines += ["", "By payload:", "", "| payload | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for kind in ("ticket", "utf8", "binary"):
        cells = []
        for name in names:
            rows = [r for r in results[name] if r["kind"] == kind]
            cells.append(f"{sum(r['ok'] for r in rows) / max(1, len(rows)):.0%} of {len(rows)}")
        lines.append(f"| {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-condition", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--decoders", default=",".join(qr.ALL_DECODERS))
    args = ap.parse_args(argv)
    cores = one_core()
    statuses = [s for s in qr.available_decoders() if s.name in args.decoders.split(",")]
    missing = [f"{s.name} ({s.detail})" for s in statuses if not s.ok]
    if missing:
        print("not available: " + ", ".join(missing), file=sys.stderr)
    variants = {s.name: (s.name,) for s in statuses if s.ok}
    default = qr.default_chain()
    if len(default) > 1:
        variants["default: " + " → ".join(default)] = default
    t0 = time.monotonic()
    results = run(args.per_condition, args.seed, variants)
    meta = {
        "frames": sum(r["condition"] != "empty" for r in next(iter(results.values()))),
        "per_condition": args.per_condition,
        "seed": args.seed,
        "machine": f"{platform.processor() or platform.machine()}, Python {platform.python_version()}",
        "cores": cores,
        "versions": ", ".join(s.detail for s in statuses if s.ok),
        "seconds": round(time.monotonic() - t0, 1),
    }
    text = report(results, meta)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "decode_bench.md").write_text(text + "\n", encoding="utf-8")
    (OUT / "decode_bench.json").write_text(
        json.dumps({"meta": meta, "summary": {k: summarise(v) for k, v in results.items()}, "rows": results}),
        encoding="utf-8",
    )
    print(text)
    print(f"\n({meta['seconds']} s; written to {OUT / 'decode_bench.md'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
