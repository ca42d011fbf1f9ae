"""The REST API (admin side) under /api/v1/organizers/{organizer}/events/{event}/.

Status codes follow the spec's tables: a missing exhibitor is 403 ("does not exist or you
have no permission"), except for send_access_code, where the spec says 404.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from leadscan.emulator import exhibitors
from leadscan.emulator.dataset import ATTENDEE_DATA_CHOICES, new_access_codes
from leadscan.emulator.db import Store, set_meta
from leadscan.emulator.fields import attendee_fields
from leadscan.emulator.httputil import ApiError, Request, Response, detail, paginate

PREFIX = "/api/v1/"
NO_PERMISSION = "You do not have permission to perform this action."
VOUCHER_FIELDS = ("id", "code", "max_usages", "redeemed", "valid_until", "block_quota",
                  "allow_ignore_quota", "price_mode", "value", "item", "variation", "quota",
                  "tag", "comment", "seat", "subevent")


def _not_allowed(method: str, allowed: tuple[str, ...]) -> ApiError:
    return ApiError(405, {"detail": f'Method "{method}" not allowed.'}, {"Allow": ", ".join(allowed)})


def _check(method: str, allowed: tuple[str, ...]) -> None:
    if method not in allowed:
        raise _not_allowed(method, allowed)


class RestApi:
    def __init__(self, store: Store, page_size: int, mail_fails: Callable[[], bool]) -> None:
        self.store = store
        self.page_size = page_size
        self.mail_fails = mail_fails

    def handle(self, req: Request) -> Response:
        token = req.auth("Token")
        if token is None:
            raise ApiError(401, {"detail": "Authentication credentials were not provided."},
                           {"WWW-Authenticate": "Token"})
        if token != self.store.meta("api_token"):
            raise ApiError(401, {"detail": "Invalid token."}, {"WWW-Authenticate": "Token"})
        parts = [p for p in req.path[len(PREFIX):].split("/") if p]
        if len(parts) < 4 or parts[0] != "organizers" or parts[2] != "events":
            raise detail(404, "Not found.")
        event = self.store.meta("event")
        if parts[1] != event["organizer"] or parts[3] != event["slug"]:
            raise detail(403, NO_PERMISSION)
        rest = parts[4:]
        if not rest or rest[0] != "exhibitors":
            raise detail(404, "Not found.")
        if len(rest) == 1:
            if req.method == "GET":
                return self.list_exhibitors(req)
            _check(req.method, ("GET", "POST"))
            return self.create(req, event)
        try:
            ex_id = int(rest[1])
        except ValueError:
            raise detail(404, "Not found.") from None
        sub = "/".join(rest[2:])
        if sub == "send_access_code":
            _check(req.method, ("POST",))
            return self.send_access_code(ex_id, event)
        row = self._exhibitor(ex_id)
        if sub == "":
            if req.method == "GET":
                return Response(200, exhibitors.serialize(row))
            if req.method in ("PUT", "PATCH"):
                return self.update(ex_id, req, event, partial=req.method == "PATCH")
            _check(req.method, ("GET", "PUT", "PATCH", "DELETE"))
            return self.delete(ex_id)
        if sub == "leads":
            _check(req.method, ("GET",))
            return Response(200, paginate(req, self.leads(ex_id, event), self.page_size))
        if sub == "vouchers":
            _check(req.method, ("GET",))
            return Response(200, paginate(req, self.vouchers(ex_id), self.page_size))
        if sub == "vouchers/attach":
            _check(req.method, ("POST",))
            return self.attach(ex_id, req)
        raise detail(404, "Not found.")

    def _exhibitor(self, ex_id: int, missing: int = 403) -> sqlite3.Row:
        with self.store.tx() as c:
            row = c.execute("SELECT * FROM exhibitor WHERE id=?", (ex_id,)).fetchone()
        if row is None:
            raise detail(missing, "Not found." if missing == 404 else NO_PERMISSION)
        return row

    # --- exhibitors --------------------------------------------------------------------

    def list_exhibitors(self, req: Request) -> Response:
        with self.store.tx() as c:
            rows = c.execute("SELECT * FROM exhibitor ORDER BY id").fetchall()
        return Response(200, paginate(req, [exhibitors.serialize(r) for r in rows], self.page_size))

    def create(self, req: Request, event: dict[str, Any]) -> Response:
        body = req.json()
        with self.store.tx() as c:
            values = self._validate(body, c, event, partial=False)
            cols = exhibitors.to_columns(values)
            cols["access_code"], cols["lead_scanning_access_code"] = new_access_codes(c)
            names = ", ".join(cols)
            cur = c.execute(f"INSERT INTO exhibitor ({names}) VALUES ({', '.join('?' * len(cols))})",
                            tuple(cols.values()))
            row = c.execute("SELECT * FROM exhibitor WHERE id=?", (cur.lastrowid,)).fetchone()
        return Response(201, exhibitors.serialize(row))

    def update(self, ex_id: int, req: Request, event: dict[str, Any], *, partial: bool) -> Response:
        body = req.json()
        with self.store.tx() as c:
            values = self._validate(body, c, event, partial=partial)
            cols = exhibitors.to_columns(values)
            if cols:
                sets = ", ".join(f"{k}=?" for k in cols)
                c.execute(f"UPDATE exhibitor SET {sets} WHERE id=?", (*cols.values(), ex_id))
            row = c.execute("SELECT * FROM exhibitor WHERE id=?", (ex_id,)).fetchone()
        return Response(200, exhibitors.serialize(row))

    @staticmethod
    def _validate(body: Any, c: sqlite3.Connection, event: dict[str, Any], *, partial: bool) -> dict[str, Any]:
        try:
            return exhibitors.validate(body, partial=partial, conn=c, locales=event["locales"])
        except exhibitors.ValidationError as exc:
            raise ApiError(400, exc.errors) from None

    def delete(self, ex_id: int) -> Response:
        with self.store.tx() as c:
            c.execute("DELETE FROM lead WHERE exhibitor_id=?", (ex_id,))
            c.execute("UPDATE voucher SET exhibitor_id=NULL, exhibitor_comment='' WHERE exhibitor_id=?",
                      (ex_id,))
            c.execute("DELETE FROM exhibitor WHERE id=?", (ex_id,))
        return Response(204)

    # --- leads, vouchers, mail ---------------------------------------------------------

    def leads(self, ex_id: int, event: dict[str, Any]) -> list[dict[str, Any]]:
        with self.store.tx() as c:
            rows = c.execute(
                "SELECT lead.*, attendee.given_name, attendee.family_name, attendee.email,"
                " attendee.company, attendee.order_code, attendee.positionid, attendee.item"
                " FROM lead JOIN attendee ON attendee.id = lead.attendee_id"
                " WHERE lead.exhibitor_id=? ORDER BY lead.id", (ex_id,)).fetchall()
        return [{
            "attendee_order": r["order_code"],
            "attendee_positionid": r["positionid"],
            "rating": r["rating"],
            "notes": r["notes"],
            "tags": json.loads(r["tags"]),
            "first_upload": r["first_upload"],
            "data": attendee_fields(dict(r), event["attendee_data"], name_label="Attendee name"),
            "device_name": r["device_name"],
            "device_uuid": r["device_uuid"],
        } for r in rows]

    def vouchers(self, ex_id: int) -> list[dict[str, Any]]:
        with self.store.tx() as c:
            rows = c.execute("SELECT * FROM voucher WHERE exhibitor_id=? ORDER BY id", (ex_id,)).fetchall()
        out = []
        for r in rows:
            v = {k: r[k] for k in VOUCHER_FIELDS}
            v["block_quota"] = bool(v["block_quota"])
            v["allow_ignore_quota"] = bool(v["allow_ignore_quota"])
            v["exhibitor_comment"] = r["exhibitor_comment"]
            out.append(v)
        return out

    def attach(self, ex_id: int, req: Request) -> Response:
        body = req.json()
        if not isinstance(body, dict):
            raise detail(400, "Invalid data. Expected a dictionary.")
        comment = body.get("exhibitor_comment")
        if comment is not None and not isinstance(comment, str):
            raise ApiError(400, {"exhibitor_comment": ["Not a valid string."]})
        with self.store.tx() as c:
            if body.get("id") is not None:
                if isinstance(body["id"], bool) or not isinstance(body["id"], int):
                    raise ApiError(400, {"id": ["A valid integer is required."]})
                row = c.execute("SELECT * FROM voucher WHERE id=?", (body["id"],)).fetchone()
            elif body.get("code") is not None:
                row = c.execute("SELECT * FROM voucher WHERE code=?", (str(body["code"]),)).fetchone()
            else:
                raise detail(400, "You need to send either the id or the code of a voucher.")
            if row is None:
                raise detail(400, "The voucher does not exist.")
            if comment is None:
                comment = row["exhibitor_comment"] if row["exhibitor_id"] == ex_id else ""
            c.execute("UPDATE voucher SET exhibitor_id=?, exhibitor_comment=? WHERE id=?",
                      (ex_id, comment, row["id"]))
        return Response(200, {})

    def send_access_code(self, ex_id: int, event: dict[str, Any]) -> Response:
        row = self._exhibitor(ex_id, missing=404)
        if not row["contact_email"]:
            raise detail(400, "The exhibitor does not have an email address associated.")
        if self.mail_fails():
            raise detail(503, "The email could not be sent.")
        msg = access_code_mail(row, event)
        outbox = self.store.data_dir / "outbox"
        outbox.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        (outbox / f"{stamp}-exhibitor-{ex_id}.eml").write_bytes(bytes(msg))
        return Response(204)


def access_code_mail(row: sqlite3.Row, event: dict[str, Any]) -> EmailMessage:
    locale = row["locale"] if row["locale"] in event["name"] else "en"
    name = event["name"].get(locale) or next(iter(event["name"].values()))
    msg = EmailMessage()
    msg["From"] = f"{name} <noreply@{event['organizer']}.example.org>"
    msg["To"] = row["contact_email"]
    if row["contact_cc_email"]:
        msg["Cc"] = row["contact_cc_email"]
    msg["Date"] = format_datetime(datetime.now(timezone.utc))
    msg["Message-ID"] = make_msgid(domain="leadscan-emulator.invalid")
    if locale == "de":
        msg["Subject"] = f"Ihr Zugangscode für {name}"
        text = (f"Hallo {row['name']},\n\nIhr Zugangscode für die Lead-Scanning-App: "
                f"{row['access_code']}\nCode nur zum Scannen: {row['lead_scanning_access_code']}\n")
    else:
        msg["Subject"] = f"Your access code for {name}"
        text = (f"Hello {row['name']},\n\nyour access code for the lead scanning app: "
                f"{row['access_code']}\nCode for scanning only: {row['lead_scanning_access_code']}\n")
    msg.set_content(text)
    return msg


EVENT_SETTINGS = {"name", "end_date", "imprint_url", "privacy_url", "help_url", "terms_url",
                  "logo_url", "lead_tags", "allow_notes", "attendee_data"}


def update_event_settings(store: Store, changes: dict[str, Any]) -> dict[str, Any]:
    """Change event settings (admin endpoint, tests, `init --attendee-data`)."""
    unknown = set(changes) - EVENT_SETTINGS
    if unknown:
        raise ApiError(400, {k: ["Unknown event setting."] for k in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    if "attendee_data" in changes and changes["attendee_data"] not in ATTENDEE_DATA_CHOICES:
        errors["attendee_data"] = [f"Choose one of {', '.join(ATTENDEE_DATA_CHOICES)}."]
    if "allow_notes" in changes and not isinstance(changes["allow_notes"], bool):
        errors["allow_notes"] = ["Must be a valid boolean."]
    if "lead_tags" in changes and (not isinstance(changes["lead_tags"], list)
                                   or not all(isinstance(t, str) for t in changes["lead_tags"])):
        errors["lead_tags"] = ["Expected a list of strings."]
    if "name" in changes and (not isinstance(changes["name"], dict) or not changes["name"]):
        errors["name"] = ["Expected an object of locale -> text."]
    if "end_date" in changes:
        try:
            datetime.fromisoformat(str(changes["end_date"]).replace("Z", "+00:00"))
        except ValueError:
            errors["end_date"] = ["Expected an ISO 8601 date and time."]
    for k in ("imprint_url", "privacy_url", "help_url", "terms_url", "logo_url"):
        if k in changes and changes[k] is not None and not isinstance(changes[k], str):
            errors[k] = ["Expected a URL or null."]
    if errors:
        raise ApiError(400, errors)
    with store.tx() as c:
        event = json.loads(c.execute("SELECT value FROM meta WHERE key='event'").fetchone()[0])
        event.update(changes)
        set_meta(c, "event", event)
    return event
