"""Background work has one shape (cf. Anki's taskman/QueryOp, Picard's run_task).

    tasks.run(fn, on_done=..., on_error=..., lane=Lane.NET, owner=widget)

`fn` runs on a worker thread and must never touch a widget. Its result (or the exception
it raised) comes back on the main thread through a queued Qt signal, where `on_done` /
`on_error` may update the UI. Lanes:

- `Lane.DB`: ONE worker thread, strictly first-in first-out. Every local write
  (scan, edit) and the reads the screens need go here, so an edit queued after a scan
  runs after it, and SQLite never sees two writers from this app's UI side.
- `Lane.SYNC`: one worker thread for `Booth.sync_once` / `pull` (one pass at a time).
- `Lane.NET`: a few threads for login, profile refresh, logo download.

Expected faults (`LeadscanError`) go to `on_error`, or — when there is none — to the
`failed` signal which the main window shows as a message. Anything else is a bug: it is
logged with its traceback and reported by the `crashed` signal (friendly dialog), never
swallowed silently. If `owner` (a QObject) has been deleted by the time the result
arrives, the callbacks are skipped.

`TaskManager(synchronous=True)` runs everything inline (a fake pool like Picard's tests);
the real-thread mode is what the app and the end-to-end tests use.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot

from leadscan.core.errors import LeadscanError

log = logging.getLogger("leadscan.gui.tasks")


class Lane(enum.Enum):
    DB = "db"
    SYNC = "sync"
    NET = "net"


_LANE_THREADS = {Lane.DB: 1, Lane.SYNC: 1, Lane.NET: 4}


@dataclass
class _Outcome:
    ok: bool
    value: Any
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    owner: QObject | None
    label: str
    seconds: float
    counted: bool = False  # submitted to a worker (counts towards `busy`)


class TaskManager(QObject):
    """Runs callables off the UI thread and hands their outcome back on it."""

    failed = Signal(object)  # LeadscanError without an on_error handler
    crashed = Signal(object, str)  # unexpected exception, formatted traceback
    _deliver = Signal(object)

    def __init__(self, parent: QObject | None = None, *, synchronous: bool = False) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        self._executors: dict[Lane, ThreadPoolExecutor] = {}
        self._lock = threading.Lock()
        self._pending = 0
        self._closed = False
        self._deliver.connect(self._on_deliver, Qt.ConnectionType.QueuedConnection)

    # -- public -------------------------------------------------------------------------

    def run(
        self,
        fn: Callable[[], Any],
        *,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        lane: Lane = Lane.NET,
        owner: QObject | None = None,
        label: str = "",
    ) -> Future[Any] | None:
        """Run `fn()` on `lane`; call `on_done(result)` / `on_error(exc)` on the main thread."""
        label = label or getattr(fn, "__name__", "task")
        if self._closed:
            log.debug("task %s dropped: task manager closed", label)
            return None
        if self.synchronous:
            self._on_deliver(self._call(fn, on_done, on_error, owner, label))
            return None
        with self._lock:
            self._pending += 1
        return self._executor(lane).submit(self._work, fn, on_done, on_error, owner, label)

    @property
    def busy(self) -> bool:
        """True while a task runs or its result waits for delivery."""
        with self._lock:
            return self._pending > 0

    def shutdown(self, *, wait_db: bool = True, timeout: float = 10.0) -> None:
        """Stop taking work. Local writes (DB lane) are always finished first."""
        self._closed = True
        db = self._executors.get(Lane.DB)
        if db is not None and wait_db:
            db.shutdown(wait=True)
        deadline = time.monotonic() + timeout
        for lane, ex in self._executors.items():
            if lane is Lane.DB:
                continue
            ex.shutdown(wait=False, cancel_futures=True)
        # Give running network work a moment; httpx timeouts bound it anyway.
        for lane, ex in self._executors.items():
            for t in list(getattr(ex, "_threads", ())):
                t.join(max(0.0, deadline - time.monotonic()))

    # -- internals ----------------------------------------------------------------------

    def _executor(self, lane: Lane) -> ThreadPoolExecutor:
        ex = self._executors.get(lane)
        if ex is None:
            ex = ThreadPoolExecutor(
                max_workers=_LANE_THREADS[lane], thread_name_prefix=f"leadscan-{lane.value}"
            )
            self._executors[lane] = ex
        return ex

    @staticmethod
    def _call(fn, on_done, on_error, owner, label) -> _Outcome:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            value = fn()
            ok = True
        except BaseException as exc:  # noqa: BLE001 - delivered to the main thread
            value, ok = exc, False
        return _Outcome(ok, value, on_done, on_error, owner, label, time.perf_counter() - t0)

    def _work(self, fn, on_done, on_error, owner, label) -> None:  # type: ignore[no-untyped-def]
        outcome = self._call(fn, on_done, on_error, owner, label)
        outcome.counted = True
        if shiboken6.isValid(self):
            self._deliver.emit(outcome)  # `busy` stays True until it is handled

    @Slot(object)
    def _on_deliver(self, outcome: _Outcome) -> None:
        if outcome.counted:
            with self._lock:
                self._pending -= 1
        if self._closed and not self.synchronous:
            log.debug("task %s finished after shutdown; result dropped", outcome.label)
            return
        owner = outcome.owner
        if owner is not None and not shiboken6.isValid(owner):
            log.debug("task %s finished after its owner was deleted", outcome.label)
            return
        if outcome.ok:
            if outcome.on_done is not None:
                outcome.on_done(outcome.value)
            return
        exc = outcome.value
        if isinstance(exc, LeadscanError):
            log.info("task %s: %s: %s", outcome.label, type(exc).__name__, exc)
            if outcome.on_error is not None:
                outcome.on_error(exc)
            else:
                self.failed.emit(exc)
            return
        import traceback

        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        log.error("task %s crashed:\n%s", outcome.label, text)
        if outcome.on_error is not None:
            try:
                outcome.on_error(exc)
            finally:
                self.crashed.emit(exc, text)
        else:
            self.crashed.emit(exc, text)
