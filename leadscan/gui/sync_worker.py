"""Keeps the outbox flowing: `Booth.sync_once` on the sync lane, never on the UI thread.

- a pass right after each scan/edit (`kick()`), on "Sync now" (`kick(force=True)`) and on a
  timer whose delay follows the engine's backoff (the report says when to try again), or,
  while offline, its shorter `probe_after` (a cheap "is the server back?" check);
- the engine refreshes the profile when due (first pass, then every few minutes); a
  changed profile (tags, notes allowed) is emitted as `profile_changed`; a separate timer
  refreshes it on the network lane as well in case passes are being skipped (backoff);
- a 401 (`AuthError`, or `status.auth_needed`) emits `auth_needed` once: the window asks for
  the new code while scanning goes on (scans stay pending, nothing is dropped);
- after each pass the booth's status is read (DB lane) and sent out as `status_changed`.

Only one pass runs at a time; a kick during a pass schedules one more pass after it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from leadscan.core.errors import AuthError, LeadscanError
from leadscan.gui.tasks import Lane, TaskManager

log = logging.getLogger("leadscan.gui.sync")

IDLE_INTERVAL_S = 30.0  # nothing pending: look again this often (status, clock)
MIN_RETRY_S = 1.0
MAX_RETRY_S = 300.0
PROFILE_INTERVAL_S = 300.0


class SyncController(QObject):
    status_changed = Signal(object)  # BoothStatus
    synced = Signal(object)  # SyncReport after a pass
    auth_needed = Signal(str)  # message
    profile_changed = Signal(object)  # Profile

    def __init__(
        self,
        booth: Any,
        tasks: TaskManager,
        parent: QObject | None = None,
        *,
        idle_interval: float = IDLE_INTERVAL_S,
        profile_interval: float = PROFILE_INTERVAL_S,
    ) -> None:
        super().__init__(parent)
        self.booth = booth
        self.tasks = tasks
        self.idle_interval = idle_interval
        self._running = False
        self._again = False
        self._again_force = False
        self._active = False
        self._auth_signalled = False
        self._profile: Any = None
        self.passes = 0
        self.last_report: Any = None
        self.last_status: Any = None

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(lambda: self.kick())
        self._profile_timer = QTimer(self)
        self._profile_timer.setInterval(int(profile_interval * 1000))
        self._profile_timer.timeout.connect(self.refresh_profile)

    # -- control ------------------------------------------------------------------------

    def start(self) -> None:
        self._active = True
        self._auth_signalled = False
        self._profile_timer.start()
        self.refresh_status()
        self.kick()  # the engine refreshes the profile on its first pass

    def stop(self) -> None:
        self._active = False
        self._timer.stop()
        self._profile_timer.stop()

    @property
    def running(self) -> bool:
        return self._running

    def kick(self, force: bool = False) -> None:
        """Run a sync pass now (or right after the current one)."""
        if not self._active:
            return
        if self._running:
            self._again = True
            self._again_force = self._again_force or force
            return
        self._timer.stop()
        self._running = True
        booth = self.booth

        def work() -> tuple[Any, Any]:
            report = booth.sync_once(force=force)
            return report, booth.status()

        self.tasks.run(work, on_done=self._pass_done, on_error=self._pass_failed,
                       lane=Lane.SYNC, owner=self, label="sync_once")

    def refresh_status(self) -> None:
        self.tasks.run(self.booth.status, on_done=self._emit_status, lane=Lane.DB,
                       owner=self, label="status")

    def refresh_profile(self) -> None:
        if not self._active or not getattr(self.booth, "logged_in", False):
            return
        self.tasks.run(self.booth.refresh_profile, on_done=self.profile_changed.emit,
                       on_error=self._profile_failed, lane=Lane.NET, owner=self,
                       label="refresh_profile")

    def auth_restored(self) -> None:
        """Called after a successful re-login."""
        self._auth_signalled = False
        self.kick(force=True)
        self.refresh_profile()

    # -- results ------------------------------------------------------------------------

    def _emit_status(self, status: Any) -> None:
        self.last_status = status
        self.status_changed.emit(status)
        profile = getattr(status, "profile", None)
        if profile is not None and profile != self._profile:
            self._profile = profile
            self.profile_changed.emit(profile)
        if getattr(status, "auth_needed", False):
            self._signal_auth(getattr(status, "problem", None) or "The access code was not accepted.")

    def _pass_done(self, result: tuple[Any, Any]) -> None:
        report, status = result
        self._running = False
        self.passes += 1
        self.last_report = report
        self.synced.emit(report)
        self._emit_status(status)
        self._schedule(report, status)

    def _pass_failed(self, err: BaseException) -> None:
        self._running = False
        self.passes += 1
        if isinstance(err, AuthError):
            self._signal_auth(str(err))
        elif isinstance(err, LeadscanError):
            log.info("sync pass: %s", err)
        self.refresh_status()
        self._schedule(None, None, failed=True)

    def _profile_failed(self, err: BaseException) -> None:
        if isinstance(err, AuthError):
            self._signal_auth(str(err))
        else:
            log.info("profile refresh: %s", err)

    def _signal_auth(self, message: str) -> None:
        if not self._auth_signalled:
            self._auth_signalled = True
            self.auth_needed.emit(message)

    def _schedule(self, report: Any, status: Any, *, failed: bool = False) -> None:
        if not self._active:
            return
        if self._again:
            force, self._again, self._again_force = self._again_force, False, False
            self.kick(force=force)
            return
        delay = self._next_delay(report, status, failed)
        self._timer.start(int(delay * 1000))

    def _next_delay(self, report: Any, status: Any, failed: bool) -> float:
        if getattr(status, "auth_needed", False) or self._auth_signalled:
            return self.idle_interval  # nothing to gain until a new code is entered
        pending = getattr(report, "pending", None)
        if pending is None:
            pending = getattr(status, "pending", 1) if status is not None else 1
        nxt = getattr(report, "next_attempt_at", None)
        if pending and isinstance(nxt, datetime):
            wait = (nxt - datetime.now(timezone.utc)).total_seconds()
            # offline: the engine asks to be called sooner to check (cheaply) whether the
            # server is back, so an idle booth catches up at once instead of after the backoff
            probe = getattr(report, "probe_after", None)
            if isinstance(probe, (int, float)) and probe > 0:
                wait = min(wait, float(probe))
            return min(MAX_RETRY_S, max(MIN_RETRY_S, wait))
        if failed:
            return 10.0
        if pending:
            return MIN_RETRY_S * 5
        return self.idle_interval
