"""CSV export of every lead (pending and rejected too), for Excel and for people.

UTF-8 with BOM and CRLF so Excel opens it with the right characters; attendee fields as
columns (header = the server's label); cells that a spreadsheet would run as a formula
(`= + - @`, tab, CR) are prefixed with `'` (OWASP's CSV injection advice); control
characters are written escaped (`\\x00`), as the app shows them.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import LeadscanError
from ..models import Lead
from ..scan.payload import display_code, escape_controls

BASE_COLUMNS = ["code", "scanned", "state", "reason", "notes", "rating", "tags",
                "device_name", "device_uuid", "synced_at"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = escape_controls("" if value is None else str(value))
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def render_csv(leads: Sequence[Lead]) -> str:
    field_ids: dict[str, str] = {}
    for lead in leads:
        for f in lead.fields:
            field_ids.setdefault(f.id, f.label or f.id)
    labels = list(field_ids.values())
    used = set(BASE_COLUMNS)
    header = list(BASE_COLUMNS)
    for fid, label in field_ids.items():
        name = label if label not in used else f"{label} ({fid})"
        used.add(name)
        header.append(name)
    del labels
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([safe_cell(h) for h in header])
    for lead in leads:
        values = {f.id: f.value for f in lead.fields}
        row = [
            display_code(lead.code),  # exactly the code, with invisible bytes escaped (K04)
            lead.scanned.isoformat(),
            lead.state.value,
            lead.reason or "",
            lead.notes,
            "" if lead.rating is None else lead.rating,
            ", ".join(lead.tags),
            lead.device_name or "",
            lead.device_uuid or "",
            lead.synced_at.isoformat() if lead.synced_at else "",
        ]
        row += [values.get(fid, "") for fid in field_ids]
        w.writerow([safe_cell(v) for v in row])
    return buf.getvalue()


def write_csv(path: Path, leads: Sequence[Lead]) -> int:
    """Write atomically (temp file + rename): a half-written export never replaces a good one."""
    data = ("\ufeff" + render_csv(leads)).encode("utf-8")
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".export-", suffix=".csv", dir=path.parent or Path("."))
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError as exc:
        raise LeadscanError(f"Could not write {path}: {exc.strerror or exc}") from None
    return len(leads)
