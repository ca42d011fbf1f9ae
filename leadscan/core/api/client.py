"""HTTP client of the pretix exhibitors App API (profile, submit lead, list leads).

Every failure leaves this module as one of the typed errors of `core.errors`; nothing that
is not the JSON the spec describes is ever returned as success. The access code is sent in
the Authorization header only, to the configured origin only, and is never put into a
message or log line.
"""

from __future__ import annotations

import functools
import json
import logging
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from ... import __version__
from ..errors import (
    ApiError,
    AuthError,
    BadResponse,
    InvalidLead,
    NetworkError,
    PermissionDenied,
    RateLimited,
    ServerError,
    TlsError,
    TransientError,
    redact,
)
from ..models import AttendeeField, Profile
from .parse import parse_lead_body, parse_profile
from .urls import API_PREFIX, BadServerAddress, normalize_base_url, same_origin

log = logging.getLogger("leadscan.api")

MAX_BODY = 20 * 1024 * 1024  # a lead list page is a few kB; anything this big is not ours
MAX_PAGES = 10_000


@dataclass(frozen=True)
class LeadUpload:
    """Body of POST /leads/. `tags=None, rating=None, notes=""` keep the server's values."""

    code: str
    scanned: datetime
    notes: str = ""
    rating: int | None = None
    tags: list[str] | None = None
    device_name: str | None = None
    device_uuid: str | None = None

    def to_json(self) -> dict[str, Any]:
        if self.scanned.tzinfo is None:
            raise ValueError("scanned must be timezone-aware")
        return {
            "code": self.code,
            "notes": self.notes,
            "scanned": self.scanned.isoformat(timespec="milliseconds"),
            "scan_type": "lead",
            "tags": None if self.tags is None else list(self.tags),
            "rating": self.rating,
            "device_name": self.device_name,
            "device_uuid": self.device_uuid,
        }


@dataclass(frozen=True)
class LeadResponse:
    """What the server holds for a lead after a POST."""

    created: bool
    fields: tuple[AttendeeField, ...]
    notes: str
    rating: int | None
    tags: tuple[str, ...]
    device_name: str | None = None
    device_uuid: str | None = None


@dataclass(frozen=True)
class RemoteLead:
    """One entry of GET /leads/. The spec's entries carry no `code`; some servers may."""

    code: str | None
    fields: tuple[AttendeeField, ...]
    notes: str
    rating: int | None
    tags: tuple[str, ...]
    device_name: str | None = None
    device_uuid: str | None = None
    raw: dict[str, Any] | None = None


class AppApiClient:
    """One exhibitor's session with one server. Reuses its connection; close() when done."""

    def __init__(
        self,
        base_url: str,
        access_code: str,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 15.0,
        connect_timeout: float = 5.0,
        verify: bool | ssl.SSLContext | None = None,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        if verify is None:
            verify = system_trust() if self.base_url.startswith("https:") else False
        self._code = access_code.strip()
        self._deadline = timeout
        self.last_server_date: datetime | None = None
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            verify=verify,
            follow_redirects=False,
            headers={
                "Authorization": f"Exhibitor {self._code}",
                "Accept": "application/json, text/javascript",
                "User-Agent": f"leadscan/{__version__}",
            },
        )

    # -- lifecycle ------------------------------------------------------------------------

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "AppApiClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:  # never show the code
        return f"AppApiClient({self.base_url!r})"

    # -- endpoints ------------------------------------------------------------------------

    def get_profile(self) -> Profile:
        status, body = self._request("GET", f"{API_PREFIX}/profile")
        return parse_profile(body)

    def post_lead(self, upload: LeadUpload) -> LeadResponse:
        status, body = self._request("POST", f"{API_PREFIX}/leads/", json_body=upload.to_json())
        lead = parse_lead_body(body)
        return LeadResponse(
            created=status == 201,
            fields=lead["fields"],
            notes=lead["notes"],
            rating=lead["rating"],
            tags=lead["tags"],
            device_name=lead["device_name"],
            device_uuid=lead["device_uuid"],
        )

    def iter_leads(self) -> Iterator[RemoteLead]:
        """All leads of this exhibitor, following `next` links (same origin only)."""
        url: str | None = f"{self.base_url}{API_PREFIX}/leads/"
        seen: set[str] = set()
        while url:
            if url in seen or len(seen) >= MAX_PAGES:
                raise BadResponse("The server's lead list pages loop; stopped reading it.")
            seen.add(url)
            if not same_origin(url, self.base_url):
                # The code must never travel to another host.
                raise BadResponse("The server pointed the lead list to another address; not followed.")
            _, page = self._request("GET", url)
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise BadResponse("The lead list from the server is not in the expected format.")
            for item in page["results"]:
                if not isinstance(item, dict):
                    raise BadResponse("The lead list from the server is not in the expected format.")
                lead = parse_lead_body(item)
                code = item.get("code")
                yield RemoteLead(
                    code=code if isinstance(code, str) else None,
                    fields=lead["fields"],
                    notes=lead["notes"],
                    rating=lead["rating"],
                    tags=lead["tags"],
                    device_name=lead["device_name"],
                    device_uuid=lead["device_uuid"],
                    raw=item,
                )
            nxt = page.get("next")
            url = nxt if isinstance(nxt, str) and nxt else None

    # -- transport ------------------------------------------------------------------------

    def _request(self, method: str, path_or_url: str, json_body: Any = None) -> tuple[int, Any]:
        url = path_or_url if "://" in path_or_url else f"{self.base_url}{path_or_url}"
        started = time.monotonic()
        try:
            with self._http.stream(method, url, json=json_body) as resp:
                raw = self._read_body(resp, started)
        except httpx.TimeoutException:
            self._log(method, url, None, started, "timeout")
            raise NetworkError("The server did not answer in time (network slow or down).") from None
        except (httpx.ConnectError, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            self._log(method, url, None, started, type(exc).__name__)
            if _is_plain_http(exc):
                raise BadResponse(
                    "The server at this address does not answer over HTTPS (is it an http:// "
                    "address, such as a local emulator?). Check the server address."
                ) from None
            if _is_cert_problem(exc):
                raise TlsError(
                    "The server's security certificate could not be verified "
                    "(check the address, or the network may be intercepting connections)."
                ) from None
            raise NetworkError("Cannot reach the server (no network connection?).") from None
        except httpx.HTTPError as exc:
            self._log(method, url, None, started, type(exc).__name__)
            raise NetworkError("The connection to the server failed.") from None
        except (httpx.InvalidURL, UnicodeError):  # an address httpx cannot use after all
            self._log(method, url, None, started, "invalid URL")
            raise BadServerAddress("This server address cannot be used: check it "
                                   "(for example https://pretix.eu).") from None
        self._note_date(resp.headers.get("date"))
        self._log(method, url, resp.status_code, started, "")
        return resp.status_code, self._interpret(resp, raw)

    def _read_body(self, resp: httpx.Response, started: float) -> bytes:
        """Read the body with an overall deadline: a server dripping a byte a second would
        otherwise never trip httpx's per-read timeout."""
        chunks: list[bytes] = []
        size = 0
        for chunk in resp.iter_bytes():
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BODY:
                raise BadResponse("The server sent far more data than expected.")
            if time.monotonic() - started > self._deadline:
                raise httpx.ReadTimeout("overall deadline exceeded")
        return b"".join(chunks)

    def _interpret(self, resp: httpx.Response, raw: bytes) -> Any:
        status = resp.status_code
        ctype = resp.headers.get("content-type", "").lower()
        looks_html = "html" in ctype or raw.lstrip()[:1] == b"<"
        body: Any = None
        json_ok = False
        if raw.strip() and not looks_html:
            try:
                body = json.loads(raw.decode("utf-8"))
                json_ok = True
            except (UnicodeDecodeError, json.JSONDecodeError):
                json_ok = False
        elif not raw.strip():
            json_ok = status in (204,)

        if 200 <= status < 300:
            if looks_html:
                raise BadResponse(
                    "The network answered with a web page instead of the server "
                    "(venue Wi-Fi login page?). Open a browser to log in to the network.",
                    status=status,
                    captive_portal=True,
                )
            if not json_ok:
                raise BadResponse("The server's answer was cut off or garbled.", status=status)
            return body

        retry_after = _retry_after(resp.headers.get("retry-after"))
        if status == 429:
            raise RateLimited("The server asks to slow down (HTTP 429).", status=status,
                              retry_after=retry_after)
        if status >= 500:
            raise ServerError(f"The server has a problem (HTTP {status}).",
                              status=status, retry_after=retry_after)
        if status in (301, 302, 303, 307, 308):
            # Captive portals redirect to their login page; real App API calls never redirect.
            raise BadResponse(
                "The network redirected the request (venue Wi-Fi login page?). "
                "Open a browser to log in to the network.",
                status=status,
                captive_portal=True,
            )
        if not json_ok:
            # An HTML 4xx comes from something in front of the server (proxy, load balancer,
            # portal), not from the App API: never reject a lead or drop the login for it.
            if status == 404:
                raise BadResponse(
                    "This address has no pretix exhibitors App API (HTTP 404). "
                    "Check the server address.",
                    status=status,
                )
            raise BadResponse(
                f"Something between this computer and the server refused the request "
                f"(HTTP {status}, not from the App API). The network may need a login.",
                status=status,
                captive_portal=looks_html,
                retry_after=retry_after,
            )
        detail = redact(_detail_text(body), self._code)
        if status == 401:
            raise AuthError(
                "The access code was not accepted (wrong, or changed by the organizer).",
                status=status,
            )
        if status == 403:
            raise PermissionDenied(detail or "The server does not permit this.", status=status)
        if status == 400:
            raise InvalidLead(detail or "The server refused this lead as invalid.")
        if status == 404:
            raise BadResponse(
                "This address has no pretix exhibitors App API (HTTP 404). "
                "Check the server address.",
                status=status,
            )
        if status in (408, 425):
            raise TransientError(f"The server asked to try again (HTTP {status}).", status=status,
                                 retry_after=retry_after)
        raise ApiError(detail or f"Unexpected answer from the server (HTTP {status}).", status=status)

    def _note_date(self, header: str | None) -> None:
        if not header:
            return
        try:
            self.last_server_date = parsedate_to_datetime(header)
        except (TypeError, ValueError, IndexError):
            pass

    def _log(self, method: str, url: str, status: int | None, started: float, err: str) -> None:
        ms = (time.monotonic() - started) * 1000
        path = url[len(self.base_url):] if url.startswith(self.base_url) else url
        log.info("%s %s -> %s %.0f ms %s", method, path, status if status else "-", ms, err)


@functools.cache
def system_trust() -> ssl.SSLContext:
    """TLS context that trusts what the operating system trusts (truststore), so a venue or
    company proxy whose root the OS knows works. Built once: loading roots takes ~0.1 s."""
    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _detail_text(body: Any) -> str:
    """Flatten DRF-style error bodies: {"detail": ...}, {"field": ["msg"]}, ["msg"]."""
    if isinstance(body, str):
        return body[:500]
    if isinstance(body, list):
        return "; ".join(_detail_text(x) for x in body if x is not None)[:500]
    if isinstance(body, dict):
        if "detail" in body:
            return _detail_text(body["detail"])
        parts = []
        for key, val in body.items():
            text = _detail_text(val)
            parts.append(text if key in ("non_field_errors", "__all__") else f"{key}: {text}")
        return "; ".join(parts)[:500]
    return "" if body is None else str(body)[:500]


# OpenSSL's reasons when the other side answered TLS with something else (plain HTTP)
_NOT_TLS = ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG",
            "HTTP_REQUEST", "UNKNOWN_PROTOCOL")


def _is_plain_http(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            break
        if isinstance(seen, ssl.SSLError) and not isinstance(seen, ssl.SSLCertVerificationError):
            reason = str(getattr(seen, "reason", "") or "") + " " + str(seen)
            if any(r in reason.upper().replace(" ", "_") for r in _NOT_TLS):
                return True
        seen = seen.__cause__ or seen.__context__
    return False


def _is_cert_problem(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(6):
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        if isinstance(seen, ssl.SSLError) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
