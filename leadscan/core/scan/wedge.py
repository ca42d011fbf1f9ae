"""USB barcode scanners that type (HID keyboard wedge): tell a scan from a person typing.

A scanner types a whole code in a few milliseconds per key, then usually Enter (or Tab, or
CR LF, or nothing). A person types one key every 80+ ms. `WedgeDecoder` is fed key events
with their *event* timestamps (not the time we got round to processing them: a busy UI
thread delivers a queued burst all at once, K13) and decides:

- keys whose gaps are all <= `max_gap_ms`, at least `min_len` of them: a scan. The keys are
  swallowed (never reach the focused widget, K15) and one `Scan(code)` comes out when the
  suffix key arrives or the keys stop (`idle()`); a suffix is never part of the code and never
  acts (a Tab does not move focus, K14); CR LF gives one scan, never an empty one.
- anything else: typing. The keys held back while it was unclear are handed back in order as
  `Replay(keys)` for the caller to deliver to the focused widget.

Caps Lock (K12): a scanner presses Shift for capitals and nothing for small letters; with
Caps Lock on the OS inverts that. The case of a letter in a scan therefore follows the Shift
key the scanner pressed (`KeyIn.shift`), not the text the OS made.

Qt-free; `gui/input/wedge_filter.py` adapts Qt key events to `KeyIn`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from leadscan.core.scan import layout


class Key(enum.Enum):
    CHAR = "char"  # produces text
    ENTER = "enter"  # Return, keypad Enter, LF (Ctrl+J)
    TAB = "tab"
    MODIFIER = "modifier"  # Shift/Ctrl/Alt/... pressed alone: ignored
    OTHER = "other"  # arrows, Backspace, F-keys, shortcuts: always a person


@dataclass(frozen=True)
class KeyIn:
    """One key press. `t_ms`: the event's own timestamp in milliseconds (any origin)."""

    text: str
    t_ms: float
    key: Key = Key.CHAR
    shift: bool | None = None  # Shift held; None if unknown (then the text's case is kept)
    token: Any = field(default=None, compare=False)  # caller's original event, for Replay


@dataclass(frozen=True)
class Scan:
    code: str
    keys: tuple[KeyIn, ...] = ()
    suffix: str = ""  # "enter", "tab", "idle"


@dataclass(frozen=True)
class Replay:
    """Keys that were typing after all: deliver them to the focused widget, in this order."""

    keys: tuple[KeyIn, ...]


Action = Scan | Replay


@dataclass(frozen=True)
class FeedResult:
    consume: bool  # True: the caller must not deliver this key (held back or part of a scan)
    actions: tuple[Action, ...] = ()  # to carry out *before* delivering this key if not consumed


@dataclass
class WedgeConfig:
    max_gap_ms: float = 35.0  # scanners: 1-20 ms per key; people: 50+ ms
    min_len: int = 6  # fewer fast keys than this is a person (a typist rolls over 2-3 keys)
    idle_ms: float = 50.0  # silence that ends a burst without suffix / releases held-back keys
    prefix: str = ""  # configured scanner prefix, removed from codes
    require_prefix: bool = False  # only bursts starting with `prefix` are scans
    mapping: Mapping[str, str] | None = None  # keyboard layout fix (see layout.py)
    max_len: int = 4096


class _State(enum.Enum):
    IDLE = 0
    CANDIDATE = 1  # fast keys, not enough yet to be sure
    BURST = 2  # a scan in progress
    AFTER = 3  # a scan just ended with a suffix: swallow the rest of the suffix (CR LF)


class WedgeDecoder:
    """State machine over key events; see the module docstring."""

    def __init__(self, config: WedgeConfig | None = None) -> None:
        self.config = config or WedgeConfig()
        self._state = _State.IDLE
        self._buf: list[KeyIn] = []
        self._last_t: float | None = None

    @property
    def holding(self) -> bool:
        """True while keys are held back (the caller should arm its idle timer)."""
        return self._state in (_State.CANDIDATE, _State.BURST)

    @property
    def busy(self) -> bool:
        return self._state != _State.IDLE

    def feed(self, ev: KeyIn) -> FeedResult:
        cfg = self.config
        if ev.key is Key.MODIFIER:
            return FeedResult(consume=self.holding)
        actions: list[Action] = []
        gap = None if self._last_t is None else ev.t_ms - self._last_t
        if gap is not None and gap > cfg.max_gap_ms and self._state is not _State.IDLE:
            actions.extend(self._end(suffix="idle"))

        if ev.key is Key.CHAR and ev.text:
            if self._state is _State.AFTER:
                self._state = _State.IDLE
            self._buf.append(ev)
            self._last_t = ev.t_ms
            self._state = _State.BURST if len(self._buf) >= cfg.min_len else _State.CANDIDATE
            if len(self._buf) >= cfg.max_len:
                actions.extend(self._end(suffix="idle"))
            return FeedResult(True, tuple(actions))

        if ev.key in (Key.ENTER, Key.TAB):
            if self._state is _State.BURST:
                actions.extend(self._end(suffix=ev.key.value))
                if any(isinstance(a, Scan) for a in actions):
                    self._state = _State.AFTER
                    self._last_t = ev.t_ms
                    return FeedResult(True, tuple(actions))
                return FeedResult(False, tuple(actions))
            if self._state is _State.AFTER:
                self._last_t = ev.t_ms  # LF of CR LF, or a doubled suffix
                return FeedResult(True, tuple(actions))
            actions.extend(self._end(suffix="idle"))
            return FeedResult(False, tuple(actions))

        # OTHER (or a CHAR without text): a person; settle what is held first
        actions.extend(self._end(suffix="idle"))
        self._state = _State.IDLE
        return FeedResult(False, tuple(actions))

    def idle(self) -> list[Action]:
        """No key for `idle_ms`: end a burst without suffix, release held-back typing."""
        out = self._end(suffix="idle")
        self._state = _State.IDLE
        return out

    def feed_all(self, events: Iterable[KeyIn]) -> list[Action]:
        """Run a whole recorded sequence (benchmarks, tests); idle at the end."""
        actions: list[Action] = []
        for ev in events:
            actions.extend(self.feed(ev).actions)
        actions.extend(self.idle())
        return actions

    # internals ----------------------------------------------------------------------------

    def _end(self, suffix: str) -> list[Action]:
        """Settle the held keys: a scan if they were a burst, else hand them back."""
        buf, state = self._buf, self._state
        self._buf = []
        self._state = _State.IDLE
        if not buf:
            return []
        if state is _State.BURST:
            code = self._code(buf)
            if code is not None:
                return [Scan(code, tuple(buf), suffix)]
            if self.config.require_prefix:
                return [Replay(tuple(buf))]
            return []  # only a prefix: nothing to submit, never an empty code
        return [Replay(tuple(buf))]

    def _code(self, keys: list[KeyIn]) -> str | None:
        cfg = self.config
        text = typed_text(keys)
        if cfg.mapping:
            text = layout.apply(text, cfg.mapping)
        if cfg.prefix:
            if text.startswith(cfg.prefix):
                text = text[len(cfg.prefix) :]
            elif cfg.require_prefix:
                return None
        return text or None


def typed_text(keys: Iterable[KeyIn], prefix: str = "") -> str:
    """What the scanner typed, letter case by Shift, no layout mapping (for calibration)."""
    text = "".join(_case_by_shift(k) for k in keys)
    if prefix and text.startswith(prefix):
        text = text[len(prefix) :]
    return text


def _case_by_shift(k: KeyIn) -> str:
    """The character the scanner meant: letter case from Shift, so Caps Lock cannot flip it."""
    ch = k.text
    if k.shift is None or len(ch) != 1:
        return ch
    lo, up = ch.lower(), ch.upper()
    if lo == up or len(lo) != 1 or len(up) != 1:
        return ch
    return up if k.shift else lo


def burst(
    code: str,
    *,
    t0_ms: float = 0.0,
    ms_per_key: float = 2.0,
    suffix: str = "enter",
    caps_lock: bool = False,
) -> list[KeyIn]:
    """Key events a scanner would produce for `code` (benchmarks and tests)."""
    evs = []
    t = t0_ms
    for ch in code:
        shift = ch.isupper()
        text = ch.swapcase() if caps_lock and len(ch.swapcase()) == 1 else ch
        evs.append(KeyIn(text, t, Key.CHAR, shift=shift))
        t += ms_per_key
    if suffix in ("enter", "crlf"):
        evs.append(KeyIn("\r", t, Key.ENTER))
        t += ms_per_key
    if suffix == "crlf":
        evs.append(KeyIn("\n", t, Key.ENTER))
    if suffix == "tab":
        evs.append(KeyIn("\t", t, Key.TAB))
    return evs
