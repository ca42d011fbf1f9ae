"""Keystroke timing logic (pure); the Qt adapter has its own tests in tests/gui_input."""

import pytest

from leadscan.core.scan import layout
from leadscan.core.scan.wedge import Key, KeyIn, Replay, Scan, WedgeConfig, WedgeDecoder, burst

TICKET = "k7yzqa2mbbb222cdefghjkmnpqrstuv9"


def scans(actions):
    return [a.code for a in actions if isinstance(a, Scan)]


def replayed(actions):
    return "".join(k.text for a in actions if isinstance(a, Replay) for k in a.keys)


@pytest.mark.parametrize("ms", [0, 1, 2, 5, 10, 20])
@pytest.mark.parametrize("suffix", ["enter", "tab", "crlf", "none"])
def test_burst_read_exactly_once(ms, suffix):
    d = WedgeDecoder()
    actions = d.feed_all(burst(TICKET, ms_per_key=ms, suffix=suffix))
    assert scans(actions) == [TICKET]
    assert replayed(actions) == ""


def test_every_key_of_a_burst_is_consumed_k14_k15():
    d = WedgeDecoder()
    results = [d.feed(ev) for ev in burst("bbb222", suffix="tab")]
    assert all(r.consume for r in results)  # nothing reaches the focused widget, Tab included
    assert scans([a for r in results for a in r.actions]) == ["bbb222"]


def test_crlf_gives_one_scan_never_empty():
    d = WedgeDecoder()
    evs = burst("bbb222", suffix="crlf") + burst("ccc333", t0_ms=500, suffix="crlf")
    assert scans(d.feed_all(evs)) == ["bbb222", "ccc333"]


def test_human_typing_is_replayed_in_order():
    d = WedgeDecoder()
    evs = [KeyIn(ch, i * 120.0) for i, ch in enumerate("hello")] + [KeyIn("\r", 700.0, Key.ENTER)]
    out = []
    passed = []
    for ev in evs:
        r = d.feed(ev)
        out.extend(r.actions)
        if not r.consume:
            passed.append(ev.text)
    out.extend(d.idle())
    assert scans(out) == []
    assert replayed(out) == "hello"
    assert passed == ["\r"]  # Enter after typing goes to the widget


def test_human_fast_pair_is_not_a_scan():
    d = WedgeDecoder()
    evs = [KeyIn("t", 0), KeyIn("h", 15), KeyIn("e", 120), KeyIn(" ", 135)]
    out = d.feed_all(evs)
    assert scans(out) == [] and replayed(out) == "the "


def test_scan_then_typing_right_after():
    d = WedgeDecoder()
    evs = burst("bbb222", suffix="none") + [KeyIn("x", 300)]
    out = d.feed_all(evs)
    assert scans(out) == ["bbb222"] and replayed(out) == "x"


def test_other_key_settles_held_keys():
    d = WedgeDecoder()
    d.feed(KeyIn("a", 0))
    r = d.feed(KeyIn("", 5, Key.OTHER))
    assert not r.consume and replayed(r.actions) == "a"


def test_short_fast_input_is_typing():
    d = WedgeDecoder(WedgeConfig(min_len=6))
    assert replayed(d.feed_all(burst("abcde", ms_per_key=1))) == "abcde"


def test_typist_rollover_is_not_a_scan():
    """Three keys rolled over within 20 ms, as fast typists do: still typing."""
    d = WedgeDecoder()
    evs = [KeyIn(ch, t) for ch, t in zip("thenthe", [0, 15, 30, 140, 250, 262, 275])]
    out = d.feed_all(evs)
    assert scans(out) == [] and replayed(out) == "thenthe"


@pytest.mark.parametrize("code", ["k7yzqa2m", "AbC-12xY", "Müller-42"])
def test_k12_caps_lock_never_changes_case(code):
    d = WedgeDecoder()
    assert scans(d.feed_all(burst(code, caps_lock=True))) == [code]


def test_unknown_shift_keeps_text():
    d = WedgeDecoder()
    evs = [KeyIn(ch, i) for i, ch in enumerate("AbCdEf")]
    assert scans(d.feed_all(evs)) == ["AbCdEf"]


def test_k13_burst_timestamps_not_processing_time():
    """60 keys at 2 ms: their timestamps decide, however late they are processed."""
    code = (TICKET * 2)[:60]
    d = WedgeDecoder()
    # processing order is the same; the decoder never looks at the wall clock
    assert scans(d.feed_all(burst(code, ms_per_key=2))) == [code]


def test_prefix():
    cfg = WedgeConfig(prefix="$$")
    assert scans(WedgeDecoder(cfg).feed_all(burst("$$bbb222"))) == ["bbb222"]
    assert scans(WedgeDecoder(cfg).feed_all(burst("bbb222"))) == ["bbb222"]
    strict = WedgeConfig(prefix="$$", require_prefix=True)
    out = WedgeDecoder(strict).feed_all(burst("bbb222"))
    assert scans(out) == [] and replayed(out) == "bbb222"
    assert scans(WedgeDecoder(cfg).feed_all(burst("$$$$$$", suffix="enter"))) == ["$$$$"]
    only_prefix = WedgeDecoder(WedgeConfig(prefix="$$$$$$")).feed_all(burst("$$$$$$"))
    assert scans(only_prefix) == [] and replayed(only_prefix) == ""  # never an empty code


def test_k10_qwertz_calibration():
    """K10: US-layout scanner on German QWERTZ: y/z swap; calibrate from the test code."""
    typed_cal = layout.apply(layout.CALIBRATION_CODE, layout.invert(layout.PRESETS["de"]))
    mapping = layout.derive_mapping(typed_cal)
    assert mapping["z"] == "y" and mapping["y"] == "z"
    d = WedgeDecoder(WedgeConfig(mapping=mapping))
    assert scans(d.feed_all(burst("k7zyqa2m"))) == ["k7yzqa2m"]


def test_k11_azerty_calibration_and_hint():
    from leadscan.core.scan.payload import layout_hint

    to_azerty = layout.invert(layout.PRESETS["fr"])
    assert layout.apply("qz7ma2", to_azerty) == "awè,qé"  # what K11 reports
    assert layout_hint("awè,qé") is not None
    typed_cal = layout.apply(layout.CALIBRATION_CODE, to_azerty)
    mapping = layout.derive_mapping(typed_cal)
    d = WedgeDecoder(WedgeConfig(mapping=mapping))
    assert scans(d.feed_all(burst("awè,qé"))) == ["qz7ma2"]


def test_calibration_errors():
    assert layout.derive_mapping(layout.CALIBRATION_CODE) == {}
    with pytest.raises(layout.CalibrationError, match="again"):
        layout.derive_mapping("abc")
    clash = "a" + layout.CALIBRATION_CODE[1:].replace("a", "b")
    clash = clash[:1] + "a" + clash[2:]  # 'a' typed for both 'a' and 'b'
    with pytest.raises(layout.CalibrationError, match="cannot"):
        layout.derive_mapping(clash)


@pytest.mark.parametrize("name", sorted(layout.PRESETS))
def test_presets_match_calibration(name):
    typed = layout.apply(layout.CALIBRATION_CODE, layout.invert(layout.PRESETS[name]))
    derived = layout.derive_mapping(typed)
    assert derived.items() <= layout.PRESETS[name].items()
    fixed = layout.apply(layout.apply("k7yzqa2mbbb222", layout.invert(layout.PRESETS[name])), derived)
    assert fixed == "k7yzqa2mbbb222"
