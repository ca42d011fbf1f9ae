"""The kiosk exit PIN: stored as a salted scrypt hash; wrong attempts slow down."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from collections.abc import Callable

_N, _R, _P = 2**14, 8, 1


def hash_pin(pin: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    b64 = base64.b64encode
    return f"scrypt${_N}${_R}${_P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_pin(pin: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(pin.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def valid_new_pin(pin: str) -> str | None:
    """None if `pin` may be used, else why not."""
    if len(pin) < 4:
        return "The PIN needs at least 4 digits."
    if not (pin.isascii() and pin.isdigit()):
        # "１２３４" or "١٢٣٤" pass isdigit() but the exit pad types 0-9: a lockout
        return "Use the digits 0-9 only (the exit pad has only those)."
    return None


class PinGuard:
    """Checks PIN attempts; after 3 wrong ones each further try waits longer (2, 4, 8 … 60 s)."""

    FREE_ATTEMPTS = 3
    MAX_DELAY = 60.0

    def __init__(self, stored: str, clock: Callable[[], float] = time.monotonic) -> None:
        self.stored = stored
        self.clock = clock
        self.failures = 0
        self.locked_until = 0.0

    def wait_s(self) -> float:
        return max(0.0, self.locked_until - self.clock())

    def check(self, pin: str) -> bool:
        if self.wait_s() > 0:
            return False
        if self.stored and verify_pin(pin, self.stored):
            self.failures = 0
            self.locked_until = 0.0
            return True
        self.failures += 1
        if self.failures >= self.FREE_ATTEMPTS:
            delay = min(self.MAX_DELAY, 2.0 ** (self.failures - self.FREE_ATTEMPTS + 1))
            self.locked_until = self.clock() + delay
        return False
