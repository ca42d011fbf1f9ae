"""Error kinds the shells react to. Each carries a message a booth worker can read.

Two families:
- `ApiError` and subclasses: what talking to the server can end in. `TransientError`
  means "keep the lead pending and try later"; the others need a person or mark a lead.
- `StoreError`: the local disk/database (disk full, unreadable file), reported, never
  swallowed.

No message may contain the access code: `redact()` is applied where text from outside
(server bodies, exception texts) is put into a message.
"""

from __future__ import annotations


class LeadscanError(Exception):
    """Base of every expected fault. `str(err)` is the user-facing message."""


# --- server / network -------------------------------------------------------------------


class ApiError(LeadscanError):
    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class AuthError(ApiError):
    """401: the access code is wrong, or was revoked. Stop syncing and ask for a new one."""


class PermissionDenied(ApiError):
    """403 from the App API itself (JSON): e.g. a scanning-only code reading bulk leads."""


class InvalidLead(ApiError):
    """400: the server refuses this lead (e.g. not a ticket of this event). Permanent."""

    def __init__(self, reason: str, *, status: int | None = 400) -> None:
        super().__init__(reason, status=status)
        self.reason = reason


class TransientError(ApiError):
    """Try again later; nothing is wrong with the lead. `retry_after` in seconds if known."""

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class NetworkError(TransientError):
    """Could not reach the server: no connection, DNS, refused, reset, timeout."""


class TlsError(NetworkError):
    """The server's certificate could not be verified (not the same as being offline)."""


class ServerError(TransientError):
    """5xx from the server."""


class RateLimited(TransientError):
    """429: the server asks us to slow down (Retry-After honoured)."""


class BadResponse(TransientError):
    """A response that is not the JSON the spec describes (truncated, wrong type, ...).

    Never taken as success. `captive_portal` is set when it looks like a network login page
    (HTML on a 2xx, or an HTML 403 from something in front of the server): the UI then
    says the network needs a login.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        captive_portal: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, retry_after=retry_after)
        self.captive_portal = captive_portal


# --- local ------------------------------------------------------------------------------


class StoreError(LeadscanError):
    """The local database could not be written/read (disk full, permissions, damage)."""


class NotLoggedIn(LeadscanError):
    """An action needs a server and access code, and none is set."""


class AccountSwitchRefused(LeadscanError):
    """Logging in to another account while leads of the current one are still pending."""


class DecodeError(LeadscanError):
    """An image/video file could not be read (not the same as "no code in it")."""


class CameraError(LeadscanError):
    """No camera, no permission, or the chosen camera is missing."""


def redact(text: str, *secrets: str | None) -> str:
    """Replace every secret (access codes) in `text` with `***`."""
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text
