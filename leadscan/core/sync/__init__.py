"""Sync: replay the outbox to the App API, pull the booth's leads, keep track of trouble."""

from .backoff import Backoff
from .engine import PullReport, SyncEngine, SyncReport

__all__ = ["Backoff", "PullReport", "SyncEngine", "SyncReport"]
