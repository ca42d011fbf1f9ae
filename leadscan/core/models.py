"""Shared vocabulary of leadscan: the states, sources and records every layer talks about."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class SyncState(enum.StrEnum):
    """Where a lead stands with the server. Stored as text in the database."""

    PENDING = "pending"  # saved locally, not (or not in its latest form) on the server yet
    SYNCED = "synced"  # the server holds the latest local values
    REJECTED = "rejected"  # the server refused it (400); kept with the server's reason


class ScanSource(enum.StrEnum):
    """How a code got into the app."""

    CAMERA = "camera"
    SCANNER = "scanner"  # USB HID keyboard wedge
    MANUAL = "manual"  # typed by hand
    FILE = "file"  # decoded from an image/video file (CLI)
    PULL = "pull"  # fetched from the server (scanned by another laptop of the booth)


@dataclass(frozen=True)
class FieldDetail:
    label: str
    value: str


@dataclass(frozen=True)
class AttendeeField:
    """One read-only attendee field as the server sent it (labels come from the server)."""

    id: str
    label: str
    value: str
    details: tuple[FieldDetail, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "value": self.value,
            "details": [{"label": d.label, "value": d.value} for d in self.details],
        }

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> "AttendeeField":
        details = tuple(
            FieldDetail(str(d.get("label", "")), _text(d.get("value")))
            for d in (obj.get("details") or [])
            if isinstance(d, dict)
        )
        return cls(
            id=str(obj.get("id", "")),
            label=str(obj.get("label", "")),
            value=_text(obj.get("value")),
            details=details,
        )


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True)
class EventInfo:
    name: dict[str, str] | str  # multi-lingual string as sent
    slug: str
    organizer: str
    end_date: datetime | None = None
    imprint_url: str | None = None
    privacy_url: str | None = None
    help_url: str | None = None
    terms_url: str | None = None
    logo_url: str | None = None

    def display_name(self, language: str = "en") -> str:
        if isinstance(self.name, str):
            return self.name
        if not self.name:
            return self.slug
        return self.name.get(language) or next(iter(self.name.values()))


@dataclass(frozen=True)
class Profile:
    """The exhibitor profile from GET /exhibitors/api/v1/profile."""

    name: str
    booth: str | None
    event: EventInfo
    notes_allowed: bool
    tags: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Lead:
    """A lead as kept locally."""

    id: int
    code: str  # exactly as scanned
    scanned: datetime  # timezone-aware moment of the (first) scan
    notes: str
    rating: int | None
    tags: tuple[str, ...]
    device_name: str | None
    device_uuid: str | None
    fields: tuple[AttendeeField, ...]
    state: SyncState
    reason: str | None  # server's reason when rejected; last transient error otherwise
    source: ScanSource
    seq: int  # local scan order, independent of the wall clock
    updated_at: datetime | None = None
    synced_at: datetime | None = None

    def field_value(self, field_id: str) -> str | None:
        for f in self.fields:
            if f.id == field_id:
                return f.value
        return None

    @property
    def display_name(self) -> str:
        """Best human label for lists: the attendee name if the server sent one."""
        for key in ("attendee_name", "name"):
            v = self.field_value(key)
            if v:
                return v
        return ""


class Unset(enum.Enum):
    """Marker for "argument not given" where `None` is a meaningful value (e.g. rating)."""

    UNSET = "unset"

    def __repr__(self) -> str:
        return "UNSET"


UNSET = Unset.UNSET
