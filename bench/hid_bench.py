"""USB scanner (keyboard wedge) benchmark: share of bursts read exactly at 1, 2 and 5 ms per key.

    python -m bench.hid_bench [--bursts N] [--no-qt]

Three ways in:
- core: `core.scan.wedge.WedgeDecoder` fed recorded key events (jittered timing, timestamps
  rounded to whole ms like X11's, random suffix Enter/Tab/CR LF/none, Caps Lock on for some).
- qt: the real `WedgeFilter` on an offscreen QApplication, QKeyEvents with timestamps sent to a
  focused notes editor; exact = one `scanned(code)` and the editor unchanged.
- qt, UI busy: the same while the UI thread is blocked for 120 ms in mid-burst (keys posted
  in real time from another thread, as the window system would queue them).
Also the share of human typing (words at 60-250 ms per key, some fast roll-overs) taken for a
scan. Writes bench/out/hid_bench.{md,json}.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from leadscan.core.scan.wedge import Key, KeyIn, Scan, WedgeDecoder  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
SPEEDS = (1.0, 2.0, 5.0)
SUFFIXES = ("enter", "tab", "crlf", "none")


def random_code(rng: np.random.Generator) -> str:
    r = rng.random()
    if r < 0.6:
        return "".join(rng.choice(list(ALPHABET), 32))
    if r < 0.8:  # longer codes with capitals and separators
        pool = list(ALPHABET + "ABCDEFGHJKLMNPQRSTUVWXYZ-./")
        return "".join(rng.choice(pool, int(rng.integers(40, 61))))
    return "".join(rng.choice(list(ALPHABET), int(rng.integers(6, 16))))


def scanner_events(code: str, ms: float, rng: np.random.Generator, t0: float) -> tuple[list[KeyIn], str, bool]:
    """What a scanner at `ms` per key produces; timestamps jittered +-30 % and rounded to 1 ms."""
    suffix = SUFFIXES[int(rng.integers(len(SUFFIXES)))]
    caps = bool(rng.random() < 0.2)
    evs = []
    t = t0
    for ch in code:
        text = ch.swapcase() if caps and ch.isalpha() else ch
        evs.append(KeyIn(text, float(round(t)), Key.CHAR, shift=ch.isupper()))
        t += ms * float(rng.uniform(0.7, 1.3))
    if suffix in ("enter", "crlf"):
        evs.append(KeyIn("\r", float(round(t)), Key.ENTER))
        t += ms
    if suffix == "crlf":
        evs.append(KeyIn("\n", float(round(t)), Key.ENTER))
    if suffix == "tab":
        evs.append(KeyIn("\t", float(round(t)), Key.TAB))
    return evs, suffix, caps


def human_events(rng: np.random.Generator, t0: float) -> list[KeyIn]:
    words = ["met", "at", "booth", "wants", "demo", "call", "back", "monday", "pricing", "ok"]
    text = " ".join(rng.choice(words, int(rng.integers(3, 8))))
    evs = []
    t = t0
    for ch in text:
        evs.append(KeyIn(ch, float(round(t)), Key.CHAR, shift=False))
        gap = float(rng.lognormal(np.log(140), 0.45))
        if rng.random() < 0.08:  # roll-over: next key pressed before this one is released
            gap = float(rng.uniform(8, 30))
        t += max(gap, 5.0)
    return evs


def bench_core(bursts: int, seed: int, phrases: int) -> dict:
    rng = np.random.default_rng(seed)
    out: dict = {}
    for ms in SPEEDS:
        ok = 0
        for i in range(bursts):
            code = random_code(rng)
            evs, _, _ = scanner_events(code, ms, rng, t0=i * 10_000.0)
            actions = WedgeDecoder().feed_all(evs)
            scans = [a.code for a in actions if isinstance(a, Scan)]
            replays = [a for a in actions if not isinstance(a, Scan)]
            ok += scans == [code] and not replays
        out[f"{ms:g}"] = ok / bursts
    false_scans = 0
    for i in range(phrases):
        actions = WedgeDecoder().feed_all(human_events(rng, t0=i * 100_000.0))
        false_scans += any(isinstance(a, Scan) for a in actions)
    out["human_taken_for_scan"] = false_scans / phrases
    return out


def bench_qt(bursts: int, busy_bursts: int, seed: int) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication, QPlainTextEdit

    from leadscan.gui.input.wedge_filter import WedgeFilter

    app = QApplication.instance() or QApplication([])
    notes = QPlainTextEdit()
    notes.setPlainText("notes")
    notes.show()
    notes.activateWindow()
    notes.setFocus()
    wedge = WedgeFilter(app)
    app.installEventFilter(wedge)
    got: list[str] = []
    wedge.scanned.connect(got.append)
    rng = np.random.default_rng(seed)

    def qevents(evs: list[KeyIn]) -> list[QKeyEvent]:
        out = []
        for k in evs:
            key = {Key.ENTER: Qt.Key.Key_Return, Key.TAB: Qt.Key.Key_Tab}.get(k.key)
            if key is None:
                key = Qt.Key(ord(k.text.upper())) if k.text.isascii() and k.text.isalnum() else Qt.Key.Key_unknown
            mods = Qt.KeyboardModifier.ShiftModifier if k.shift else Qt.KeyboardModifier.NoModifier
            for et in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                ev = QKeyEvent(et, key, mods, 0, 0, 0, k.text)
                ev.setTimestamp(int(k.t_ms))
                out.append(ev)
        return out

    def settle(deadline_s: float = 1.0) -> None:
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            app.processEvents()
            if not wedge._decoder.busy and not wedge._timer.isActive():  # noqa: SLF001
                app.processEvents()
                return
            time.sleep(0.002)

    def exact(code: str) -> bool:
        return got == [code] and notes.toPlainText() == "notes"

    t_event = 1_000_000.0
    res: dict = {"sync": {}, "busy": {}}
    for ms in SPEEDS:
        ok = 0
        for _ in range(bursts):
            code = random_code(rng)
            evs, _, _ = scanner_events(code, ms, rng, t_event)
            t_event += 10_000
            got.clear()
            for ev in qevents(evs):
                QApplication.sendEvent(notes, ev)
            settle()
            ok += exact(code)
        res["sync"][f"{ms:g}"] = ok / bursts
    for ms in SPEEDS:
        ok = 0
        for _ in range(busy_bursts):
            code = (random_code(rng) * 3)[:60]
            evs, _, _ = scanner_events(code, ms, rng, t_event)
            t_event += 10_000
            got.clear()
            qevs = qevents(evs)
            head, tail = qevs[:10], qevs[10:]
            for ev in head:
                QApplication.sendEvent(notes, ev)

            def producer(tail=tail, ms=ms) -> None:
                for i, ev in enumerate(tail):
                    QCoreApplication.postEvent(notes, ev)
                    if i % 2:
                        time.sleep(ms / 1000)

            th = threading.Thread(target=producer)
            th.start()
            time.sleep(0.12)  # the UI thread is busy
            th.join()
            settle()
            ok += exact(code)
        res["busy"][f"{ms:g}"] = ok / busy_bursts
    app.removeEventFilter(wedge)
    notes.close()
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bursts", type=int, default=300)
    ap.add_argument("--qt-bursts", type=int, default=100)
    ap.add_argument("--busy-bursts", type=int, default=30)
    ap.add_argument("--phrases", type=int, default=5000, help="typed phrases for the false-scan rate")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-qt", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    core = bench_core(args.bursts, args.seed, args.phrases)
    qt = None if args.no_qt else bench_qt(args.qt_bursts, args.busy_bursts, args.seed)
    lines = [
        "| ms per key | core logic | Qt filter | Qt filter, UI thread busy 120 ms (60 chars) |",
        "|---|---|---|---|",
    ]
    for ms in SPEEDS:
        k = f"{ms:g}"
        q = f"{qt['sync'][k]:.1%}" if qt else "—"
        b = f"{qt['busy'][k]:.1%}" if qt else "—"
        lines.append(f"| {k} | {core[k]:.1%} | {q} | {b} |")
    lines += [
        "",
        f"Bursts: {args.bursts} (core), {args.qt_bursts} (Qt), {args.busy_bursts} (Qt busy) per speed; "
        "timing jitter ±30 %, timestamps in whole ms, suffix Enter/Tab/CR LF/none, Caps Lock on in 20 %.",
        f"Human typing taken for a scan: {core['human_taken_for_scan']:.2%} of {args.phrases} typed phrases "
        "(60-250 ms per key, 8 % of keys rolled over at 8-30 ms).",
    ]
    text = "\n".join(lines)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "hid_bench.md").write_text(text + "\n", encoding="utf-8")
    (OUT / "hid_bench.json").write_text(json.dumps({"core": core, "qt": qt}), encoding="utf-8")
    print(text)
    print(f"\n({time.monotonic() - t0:.0f} s; written to {OUT / 'hid_bench.md'})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
