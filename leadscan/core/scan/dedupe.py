"""A badge held in front of the camera counts once.

At 15 fps a badge shown for 3 s decodes ~45 times. `SeenWindow.admit` lets a code through the
first time and then ignores it while it keeps being seen: every sighting extends the quiet
period, so however long the badge stays in view it counts once. After `window_s` without a
sighting the code is let through again (the caller then finds the existing lead and says
"already scanned").
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

DEFAULT_WINDOW_S = 3.0


class SeenWindow:
    """Thread-safe "seen recently" set with a sliding window per code."""

    def __init__(self, window_s: float = DEFAULT_WINDOW_S, clock: Callable[[], float] = time.monotonic) -> None:
        if window_s < 0:
            raise ValueError("window_s must be >= 0")
        self.window_s = window_s
        self._clock = clock
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def admit(self, code: str, now: float | None = None) -> bool:
        """Record a sighting; True if it counts as a new scan (not seen within the window)."""
        t = self._clock() if now is None else now
        with self._lock:
            self._purge(t)
            last = self._last.get(code)
            self._last[code] = t
            return last is None or t - last > self.window_s

    def seen_recently(self, code: str, now: float | None = None) -> bool:
        """True if the code was sighted within the window (does not record a sighting)."""
        t = self._clock() if now is None else now
        with self._lock:
            last = self._last.get(code)
            return last is not None and t - last <= self.window_s

    def forget(self, code: str) -> None:
        with self._lock:
            self._last.pop(code, None)

    def clear(self) -> None:
        with self._lock:
            self._last.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._last)

    def _purge(self, t: float) -> None:
        if len(self._last) < 256:
            return
        old = [c for c, last in self._last.items() if t - last > self.window_s]
        for c in old:
            del self._last[c]
