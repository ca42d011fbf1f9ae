"""Misbehaving on purpose: the ways real venues and servers fail, switchable at run time.

A fault set is written as a compact SPEC string (see docs/emulator.md), for example

    seed=1,latency=200ms:jitter=50ms,error_rate=0.2,rate_limit=0.1:retry_after=2,reset=0.05,
    captive,truncate=0.1,drip=5s,lb403_after=100,revoke=ABCD1234@+30s,mail_fail,scope=app

Decisions come from one seeded random generator that draws the same number of values for
every request, so the same request sequence meets the same faults under the same seed.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime

HTML = "text/html; charset=utf-8"
CAPTIVE_PORTAL_URL = "http://login.venue-wifi.example/portal"
CAPTIVE_PAGE = (
    "<!DOCTYPE html><html><head><title>Welcome to Venue WiFi</title>"
    f'<meta http-equiv="refresh" content="0; url={CAPTIVE_PORTAL_URL}">'
    "</head><body><h1>Welcome to Venue WiFi</h1><p>Please accept the terms of use to "
    f'connect to the internet.</p><a href="{CAPTIVE_PORTAL_URL}">Log in</a></body></html>'
).encode()
LB403_PAGE = (
    b"<html><head><title>403 Forbidden</title></head><body><center><h1>403 Forbidden</h1>"
    b"</center><hr><center>nginx</center></body></html>"
)
ERROR_PAGES = {
    500: b"<!doctype html><html><head><title>Server Error (500)</title></head><body>"
         b"<h1>Server Error (500)</h1><p></p></body></html>",
    502: b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway"
         b"</h1></center><hr><center>nginx</center></body></html>",
    503: b"<html><head><title>503 Service Temporarily Unavailable</title></head><body><center>"
         b"<h1>503 Service Temporarily Unavailable</h1></center><hr><center>nginx</center>"
         b"</body></html>",
    504: b"<html><head><title>504 Gateway Time-out</title></head><body><center><h1>504 Gateway"
         b" Time-out</h1></center><hr><center>nginx</center></body></html>",
}


class FaultSpecError(ValueError):
    """The SPEC string could not be read; the message names the offending part."""


@dataclass
class FaultConfig:
    seed: int | None = None
    latency: float = 0.0  # seconds added before answering
    jitter: float = 0.0  # up to this much more, random
    error_rate: float = 0.0  # share of 5xx answers
    error_codes: tuple[int, ...] = (500, 502, 503)
    rate_limit: float = 0.0  # share of 429 answers
    retry_after: int = 2
    reset: float = 0.0  # share of connections reset mid-response
    captive: float = 0.0  # share of captive-portal pages (1 = every request)
    truncate: float = 0.0  # share of JSON bodies cut in half
    drip: float = 0.0  # seconds between body pieces of 16 bytes (0 = off)
    drip_rate: float = 1.0  # share of responses dripped when drip is on
    lb403_after: int | None = None  # HTML 403 from a load balancer after N requests
    revoke: list[tuple[str, float]] = field(default_factory=list)  # (code, epoch seconds)
    mail_fail: bool = False
    scope: str = "all"  # "app", "rest" or "all": which API the request faults apply to
    spec: str = ""  # the text this came from, as given


def parse_duration(text: str) -> float:
    """`200ms`, `2s`, `1.5s`, `2m`, or a bare number of seconds."""
    t = text.strip().lower()
    try:
        for unit, factor in (("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0)):
            if t.endswith(unit):
                value = float(t[: -len(unit)]) * factor
                break
        else:
            value = float(t)
    except ValueError:
        raise FaultSpecError(f"{text!r} is not a duration (e.g. 200ms, 2s)") from None
    if value < 0:
        raise FaultSpecError(f"{text!r}: a duration cannot be negative")
    return value


def _share(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise FaultSpecError(f"{name}={text!r}: expected a share between 0 and 1") from None
    if not 0 <= value <= 1:
        raise FaultSpecError(f"{name}={text!r}: expected a share between 0 and 1")
    return value


def _moment(text: str, now: float) -> float:
    if text.startswith("+"):
        return now + parse_duration(text[1:])
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise FaultSpecError(f"{text!r} is neither +DURATION nor an ISO 8601 moment") from None
    if dt.tzinfo is None:
        raise FaultSpecError(f"{text!r}: give the moment with its UTC offset")
    return dt.timestamp()


def parse_spec(spec: str | None, now: float | None = None) -> FaultConfig:
    """Read a SPEC string. Relative moments (`revoke=CODE@+30s`) count from `now`."""
    now = time.time() if now is None else now
    cfg = FaultConfig(spec=(spec or "").strip())
    for item in filter(None, (p.strip() for p in (spec or "").split(","))):
        # revoke's ISO moment contains ':'; it takes no options
        head, *opts = [item] if item.startswith("revoke") else item.split(":")
        name, has_value, value = (s.strip() for s in head.partition("="))
        options: dict[str, str] = {}
        for opt in opts:
            k, eq, v = opt.partition("=")
            if not eq:
                raise FaultSpecError(f"{item!r}: option {opt!r} needs a value (name=value)")
            options[k.strip()] = v.strip()

        def need() -> str:
            if not has_value or not value:
                raise FaultSpecError(f"{name!r} needs a value ({name}=...)")
            return value

        def unknown_options(*allowed: str) -> None:
            extra = set(options) - set(allowed)
            if extra:
                raise FaultSpecError(f"{name!r} has no option {sorted(extra)[0]!r}")

        if name == "seed":
            unknown_options()
            try:
                cfg.seed = int(need())
            except ValueError:
                raise FaultSpecError(f"seed={value!r}: expected an integer") from None
        elif name == "latency":
            unknown_options("jitter")
            cfg.latency = parse_duration(need())
            cfg.jitter = parse_duration(options.get("jitter", "0"))
        elif name == "error_rate":
            unknown_options("codes")
            cfg.error_rate = _share(name, need())
            if "codes" in options:
                try:
                    codes = tuple(int(c) for c in options["codes"].split("/"))
                except ValueError:
                    raise FaultSpecError(f"codes={options['codes']!r}: expected e.g. 500/502/503") from None
                if not codes or any(not 500 <= c <= 599 for c in codes):
                    raise FaultSpecError(f"codes={options['codes']!r}: only 5xx codes")
                cfg.error_codes = codes
        elif name == "rate_limit":
            unknown_options("retry_after")
            cfg.rate_limit = _share(name, need())
            if "retry_after" in options:
                cfg.retry_after = max(0, round(parse_duration(options["retry_after"])))
        elif name in ("reset", "truncate"):
            unknown_options()
            setattr(cfg, name, _share(name, need()))
        elif name == "captive":
            unknown_options()
            cfg.captive = _share(name, value) if has_value else 1.0
        elif name == "drip":
            unknown_options("rate")
            cfg.drip = parse_duration(need())
            cfg.drip_rate = _share("rate", options.get("rate", "1"))
        elif name == "lb403_after":
            unknown_options()
            try:
                cfg.lb403_after = int(need())
            except ValueError:
                raise FaultSpecError(f"lb403_after={value!r}: expected a number of requests") from None
            if cfg.lb403_after < 0:
                raise FaultSpecError("lb403_after cannot be negative")
        elif name == "revoke":
            unknown_options()
            code, at, when = need().partition("@")
            if not code:
                raise FaultSpecError("revoke needs an access code: revoke=CODE[@+30s]")
            cfg.revoke.append((code, _moment(when, now) if at else now))
        elif name == "mail_fail":
            unknown_options()
            cfg.mail_fail = True
        elif name == "scope":
            unknown_options()
            if need() not in ("app", "rest", "all"):
                raise FaultSpecError(f"scope={value!r}: expected app, rest or all")
            cfg.scope = value
        else:
            raise FaultSpecError(f"unknown fault {name!r}")
    return cfg


@dataclass
class Plan:
    """What the server does to one request."""

    delay: float = 0.0
    status: int | None = None  # answer this instead of handling the request
    body: bytes = b""
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    after: str | None = None  # "reset" | "truncate" | "drip": how the real answer is spoiled
    drip: float = 0.0


class Faults:
    """The active fault set of a server; thread-safe."""

    def __init__(self, config: FaultConfig | str | None = None) -> None:
        self._lock = threading.Lock()
        self.set(config)

    def set(self, config: FaultConfig | str | None) -> FaultConfig:
        cfg = config if isinstance(config, FaultConfig) else parse_spec(config)
        with self._lock:
            self.config = cfg
            self._rng = random.Random(cfg.seed)
            self._count = 0
        return cfg

    def is_revoked(self, code: str, now: float | None = None) -> bool:
        now = time.time() if now is None else now
        return any(code == c and now >= t for c, t in self.config.revoke)

    def mail_fails(self) -> bool:
        return self.config.mail_fail

    def plan(self, api: str) -> Plan:
        """Decide the faults for one request to `api` ("app" or "rest")."""
        with self._lock:
            cfg = self.config
            if cfg.scope not in ("all", api):
                return Plan()
            self._count += 1
            count = self._count
            # Always the same number of draws per request: decisions depend only on the seed
            # and the request's position in the sequence.
            r_captive, r_rate, r_error, r_code, r_reset, r_trunc, r_drip, r_jitter = (
                self._rng.random() for _ in range(8))
        plan = Plan(delay=cfg.latency + cfg.jitter * r_jitter)
        if r_captive < cfg.captive:
            plan.status, plan.body = 200, CAPTIVE_PAGE
            plan.headers = {"Cache-Control": "no-store"}
        elif cfg.lb403_after is not None and count > cfg.lb403_after:
            plan.status, plan.body = 403, LB403_PAGE
            plan.headers = {"Server": "nginx"}
        elif r_rate < cfg.rate_limit:
            plan.status, plan.content_type = 429, "application/json"
            plan.body = (b'{"detail": "Request was throttled. Expected available in %d seconds."}'
                         % cfg.retry_after)
            plan.headers = {"Retry-After": str(cfg.retry_after)}
        elif r_error < cfg.error_rate:
            code = cfg.error_codes[int(r_code * len(cfg.error_codes))]
            plan.status = code
            plan.body = ERROR_PAGES.get(code, ERROR_PAGES[500])
        elif r_reset < cfg.reset:
            plan.after = "reset"
        elif r_trunc < cfg.truncate:
            plan.after = "truncate"
        elif cfg.drip > 0 and r_drip < cfg.drip_rate:
            plan.after, plan.drip = "drip", cfg.drip
        return plan
