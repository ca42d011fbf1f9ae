"""Booth: the one facade both shells (GUI and CLI) call.

Local calls (`scan`, `edit`, `lead`, `leads`, `status`, `export_csv`) never touch the
network and are safe from the UI thread. Network calls (`login`, `refresh_profile`,
`sync_once`, `pull`) block: call them from a worker thread. Both may run at once.

Data dir layout: `leadscan.db` (leads, outbox, settings), `device.json` (this
installation's device uuid and name, kept even if the database must be rebuilt),
the access code (OS keyring when one works, else `access_code` with mode 0600, see
core/secrets.py), `leadscan.log`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

from .api.client import AppApiClient
from .api.urls import normalize_base_url
from .errors import AccountSwitchRefused, LeadscanError, NotLoggedIn, StoreError
from .logs import add_secret
from .secrets import CredentialStore
from .models import UNSET, Lead, Profile, ScanSource, SyncState, Unset
from .store import LeadStore
from .store.export import write_csv
from .store.leads import now
from .sync import engine as eng
from .sync.engine import PullReport, SyncEngine, SyncReport, load_profile

log = logging.getLogger("leadscan.booth")

DB_NAME = "leadscan.db"
_NOT_READ = object()
DEVICE_FILE = "device.json"
MAX_CODE_LEN = 4096
MAX_NOTES_LEN = 10_000
MAX_DEVICE_NAME = 190
MAX_WIPE_DAYS = 3650  # automatic wipe: ten years is "never" in practice
CLEARED_NOTE = " "  # what "clear the note" uploads: the API reads "" as "keep" (docs/sync.md)

K_SERVER = "account.server_url"
K_ACCOUNT = "account.key"
K_DEVICE_NAME = "device.name"
K_DEVICE_UUID = "device.uuid"
K_WIPE_DAYS = "wipe.after_days"

__all__ = ["UNSET", "Booth", "BoothStatus", "PendingLeadsError", "PullReport", "ScanResult", "SyncReport",
           "SyncState", "Unset", "WipeReport"]


@dataclass(frozen=True)
class ScanResult:
    lead: Lead
    is_new: bool


@dataclass(frozen=True)
class BoothStatus:
    pending: int
    synced: int
    rejected: int
    last_sync: datetime | None
    online: bool | None  # None: not known yet (no request since start)
    problem: str | None  # the most important thing a person should know, or None
    auth_needed: bool
    next_attempt_at: datetime | None
    profile: Profile | None
    logged_in: bool = False
    problems: tuple[str, ...] = ()  # every current problem, most important first
    clock_skew_seconds: int | None = None  # laptop clock minus server clock
    pull_forbidden: bool = False
    recovery_notice: str | None = None
    # why uploads stopped, as a kind the shells react to (engine.problem_kind: "offline",
    # "portal", "tls", "auth", "server", "ratelimit", "forbidden", "other"), and its text
    problem_kind: str | None = None
    sync_problem: str | None = None


def account_key(server_url: str, profile: Profile) -> str:
    """Which booth the leads belong to; the access code may change, the booth does not."""
    return json.dumps([server_url, profile.event.organizer, profile.event.slug, profile.name],
                      ensure_ascii=False)


@dataclass(frozen=True)
class WipeReport:
    deleted: int  # leads removed from this computer
    not_uploaded: int  # of those, leads the server did not hold (pending or rejected)


class PendingLeadsError(LeadscanError):
    """A wipe or logout would delete leads the server does not hold. Carries the counts so
    the shell can offer "sync", "export" or an explicit second confirmation."""

    def __init__(self, message: str, *, pending: int, rejected: int) -> None:
        super().__init__(message)
        self.pending = pending
        self.rejected = rejected


class Booth:
    def __init__(self, data_dir: Path, *, transport: httpx.BaseTransport | None = None,
                 concurrency: int = 4, clock: Callable[[], datetime] | None = None) -> None:
        """`clock` (tests, K35): returns the laptop's aware local time; default: the real one."""
        self.data_dir = Path(data_dir)
        self._clock = clock or now
        self._transport = transport
        self._concurrency = concurrency
        self._lock = threading.RLock()
        self._client: AppApiClient | None = None
        self._engine: SyncEngine | None = None
        self._creds = CredentialStore(self.data_dir)  # OS keyring, else a 0600 file
        self._code: object = _NOT_READ
        self.store = LeadStore.open(self.data_dir / DB_NAME)
        try:
            self._init_device()
            code = self._read_code()
            if code:
                add_secret(code)
        except BaseException:
            self.store.close()
            raise
        if self.store.released_at_open:
            log.info("%d uploads interrupted by a crash were queued again", self.store.released_at_open)

    # -- identity & account ---------------------------------------------------------------

    def _init_device(self) -> None:
        """The device uuid is generated once per installation, kept in device.json and in
        the database (either survives the loss of the other)."""
        path = self.data_dir / DEVICE_FILE
        info: dict[str, str] = {}
        try:
            info = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            info = {}
        if not isinstance(info, dict) or not all(isinstance(v, str) for v in info.values()):
            info = {}
        dev_uuid = info.get("uuid") or self.store.get_meta(K_DEVICE_UUID) or str(uuid.uuid4())
        name = info.get("name") or self.store.get_meta(K_DEVICE_NAME) or _default_device_name()
        if self.store.get_meta(K_DEVICE_UUID) != dev_uuid or self.store.get_meta(K_DEVICE_NAME) != name:
            self.store.set_many({K_DEVICE_UUID: dev_uuid, K_DEVICE_NAME: name})
        if info.get("uuid") != dev_uuid or info.get("name") != name:
            self._write_device(dev_uuid, name)

    def _write_device(self, dev_uuid: str, name: str) -> None:
        path = self.data_dir / DEVICE_FILE
        tmp = path.with_suffix(".tmp")
        try:
            tmp.write_text(json.dumps({"uuid": dev_uuid, "name": name}), "utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            raise StoreError(f"Cannot write {path}: {exc.strerror}") from None

    @property
    def device_uuid(self) -> str:
        return self.store.get_meta(K_DEVICE_UUID) or ""

    @property
    def device_name(self) -> str:
        return self.store.get_meta(K_DEVICE_NAME) or ""

    @device_name.setter
    def device_name(self, name: str) -> None:
        name = name.strip()[:MAX_DEVICE_NAME]
        if not name:
            raise LeadscanError("The device name cannot be empty.")
        self.store.set_meta(K_DEVICE_NAME, name)
        self._write_device(self.device_uuid, name)

    @property
    def server_url(self) -> str | None:
        return self.store.get_meta(K_SERVER)

    @property
    def account(self) -> str:
        return self.store.get_meta(K_ACCOUNT, "") or ""

    @property
    def logged_in(self) -> bool:
        return bool(self.server_url and self._read_code())

    @property
    def access_code(self) -> str | None:
        """The saved code (for the shells' log redaction); never in repr, status or export."""
        return self._read_code()

    @property
    def profile(self) -> Profile | None:
        return load_profile(self.store)

    @property
    def credential_notice(self) -> str | None:
        """Where the code is kept, when a person should know (no OS keyring: a 0600 file)."""
        return self._creds.notice

    def _read_code(self) -> str | None:
        if self._code is _NOT_READ:
            self._code = self._creds.get()
        return self._code  # type: ignore[return-value]

    def _write_code(self, code: str) -> None:
        try:
            self._creds.set(code)
        except OSError as exc:
            raise StoreError(f"Cannot save the access code in {self.data_dir}: {exc.strerror}") from None
        self._code = code

    def _reset_engine(self) -> None:
        with self._lock:
            if self._engine is not None:
                self._engine.close()
            if self._client is not None:
                self._client.close()
            self._client = None
            self._engine = None

    def _get_engine(self) -> SyncEngine:
        with self._lock:
            if self._engine is None:
                url, code = self.server_url, self._read_code()
                if not url or not code:
                    raise NotLoggedIn("Not logged in: enter the server address and access code.")
                self._client = AppApiClient(url, code, transport=self._transport)
                self._engine = SyncEngine(self.store, self.account, self._client,
                                          concurrency=self._concurrency,
                                          clock=lambda: self._clock().astimezone(timezone.utc),
                                          generation=self.store.get_meta(eng.K_GENERATION))
            return self._engine

    def login(self, server_url: str, access_code: str, device_name: str | None = None) -> Profile:
        """Check the code against GET profile, then keep it. Pending leads of another account
        make this refuse (they are never dropped or moved to the wrong booth)."""
        code = access_code.strip()
        if not code:
            raise LeadscanError("Enter the access code.")
        if not (code.isascii() and code.isprintable()) or any(ch.isspace() for ch in code):
            # it travels in an HTTP header, which takes no such characters
            raise LeadscanError("That is not an access code: access codes have only letters "
                                "and digits, as the organizer sent them. Check for typos.")
        add_secret(code)
        url = normalize_base_url(server_url)
        with AppApiClient(url, code, transport=self._transport) as client:
            profile = client.get_profile()
        key = account_key(url, profile)
        current = self.account
        if current and current != key:
            pending = self.store.counts(current)["pending"]
            if pending:
                raise AccountSwitchRefused(
                    f"{pending} leads of the current account are not uploaded yet. "
                    "Sync them (or enter that account's new access code) before switching."
                )
        self._reset_engine()
        self._write_code(code)
        values: dict[str, str | None] = {
            K_SERVER: url,
            K_ACCOUNT: key,
            eng.K_PROFILE: json.dumps(profile.raw, ensure_ascii=False),
            eng.K_PROFILE_AT: eng.utcnow().isoformat(),
            eng.K_AUTH: None, eng.K_FAILURES: None, eng.K_NEXT: None, eng.K_PROBLEM: None,
            eng.K_KIND: None, eng.K_PULL_FORBIDDEN: None, eng.K_ONLINE: "1",
            eng.K_GENERATION: uuid.uuid4().hex,
        }
        if current != key:
            values[eng.K_LAST_PULL] = None
        self.store.set_many(values)
        if device_name:
            self.device_name = device_name
        adopted = self.store.adopt_unassigned(key)
        log.info("logged in to %s (%s); %d earlier scans adopted", url, profile.name, adopted)
        return profile

    def logout(self, *, force: bool = False) -> None:
        """Forget the access code. Refused while leads are pending, unless forced (they stay
        in the database under their account and upload after the next login to it)."""
        pending = self.store.counts(self.account)["pending"]
        if pending and not force:
            raise LeadscanError(
                f"{pending} leads are not uploaded yet. Sync first, or log out with force "
                "(they stay saved on this computer)."
            )
        self._reset_engine()
        try:
            self._creds.delete()
        except OSError as exc:
            raise StoreError(f"Cannot remove the saved access code: {exc.strerror}") from None
        self._code = None
        self.store.set_meta(eng.K_AUTH, None)

    # -- local ----------------------------------------------------------------------------

    def scan(self, code: str, source: ScanSource) -> ScanResult:
        """Save a scan; committed to disk before returning. The code is kept exactly."""
        if not isinstance(code, str) or code == "" or code.strip() == "":
            raise LeadscanError("Empty code: nothing was scanned.")
        if len(code) > MAX_CODE_LEN:
            raise LeadscanError("This code is far too long to be a badge; not saved.")
        _check_text(code, "This code")
        lead, is_new = self.store.record_scan(
            self.account, code, scanned=self._clock(), source=ScanSource(source),
            device_name=self.device_name or None, device_uuid=self.device_uuid or None,
        )
        return ScanResult(lead=lead, is_new=is_new)

    def edit(self, code: str, *, notes: str | None = None, rating: int | None | Unset = UNSET,
             tags: Sequence[str] | None = None) -> Lead:
        """Change notes/rating/tags; `None` (notes, tags) / `UNSET` (rating) = unchanged.

        Clearing a note stores and uploads `CLEARED_NOTE` (a single space) because the API
        reads an empty note as "keep the server's". A rating cannot be removed once set
        (the API cannot express it): that raises instead of silently reverting later.
        """
        current = self.store.get(self.account, code) if code else None
        if current is None and code:
            raise LeadscanError(f"No lead with the code {code!r} on this computer.")
        if current is None or not current.code:
            raise LeadscanError("This lead was scanned by another device: scan the badge here to edit it.")
        profile = self.profile
        if notes is not None:
            if not isinstance(notes, str):
                raise LeadscanError("Notes must be text.")
            _check_text(notes, "The notes")
            if len(notes) > MAX_NOTES_LEN:
                raise LeadscanError(f"Notes are limited to {MAX_NOTES_LEN} characters.")
            if profile is not None and not profile.notes_allowed and notes != current.notes:
                raise LeadscanError("The organizer does not allow notes for this booth.")
            if notes.strip() == "":
                notes = CLEARED_NOTE if current.notes.strip() else current.notes
        if not isinstance(rating, Unset):
            if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int)
                                       or not 0 <= rating <= 5):
                raise LeadscanError("The rating must be a whole number from 0 to 5.")
            if rating is None and current.rating is not None:
                raise LeadscanError(
                    "A rating cannot be removed once saved (the server keeps it); set 0 stars instead."
                )
        if tags is not None:
            if isinstance(tags, str):
                raise LeadscanError("Tags must be a list.")
            tags = list(dict.fromkeys(str(t) for t in tags))
            for t in tags:
                _check_text(t, "A tag")
            if profile is not None and profile.tags:
                # a tag the organizer has since removed may stay on a lead that carries it
                unknown = [t for t in tags if t not in profile.tags and t not in current.tags]
                if unknown:
                    raise LeadscanError(
                        f"Unknown tag(s) {', '.join(unknown)}; this booth's tags: {', '.join(profile.tags)}"
                    )
        return self.store.edit(self.account, code, notes=notes, rating=rating, tags=tags)

    def retry(self, code: str) -> Lead:
        """Queue a rejected lead again (e.g. after the organizer fixed the ticket)."""
        return self.store.requeue(self.account, code)

    def lead(self, code: str) -> Lead | None:
        return self.store.get(self.account, code)

    def leads(self) -> list[Lead]:
        """Every lead of the current account, newest first."""
        return self.store.list(self.account)

    def status(self) -> BoothStatus:
        s = self.store
        counts = s.counts(self.account)
        auth = s.get_meta(eng.K_AUTH) == "1"
        problems: list[str] = []
        notice = s.get_meta("recovery_notice")
        if notice:
            problems.append(notice)
        if auth:
            problems.append(eng.AUTH_TEXT)
        sync_problem = s.get_meta(eng.K_PROBLEM)
        if sync_problem and sync_problem not in problems:
            problems.append(sync_problem)
        skew_text = s.get_meta(eng.K_SKEW)
        skew = int(skew_text) if skew_text and skew_text.lstrip("-").isdigit() else None
        if skew is not None and abs(skew) > eng.CLOCK_TOLERANCE:
            problems.append(f"Computer clock is wrong by {_minutes(skew)} "
                            f"({'ahead of' if skew > 0 else 'behind'} the server) — fix the date and time")
        elsewhere = s.pending_elsewhere(self.account) if self.account else 0
        if elsewhere:
            problems.append(f"{elsewhere} leads of another booth account are waiting: "
                            "log in to that account again to upload them")
        forbidden = s.get_meta(eng.K_PULL_FORBIDDEN) == "1"
        if forbidden:
            problems.append(eng.PULL_FORBIDDEN_TEXT)
        online_text = s.get_meta(eng.K_ONLINE)
        last_sync = s.get_meta(eng.K_LAST_SYNC)
        nxt = s.get_meta(eng.K_NEXT)
        return BoothStatus(
            pending=counts["pending"],
            synced=counts["synced"],
            rejected=counts["rejected"],
            last_sync=datetime.fromisoformat(last_sync) if last_sync else None,
            online=None if online_text is None else online_text == "1",
            problem=problems[0] if problems else None,
            auth_needed=auth,
            next_attempt_at=datetime.fromisoformat(nxt) if nxt and not auth else None,
            profile=self.profile,
            logged_in=self.logged_in,
            problems=tuple(problems),
            clock_skew_seconds=skew,
            pull_forbidden=forbidden,
            recovery_notice=notice,
            problem_kind=s.get_meta(eng.K_KIND) or ("auth" if auth else None),
            sync_problem=sync_problem,
        )

    # -- after the show -------------------------------------------------------------------

    def not_uploaded(self) -> tuple[int, int]:
        """(pending, rejected) over every account on this computer."""
        counts = self.store.counts()
        return counts["pending"], counts["rejected"]

    def wipe(self, *, delete_not_uploaded: bool = False,
             confirmed: int | None = None) -> WipeReport:
        """Delete every lead, the access code and the cached profile from this computer.

        Leads the server does not hold (pending, rejected) are only deleted when the caller
        passes `delete_not_uploaded=True` — the shells ask a second, explicit question first;
        otherwise this raises PendingLeadsError and deletes nothing. `confirmed`: how many
        such leads the person agreed to lose; more than that (a badge scanned while the
        question was open) raises PendingLeadsError too. The device identity and name stay
        (they are not personal data and keep the server's device records stable).
        """
        with self._lock:
            pending, rejected = self.not_uploaded()
            damaged = sorted(self.data_dir.glob(f"{DB_NAME}.damaged-*"))
            if delete_not_uploaded and confirmed is not None and pending + rejected > confirmed:
                more = pending + rejected - confirmed
                raise PendingLeadsError(
                    f"{more} more {'lead was' if more == 1 else 'leads were'} scanned while you "
                    f"were asked: {pending + rejected} are not on the server now. Nothing was "
                    "deleted.",
                    pending=pending, rejected=rejected,
                )
            if (pending or rejected or damaged) and not delete_not_uploaded:
                extra = (" A damaged database file kept after a repair may hold more."
                         if damaged else "")
                raise PendingLeadsError(
                    f"{pending + rejected} leads are not on the server yet "
                    f"({pending} waiting to upload, {rejected} refused).{extra} Sync or export "
                    "them first, or confirm that they may be deleted.",
                    pending=pending, rejected=rejected,
                )
            total = sum(self.store.counts().values())
            kept = {k: self.store.get_meta(k) for k in (K_DEVICE_UUID, K_DEVICE_NAME, K_WIPE_DAYS)}
            self._reset_engine()
            try:
                self._creds.delete()
            except OSError as exc:
                raise StoreError(f"Cannot remove the saved access code: {exc.strerror}") from None
            self._code = None
            self.store.wipe_all()
            self.store.set_many(kept)
            _remove_quietly(self.data_dir, [*_WIPED_FILES, *(p.name for p in damaged)])
            log.info("wiped %d leads (%d not uploaded)", total, pending + rejected)
            return WipeReport(deleted=total, not_uploaded=pending + rejected)

    @property
    def auto_wipe_days(self) -> int | None:
        """Wipe automatically this many days after the event's end date (None: never)."""
        text = self.store.get_meta(K_WIPE_DAYS)
        return min(int(text), MAX_WIPE_DAYS) if text and text.isdigit() else None

    @auto_wipe_days.setter
    def auto_wipe_days(self, days: int | None) -> None:
        if days is not None and (isinstance(days, bool) or not isinstance(days, int)
                                 or not 0 <= days <= MAX_WIPE_DAYS):
            raise LeadscanError(f"Automatic wipe: give a number of days from 0 to {MAX_WIPE_DAYS}, "
                                "or turn it off.")
        self.store.set_meta(K_WIPE_DAYS, None if days is None else str(days))

    def auto_wipe_if_due(self) -> str | None:
        """Run the automatic wipe when it is due; return a sentence for the user, or None.

        Never deletes leads the server does not hold: then it postpones and says so."""
        days, profile = self.auto_wipe_days, self.profile
        if days is None or profile is None or profile.event.end_date is None:
            return None
        try:
            due = profile.event.end_date + timedelta(days=min(days, MAX_WIPE_DAYS))
        except OverflowError:  # an end date near the end of the calendar: never due
            return None
        if self._clock() < due:
            return None
        pending, rejected = self.not_uploaded()
        if pending or rejected:
            return (f"Automatic wipe postponed: {pending + rejected} leads are not on the server yet. "
                    "Sync or export them.")
        report = self.wipe()
        n = report.deleted
        return (f"Automatic wipe after the event: {n} {'lead' if n == 1 else 'leads'} removed "
                "from this computer.")

    def dismiss_recovery_notice(self) -> None:
        self.store.set_meta("recovery_notice", None)

    def export_csv(self, path: Path) -> int:
        """Every lead (pending and rejected too), oldest first; returns the number written."""
        leads = sorted(self.leads(), key=lambda lead: lead.seq)
        return write_csv(Path(path), leads)

    # -- network (blocking) ---------------------------------------------------------------

    def refresh_profile(self) -> Profile:
        return self._get_engine().refresh_profile()

    def sync_once(self, *, force: bool = False) -> SyncReport:
        """One pass over the outbox (see SyncEngine.run_pass); then a pull when due and the
        outbox is empty. Cheap when nothing is due: call it every few seconds."""
        if not self.logged_in:
            raise NotLoggedIn("Not logged in: enter the server address and access code.")
        engine = self._get_engine()
        report = engine.run_pass(force=force)
        if report.pending == 0 and not report.auth_needed and not report.skipped and engine.pull_due():
            pulled = engine.pull()
            report = dataclasses.replace(report, pulled=pulled)
        return report

    def pull(self) -> PullReport:
        if not self.logged_in:
            raise NotLoggedIn("Not logged in: enter the server address and access code.")
        return self._get_engine().pull()

    def close(self) -> None:
        self._reset_engine()
        self.store.close()

    def __enter__(self) -> "Booth":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Booth({str(self.data_dir)!r}, server={self.server_url!r})"


# Files besides the database that hold personal data: the log (ticket codes), the event
# logo cache, the GUI's remembered last lead. Settings and device.json stay.
_WIPED_FILES = ("leadscan.log", "leadscan.log.1", "leadscan.log.2", "leadscan.log.3",
                "leadscan.log.4", "leadscan.log.5", "cache")


def _remove_quietly(base: Path, names: Sequence[str]) -> None:
    import shutil

    for name in names:
        path = base / name
        try:
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
        except OSError as exc:
            log.warning("could not remove %s during wipe: %s", name, exc.strerror)


def _check_text(text: str, what: str) -> None:
    """Text that cannot be stored as UTF-8 (lone surrogates) is refused with a message,
    never half-saved. Decoders turn bytes into text reversibly (core.scan.payload)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise LeadscanError(f"{what} contains characters that cannot be saved (broken text).") from None


def _minutes(seconds: int) -> str:
    m = round(abs(seconds) / 60)
    if m >= 120:
        h = round(m / 60)
        if h >= 48:
            return f"{round(h / 24)} days"
        return f"{h} hours"
    return f"{m} minutes"


def _default_device_name() -> str:
    import platform

    return (platform.node() or "leadscan")[:MAX_DEVICE_NAME]

