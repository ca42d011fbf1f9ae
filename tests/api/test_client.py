"""The App API client against real HTTP servers on loopback answering like venues do."""

from __future__ import annotations

import json
import logging
import shutil
import ssl
import subprocess
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from leadscan.core.api import AppApiClient, LeadUpload, normalize_base_url
from leadscan.core.api.urls import BadServerAddress
from leadscan.core.errors import (
    AuthError,
    BadResponse,
    InvalidLead,
    NetworkError,
    PermissionDenied,
    RateLimited,
    ServerError,
    TlsError,
)

from .canned_server import CannedServer

CODE = "SECRET42"
JSON = {"Content-Type": "application/json"}
HTML = {"Content-Type": "text/html; charset=utf-8"}
PORTAL = b'<html><head><meta http-equiv="refresh" content="0;url=http://login.venue/"></head><body>Welcome to Venue WiFi</body></html>'
PROFILE = {
    "name": "Aperture Science",
    "booth": "A2",
    "event": {
        "name": {"en": "Sample conference", "de": "Beispielkonferenz"},
        "end_date": "2017-12-28T10:00:00+00:00",
        "slug": "bigevents",
        "imprint_url": None,
        "privacy_url": None,
        "help_url": None,
        "terms_url": None,
        "logo_url": None,
        "organizer": "sampleconf",
    },
    "notes": True,
    "tags": ["foo", "bar"],
    "scan_types": [{"key": "lead", "label": "Lead Scanning"}],
}
LEAD = {
    "attendee": {
        "fields": [
            {"id": "attendee_name", "label": "Name", "value": "Jon Doe",
             "details": [{"label": "Given name", "value": "John"}, {"label": "Family name", "value": "Doe"}]},
            {"id": "attendee_email", "label": "Email", "value": "test@example.com", "details": []},
        ]
    },
    "rating": 4,
    "tags": ["foo"],
    "notes": "Great customer, wants our newsletter",
    "device_name": "DEV1",
    "device_uuid": "d8c2ec53-d602-4a08-882d-db4cf54344a2",
}
UPLOAD = LeadUpload(code="abc", scanned=datetime(2020, 10, 18, 12, 24, 23, tzinfo=timezone.utc),
                    notes="", rating=None, tags=None)


def canned(status: int, body: object, headers: dict[str, str] | None = None) -> CannedServer:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return CannedServer((status, headers if headers is not None else JSON, raw))


def test_profile_parsed_and_header_sent() -> None:
    with canned(200, PROFILE) as srv, AppApiClient(srv.url, CODE) as api:
        profile = api.get_profile()
    assert profile.name == "Aperture Science"
    assert profile.event.display_name("de") == "Beispielkonferenz"
    assert profile.tags == ("foo", "bar") and profile.notes_allowed
    method, path, headers, _ = srv.requests[0]
    assert (method, path) == ("GET", "/exhibitors/api/v1/profile")
    assert headers["Authorization"] == f"Exhibitor {CODE}"


def test_extra_fields_tolerated_and_optional_missing() -> None:
    body = {"name": "X", "event": {"slug": "e", "organizer": "o", "name": "Plain", "new": 1},
            "tags": [], "something_new": {"a": 1}}
    with canned(200, body) as srv, AppApiClient(srv.url, CODE) as api:
        profile = api.get_profile()
    assert profile.booth is None and profile.event.end_date is None
    assert profile.event.display_name() == "Plain"


def test_post_lead_201_and_200_and_body() -> None:
    with canned(201, {**LEAD, "unknown": [1, 2]}) as srv, AppApiClient(srv.url, CODE) as api:
        res = api.post_lead(UPLOAD)
        srv.default = (200, JSON, json.dumps(LEAD).encode())
        again = api.post_lead(UPLOAD)
    assert res.created and not again.created
    assert res.fields[0].details[1].value == "Doe"
    assert res.rating == 4 and res.tags == ("foo",)
    sent = json.loads(srv.requests[0][3])
    assert sent == {"code": "abc", "notes": "", "scanned": "2020-10-18T12:24:23.000+00:00",
                    "scan_type": "lead", "tags": None, "rating": None,
                    "device_name": None, "device_uuid": None}


@pytest.mark.parametrize("call", ["profile", "post"])
def test_captive_portal_200_html_is_never_success(call: str) -> None:
    with canned(200, PORTAL, HTML) as srv, AppApiClient(srv.url, CODE) as api:
        with pytest.raises(BadResponse) as err:
            api.get_profile() if call == "profile" else api.post_lead(UPLOAD)
    assert err.value.captive_portal
    assert "log in to the network" in str(err.value)


def test_html_without_content_type_is_still_a_portal() -> None:
    with canned(200, PORTAL, {}) as srv, AppApiClient(srv.url, CODE) as api:
        with pytest.raises(BadResponse) as err:
            api.post_lead(UPLOAD)
    assert err.value.captive_portal


def test_redirect_is_a_portal_not_followed() -> None:
    with canned(302, b"", {"Location": "http://login.venue/"}) as srv, AppApiClient(srv.url, CODE) as api:
        with pytest.raises(BadResponse) as err:
            api.post_lead(UPLOAD)
    assert err.value.captive_portal and len(srv.requests) == 1


@pytest.mark.parametrize("body", [b'{"attendee": {"fields": [', b"\x00\xff garbage", b'{"foo": 1}', b"[1,2]", b'"text"'])
def test_not_app_api_json_is_bad_response(body: bytes) -> None:
    with canned(200, body) as srv, AppApiClient(srv.url, CODE) as api:
        with pytest.raises(BadResponse) as err:
            api.post_lead(UPLOAD)
    assert not err.value.captive_portal


def test_401_is_auth_error_without_code_in_message() -> None:
    with canned(401, {"detail": f"Invalid code {CODE}"}) as srv, AppApiClient(srv.url, CODE) as api:
        with pytest.raises(AuthError) as err:
            api.get_profile()
    assert CODE not in str(err.value) and err.value.status == 401


def test_400_is_invalid_lead_with_reason_redacted() -> None:
    body = {"detail": f"Unknown ticket code for {CODE}."}
    with canned(400, body) as srv, AppApiClient(srv.url, CODE) as api:
        with pytest.raises(InvalidLead) as err:
            api.post_lead(UPLOAD)
    assert "Unknown ticket code" in err.value.reason and CODE not in err.value.reason


def test_400_field_errors_flattened() -> None:
    with canned(400, {"rating": ["Ensure this value is less than or equal to 5."]}) as srv, \
            AppApiClient(srv.url, CODE) as api:
        with pytest.raises(InvalidLead, match="rating: Ensure this value"):
            api.post_lead(UPLOAD)


def test_403_json_is_permission_denied_but_html_403_is_network() -> None:
    with canned(403, {"detail": "Not permitted to access bulk data"}) as srv, AppApiClient(srv.url, CODE) as api:
        with pytest.raises(PermissionDenied, match="bulk data"):
            list(api.iter_leads())
    with canned(403, b"<html><h1>403 Forbidden</h1>nginx</html>", HTML) as srv, AppApiClient(srv.url, CODE) as api:
        with pytest.raises(BadResponse) as err:
            list(api.iter_leads())
    assert err.value.captive_portal


def test_html_400_from_a_proxy_never_rejects_a_lead() -> None:
    with canned(400, b"<html>Bad Request</html>", HTML) as srv, AppApiClient(srv.url, CODE) as api:
        with pytest.raises(BadResponse):
            api.post_lead(UPLOAD)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_server_error(status: int) -> None:
    with canned(status, b"<html>oops</html>", {**HTML, "Retry-After": "7"}) as srv, \
            AppApiClient(srv.url, CODE) as api:
        with pytest.raises(ServerError) as err:
            api.post_lead(UPLOAD)
    assert err.value.status == status and err.value.retry_after == 7


def test_429_retry_after_seconds_and_http_date() -> None:
    with canned(429, {"detail": "slow down"}, {**JSON, "Retry-After": "3"}) as srv, AppApiClient(srv.url, CODE) as api:
        with pytest.raises(RateLimited) as err:
            api.post_lead(UPLOAD)
    assert err.value.retry_after == 3
    with canned(429, {}, {**JSON, "Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) as srv, \
            AppApiClient(srv.url, CODE) as api:
        with pytest.raises(RateLimited) as err:
            api.post_lead(UPLOAD)
    assert err.value.retry_after == 0


def test_404_says_not_an_app_api() -> None:
    with canned(404, b"<html>Not found</html>", HTML) as srv, AppApiClient(srv.url, CODE) as api:
        with pytest.raises(BadResponse, match="no pretix exhibitors App API"):
            api.get_profile()


def test_unreachable_server_is_network_error() -> None:
    with canned(200, PROFILE) as srv:
        url = srv.url
    with AppApiClient(url, CODE, timeout=2) as api:
        with pytest.raises(NetworkError, match="Cannot reach"):
            api.get_profile()


def test_pagination_follows_next_same_origin_only() -> None:
    with canned(200, {}) as srv:
        page2 = f"{srv.url}/exhibitors/api/v1/leads/?page=2"
        srv.routes["/exhibitors/api/v1/leads/"] = (200, JSON, json.dumps(
            {"count": 3, "next": page2, "previous": None, "results": [LEAD, LEAD]}).encode())
        srv.routes["/exhibitors/api/v1/leads/?page=2"] = (200, JSON, json.dumps(
            {"count": 3, "next": None, "previous": None, "results": [{**LEAD, "code": "zzz"}]}).encode())
        with AppApiClient(srv.url, CODE) as api:
            leads = list(api.iter_leads())
    assert len(leads) == 3 and leads[2].code == "zzz" and leads[0].code is None
    with canned(200, {}) as evil, canned(200, {}) as srv:
        srv.routes["/exhibitors/api/v1/leads/"] = (200, JSON, json.dumps(
            {"count": 2, "next": f"{evil.url}/steal", "previous": None, "results": [LEAD]}).encode())
        with AppApiClient(srv.url, CODE) as api:
            with pytest.raises(BadResponse, match="another address"):
                list(api.iter_leads())
    assert evil.requests == []


def test_access_code_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with canned(401, {"detail": CODE}) as srv, AppApiClient(srv.url, CODE) as api:
        with pytest.raises(AuthError):
            api.get_profile()
        assert CODE not in repr(api)
    assert caplog.records and all(CODE not in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("typed,expected", [
    ("pretix.eu", "https://pretix.eu"),
    ("https://pretix.eu/", "https://pretix.eu"),
    ("  https://pretix.eu/exhibitors/api/v1/profile ", "https://pretix.eu"),
    ("https://example.org/sub/exhibitors/api/v1/leads/", "https://example.org/sub"),
    ("127.0.0.1:8000", "http://127.0.0.1:8000"),
    ("http://localhost:5000/", "http://localhost:5000"),
])
def test_normalize_base_url(typed: str, expected: str) -> None:
    assert normalize_base_url(typed) == expected


@pytest.mark.parametrize("typed", [
    "", "http://pretix.eu", "ftp://x", "https://",
    # what a booth worker can paste or mistype: every one a message, never a crash
    "javascript:alert(1)", "http://127.0.0.1:abc", "http://[::1", "http://127.0.0.1:99999",
    "not a url", "https://pretix .eu", "https://pre\x1btix.eu", "https://-bad-.example",
])
def test_bad_server_addresses(typed: str) -> None:
    with pytest.raises(BadServerAddress):
        normalize_base_url(typed)


@pytest.mark.parametrize("typed", ["https://bücher.example", "http://[::1]:8000",
                                   "https://pretix.eu:443"])
def test_unusual_but_valid_addresses(typed: str) -> None:
    assert normalize_base_url(typed).startswith(("https://", "http://[::1]"))


@pytest.fixture
def self_signed(tmp_path: Path):
    if not shutil.which("openssl"):
        pytest.fail("openssl is needed to make a test certificate")
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True)

    class H(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *a: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    t = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_certificate_problem_is_reported_as_such(self_signed: str) -> None:
    with AppApiClient(self_signed, CODE, timeout=5) as api:
        with pytest.raises(TlsError, match="certificate"):
            api.get_profile()
