"""REST API (admin side): exhibitors CRUD with DRF-style validation, leads, vouchers, mail."""

from __future__ import annotations

import email
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

LEADS = "/exhibitors/api/v1/leads/"
NEW = {
    "name": "Umbrella Corp", "internal_id": "U-1",
    "contact_name_parts": {"_scheme": "salutation_title_given_family", "family_name": "Wesker",
                           "given_name": "Albert", "salutation": "", "title": ""},
    "contact_email": "wesker@umbrella.example.org", "contact_cc_email": None, "booth": "D4",
    "locale": "de", "allow_lead_scanning": True, "allow_lead_access": True,
    "allow_voucher_access": False, "comment": "pays late", "exhibitor_tags": ["Startup"],
}


def test_auth(emulator: Any, rest_for: Any) -> None:
    for client, status in ((rest_for(""), 401), (rest_for("wrong"), 401), (rest_for(), 200)):
        r = client.get("exhibitors/")
        assert r.status_code == status
        assert r.headers["content-type"] == "application/json" and "detail" in r.json() or status == 200


@pytest.mark.parametrize("org,event", [("other", "expo"), ("demo", "other")])
def test_foreign_organizer_or_event_is_403(emulator: Any, rest_for: Any, org: str, event: str) -> None:
    c = rest_for(base_url=f"{emulator.base_url}/api/v1/organizers/{org}/events/{event}/")
    assert c.get("exhibitors/").status_code == 403
    assert c.post("exhibitors/", json=NEW).status_code == 403


def test_list_paginated(emulator: Any, rest_for: Any) -> None:
    emulator.stop()
    emulator.server.page_size = 2
    emulator.start()
    rest = rest_for()
    page = rest.get("exhibitors/").json()
    assert page["count"] == len(emulator.info["exhibitors"])
    assert page["next"] == emulator.rest_url + "exhibitors/?page=2"
    ids = []
    url = "exhibitors/"
    while url:
        page = rest.get(url).json()
        ids += [e["id"] for e in page["results"]]
        url = page["next"]
    assert ids == [e["id"] for e in emulator.info["exhibitors"]]
    assert rest.get("exhibitors/", params={"page": 2}).json()["previous"] == emulator.rest_url + "exhibitors/"
    assert rest.get("exhibitors/", params={"page": 3}).status_code == 404


def test_create_retrieve_and_codes_are_read_only(rest: httpx.Client) -> None:
    r = rest.post("exhibitors/", json={**NEW, "access_code": "MINE1234", "id": 99})
    assert r.status_code == 201
    ex = r.json()
    assert ex["access_code"] != "MINE1234" and re.fullmatch(r"[A-Z0-9]{8}", ex["access_code"])
    assert re.fullmatch(r"[A-Z0-9]{8}", ex["lead_scanning_access_code"])
    assert ex["contact_name"] == "Albert Wesker"
    assert ex["exhibitor_tags"] == ["Startup"] and ex["allow_voucher_access"] is False
    assert ex["lead_scanning_scope_by_device"] is False
    assert rest.get(f"exhibitors/{ex['id']}/").json() == ex
    assert rest.get(f"exhibitors/{ex['id']}").json() == ex  # no trailing slash


def test_create_minimal_gets_defaults(rest: httpx.Client) -> None:
    ex = rest.post("exhibitors/", json={"name": "Tiny"}).json()
    assert ex["internal_id"] is None and ex["booth"] is None and ex["contact_email"] is None
    assert ex["allow_lead_scanning"] and ex["allow_lead_access"] and ex["allow_voucher_access"]
    assert ex["comment"] == "" and ex["exhibitor_tags"] == [] and ex["contact_name"] is None


@pytest.mark.parametrize("body,field", [
    ({}, "name"),
    ({"name": None}, "name"),
    ({"name": ""}, "name"),
    ({"name": "x" * 191}, "name"),
    ({"name": "ok", "internal_id": "x" * 256}, "internal_id"),
    ({"name": "ok", "booth": "x" * 101}, "booth"),
    ({"name": "ok", "contact_email": "not-an-email"}, "contact_email"),
    ({"name": "ok", "contact_cc_email": "a@b.example,nope"}, "contact_cc_email"),
    ({"name": "ok", "locale": "xx"}, "locale"),
    ({"name": "ok", "allow_lead_access": "maybe"}, "allow_lead_access"),
    ({"name": "ok", "exhibitor_tags": ["No such tag"]}, "exhibitor_tags"),
    ({"name": "ok", "exhibitor_tags": "Startup"}, "exhibitor_tags"),
    ({"name": "ok", "contact_name_parts": "Dr Who"}, "contact_name_parts"),
    ({"name": "ok", "comment": None}, "comment"),
])
def test_create_invalid_is_field_keyed_400(rest: httpx.Client, body: dict[str, Any], field: str) -> None:
    r = rest.post("exhibitors/", json=body)
    assert r.status_code == 400
    err = r.json()
    assert list(err) == [field]
    assert isinstance(err[field], list) and all(isinstance(m, str) for m in err[field])


def test_limits_are_inclusive(rest: httpx.Client) -> None:
    r = rest.post("exhibitors/", json={"name": "x" * 190, "internal_id": "i" * 255, "booth": "b" * 100})
    assert r.status_code == 201


def test_not_json_is_400(rest: httpx.Client) -> None:
    r = rest.post("exhibitors/", content=b"{nope", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "detail" in r.json()
    assert rest.post("exhibitors/", json=["name"]).status_code == 400


def test_patch_changes_only_given_fields(rest: httpx.Client) -> None:
    ex = rest.post("exhibitors/", json=NEW).json()
    r = rest.patch(f"exhibitors/{ex['id']}/", json={"internal_id": "ABC", "access_code": "NOPE"})
    assert r.status_code == 200
    assert r.json() == {**ex, "internal_id": "ABC"}
    assert rest.patch(f"exhibitors/{ex['id']}/", json={"booth": "x" * 101}).status_code == 400
    assert rest.get(f"exhibitors/{ex['id']}/").json()["booth"] == "D4"


def test_put_resets_missing_fields(rest: httpx.Client) -> None:
    ex = rest.post("exhibitors/", json=NEW).json()
    r = rest.put(f"exhibitors/{ex['id']}/", json={"name": "Umbrella", "booth": "E1"})
    assert r.status_code == 200
    after = r.json()
    assert after["name"] == "Umbrella" and after["booth"] == "E1"
    assert after["internal_id"] is None and after["comment"] == "" and after["exhibitor_tags"] == []
    assert after["allow_voucher_access"] is True and after["contact_email"] is None
    assert after["access_code"] == ex["access_code"]  # read-only, not reset
    assert rest.put(f"exhibitors/{ex['id']}/", json={"booth": "E1"}).json() == {"name": ["This field is required."]}


def test_unknown_exhibitor(rest: httpx.Client) -> None:
    for method in ("GET", "PATCH", "PUT", "DELETE"):
        assert rest.request(method, "exhibitors/9999/", json={"name": "x"}).status_code == 403
    assert rest.get("exhibitors/9999/leads/").status_code == 403
    assert rest.get("exhibitors/9999/vouchers/").status_code == 403
    assert rest.post("exhibitors/9999/vouchers/attach/", json={"id": 1}).status_code == 403
    assert rest.post("exhibitors/9999/send_access_code/").status_code == 404
    assert rest.get("nonsense/").status_code == 404


def test_leads_with_spec_fields(emulator: Any, rest: httpx.Client, app_for: Any) -> None:
    att = emulator.attendees[3]
    app = app_for()
    app.post(LEADS, json={"code": att["secret"], "notes": "n", "rating": 2, "tags": ["Partner"],
                          "device_name": "Tablet", "device_uuid": "u-1",
                          "scanned": "2026-12-03T10:00:00+01:00"})
    page = rest.get(f"exhibitors/{emulator.exhibitor['id']}/leads/").json()
    assert page["count"] == 1
    lead = page["results"][0]
    assert set(lead) == {"attendee_order", "attendee_positionid", "rating", "notes", "tags",
                         "first_upload", "data", "device_name", "device_uuid"}
    assert (lead["attendee_order"], lead["attendee_positionid"]) == (att["order_code"], att["positionid"])
    assert (lead["rating"], lead["notes"], lead["tags"]) == (2, "n", ["Partner"])
    assert lead["data"][0]["value"] == att["name"]
    assert set(lead["data"][0]) == {"id", "label", "value", "details"}
    assert "+" in lead["first_upload"][19:] or lead["first_upload"].endswith("Z")


def test_vouchers_attach_by_id_and_code(emulator: Any, rest: httpx.Client) -> None:
    ex_id = emulator.info["exhibitors"][1]["id"]
    own = rest.get(f"exhibitors/{emulator.exhibitor['id']}/vouchers/").json()
    assert own["count"] >= 1
    assert rest.get(f"exhibitors/{ex_id}/vouchers/").json()["count"] == 0
    v = own["results"][0]
    r = rest.post(f"exhibitors/{ex_id}/vouchers/attach/", json={"id": v["id"], "exhibitor_comment": "Free ticket"})
    assert (r.status_code, r.json()) == (200, {})
    r = rest.post(f"exhibitors/{ex_id}/vouchers/attach/", json={"code": v["code"], "exhibitor_comment": "Two"})
    assert r.status_code == 200
    mine = rest.get(f"exhibitors/{ex_id}/vouchers/").json()["results"]
    assert [(x["code"], x["exhibitor_comment"]) for x in mine] == [(v["code"], "Two")]
    for body in ({"id": 99999}, {"code": "NOSUCHVOUCHER"}, {}):
        r = rest.post(f"exhibitors/{ex_id}/vouchers/attach/", json=body)
        assert r.status_code == 400 and r.json()


def test_delete_removes_leads_and_detaches_vouchers(emulator: Any, rest: httpx.Client, app_for: Any) -> None:
    ex = emulator.exhibitor
    app_for().post(LEADS, json={"code": emulator.attendees[0]["secret"]})
    vouchers = rest.get(f"exhibitors/{ex['id']}/vouchers/").json()["results"]
    assert vouchers
    r = rest.delete(f"exhibitors/{ex['id']}/")
    assert r.status_code == 204 and r.content == b""
    assert rest.get(f"exhibitors/{ex['id']}/").status_code == 403
    assert app_for().get("/exhibitors/api/v1/profile").status_code == 401
    other = emulator.info["exhibitors"][1]["id"]
    r = rest.post(f"exhibitors/{other}/vouchers/attach/", json={"code": vouchers[0]["code"]})
    assert r.status_code == 200  # the voucher still exists


def test_send_access_code_writes_mail(emulator: Any, rest: httpx.Client) -> None:
    ex = emulator.exhibitor
    r = rest.post(f"exhibitors/{ex['id']}/send_access_code/")
    assert r.status_code == 204
    files = list((Path(emulator.data_dir) / "outbox").glob("*.eml"))
    assert len(files) == 1
    msg = email.message_from_bytes(files[0].read_bytes())
    assert msg["To"] == "johnson@as.example.org"
    assert ex["access_code"] in msg.get_payload(decode=True).decode()


def test_send_access_code_without_email_is_400(rest: httpx.Client) -> None:
    ex = rest.post("exhibitors/", json={"name": "No Mail"}).json()
    r = rest.post(f"exhibitors/{ex['id']}/send_access_code/")
    assert r.status_code == 400 and r.json()["detail"]


def test_send_access_code_mail_failure_is_503(emulator: Any, rest: httpx.Client) -> None:
    emulator.set_faults("mail_fail")
    r = rest.post(f"exhibitors/{emulator.exhibitor['id']}/send_access_code/")
    assert r.status_code == 503 and r.json()["detail"]
    assert not list((Path(emulator.data_dir) / "outbox").glob("*.eml"))


def test_method_not_allowed(rest: httpx.Client, emulator: Any) -> None:
    assert rest.delete("exhibitors/").status_code == 405
    assert rest.post(f"exhibitors/{emulator.exhibitor['id']}/leads/").status_code == 405


def test_create_then_scan_then_read_back(emulator: Any, rest: httpx.Client, app_for: Any) -> None:
    """The organizer creates an exhibitor; its laptop logs in with the returned code and scans;
    the organizer reads the lead back."""
    ex = rest.post("exhibitors/", json={"name": "Wayne Enterprises", "booth": "W1"}).json()
    app = app_for(ex["access_code"])
    profile = app.get("/exhibitors/api/v1/profile")
    assert profile.status_code == 200 and profile.json()["name"] == "Wayne Enterprises"
    att = emulator.attendees[42]
    r = app.post(LEADS, json={"code": att["secret"], "notes": "Met at booth W1", "rating": 5,
                              "tags": ["Hot lead"], "scanned": "2026-12-03T11:00:00+01:00",
                              "scan_type": "lead", "device_name": "W1 laptop", "device_uuid": None})
    assert r.status_code == 201
    leads = rest.get(f"exhibitors/{ex['id']}/leads/").json()
    assert leads["count"] == 1
    got = leads["results"][0]
    assert (got["attendee_order"], got["attendee_positionid"]) == (att["order_code"], att["positionid"])
    assert (got["notes"], got["rating"], got["tags"], got["device_name"]) == (
        "Met at booth W1", 5, ["Hot lead"], "W1 laptop")
