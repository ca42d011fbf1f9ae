"""What a server address typed at a booth may look like, and which ones may carry a code."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from ..errors import LeadscanError

API_PREFIX = "/exhibitors/api/v1"


class BadServerAddress(LeadscanError):
    """The server address cannot be used (not a URL, or plain HTTP to a remote host)."""


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_base_url(url: str) -> str:
    """Turn what a person typed into the server root the API paths hang off.

    Accepts `pretix.eu`, `https://pretix.eu/`, or a pasted API URL such as
    `https://pretix.eu/exhibitors/api/v1/profile`. The access code is only ever sent over
    HTTPS, except to the local machine (the emulator).
    """
    text = (url or "").strip()
    if not text:
        raise BadServerAddress("Enter the server address, e.g. https://pretix.eu")
    if "://" not in text:
        host_part = text.split("/", 1)[0]
        scheme = "http" if is_loopback(host_part.rsplit(":", 1)[0]) else "https"
        text = f"{scheme}://{text}"
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadServerAddress(f"'{url.strip()}' is not a web address (expected https://...)")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise BadServerAddress(
            "The access code is only sent over a secure connection: "
            "use an address starting with https://"
        )
    path = parts.path.rstrip("/")
    cut = path.find(API_PREFIX)
    if cut >= 0:
        path = path[:cut]
    return urlunsplit((parts.scheme, parts.netloc, path, "", "")).rstrip("/")


def same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.hostname, pa.port) == (pb.scheme, pb.hostname, pb.port)
