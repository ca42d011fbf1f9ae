"""Turn App API JSON into models, tolerating extra and missing optional fields.

Anything that is clearly not an App API answer (wrong types where the spec fixes them)
raises `BadResponse`: it is never taken as success.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..errors import BadResponse
from ..models import AttendeeField, EventInfo, Profile

NOT_APP_API = "The server's answer is not what a pretix exhibitors App API sends."


def parse_profile(body: Any) -> Profile:
    if not isinstance(body, dict):
        raise BadResponse(NOT_APP_API)
    event = body.get("event")
    name = body.get("name")
    if not isinstance(event, dict) or not isinstance(name, str):
        raise BadResponse(NOT_APP_API)
    ev_name = event.get("name")
    if not isinstance(ev_name, (str, dict)):
        ev_name = str(event.get("slug") or "")
    if isinstance(ev_name, dict):
        ev_name = {str(k): str(v) for k, v in ev_name.items() if v is not None}
    tags = body.get("tags")
    if tags is None:
        tags = []
    if not isinstance(tags, list):
        raise BadResponse(NOT_APP_API)
    booth = body.get("booth")
    return Profile(
        name=name,
        booth=booth if isinstance(booth, str) else None,
        event=EventInfo(
            name=ev_name,
            slug=_str(event.get("slug")),
            organizer=_str(event.get("organizer")),
            end_date=_datetime(event.get("end_date")),
            imprint_url=_url(event.get("imprint_url")),
            privacy_url=_url(event.get("privacy_url")),
            help_url=_url(event.get("help_url")),
            terms_url=_url(event.get("terms_url")),
            logo_url=_url(event.get("logo_url")),
        ),
        notes_allowed=bool(body.get("notes", True)),
        tags=tuple(str(t) for t in tags if t is not None),
        raw=body,
    )


def parse_lead_body(body: Any) -> dict[str, Any]:
    """The lead part shared by the POST answer and GET list entries."""
    if not isinstance(body, dict):
        raise BadResponse(NOT_APP_API)
    known = ("attendee", "rating", "tags", "notes")
    if not any(k in body for k in known):
        raise BadResponse(NOT_APP_API)
    attendee = body.get("attendee") or {}
    if not isinstance(attendee, dict):
        raise BadResponse(NOT_APP_API)
    raw_fields = attendee.get("fields") or []
    if not isinstance(raw_fields, list):
        raise BadResponse(NOT_APP_API)
    rating = body.get("rating")
    if isinstance(rating, bool) or not (rating is None or isinstance(rating, int)):
        raise BadResponse(NOT_APP_API)
    tags = body.get("tags") or []
    if not isinstance(tags, list):
        raise BadResponse(NOT_APP_API)
    notes = body.get("notes")
    return {
        "fields": tuple(AttendeeField.from_json(f) for f in raw_fields if isinstance(f, dict)),
        "rating": rating,
        "tags": tuple(str(t) for t in tags if t is not None),
        "notes": notes if isinstance(notes, str) else "",
        "device_name": _opt_str(body.get("device_name")),
        "device_uuid": _opt_str(body.get("device_uuid")),
    }


def _str(v: Any) -> str:
    return v if isinstance(v, str) else ""


def _opt_str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _url(v: Any) -> str | None:
    return v if isinstance(v, str) and v.startswith(("http://", "https://")) else None


def _datetime(v: Any) -> datetime | None:
    if not isinstance(v, str):
        return None
    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else None
