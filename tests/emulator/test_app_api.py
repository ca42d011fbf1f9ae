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
    with httpx.Client(base_url=emulator.base_url) as c:
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
