"""Exponential backoff with jitter and a ceiling; a server's Retry-After wins if longer."""

from __future__ import annotations

import random
from dataclasses import dataclass

MAX_RETRY_AFTER = 3600.0  # a server asking for more than an hour is not taken literally


@dataclass(frozen=True)
class Backoff:
    base: float = 2.0
    factor: float = 2.0
    ceiling: float = 300.0
    jitter: float = 0.5  # the delay is drawn from [(1 - jitter) * d, d]

    def delay(self, failures: int, *, retry_after: float | None = None,
              rng: random.Random | None = None) -> float:
        """Seconds to wait after the `failures`-th transient failure in a row (1-based)."""
        n = max(1, failures)
        d = min(self.ceiling, self.base * self.factor ** min(n - 1, 60))
        d *= 1.0 - self.jitter * (rng or random).random()
        if retry_after is not None:
            d = max(d, min(float(retry_after), MAX_RETRY_AFTER))
        return d
