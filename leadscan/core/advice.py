"""What to tell a booth worker for each kind of fault: the core's own message plus what to do
next. Both shells (GUI and CLI) show faults through `describe`."""

from __future__ import annotations

from leadscan.core.errors import (
    AccountSwitchRefused,
    AuthError,
    BadResponse,
    CameraError,
    DecodeError,
    InvalidLead,
    LeadscanError,
    NetworkError,
    NotLoggedIn,
    PermissionDenied,
    RateLimited,
    ServerError,
    StoreError,
    TlsError,
)


def hint(err: BaseException) -> str:
    """What to do next, when the core's message does not say it already."""
    if isinstance(err, AuthError):
        return "Check the access code the event organizer sent you."
    if isinstance(err, TlsError):
        return "Check the server address and this computer's date and time."
    if isinstance(err, BadResponse):
        if err.captive_portal:
            return "If this network needs no login, check the server address."
        return "Check the server address (for example https://pretix.eu)."
    if isinstance(err, (ServerError, RateLimited)):
        return "Scans stay saved on this computer and upload later."
    if isinstance(err, NetworkError):
        return "Check the server address and the network connection."
    if isinstance(err, CameraError):
        return "Use the USB scanner or type the code."
    return ""


def fallback(err: BaseException) -> str:
    """A sentence for faults whose own text is empty (or for bugs)."""
    if isinstance(err, PermissionDenied):
        return "This access code is not allowed to do that."
    if isinstance(err, AccountSwitchRefused):
        return "Leads of the current account are still waiting to upload."
    if isinstance(err, InvalidLead):
        return "The server refused this code."
    if isinstance(err, NotLoggedIn):
        return "Please log in first."
    if isinstance(err, StoreError):
        return "Could not save to this computer's disk."
    if isinstance(err, DecodeError):
        return "This file could not be read."
    if isinstance(err, CameraError):
        return "The camera is not available."
    if isinstance(err, LeadscanError):
        return "Something did not work."
    return "Something unexpected happened. Your saved leads are safe."


def describe(err: BaseException) -> str:
    """The core's own message (written for booth staff) plus what to do next."""
    text = str(err).strip() if isinstance(err, LeadscanError) else ""
    text = text or fallback(err)
    extra = hint(err)
    if extra and extra.lower()[:20] not in text.lower():
        text = f"{text}\n{extra}"
    return text
