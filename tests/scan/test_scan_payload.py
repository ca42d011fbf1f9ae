import pytest

from leadscan.core.scan import payload
from leadscan.core.scan.payload import bytes_to_code, code_to_bytes, display_code


@pytest.mark.parametrize(
    "raw",
    [
        b"M\xc3\xbcller-42",
        "Associação".encode(),
        bytes(range(32)),
        b"k7yzqa2m",
        "東京".encode(),
        b"\x80\x81\xff binary",
        bytes(range(256)),
    ],
)
def test_bytes_round_trip(raw):
    code = bytes_to_code(raw)
    assert isinstance(code, str)
    assert code_to_bytes(code) == raw


def test_utf8_preferred_and_latin1_fallback():
    assert bytes_to_code(b"M\xc3\xbcller-42") == "Müller-42"
    assert bytes_to_code(b"M\xfcller") == "Müller"  # not UTF-8: latin-1 keeps every byte


def test_display_escapes_controls_but_keeps_text():
    assert display_code("Müller-42") == "Müller-42"
    assert display_code("a\x00b\x1fc") == "a\\x00b\\x1fc"
    assert display_code("x\u200by") == "x\\u200by"
    assert display_code("back\\slash") == "back\\\\slash"
    shown = display_code(bytes_to_code(bytes(range(32))))
    assert shown.isprintable() and "\\x00" in shown and "\\x1f" in shown
    assert display_code("a" * 50, max_len=10) == "a" * 9 + "…"


def test_ticket_plausibility():
    assert payload.looks_like_ticket_secret("k7yzqa2mbbb222cdefghjkmnpqrstuv9")
    assert not payload.looks_like_ticket_secret("k7yzqa2m")
    assert not payload.looks_like_ticket_secret("K7YZQA2MBBB222CDEFGHJKMNPQRSTUV9")
    assert payload.is_ticket_alphabet("bbb222")
    assert not payload.is_ticket_alphabet("aaa111")  # 1 is not in the alphabet
    assert not payload.needs_confirmation("bbb222")
    assert payload.needs_confirmation("Müller-42")


@pytest.mark.parametrize("code", ["", "   ", "\n", "x" * 5000])
def test_junk(code):
    assert payload.is_junk(code)


def test_not_junk_binary():
    assert not payload.is_junk(bytes_to_code(bytes(range(32))))


def test_layout_hint_k11():
    # K11: AZERTY turns "qz7ma2" into "awè,qé"
    hint = payload.layout_hint("awè,qé")
    assert hint and "layout" in hint and "è" in hint and "é" in hint
    assert payload.layout_hint("k7yzqa2m") is None
    assert payload.layout_hint("&é\"'(") is not None
