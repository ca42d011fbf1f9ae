"""Request/response values shared by the API modules (independent of the HTTP server)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode


class ApiError(Exception):
    """Ends a request with a JSON error body, e.g. `ApiError(404, {"detail": "Not found."})`."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, body)
        self.status = status
        self.body = body
        self.headers = headers or {}


def detail(status: int, text: str) -> ApiError:
    return ApiError(status, {"detail": text})


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    base_url: str  # scheme://host[:port] as the client addressed us

    def auth(self, scheme: str) -> str | None:
        """The credential after `scheme` in the Authorization header, or None."""
        value = self.headers.get("authorization", "")
        prefix, _, cred = value.partition(" ")
        if prefix.lower() != scheme.lower() or not cred.strip():
            return None
        return cred.strip()

    def json(self) -> Any:
        if not self.body.strip():
            return {}
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise detail(400, f"JSON parse error - {exc}") from None


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-serialisable, or bytes with content_type set
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    def payload(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, ensure_ascii=False).encode("utf-8")


def paginate(req: Request, items: list[Any], page_size: int) -> dict[str, Any]:
    """DRF page-number pagination: `{count, next, previous, results}` with absolute URLs."""
    raw = req.query.get("page", "1")
    try:
        page = int(raw)
    except ValueError:
        page = 0
    pages = max(1, -(-len(items) // page_size))
    if page < 1 or page > pages:
        raise detail(404, "Invalid page.")

    def url(n: int) -> str:
        q = dict(req.query)
        if n == 1:
            q.pop("page", None)
        else:
            q["page"] = str(n)
        return f"{req.base_url}{req.path}" + (f"?{urlencode(q)}" if q else "")

    start = (page - 1) * page_size
    return {
        "count": len(items),
        "next": url(page + 1) if page < pages else None,
        "previous": url(page - 1) if page > 1 else None,
        "results": items[start:start + page_size],
    }
