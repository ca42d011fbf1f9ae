"""Logging: a rotating file in the data dir, and a filter that redacts access codes from
every record (message, arguments, exception text) before any handler sees it."""

from __future__ import annotations

import logging
import logging.handlers
import threading
from pathlib import Path

LOG_NAME = "leadscan.log"
_secrets: set[str] = set()
_lock = threading.Lock()


def add_secret(secret: str | None) -> None:
    """Register a value (an access code) that must never reach a log file."""
    if secret and len(secret) >= 3:
        with _lock:
            _secrets.add(secret)


def _redact(text: str) -> str:
    for s in sorted(_secrets, key=len, reverse=True):
        text = text.replace(s, "***")
    return text


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not _secrets:
            return True
        try:
            msg = record.getMessage()
        except Exception:  # a broken format string must not hide the record
            msg = str(record.msg)
        record.msg = _redact(msg)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = _redact(text)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = _redact(record.exc_text)
        if record.stack_info:
            record.stack_info = _redact(record.stack_info)
        return True


_installed: dict[Path, logging.Handler] = {}


class _LogFile(logging.handlers.RotatingFileHandler):
    """A log file that cannot be written (full disk, read-only stick) is not worth a
    traceback on stderr per record: the first failure is noted once, the rest is quiet."""

    failed = False

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging API
        if not self.failed:
            self.failed = True
            import sys

            exc = sys.exc_info()[1]
            print(f"leadscan: cannot write the log file {self.baseFilename} ({exc}); "
                  "going on without it", file=sys.stderr)


def setup_logging(data_dir: Path, level: int = logging.INFO) -> Path:
    """Attach a rotating file handler (1 MB x 5) to the "leadscan" logger; idempotent."""
    path = data_dir / LOG_NAME
    logger = logging.getLogger("leadscan")
    logger.setLevel(level)
    if path in _installed:
        return path
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = _LogFile(
            path, maxBytes=1_000_000, backupCount=5, encoding="utf-8", delay=True
        )
    except OSError:
        return path
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(threadName)s: %(message)s"))
    handler.addFilter(RedactFilter())
    logger.addHandler(handler)
    _installed[path] = handler
    return path


def teardown_logging() -> None:
    """Detach and close the handlers setup_logging added (tests, CLI exit)."""
    logger = logging.getLogger("leadscan")
    for path, handler in list(_installed.items()):
        logger.removeHandler(handler)
        handler.close()
        del _installed[path]


def redact_filter() -> logging.Filter:
    return RedactFilter()
