"""Backoff: exponential, jittered, capped; Retry-After wins when longer (capped at an hour)."""

from __future__ import annotations

import random

from leadscan.core.sync.backoff import MAX_RETRY_AFTER, Backoff


def test_grows_exponentially_within_the_jitter_band() -> None:
    b = Backoff()
    rng = random.Random(1)
    for n in range(1, 8):
        full = min(b.ceiling, b.base * b.factor ** (n - 1))
        for _ in range(50):
            d = b.delay(n, rng=rng)
            assert (1 - b.jitter) * full <= d <= full


def test_ceiling_holds_for_any_number_of_failures() -> None:
    b = Backoff()
    rng = random.Random(2)
    delays = [b.delay(n, rng=rng) for n in (20, 100, 10_000)]
    assert all(b.ceiling * (1 - b.jitter) <= d <= b.ceiling for d in delays)


def test_jitter_spreads_booths_apart() -> None:
    rng = random.Random(3)
    delays = {round(Backoff().delay(5, rng=rng), 3) for _ in range(20)}
    assert len(delays) > 10  # not every laptop of a hall retries in the same second


def test_retry_after_wins_when_longer_and_is_capped() -> None:
    b = Backoff()
    rng = random.Random(4)
    assert b.delay(1, retry_after=30, rng=rng) == 30
    assert b.delay(1, retry_after=0.1, rng=rng) <= b.base  # shorter: the backoff stands
    assert b.delay(1, retry_after=10 ** 9, rng=rng) == MAX_RETRY_AFTER
    assert b.delay(0, rng=rng) <= b.base  # zero/negative failures count as the first
