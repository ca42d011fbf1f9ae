"""What a scanned code is: text made from decoder bytes, shown safely, judged for plausibility.

A code is a `str` exactly as printed on the badge. Decoders hand us bytes; `bytes_to_code`
turns them into text (UTF-8 when the bytes are valid UTF-8, otherwise latin-1, which maps
every byte to one character so nothing is lost). `code_to_bytes` goes back.

Nothing here ever rejects a code: plausibility checks only give hints (wrong scanner layout)
or help the camera pipeline ignore noise.
"""

from __future__ import annotations

import unicodedata

# pretix ticket secrets: 32 characters from this alphabet (no 0/1/i/l/o: easy to read aloud)
TICKET_ALPHABET = frozenset("abcdefghjkmnpqrstuvwxyz23456789")
TICKET_SECRET_LENGTH = 32

# Longest code we accept from any input; a QR holds at most 2953 bytes.
MAX_CODE_LENGTH = 4096

# Characters a US-layout scanner produces on a German/French/... system for keys a ticket uses.
# None of them occurs in a pretix secret, and they rarely occur in any badge code.
_LAYOUT_SUSPECTS = frozenset("&é\"'(§è!çà)²µù£¨°ß´äöüÄÖÜ")

_C1 = range(0x80, 0xA0)


def bytes_to_code(raw: bytes) -> str:
    """Decoder bytes -> code text: UTF-8 if valid, else latin-1 (every byte kept)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def code_to_bytes(code: str) -> bytes:
    """Code text -> the bytes it was made from (inverse of `bytes_to_code`).

    Exact for every UTF-8 payload and for latin-1-decoded payloads that contain C1 control
    bytes (0x80-0x9f, which real text never has: typical of binary data). A text made only of
    latin-1 letters is ambiguous (`ü` is `c3 bc` in UTF-8, `fc` in latin-1); we return UTF-8
    then, the encoding badges use. Use `Decoded.raw` when the exact decoder bytes matter.
    """
    if any(ord(ch) in _C1 for ch in code) and all(ord(ch) < 0x100 for ch in code):
        latin = code.encode("latin-1")
        try:
            latin.decode("utf-8")
        except UnicodeDecodeError:
            return latin
    return code.encode("utf-8", "surrogatepass")


def display_code(code: str, max_len: int | None = None) -> str:
    """Code text safe to show in a label or log: control/invisible characters escaped.

    `\\x00`-style escapes for control characters, `\\u200b`-style for other invisible or
    unassigned ones; a literal backslash becomes `\\\\` so the escaped form is unambiguous.
    `max_len` cuts the result with an ellipsis.
    """
    out: list[str] = []
    for ch in code:
        cp = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == " " or (ch.isprintable() and unicodedata.category(ch)[0] != "Z"):
            out.append(ch)
        elif cp < 0x100:
            out.append(f"\\x{cp:02x}")
        elif cp < 0x10000:
            out.append(f"\\u{cp:04x}")
        else:
            out.append(f"\\U{cp:08x}")
    text = "".join(out)
    if max_len is not None and len(text) > max_len:
        text = text[: max(0, max_len - 1)] + "…"
    return text


def escape_controls(text: str) -> str:
    """Text with control characters (NUL, ESC, DEL ...) written as `\\xNN`; line breaks and
    tabs kept. For messages and spreadsheet cells, where backslashes stay as they are (unlike
    `display_code`, whose output must be unambiguous)."""
    if all(" " <= ch or ch in "\t\n\r" for ch in text) and "\x7f" not in text:
        return text
    return "".join(f"\\x{ord(ch):02x}" if (ch < " " and ch not in "\t\n\r") or ch == "\x7f"
                   else ch for ch in text)


def looks_like_ticket_secret(code: str) -> bool:
    """True for a pretix-style secret: 32 characters of the ticket alphabet."""
    return len(code) == TICKET_SECRET_LENGTH and all(ch in TICKET_ALPHABET for ch in code)


def is_ticket_alphabet(code: str) -> bool:
    """True if every character could occur in a pretix secret (any length, not empty)."""
    return bool(code) and all(ch in TICKET_ALPHABET for ch in code)


def is_junk(code: str) -> bool:
    """Never a code from any input: empty, only whitespace, or longer than any QR holds."""
    return not code or code.isspace() or len(code) > MAX_CODE_LENGTH


def needs_confirmation(code: str) -> bool:
    """Camera noise filter: should the camera see this code in a second frame before we take it?

    A ticket-alphabet code is taken at first sight. Anything else (names, URLs, binary) must be
    decoded twice in a short time: a misread of a smudged code or noise does not repeat.
    """
    return not is_ticket_alphabet(code)


def layout_hint(code: str) -> str | None:
    """A "check scanner layout" message if the code has characters a wrong layout produces.

    A US-layout scanner on a German system swaps y/z (undetectable), on a French AZERTY one it
    types `&é"'(` for digits. Those characters occur in no ticket. Only a hint: the code is
    still taken as typed.
    """
    bad = sorted({ch for ch in code if ch in _LAYOUT_SUSPECTS})
    if not bad:
        return None
    shown = " ".join(bad)
    return (
        f"This code contains {shown}, which no ticket has. "
        "Check the scanner's keyboard layout (calibrate the scanner in the settings)."
    )
