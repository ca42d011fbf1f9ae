"""App API behaviour: auth, 201/200, keep-or-override, validation, pagination, headers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

PROFILE = "/exhibitors/api/v1/profile"
LEADS = "/exhibitors/api/v1/leads/"
UUID1 = "d8c2ec53-d602-4a08-882d-db4cf54344a2"
UUID2 = "0f6bfb36-7a3d-4a4f-9df8-8b7bb2b3e0a1"


def lead(code: str, **kw: Any) -> dict[str, Any]:
    body = {"code": code, "notes": "", "scanned": "2026-12-03T10:00:00.000+01:00",
            "scan_type": "lead", "tags": None, "rating": None, "device_name": "DEV1",
            "device_uuid": UUID1}
    body.update(kw)
    return body


@pytest.mark.parametrize("path", [PROFILE, PROFILE + "/"])
def test_profile_with_and_without_slash(app: httpx.Client, emulator: Any, path: str) -> None:
    r = app.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert "date" in r.headers
    body = r.json()
    assert body["name"] == emulator.exhibitor["name"]
    assert body["event"]["slug"] == emulator.info["event"]
    assert body["event"]["organizer"] == emulator.info["organizer"]
    assert set(body["event"]["name"]) >= {"en", "de"}
    assert body["scan_types"] == [{"key": "lead", "label": "Lead Scanning"}]


def test_scanning_only_code_sees_profile(app_for: Any, emulator: Any) -> None:
    r = app_for(emulator.exhibitor["lead_scanning_access_code"]).get(PROFILE)
    assert r.status_code == 200


@pytest.mark.parametrize("header", [None, "Exhibitor WRONG123", "Token abc", "Exhibitor"])
def test_bad_or_missing_code_is_401_json(emulator: Any, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    with httpx.Client(verify=False, base_url=emulator.base_url) as c:
        for r in (c.get(PROFILE, headers=headers), c.post(LEADS, json=lead("x"), headers=headers),
                  c.get(LEADS, headers=headers)):
            assert r.status_code == 401
            assert r.headers["content-type"] == "application/json"
            assert isinstance(r.json()["detail"], str)


def test_first_scan_201_then_200(app: httpx.Client, emulator: Any) -> None:
    code = emulator.attendees[0]["secret"]
    r1 = app.post(LEADS, json=lead(code))
    assert r1.status_code == 201
    r2 = app.post(LEADS, json=lead(code))
    assert r2.status_code == 200
    fields = r1.json()["attendee"]["fields"]
    assert fields[0]["id"] == "attendee_name"
    assert fields[0]["value"] == emulator.attendees[0]["name"]
    assert set(r1.json()) == {"attendee", "rating", "tags", "notes", "device_name", "device_uuid"}


def test_keep_or_override(app: httpx.Client, emulator: Any) -> None:
    code = emulator.attendees[1]["secret"]
    r = app.post(LEADS, json=lead(code, notes="Wants a demo", rating=4, tags=["Hot lead"]))
    assert (r.json()["notes"], r.json()["rating"], r.json()["tags"]) == ("Wants a demo", 4, ["Hot lead"])
    # null / null / "" keep what the server holds, and answer with it
    r = app.post(LEADS, json=lead(code, notes="", rating=None, tags=None))
    assert r.status_code == 200
    assert (r.json()["notes"], r.json()["rating"], r.json()["tags"]) == ("Wants a demo", 4, ["Hot lead"])
    # any other value overrides, each field on its own
    r = app.post(LEADS, json=lead(code, rating=0))
    assert (r.json()["notes"], r.json()["rating"], r.json()["tags"]) == ("Wants a demo", 0, ["Hot lead"])
    r = app.post(LEADS, json=lead(code, tags=[]))
    assert r.json()["tags"] == [] and r.json()["rating"] == 0
    r = app.post(LEADS, json=lead(code, notes="Call back Monday"))
    assert r.json()["notes"] == "Call back Monday"


def test_not_a_ticket_is_400_with_reason(app: httpx.Client) -> None:
    r = app.post(LEADS, json=lead("not-a-ticket"))
    assert r.status_code == 400
    assert "not a ticket" in r.json()["detail"]


def test_code_is_matched_exactly(app: httpx.Client, emulator: Any) -> None:
    code = emulator.attendees[2]["secret"]
    for variant in (code.upper(), f" {code}", code[:-1]):
        assert app.post(LEADS, json=lead(variant)).status_code == 400


def test_list_leads_paginated(emulator: Any, app_for: Any) -> None:
    emulator.stop()
    emulator.server.page_size = 5
    emulator.start()
    app = app_for()
    for att in emulator.attendees[:12]:
        assert app.post(LEADS, json=lead(att["secret"], notes=att["name"])).status_code == 201
    r = app.get(LEADS)
    page = r.json()
    assert page["count"] == 12 and len(page["results"]) == 5 and page["previous"] is None
    assert page["next"] == f"{emulator.base_url}{LEADS}?page=2"
    seen = []
    url: str | None = LEADS
    while url:
        page = app.get(url).json()
        seen += [x["notes"] for x in page["results"]]
        url = page["next"]
    assert seen == [a["name"] for a in emulator.attendees[:12]]
    assert app.get(LEADS, params={"page": 9}).status_code == 404
    assert set(page["results"][0]) == {"attendee", "rating", "tags", "notes", "device_name", "device_uuid"}


def test_scanning_only_code_may_scan_but_not_list(app_for: Any, emulator: Any) -> None:
    app = app_for(emulator.exhibitor["lead_scanning_access_code"])
    assert app.post(LEADS, json=lead(emulator.attendees[0]["secret"])).status_code == 201
    r = app.get(LEADS)
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/json"
    assert r.json()["detail"]


def test_leads_are_per_exhibitor(app_for: Any, emulator: Any) -> None:
    other = emulator.info["exhibitors"][1]["access_code"]
    code = emulator.attendees[0]["secret"]
    assert app_for().post(LEADS, json=lead(code, notes="mine")).status_code == 201
    r = app_for(other).post(LEADS, json=lead(code))
    assert r.status_code == 201 and r.json()["notes"] == ""
    assert app_for(other).get(LEADS).json()["count"] == 1


@pytest.mark.parametrize("change,reason", [
    ({"rating": 6}, "rating"),
    ({"rating": -1}, "rating"),
    ({"rating": "4"}, "rating"),
    ({"rating": 4.5}, "rating"),
    ({"rating": True}, "rating"),
    ({"device_name": "x" * 191}, "device name"),
    ({"scanned": "yesterday"}, "scan time"),
    ({"scanned": "2026-13-45T10:00:00"}, "scan time"),
    ({"scanned": 1700000000}, "scan time"),
    ({"code": None}, "code"),
    ({"code": ""}, "code"),
    ({"tags": "Hot lead"}, "tags"),
    ({"notes": 5}, "notes"),
    ({"scan_type": "entry"}, "scan type"),
])
def test_invalid_data_is_400_with_reason(app: httpx.Client, emulator: Any, change: dict[str, Any],
                                         reason: str) -> None:
    r = app.post(LEADS, json={**lead(emulator.attendees[0]["secret"]), **change})
    assert r.status_code == 400
    assert reason in r.json()["detail"].lower()
    # nothing was stored
    assert app.get(LEADS).json()["count"] == 0


def test_missing_code_and_non_object_body(app: httpx.Client) -> None:
    assert app.post(LEADS, json={"notes": "x"}).status_code == 400
    assert app.post(LEADS, json=["code"]).status_code == 400
    r = app.post(LEADS, content=b'{"code": "abc', headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "detail" in r.json()


def test_limits_accepted(app: httpx.Client, emulator: Any) -> None:
    r = app.post(LEADS, json=lead(emulator.attendees[0]["secret"], device_name="x" * 190, rating=5,
                                  scanned="2026-12-03T10:00:00Z"))
    assert r.status_code == 201 and r.json()["device_name"] == "x" * 190
    r = app.post(LEADS, json=lead(emulator.attendees[1]["secret"], rating=0, scanned=None, device_uuid=None))
    assert r.status_code == 201 and r.json()["rating"] == 0


def test_lead_scanning_disabled_refuses_scans(app: httpx.Client, emulator: Any, rest: httpx.Client) -> None:
    rest.patch(f"exhibitors/{emulator.exhibitor['id']}/", json={"allow_lead_scanning": False})
    r = app.post(LEADS, json=lead(emulator.attendees[0]["secret"]))
    assert r.status_code == 403
    assert "not enabled" in r.json()["detail"]
    assert app.get(PROFILE).status_code == 200


def test_lead_access_disabled_refuses_list(app: httpx.Client, emulator: Any, rest: httpx.Client) -> None:
    rest.patch(f"exhibitors/{emulator.exhibitor['id']}/", json={"allow_lead_access": False})
    assert app.post(LEADS, json=lead(emulator.attendees[0]["secret"])).status_code == 201
    r = app.get(LEADS)
    assert r.status_code == 403 and r.json()["detail"]


def test_scope_by_device_one_lead_per_device(app: httpx.Client, emulator: Any, rest: httpx.Client) -> None:
    code = emulator.attendees[0]["secret"]
    assert app.post(LEADS, json=lead(code, notes="A", device_uuid=UUID1)).status_code == 201
    assert app.post(LEADS, json=lead(code, device_uuid=UUID2)).status_code == 200  # per exhibitor
    rest.patch(f"exhibitors/{emulator.exhibitor['id']}/", json={"lead_scanning_scope_by_device": True})
    code2 = emulator.attendees[1]["secret"]
    r1 = app.post(LEADS, json=lead(code2, notes="from 1", device_uuid=UUID1, device_name="one"))
    r2 = app.post(LEADS, json=lead(code2, notes="from 2", device_uuid=UUID2, device_name="two"))
    r3 = app.post(LEADS, json=lead(code2, device_uuid=UUID1))
    assert (r1.status_code, r2.status_code, r3.status_code) == (201, 201, 200)
    assert r3.json()["notes"] == "from 1"
    results = app.get(LEADS).json()["results"]
    assert sorted((x["notes"], x["device_uuid"]) for x in results if x["notes"].startswith("from")) == [
        ("from 1", UUID1), ("from 2", UUID2)]


def test_other_laptop_keeps_annotations(app: httpx.Client, emulator: Any) -> None:
    """K34: laptop 2 re-scans a badge laptop 1 annotated: laptop 1's values stay."""
    code = emulator.attendees[0]["secret"]
    app.post(LEADS, json=lead(code, notes="VIP", rating=5, tags=["Partner"], device_uuid=UUID1))
    r = app.post(LEADS, json=lead(code, device_uuid=UUID2, device_name="DEV2"))
    assert r.status_code == 200
    assert (r.json()["notes"], r.json()["rating"], r.json()["tags"]) == ("VIP", 5, ["Partner"])


@pytest.mark.parametrize("level,ids", [
    ("name", ["attendee_name"]),
    ("contact", ["attendee_name", "attendee_email", "company"]),
    ("all", ["attendee_name", "attendee_email", "company", "order", "positionid", "item"]),
])
def test_attendee_data_setting(app: httpx.Client, emulator: Any, rest: httpx.Client, level: str,
                               ids: list[str]) -> None:
    emulator.server.set_event(attendee_data=level)
    att = emulator.attendees[7]
    fields = app.post(LEADS, json=lead(att["secret"])).json()["attendee"]["fields"]
    assert [f["id"] for f in fields] == ids
    for f in fields:
        assert set(f) == {"id", "label", "value", "details"}
        assert all(isinstance(f[k], str) for k in ("id", "label", "value"))
    data = rest.get(f"exhibitors/{emulator.exhibitor['id']}/leads/").json()["results"][0]["data"]
    assert [f["id"] for f in data] == ids
    if level == "all":
        by_id = {f["id"]: f["value"] for f in fields}
        assert by_id["order"] == att["order_code"] and by_id["positionid"] == str(att["positionid"])


def test_profile_follows_event_settings(app: httpx.Client, emulator: Any) -> None:
    emulator.server.set_event(allow_notes=False, lead_tags=["A", "B"], logo_url="https://x.example/logo.png")
    body = app.get(PROFILE).json()
    assert body["notes"] is False and body["tags"] == ["A", "B"]
    assert body["event"]["logo_url"] == "https://x.example/logo.png"


def test_unknown_app_route_is_404_json(app: httpx.Client) -> None:
    r = app.get("/exhibitors/api/v1/nothing")
    assert r.status_code == 404 and r.headers["content-type"] == "application/json"
    assert app.delete(LEADS).status_code == 405
