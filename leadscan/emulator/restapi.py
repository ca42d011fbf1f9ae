"""The REST API (admin side) under /api/v1/organizers/{organizer}/events/{event}/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from leadscan.emulator.dataset import ATTENDEE_DATA_CHOICES
from leadscan.emulator.db import Store
from leadscan.emulator.httputil import ApiError, Request, Response, detail

PREFIX = "/api/v1/"


class RestApi:
    def __init__(self, store: Store, page_size: int, mail_fails: Callable[[], bool]) -> None:
        self.store = store
        self.page_size = page_size
        self.mail_fails = mail_fails

    def handle(self, req: Request) -> Response:
        raise detail(404, "Not found.")


EVENT_SETTINGS = {"name", "end_date", "imprint_url", "privacy_url", "help_url", "terms_url",
                  "logo_url", "lead_tags", "allow_notes", "attendee_data"}


def update_event_settings(store: Store, changes: dict[str, Any]) -> dict[str, Any]:
    unknown = set(changes) - EVENT_SETTINGS
    if unknown:
        raise ApiError(400, {k: ["Unknown event setting."] for k in sorted(unknown)})
    if "attendee_data" in changes and changes["attendee_data"] not in ATTENDEE_DATA_CHOICES:
        raise ApiError(400, {"attendee_data": [f"Choose one of {', '.join(ATTENDEE_DATA_CHOICES)}."]})
    if "allow_notes" in changes and not isinstance(changes["allow_notes"], bool):
        raise ApiError(400, {"allow_notes": ["Must be a valid boolean."]})
    if "lead_tags" in changes and (not isinstance(changes["lead_tags"], list)
                                   or not all(isinstance(t, str) for t in changes["lead_tags"])):
        raise ApiError(400, {"lead_tags": ["Expected a list of strings."]})
    with store.tx() as c:
        from leadscan.emulator.db import set_meta
        import json
        event = json.loads(c.execute("SELECT value FROM meta WHERE key='event'").fetchone()[0])
        event.update(changes)
        set_meta(c, "event", event)
    return event
