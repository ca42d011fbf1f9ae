"""The App API (what a lead-scanning app talks to): profile, upload a lead, list leads."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from leadscan.emulator.db import Store
from leadscan.emulator.fields import attendee_fields
from leadscan.emulator.httputil import ApiError, Request, Response, detail, paginate

PREFIX = "/exhibitors/api/v1/"
SCAN_TYPES = [{"key": "lead", "label": "Lead Scanning"}]
MAX_DEVICE_NAME = 190

NO_CREDENTIALS = "Authentication credentials were not provided."
INVALID_CODE = "Invalid access code."


def _unauthorized(text: str) -> ApiError:
    return ApiError(401, {"detail": text}, {"WWW-Authenticate": "Exhibitor"})


class AppApi:
    def __init__(self, store: Store, page_size: int, revoked: Callable[[str], bool]) -> None:
        self.store = store
        self.page_size = page_size
        self.revoked = revoked

    def handle(self, req: Request) -> Response:
        route = req.path[len(PREFIX):].strip("/")
        if route not in ("profile", "leads"):
            raise detail(404, "Not found.")
        allowed = ("GET",) if route == "profile" else ("GET", "POST")
        if req.method not in allowed:
            raise ApiError(405, {"detail": f'Method "{req.method}" not allowed.'},
                           {"Allow": ", ".join(allowed)})
        exhibitor, full_access = self._authenticate(req)
        if route == "profile":
            return Response(200, self.profile(exhibitor))
        if req.method == "POST":
            return self.post_lead(exhibitor, req)
        if not full_access:
            raise detail(403, "This access code may only be used for lead scanning, not to read leads.")
        if not exhibitor["allow_lead_access"]:
            raise detail(403, "Access to lead data is not enabled for this exhibitor.")
        return Response(200, paginate(req, self.list_leads(exhibitor), self.page_size))

    def _authenticate(self, req: Request) -> tuple[dict[str, Any], bool]:
        code = req.auth("Exhibitor")
        if code is None:
            raise _unauthorized(NO_CREDENTIALS)
        with self.store.tx() as c:
            row = c.execute(
                "SELECT * FROM exhibitor WHERE access_code=? OR lead_scanning_access_code=?",
                (code, code)).fetchone()
        if row is None or self.revoked(code):
            raise _unauthorized(INVALID_CODE)
        return dict(row), row["access_code"] == code

    def profile(self, ex: dict[str, Any]) -> dict[str, Any]:
        ev = self.store.meta("event")
        return {
            "name": ex["name"],
            "booth": ex["booth"],
            "event": {
                "name": ev["name"],
                "end_date": ev["end_date"],
                "slug": ev["slug"],
                "imprint_url": ev["imprint_url"],
                "privacy_url": ev["privacy_url"],
                "help_url": ev["help_url"],
                "terms_url": ev["terms_url"],
                "logo_url": ev["logo_url"],
                "organizer": ev["organizer"],
            },
            "notes": bool(ev["allow_notes"]),
            "tags": list(ev["lead_tags"]),
            "scan_types": SCAN_TYPES,
        }

    def post_lead(self, ex: dict[str, Any], req: Request) -> Response:
        if not ex["allow_lead_scanning"]:
            raise detail(403, "Lead scanning is not enabled for this exhibitor.")
        data = validate_lead(req.json())
        level = self.store.meta("event")["attendee_data"]
        now = datetime.now(timezone.utc).isoformat()
        with self.store.tx() as c:
            att = c.execute("SELECT * FROM attendee WHERE secret=?", (data["code"],)).fetchone()
            if att is None:
                raise detail(400, "This code is not a ticket of this event.")
            device_key = (data["device_uuid"] or "") if ex["lead_scanning_scope_by_device"] else ""
            key = (ex["id"], att["id"], device_key)
            lead = c.execute("SELECT * FROM lead WHERE exhibitor_id=? AND attendee_id=? AND device_key=?",
                             key).fetchone()
            created = lead is None
            if created:
                c.execute(
                    "INSERT INTO lead(exhibitor_id, attendee_id, device_key, rating, notes, tags,"
                    " scanned, first_upload, device_name, device_uuid) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (*key, data["rating"], data["notes"] or "", json.dumps(data["tags"] or []),
                     data["scanned"], now, data["device_name"], data["device_uuid"]))
            else:
                c.execute(
                    "UPDATE lead SET rating=?, notes=?, tags=?, device_name=?, device_uuid=?"
                    " WHERE id=?",
                    (lead["rating"] if data["rating"] is None else data["rating"],
                     lead["notes"] if not data["notes"] else data["notes"],
                     lead["tags"] if data["tags"] is None else json.dumps(data["tags"]),
                     lead["device_name"] if lead["device_name"] is not None else data["device_name"],
                     lead["device_uuid"] if lead["device_uuid"] is not None else data["device_uuid"],
                     lead["id"]))
            lead = c.execute("SELECT * FROM lead WHERE exhibitor_id=? AND attendee_id=? AND device_key=?",
                             key).fetchone()
        return Response(201 if created else 200, app_lead(lead, dict(att), level))

    def list_leads(self, ex: dict[str, Any]) -> list[dict[str, Any]]:
        level = self.store.meta("event")["attendee_data"]
        with self.store.tx() as c:
            rows = c.execute(
                "SELECT lead.*, attendee.given_name, attendee.family_name, attendee.email,"
                " attendee.company, attendee.order_code, attendee.positionid, attendee.item"
                " FROM lead JOIN attendee ON attendee.id = lead.attendee_id"
                " WHERE lead.exhibitor_id=? ORDER BY lead.id", (ex["id"],)).fetchall()
        return [app_lead(r, dict(r), level) for r in rows]


def app_lead(lead: sqlite3.Row, att: dict[str, Any], level: str) -> dict[str, Any]:
    return {
        "attendee": {"fields": attendee_fields(att, level)},
        "rating": lead["rating"],
        "tags": json.loads(lead["tags"]),
        "notes": lead["notes"],
        "device_name": lead["device_name"],
        "device_uuid": lead["device_uuid"],
    }


def parse_datetime(value: str) -> datetime:
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)


def validate_lead(body: Any) -> dict[str, Any]:
    """The upload's fields, checked; raises 400 with a reason a person can read."""
    if not isinstance(body, dict):
        raise detail(400, "Invalid data. Expected a JSON object.")
    code = body.get("code")
    if code is None or code == "":
        raise detail(400, "No code was sent (field 'code' is required).")
    if not isinstance(code, str):
        raise detail(400, "The field 'code' must be a string.")
    scan_type = body.get("scan_type", "lead")
    if scan_type not in (None, "lead"):
        raise detail(400, f"Unknown scan type {scan_type!r}; only 'lead' is supported.")
    scanned = body.get("scanned")
    if scanned is not None:
        try:
            if not isinstance(scanned, str):
                raise ValueError
            scanned = parse_datetime(scanned).isoformat()
        except ValueError:
            raise detail(400, f"The scan time {scanned!r} is not a valid ISO 8601 date and time.") from None
    rating = body.get("rating")
    if rating is not None and (isinstance(rating, bool) or not isinstance(rating, int) or not 0 <= rating <= 5):
        raise detail(400, f"The rating must be a whole number from 0 to 5, not {rating!r}.")
    tags = body.get("tags")
    if tags is not None and (not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)):
        raise detail(400, "The tags must be a list of strings.")
    notes = body.get("notes")
    if notes is not None and not isinstance(notes, str):
        raise detail(400, "The notes must be a string.")
    device_name = body.get("device_name")
    if device_name is not None and (not isinstance(device_name, str) or len(device_name) > MAX_DEVICE_NAME):
        raise detail(400, f"The device name must be a string of at most {MAX_DEVICE_NAME} characters.")
    device_uuid = body.get("device_uuid")
    if device_uuid is not None and (not isinstance(device_uuid, str) or len(device_uuid) > MAX_DEVICE_NAME):
        raise detail(400, "The device UUID must be a string.")
    return {"code": code, "scanned": scanned, "rating": rating, "tags": tags, "notes": notes,
            "device_name": device_name, "device_uuid": device_uuid}
