"""SyncEngine: one blocking pass over the outbox, no threads of its own (the GUI runs it in a
worker thread; `concurrency > 1` uses a small pool only for the HTTP calls).

A pass:
1. does nothing while the access code is known to be refused (401) — until a new login;
2. respects the backoff after a transient failure, unless forced ("Sync now") or the
   server became reachable again after being unreachable;
3. refreshes the profile when due (first pass, then every few minutes);
4. uploads outbox rows oldest first; stops at the first transient failure (network, 5xx, 429,
   an answer that is not the App API's), marks 400s rejected, stops everything on 401.

What went wrong is kept in the store's meta table, so `status()` is a query and survives a
restart (Anki's "the sync status is a query, not a flag in memory").
"""

from __future__ import annotations

import logging
import random
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TypeVar
from urllib.parse import urlsplit

from ..api.client import AppApiClient, LeadResponse, LeadUpload
from ..api.parse import parse_profile
from ..errors import (
    ApiError,
    AuthError,
    BadResponse,
    InvalidLead,
    LeadscanError,
    NetworkError,
    PermissionDenied,
    RateLimited,
    ServerError,
    TlsError,
    TransientError,
)
from ..models import Profile
from ..store import Claim, LeadStore, Outcome
from .backoff import Backoff

log = logging.getLogger("leadscan.sync")
T = TypeVar("T")

PROFILE_EVERY = timedelta(minutes=5)
PULL_EVERY = timedelta(minutes=10)
CLOCK_TOLERANCE = 300.0
PROBE_EVERY = 5.0  # seconds between reachability checks while offline
BATCH = 16  # uploads per claim/commit round: one disk sync records up to BATCH answers  # seconds between our clock and the server's Date before we warn

# meta keys (the state of sync, kept in the database)
K_AUTH = "sync.auth_needed"
K_FAILURES = "sync.failures"
K_NEXT = "sync.next_attempt_at"
K_PROBLEM = "sync.problem"
K_KIND = "sync.problem_kind"
K_LAST_SYNC = "sync.last_sync"
K_ONLINE = "sync.online"
K_SKEW = "clock.skew_seconds"
K_PROFILE = "profile.json"
K_PROFILE_AT = "profile.checked_at"
K_PULL_FORBIDDEN = "pull.forbidden"
K_LAST_PULL = "pull.last"
K_GENERATION = "account.generation"  # changes at every login

AUTH_TEXT = "Access code no longer valid — enter the new one"
OFFLINE_TEXT = "Offline — scans are saved and will sync"
PORTAL_TEXT = "Network needs a login (hotspot page) — scans are saved and will sync"
PULL_FORBIDDEN_TEXT = "Lead list: this code may not read leads"
SCAN_FORBIDDEN_TEXT = "This access code may not upload leads — ask the organizer"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class SyncReport:
    uploaded: int = 0
    rejected: int = 0
    pending: int = 0  # left in the outbox after the pass
    skipped: bool = False  # not due (backoff) and not forced: nothing was tried
    auth_needed: bool = False
    problem: str | None = None  # why the pass stopped early, for people
    next_attempt_at: datetime | None = None
    pulled: "PullReport | None" = None
    # while offline: call sync_once() again after this many seconds even if next_attempt_at is
    # later; it only checks (cheaply) whether the server is reachable again and then uploads
    probe_after: float | None = None

    @property
    def done(self) -> bool:
        return self.pending == 0 and not self.auth_needed


@dataclass(frozen=True)
class PullReport:
    added: int = 0
    updated: int = 0
    kept_local: int = 0
    unidentified: int = 0
    ambiguous: int = 0
    forbidden: bool = False
    problem: str | None = None


def problem_kind(exc: BaseException) -> str:
    if isinstance(exc, AuthError):
        return "auth"
    if isinstance(exc, BadResponse) and exc.captive_portal:
        return "portal"
    if isinstance(exc, TlsError):
        return "tls"
    if isinstance(exc, NetworkError):
        return "offline"
    if isinstance(exc, RateLimited):
        return "ratelimit"
    if isinstance(exc, ServerError):
        return "server"
    if isinstance(exc, PermissionDenied):
        return "forbidden"
    return "other"


def problem_text(exc: BaseException) -> str:
    kind = problem_kind(exc)
    if kind == "auth":
        return AUTH_TEXT
    if kind == "portal":
        return PORTAL_TEXT
    if kind == "offline":
        return OFFLINE_TEXT
    if kind == "forbidden":
        return SCAN_FORBIDDEN_TEXT
    return f"{exc} Scans are saved and will sync."


class SyncEngine:
    """Uploads one account's outbox through `client`. Not thread-safe: one worker calls it."""

    def __init__(
        self,
        store: LeadStore,
        account: str,
        client: AppApiClient,
        *,
        backoff: Backoff = Backoff(),
        rng: random.Random | None = None,
        clock: Callable[[], datetime] = utcnow,
        concurrency: int = 1,
        generation: str | None = None,
    ) -> None:
        """`generation`: the login this engine's client belongs to (meta `account.generation`);
        a 401 that answers a request made with an older code must not lock out the new one."""
        self.store = store
        self.generation = generation
        self.account = account
        self.client = client
        self.backoff = backoff
        self.rng = rng or random.Random()
        self.clock = clock
        self.concurrency = max(1, concurrency)
        self._profile_checked_this_run = False
        self._executor: ThreadPoolExecutor | None = None

    # -- state in meta --------------------------------------------------------------------

    @property
    def auth_needed(self) -> bool:
        return self.store.get_meta(K_AUTH) == "1"

    def next_attempt_at(self) -> datetime | None:
        text = self.store.get_meta(K_NEXT)
        return datetime.fromisoformat(text) if text else None

    def due(self) -> bool:
        nxt = self.next_attempt_at()
        return nxt is None or self.clock() >= nxt

    def _note_clock(self) -> None:
        server = self.client.last_server_date
        if server is None or server.tzinfo is None:
            return
        skew = (self.clock() - server).total_seconds()
        self.store.set_meta(K_SKEW, str(round(skew)))

    def _succeeded(self) -> None:
        if self._stale():
            return
        self._note_clock()
        self.store.set_many({K_FAILURES: None, K_NEXT: None, K_PROBLEM: None, K_KIND: None,
                             K_ONLINE: "1"})

    def _failed(self, exc: ApiError) -> datetime:
        if self._stale():  # a pass of a replaced login: its trouble is not the new login's
            return self.clock()
        failures = int(self.store.get_meta(K_FAILURES, "0") or 0) + 1
        retry_after = exc.retry_after if isinstance(exc, TransientError) else None
        delay = self.backoff.delay(failures, retry_after=retry_after, rng=self.rng)
        if isinstance(exc, PermissionDenied):
            delay = max(delay, self.backoff.ceiling)
        nxt = self.clock() + timedelta(seconds=delay)
        kind = problem_kind(exc)
        self._note_clock()
        self.store.set_many({
            K_FAILURES: str(failures),
            K_NEXT: nxt.isoformat(),
            K_PROBLEM: problem_text(exc),
            K_KIND: kind,
            K_ONLINE: "0" if kind in ("offline", "portal") else "1",
        })
        log.info("sync paused %.1fs after %s (failure %d)", delay, type(exc).__name__, failures)
        return nxt

    def _stale(self) -> bool:
        return self.generation is not None and self.store.get_meta(K_GENERATION) != self.generation

    def _auth_failed(self) -> None:
        if self._stale():
            log.info("401 for a code replaced meanwhile; ignored")
            return
        self.store.set_many({K_AUTH: "1", K_PROBLEM: AUTH_TEXT, K_KIND: "auth", K_ONLINE: "1"})
        log.warning("access code refused (401): sync stopped until a new code is entered")

    def _server_reachable(self) -> bool:
        """Cheap check used while offline: can a TCP connection be opened to the server?"""
        parts = urlsplit(self.client.base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            with socket.create_connection((parts.hostname or "", port), timeout=0.5):
                return True
        except OSError:
            return False

    # -- profile --------------------------------------------------------------------------

    def profile_due(self) -> bool:
        if not self._profile_checked_this_run:
            return True
        text = self.store.get_meta(K_PROFILE_AT)
        return not text or self.clock() - datetime.fromisoformat(text) >= PROFILE_EVERY

    def refresh_profile(self) -> Profile:
        """GET profile; 401 marks the code refused. Raises the client's typed errors."""
        try:
            profile = _guard(self.client.get_profile)
        except AuthError:
            self._auth_failed()
            raise
        self._profile_checked_this_run = True
        self._note_clock()
        self.store.set_many({
            K_PROFILE: _dump(profile.raw),
            K_PROFILE_AT: self.clock().isoformat(),
        })
        return profile

    # -- upload ---------------------------------------------------------------------------

    def run_pass(self, *, force: bool = False) -> SyncReport:
        if self.auth_needed:
            return self._report(auth_needed=True, problem=AUTH_TEXT)
        if not force and not self.due():
            if not (self.store.get_meta(K_KIND) == "offline" and self._server_reachable()):
                return self._report(skipped=True, problem=self.store.get_meta(K_PROBLEM))
            log.info("server reachable again: trying now")
        uploaded = rejected = 0
        if self.profile_due():
            try:
                self.refresh_profile()
            except AuthError:
                return self._report(auth_needed=True, problem=AUTH_TEXT)
            except (TransientError, PermissionDenied) as exc:
                self._failed(exc)
                return self._report(problem=problem_text(exc))
            except ApiError as exc:  # unexpected answer: treat as trouble, not as success
                self._failed(TransientError(str(exc)))
                return self._report(problem=str(exc))
        while True:
            claims = self.store.claim(self.account, limit=BATCH * self.concurrency)
            if not claims:
                break
            outcomes, stop = self._upload_batch(claims)
            try:
                self.store.complete_batch(outcomes)
            except LeadscanError:  # disk full, ...: the answers are lost, the leads are not
                try:
                    self.store.release(claims)
                except LeadscanError:
                    pass  # released at the next start
                raise
            uploaded += sum(1 for _, o in outcomes if o.kind == "success")
            rejected += sum(1 for _, o in outcomes if o.kind == "rejected")
            if isinstance(stop, AuthError):
                self._auth_failed()
                return self._report(uploaded, rejected, auth_needed=True, problem=AUTH_TEXT)
            if stop is not None:
                return self._report(uploaded, rejected, problem=problem_text(stop))
        self._succeeded()
        self.store.set_meta(K_LAST_SYNC, self.clock().isoformat())
        return self._report(uploaded, rejected)

    def _upload_batch(self, claims: list[Claim]) -> tuple[list[tuple[Claim, Outcome]], ApiError | None]:
        """Upload claimed leads in order, `concurrency` at a time (distinct codes, so the
        order per code holds). After the first 401 or transient failure nothing more is
        sent; answers already received are still recorded (they are true)."""
        outcomes: list[tuple[Claim, Outcome]] = []
        stop: ApiError | None = None
        n = self.concurrency
        for i in range(0, len(claims), n):
            window = claims[i:i + n]
            if stop is not None:
                outcomes += [(c, Outcome("release")) for c in window]
                continue
            results = [self._post(window[0])] if n == 1 else list(self._pool().map(self._post, window))
            for claim, result in zip(window, results):
                if isinstance(result, LeadResponse):
                    outcomes.append((claim, Outcome("success", server=result)))
                elif isinstance(result, InvalidLead):
                    outcomes.append((claim, Outcome("rejected", text=result.reason)))
                    log.info("lead %d refused by the server: %s", claim.lead_id, result.reason)
                elif isinstance(result, AuthError):
                    outcomes.append((claim, Outcome("release")))
                    stop = stop or result
                else:
                    exc = result if isinstance(result, ApiError) else TransientError(str(result))
                    if stop is None:
                        nxt = self._failed(exc)
                        outcomes.append((claim, Outcome("failed", text=problem_text(exc), next_attempt_at=nxt)))
                        stop = exc
                    else:
                        outcomes.append((claim, Outcome("release")))
        return outcomes, stop

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.concurrency, thread_name_prefix="upload")
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _post(self, claim: Claim) -> LeadResponse | BaseException:
        upload = LeadUpload(
            code=claim.code,
            scanned=claim.scanned,
            notes=claim.notes,
            rating=claim.rating,
            tags=claim.tags,
            device_name=claim.device_name,
            device_uuid=claim.device_uuid,
        )
        try:
            return self.client.post_lead(upload)
        except LeadscanError as exc:
            return exc
        except Exception as exc:  # a bug must not leave the row claimed; reported as trouble
            log.exception("unexpected failure uploading lead %d", claim.lead_id)
            return TransientError(f"Unexpected problem while uploading ({type(exc).__name__}).")

    def _report(self, uploaded: int = 0, rejected: int = 0, *, skipped: bool = False,
                auth_needed: bool = False, problem: str | None = None) -> SyncReport:
        return SyncReport(
            uploaded=uploaded,
            rejected=rejected,
            pending=self.store.counts(self.account)["pending"],
            skipped=skipped,
            auth_needed=auth_needed,
            problem=problem,
            next_attempt_at=None if auth_needed else self.next_attempt_at(),
            probe_after=PROBE_EVERY if not auth_needed and self.store.get_meta(K_KIND) == "offline" else None,
        )

    # -- pull -----------------------------------------------------------------------------

    def pull_due(self) -> bool:
        if self.store.get_meta(K_PULL_FORBIDDEN) == "1":
            return False
        if self.store.needs_reconcile():
            return True
        text = self.store.get_meta(K_LAST_PULL)
        return not text or self.clock() - datetime.fromisoformat(text) >= PULL_EVERY

    def pull(self) -> PullReport:
        """Fetch every page of GET leads, then merge in one transaction."""
        if self.auth_needed:
            return PullReport(problem=AUTH_TEXT)
        try:
            remotes = _guard(lambda: list(self.client.iter_leads()))
        except PermissionDenied:
            self.store.set_meta(K_PULL_FORBIDDEN, "1")
            log.info("lead list not permitted for this access code (403); pulling stopped")
            return PullReport(forbidden=True, problem=PULL_FORBIDDEN_TEXT)
        except AuthError:
            self._auth_failed()
            return PullReport(problem=AUTH_TEXT)
        except ApiError as exc:
            self._note_clock()
            return PullReport(problem=problem_text(exc))
        self._note_clock()
        result = self.store.merge_remote(self.account, remotes)
        self.store.set_many({K_LAST_PULL: self.clock().isoformat(), K_PULL_FORBIDDEN: None})
        return PullReport(added=result.added, updated=result.updated, kept_local=result.kept_local,
                          unidentified=result.unidentified, ambiguous=result.ambiguous)


def _guard(call: Callable[[], T]) -> T:
    """Client calls: anything that is not one of our typed errors (e.g. the client was closed
    by a new login while this pass ran) is a transient failure, never a crashed worker."""
    try:
        return call()
    except LeadscanError:
        raise
    except Exception as exc:
        log.exception("unexpected failure talking to the server")
        raise TransientError(f"Unexpected problem talking to the server ({type(exc).__name__}).") from None


def _dump(raw: object) -> str:
    import json

    return json.dumps(raw, ensure_ascii=False)


def load_profile(store: LeadStore) -> Profile | None:
    """The cached profile (available offline)."""
    raw = store.get_json(K_PROFILE)
    if not isinstance(raw, dict):
        return None
    try:
        return parse_profile(raw)
    except LeadscanError:
        return None
