"""The demo data set: pretix-shaped codes, deterministic under a seed, unguessable without."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from leadscan.emulator import init_dataset, list_attendees
from leadscan.emulator.db import db_path

SECRET = re.compile(r"^[abcdefghjkmnpqrstuvwxyz23456789]{32}$")


def test_summary_shape(tmp_path: Path) -> None:
    info = init_dataset(tmp_path, attendees=50, seed=1)
    assert set(info) == {"organizer", "event", "api_token", "exhibitors"}
    assert len(info["exhibitors"]) >= 3
    for ex in info["exhibitors"]:
        assert set(ex) == {"id", "name", "access_code", "lead_scanning_access_code"}
        assert re.fullmatch(r"[A-Z0-9]{8}", ex["access_code"])
        assert re.fullmatch(r"[A-Z0-9]{8}", ex["lead_scanning_access_code"])
    codes = [c for ex in info["exhibitors"] for c in (ex["access_code"], ex["lead_scanning_access_code"])]
    assert len(set(codes)) == len(codes)


def test_attendees_look_like_pretix(tmp_path: Path) -> None:
    init_dataset(tmp_path, attendees=300, seed=2)
    people = list_attendees(tmp_path)
    assert len(people) == 300
    assert len({p["secret"] for p in people}) == 300
    assert len({(p["order_code"], p["positionid"]) for p in people}) == 300
    for p in people:
        assert SECRET.match(p["secret"])
        assert re.fullmatch(r"[A-Z0-9]{5}", p["order_code"])
        assert p["positionid"] >= 1
        assert p["name"] == f"{p['given_name']} {p['family_name']}"
        assert "@" in p["email"]
    assert any(p["positionid"] > 1 for p in people)  # orders with several tickets


def test_deterministic_under_seed(tmp_path: Path) -> None:
    a = init_dataset(tmp_path / "a", attendees=20, seed=7)
    b = init_dataset(tmp_path / "b", attendees=20, seed=7)
    assert a == b
    assert list_attendees(tmp_path / "a") == list_attendees(tmp_path / "b")


def test_random_without_seed(tmp_path: Path) -> None:
    a = init_dataset(tmp_path / "a", attendees=5)
    b = init_dataset(tmp_path / "b", attendees=5)
    assert a["exhibitors"][0]["access_code"] != b["exhibitors"][0]["access_code"]
    assert a["api_token"] != b["api_token"]


def test_wal_and_refuses_to_overwrite(tmp_path: Path) -> None:
    init_dataset(tmp_path, attendees=5, seed=1)
    conn = sqlite3.connect(db_path(tmp_path))
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    with pytest.raises(FileExistsError):
        init_dataset(tmp_path, attendees=5, seed=1)
    again = init_dataset(tmp_path, attendees=6, seed=9, force=True)
    assert len(list_attendees(tmp_path)) == 6
    assert again["exhibitors"]
