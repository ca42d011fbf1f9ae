"""The exhibitor resource of the REST API: validation (DRF-style field-keyed errors),
defaults, and serialisation."""

from __future__ import annotations

import json
import re
import sqlite3
from typing import Any

MAX_LEN = {"name": 190, "internal_id": 255, "contact_email": 254, "contact_cc_email": 1000,
           "booth": 100, "locale": 50, "contact_name": 255}
BOOL_FIELDS = ("allow_lead_scanning", "allow_lead_access", "allow_voucher_access",
               "lead_scanning_scope_by_device")
DEFAULTS: dict[str, Any] = {
    "internal_id": None, "contact_name_parts": {}, "contact_email": None,
    "contact_cc_email": None, "booth": None, "locale": None, "allow_lead_scanning": True,
    "allow_lead_access": True, "allow_voucher_access": True,
    "lead_scanning_scope_by_device": False, "comment": "", "exhibitor_tags": [],
}
WRITABLE = ("name", *DEFAULTS, "contact_name")
READ_ONLY = ("id", "access_code", "lead_scanning_access_code")
EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
TRUE = {"true", "1", "yes", "on"}
FALSE = {"false", "0", "no", "off"}

REQUIRED = "This field is required."
NOT_NULL = "This field may not be null."
BLANK = "This field may not be blank."


def contact_name(parts: dict[str, Any]) -> str | None:
    """The display form of a name, as pretix builds it from its parts."""
    if not parts:
        return None
    if parts.get("_legacy"):
        return str(parts["_legacy"])
    if parts.get("full_name"):
        return str(parts["full_name"])
    words = [str(parts[k]) for k in ("title", "given_name", "middle_name", "family_name")
             if parts.get(k)]
    return " ".join(words) or None


def serialize(row: sqlite3.Row) -> dict[str, Any]:
    parts = json.loads(row["contact_name_parts"])
    return {
        "id": row["id"],
        "name": row["name"],
        "internal_id": row["internal_id"],
        "contact_name": contact_name(parts),
        "contact_name_parts": parts,
        "contact_email": row["contact_email"],
        "contact_cc_email": row["contact_cc_email"],
        "booth": row["booth"],
        "locale": row["locale"],
        "access_code": row["access_code"],
        "lead_scanning_access_code": row["lead_scanning_access_code"],
        "lead_scanning_scope_by_device": bool(row["lead_scanning_scope_by_device"]),
        "allow_lead_scanning": bool(row["allow_lead_scanning"]),
        "allow_lead_access": bool(row["allow_lead_access"]),
        "allow_voucher_access": bool(row["allow_voucher_access"]),
        "comment": row["comment"],
        "exhibitor_tags": json.loads(row["exhibitor_tags"]),
    }


def _string(value: Any, name: str, *, nullable: bool, blank: bool = True) -> tuple[Any, str | None]:
    if value is None:
        return None, None if nullable else NOT_NULL
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None, "Not a valid string."
    text = str(value)
    if not text.strip() and not blank:
        return None, BLANK
    limit = MAX_LEN.get(name)
    if limit is not None and len(text) > limit:
        return None, f"Ensure this field has no more than {limit} characters."
    return text, None


def _bool(value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int) and value in (0, 1):
        return bool(value), None
    if isinstance(value, str) and value.lower() in TRUE | FALSE:
        return value.lower() in TRUE, None
    return None, "Must be a valid boolean." if value is not None else NOT_NULL


def validate(data: Any, *, partial: bool, conn: sqlite3.Connection, locales: list[str]) -> dict[str, Any]:
    """The column values to store, from a request body. Raises `ValidationError`.

    `partial` (PATCH): only given fields. Otherwise (POST, PUT) missing fields get defaults.
    Read-only and unknown fields are ignored, as DRF does.
    """
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": [
            f"Invalid data. Expected a dictionary, but got {type(data).__name__}."]})
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    if not partial:
        if "name" not in data:
            errors["name"] = [REQUIRED]
        for k, v in DEFAULTS.items():
            out[k] = v.copy() if isinstance(v, (dict, list)) else v
    for key, value in data.items():
        if key not in WRITABLE:
            continue
        err: str | None = None
        if key == "name":
            out[key], err = _string(value, key, nullable=False, blank=False)
        elif key in ("internal_id", "booth", "contact_cc_email", "contact_email", "contact_name"):
            out[key], err = _string(value, key, nullable=True)
            if err is None and out[key] is not None and key in ("contact_email", "contact_cc_email"):
                addrs = [a.strip() for a in out[key].split(",")] if key == "contact_cc_email" else [out[key]]
                if out[key] == "" and key == "contact_cc_email":
                    pass
                elif not all(EMAIL.match(a) for a in addrs):
                    err = "Enter a valid email address."
        elif key == "locale":
            if value is not None and value not in locales:
                err = f'"{value}" is not a valid choice.'
            else:
                out[key] = value
        elif key == "comment":
            out[key], err = _string(value, key, nullable=False)
        elif key in BOOL_FIELDS:
            out[key], err = _bool(value)
        elif key == "contact_name_parts":
            if value is None:
                out[key] = {}
            elif not isinstance(value, dict):
                err = f'Expected a dictionary of items but got type "{type(value).__name__}".'
            elif not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
                err = "Each name part must be a string."
            else:
                out[key] = dict(value)
        elif key == "exhibitor_tags":
            if value is None:
                err = NOT_NULL
            elif not isinstance(value, list):
                err = f'Expected a list of items but got type "{type(value).__name__}".'
            else:
                known = {r[0] for r in conn.execute("SELECT name FROM exhibitor_tag")}
                missing = [t for t in value if not isinstance(t, str) or t not in known]
                if missing:
                    err = f"Object with name={missing[0]} does not exist."
                else:
                    out[key] = list(dict.fromkeys(value))
        if err:
            errors[key] = [err]
    if errors:
        raise ValidationError(errors)
    # contact_name given as plain text (and no parts): keep it as a one-part name
    name_text = out.pop("contact_name", None) if "contact_name" in out else None
    if "contact_name" in data and "contact_name_parts" not in data:
        out["contact_name_parts"] = {"_scheme": "full", "full_name": name_text} if name_text else {}
    return out


class ValidationError(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def to_columns(values: dict[str, Any]) -> dict[str, Any]:
    """Validated values -> SQLite column values."""
    cols: dict[str, Any] = {}
    for k, v in values.items():
        if k in ("contact_name_parts", "exhibitor_tags"):
            cols[k] = json.dumps(v)
        elif k in BOOL_FIELDS:
            cols[k] = int(v)
        else:
            cols[k] = v
    return cols
