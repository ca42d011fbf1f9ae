"""Which attendee data an exhibitor sees, as the `{id, label, value, details}` list both APIs
send (`attendee.fields` in the App API, `data` in the REST API)."""

from __future__ import annotations

from typing import Any


def attendee_fields(att: dict[str, Any], level: str, *, name_label: str = "Name") -> list[dict[str, Any]]:
    """`level` is the event setting: "name", "contact" (name, email, company) or "all"."""
    fields: list[dict[str, Any]] = [{
        "id": "attendee_name", "label": name_label,
        "value": f"{att['given_name']} {att['family_name']}",
        "details": [{"label": "Given name", "value": att["given_name"]},
                    {"label": "Family name", "value": att["family_name"]}],
    }]
    if level in ("contact", "all"):
        fields.append({"id": "attendee_email", "label": "Email", "value": att["email"] or "",
                       "details": []})
        fields.append({"id": "company", "label": "Company", "value": att["company"] or "",
                       "details": []})
    if level == "all":
        fields.append({"id": "order", "label": "Order code", "value": att["order_code"], "details": []})
        fields.append({"id": "positionid", "label": "Position", "value": str(att["positionid"]),
                       "details": []})
        fields.append({"id": "item", "label": "Product", "value": att["item"], "details": []})
    return fields
