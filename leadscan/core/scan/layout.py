"""Keyboard layout mismatch between a USB scanner and the computer.

A scanner sends key *positions* for a US keyboard; the OS turns them into characters with
its own layout. On German QWERTZ `y`/`z` swap (K10); on French AZERTY digits come out as
`&é"'(-è_çà` and `q`/`a`, `w`/`z`, `m`/`,` move (K11). Calibration: the app shows
`CALIBRATION_CODE` as a QR, the user scans it, `derive_mapping(typed)` returns the
received->intended character map, which the caller stores (a plain dict, JSON-friendly) and
passes to `WedgeConfig.mapping`.
"""

from __future__ import annotations

from collections.abc import Mapping

from leadscan.core.errors import LeadscanError

# Every key a ticket or a typical badge code needs, lower and upper case, plus separators.
CALIBRATION_CODE = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-./_:"


class CalibrationError(LeadscanError):
    """The scanned calibration code cannot give a mapping (misread, partial, or a wrong code)."""


def derive_mapping(received: str, expected: str = CALIBRATION_CODE) -> dict[str, str]:
    """Received -> intended characters from one scan of the calibration code.

    Identity pairs are left out, so an empty dict means "layouts match". Raises
    CalibrationError when the scan does not line up with the code.
    """
    if received == expected:
        return {}
    if len(received) != len(expected):
        hint = (
            " Some keys produced nothing (dead keys?): set the scanner to the computer's layout."
            if len(received) < len(expected)
            else ""
        )
        raise CalibrationError(
            f"The calibration scan has {len(received)} characters, the test code {len(expected)}. "
            f"Scan the test code shown on screen again.{hint}"
        )
    mapping: dict[str, str] = {}
    for got, want in zip(received, expected, strict=True):
        prev = mapping.get(got)
        if prev is not None and prev != want:
            raise CalibrationError(
                f"The scanner types '{got}' for both '{prev}' and '{want}': this layout cannot be "
                "corrected by the app. Set the scanner to the computer's keyboard layout."
            )
        mapping[got] = want
    return {k: v for k, v in mapping.items() if k != v}


def apply(code: str, mapping: Mapping[str, str] | None) -> str:
    """Fix a typed code with a stored mapping (all characters at once, no chaining)."""
    if not mapping:
        return code
    return "".join(mapping.get(ch, ch) for ch in code)


def invert(mapping: Mapping[str, str]) -> dict[str, str]:
    """Intended -> received: what a mis-set scanner types for each character (for tests)."""
    return {v: k for k, v in mapping.items()}


def _preset(us_keys: str, local: str) -> dict[str, str]:
    return {lo: us for us, lo in zip(us_keys, local, strict=True) if us != lo}


# Received -> intended for a US-layout scanner on these systems, covering CALIBRATION_CODE's
# characters (tickets need only lower case and digits). Picking one replaces calibration.
PRESETS: dict[str, dict[str, str]] = {
    "de": _preset("yzYZ-/_:", "zyZYß-?Ö"),
    "fr": _preset(
        "qwazmQWAZM1234567890,;-./_:",
        "azqw,AZQW?&é\"'(-è_çà;m):!°M",
    ),
}
