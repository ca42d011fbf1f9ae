"""What a server address typed at a booth may look like, and which ones may carry a code."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from ..errors import LeadscanError
from ..scan.payload import display_code

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
    not_an_address = BadServerAddress(
        f"'{display_code(url.strip(), 80)}' is not a web address (expected https://...)")
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises for a port that is no number or out of range
    except ValueError:  # "http://[::1", "http://host:abc", "http://host:99999"
        raise not_an_address from None
    host = parts.hostname or ""
    if (parts.scheme not in ("http", "https") or not host
            or any(ch.isspace() or not ch.isprintable() for ch in parts.netloc)
            or not _plausible_host(host)):
        raise not_an_address
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


def _plausible_host(host: str) -> bool:
    """A name (letters, digits, dots, dashes; international names too) or an IP address."""
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    return all(label and len(label) <= 63 and not label.startswith("-")
               and all(ch.isalnum() or ch in "-_" for ch in label) for label in labels)


def same_origin(a: str, b: str) -> bool:
    pa, pb = urlsplit(a), urlsplit(b)
    return (pa.scheme, pa.hostname, pa.port) == (pb.scheme, pb.hostname, pb.port)
