"""Creating the demo data set: one event, attendees with pretix-style tickets, exhibitors.

Deterministic under a seed (tests); without a seed every code and secret comes from the
system's secure random source, so access codes cannot be guessed.
"""

from __future__ import annotations

import json
import random
import sqlite3
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from leadscan.emulator import db

SECRET_CHARS = "abcdefghjkmnpqrstuvwxyz23456789"  # pretix ticket secrets
ORDER_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ3789"  # pretix order codes
ACCESS_CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: typed at booths
VOUCHER_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

ORGANIZER = "demo"
EVENT = "expo"
LOCALES = ["en", "de"]
LEAD_TAGS = ["Hot lead", "Newsletter", "Call back", "Partner"]
EXHIBITOR_TAGS = ["Gold Sponsor", "Silver Sponsor", "Startup"]
# What attendee data exhibitors see: "name"; "contact" (name, email, company); "all".
ATTENDEE_DATA_CHOICES = ("name", "contact", "all")

GIVEN = [
    "Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hannes", "Ines", "Jonas",
    "Katarzyna", "Lukas", "Marie", "Noah", "Olga", "Paul", "Quentin", "Rosa", "Sven", "Tara",
    "Uwe", "Vera", "Wei", "Xaver", "Yasmin", "Zoë", "José", "Søren", "Chloé", "Jürgen",
    "Priya", "Kenji", "Amara", "Mateo", "Fatima", "Lars", "Nina", "Omar", "Sofia", "Tomás",
]
FAMILY = [
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker",
    "Schulz", "Hoffmann", "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Nowak",
    "García", "Rossi", "Dubois", "Jensen", "Kowalski", "Tanaka", "O'Brien", "Smith", "Okafor",
    "Nguyen", "Silva", "Andersson", "van der Berg", "Łukasiewicz", "Öztürk", "Brown", "Patel",
]
COMPANIES = [
    "Acme Corp", "Globex GmbH", "Umbrella AG", "Stark Industries", "Wayne Enterprises",
    "Hooli", "Initrode", "Vandelay Industries", "Soylent Ltd", "Tyrell Corporation",
    "Wonka Industries", "Oscorp", "Massive Dynamic", "Pied Piper", "Bluth Company",
    "Gringotts Bank", "Nakatomi Trading", "Monarch Solutions", "Dunder Mifflin", "",
]
ITEMS = ["Conference ticket", "Conference ticket", "Conference ticket", "Student ticket",
         "Exhibitor pass", "VIP ticket"]
DEMO_EXHIBITORS: list[dict[str, Any]] = [
    {"name": "Aperture Science", "booth": "A2", "locale": "en",
     "contact_name_parts": {"_scheme": "salutation_title_given_family", "salutation": "",
                            "title": "Dr", "given_name": "Cave", "family_name": "Johnson"},
     "contact_email": "johnson@as.example.org", "exhibitor_tags": ["Gold Sponsor"]},
    {"name": "Black Mesa Research", "booth": "B7", "locale": "en",
     "contact_name_parts": {"_scheme": "salutation_title_given_family", "salutation": "",
                            "title": "", "given_name": "Gina", "family_name": "Cross"},
     "contact_email": "cross@bm.example.org", "exhibitor_tags": ["Silver Sponsor"]},
    {"name": "Cyberdyne Systems", "booth": "C1", "locale": "de",
     "contact_name_parts": {"_scheme": "salutation_title_given_family", "salutation": "",
                            "title": "", "given_name": "Miles", "family_name": "Dyson"},
     "contact_email": "dyson@cd.example.org", "exhibitor_tags": []},
    {"name": "Initech", "booth": None, "locale": None, "contact_name_parts": {},
     "contact_email": None, "exhibitor_tags": ["Startup"]},
]


def _rng(seed: int | None) -> random.Random:
    return random.Random(seed) if seed is not None else random.SystemRandom()


def random_code(rng: random.Random, chars: str, length: int) -> str:
    return "".join(rng.choice(chars) for _ in range(length))


def new_access_codes(conn: sqlite3.Connection, rng: random.Random | None = None) -> tuple[str, str]:
    """Two fresh codes, unique among every exhibitor's codes."""
    rng = rng or random.SystemRandom()
    taken = {r[0] for r in conn.execute(
        "SELECT access_code FROM exhibitor UNION SELECT lead_scanning_access_code FROM exhibitor")}
    codes: list[str] = []
    while len(codes) < 2:
        code = random_code(rng, ACCESS_CODE_CHARS, 8)
        if code not in taken:
            taken.add(code)
            codes.append(code)
    return codes[0], codes[1]


def _ascii(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text.replace("ł", "l").replace("Ł", "L").replace("ø", "o"))
    return "".join(c for c in norm if c.isascii() and (c.isalnum() or c in "-.")).lower()


def _attendees(rng: random.Random, count: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    secrets_seen: set[str] = set()
    orders_seen: set[str] = set()
    while len(rows) < count:
        order = random_code(rng, ORDER_CHARS, 5)
        if order in orders_seen:
            continue
        orders_seen.add(order)
        company = rng.choice(COMPANIES)
        for positionid in range(1, min(rng.choice([1, 1, 1, 2, 3]), count - len(rows)) + 1):
            given, family = rng.choice(GIVEN), rng.choice(FAMILY)
            domain = (_ascii(company.split()[0]) + ".example.com") if company else "example.net"
            secret = random_code(rng, SECRET_CHARS, 32)
            if secret in secrets_seen:
                continue
            secrets_seen.add(secret)
            rows.append({
                "order_code": order, "positionid": positionid, "given_name": given,
                "family_name": family, "email": f"{_ascii(given)}.{_ascii(family)}@{domain}",
                "company": company or None, "item": rng.choice(ITEMS), "secret": secret,
            })
    return rows


def init_dataset(
    data_dir: Path, attendees: int = 300, seed: int | None = None, *, force: bool = False
) -> dict[str, Any]:
    """Create the emulator database in `data_dir`; return the summary `init` prints.

    Refuses to overwrite an existing data set unless `force`.
    """
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = db.db_path(data_dir)
    if path.exists():
        if not force:
            raise FileExistsError(f"{data_dir} already holds emulator data (use --force to replace it)")
        for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            p.unlink(missing_ok=True)
    rng = _rng(seed)
    end = (datetime.now(timezone.utc) + timedelta(days=2)).replace(
        hour=17, minute=0, second=0, microsecond=0)
    event = {
        "organizer": ORGANIZER, "slug": EVENT,
        "name": {"en": "Demo Trade Show", "de": "Demo-Fachmesse"},
        "end_date": end.isoformat(),
        "imprint_url": "https://expo.example.org/imprint",
        "privacy_url": "https://expo.example.org/privacy",
        "help_url": None, "terms_url": None, "logo_url": None,
        "locales": LOCALES, "lead_tags": LEAD_TAGS, "allow_notes": True,
        "attendee_data": "contact",
    }
    token = random_code(rng, "abcdefghijklmnopqrstuvwxyz0123456789", 64)
    conn = db.create(path)
    try:
        conn.execute("BEGIN")
        db.set_meta(conn, "event", event)
        db.set_meta(conn, "api_token", token)
        conn.executemany("INSERT INTO exhibitor_tag(name) VALUES (?)", [(t,) for t in EXHIBITOR_TAGS])
        conn.executemany(
            "INSERT INTO attendee(order_code, positionid, given_name, family_name, email, company,"
            " item, secret) VALUES (:order_code, :positionid, :given_name, :family_name, :email,"
            " :company, :item, :secret)",
            _attendees(rng, attendees),
        )
        exhibitors = []
        for ex in DEMO_EXHIBITORS:
            code, scan_code = new_access_codes(conn, rng)
            cur = conn.execute(
                "INSERT INTO exhibitor(name, contact_name_parts, contact_email, booth, locale,"
                " access_code, lead_scanning_access_code, exhibitor_tags) VALUES (?,?,?,?,?,?,?,?)",
                (ex["name"], json.dumps(ex["contact_name_parts"]), ex["contact_email"], ex["booth"],
                 ex["locale"], code, scan_code, json.dumps(ex["exhibitor_tags"])),
            )
            exhibitors.append({"id": cur.lastrowid, "name": ex["name"], "access_code": code,
                               "lead_scanning_access_code": scan_code})
        for i in range(8):
            conn.execute(
                "INSERT INTO voucher(code, max_usages, redeemed, price_mode, value, item, tag,"
                " exhibitor_id, exhibitor_comment) VALUES (?,?,?,?,?,?,?,?,?)",
                (random_code(rng, VOUCHER_CHARS, 16), 1 if i % 3 else 10, 0,
                 "set", "0.00" if i % 2 else "12.00", 1, "exhibitor-guests",
                 exhibitors[0]["id"] if i < 2 else None, "Free ticket" if i < 2 else ""),
            )
        conn.execute("COMMIT")
    finally:
        conn.close()
    (data_dir / "outbox").mkdir(exist_ok=True)
    return {"organizer": ORGANIZER, "event": EVENT, "api_token": token, "exhibitors": exhibitors}


def attendee_dict(row: sqlite3.Row) -> dict[str, Any]:
    d = dict(row)
    d["name"] = f"{d['given_name']} {d['family_name']}"
    return d


def list_attendees(data_dir: Path) -> list[dict[str, Any]]:
    """Every attendee: id, order_code, positionid, name, given_name, family_name, email,
    company, item, secret (the code on the badge)."""
    path = db.db_path(Path(data_dir))
    if not path.is_file():
        raise db.NotInitialised(f"{data_dir} holds no emulator data; run `leadscan-emulator init` first")
    conn = db.connect(path)
    try:
        return [attendee_dict(r) for r in conn.execute("SELECT * FROM attendee ORDER BY id")]
    finally:
        conn.close()
