"""Real QR images (segno) decoded by the real decoders."""

import json

import cv2
import numpy as np
import pytest
from scan_qrgen import TICKET, badge_frame, blank_frame, qr_image, write_video

from leadscan.core.errors import DecodeError
from leadscan.core.scan import qr
from leadscan.core.scan.payload import display_code

DECODERS = ["zxing", "zbar", "opencv"]


def test_all_decoders_load_here():
    status = {s.name: s for s in qr.available_decoders()}
    assert all(status[n].ok for n in DECODERS), status
    assert qr.missing_decoders_message() is None


@pytest.mark.parametrize("decoder", DECODERS)
def test_k01_utf8_without_eci_is_not_shift_jis(decoder):
    """K01: byte-mode UTF-8 without ECI must not come back as Mﾃｼller-42."""
    img = qr_image(b"M\xc3\xbcller-42")
    found = qr.decode_frame(img, [decoder])
    assert [d.code for d in found] == ["Müller-42"]
    assert found[0].decoder == decoder


def test_k01_plain_pyzbar_shows_the_fault_we_avoid():
    from pyzbar import pyzbar

    raw = pyzbar.decode(qr_image(b"M\xc3\xbcller-42"))[0].data
    assert raw != b"M\xc3\xbcller-42"  # zbar's Shift-JIS guess: the reason for binary mode
    assert qr.decode_frame(qr_image(b"M\xc3\xbcller-42"), ["zbar"])[0].raw == b"M\xc3\xbcller-42"


@pytest.mark.parametrize("decoder", DECODERS)
@pytest.mark.parametrize("text", ["Associação", "Ünïcödé €uro", "東京-7"])
def test_utf8_texts(decoder, text):
    assert [d.code for d in qr.decode_frame(qr_image(text), [decoder])] == [text]


@pytest.mark.parametrize("decoder", ["zxing", "zbar"])
def test_k04_control_bytes_kept_exactly(decoder):
    raw = bytes(range(32))
    found = qr.decode_frame(qr_image(raw), [decoder])
    assert len(found) == 1
    assert found[0].raw == raw
    assert found[0].code == raw.decode("ascii")
    assert display_code(found[0].code).isprintable()


def test_k04_binary_high_bytes():
    raw = bytes([0xFF, 0xFE, 0x80, 0x00, 0x41])
    for decoder in ["zxing", "zbar"]:
        found = qr.decode_frame(qr_image(raw), [decoder])
        assert found[0].raw == raw and found[0].code == raw.decode("latin-1")


@pytest.mark.parametrize("decoder", DECODERS)
def test_k02_inverted_white_on_navy(decoder):
    frame = badge_frame(TICKET, invert=True, bg=40)
    # tint it navy: light modules white, background dark blue
    frame = frame.astype(np.int16)
    frame[..., 0] = np.clip(frame[..., 0] + 60, 0, 255)
    frame = frame.astype(np.uint8)
    assert [d.code for d in qr.decode_frame(frame, [decoder])] == [TICKET]


def test_default_chain_tilted_blurred_small():
    for kw in [dict(angle=25), dict(blur=1.2), dict(scale=3), dict(angle=-40, blur=0.8)]:
        frame = badge_frame(TICKET, size=(1280, 720), **kw)
        assert [d.code for d in qr.decode_frame(frame)] == [TICKET], kw


def test_no_code_gives_nothing():
    assert qr.decode_frame(blank_frame()) == []


def test_unknown_decoder_name():
    with pytest.raises(ValueError):
        qr.decode_frame(blank_frame(), ["nope"])


def test_grey_bgra_inputs():
    bgr = badge_frame(TICKET)
    for img in (cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), cv2.cvtColor(bgr, cv2.COLOR_BGR2BGRA)):
        assert [d.code for d in qr.decode_frame(img)] == [TICKET]


def test_decode_file_image_and_video(tmp_path):
    png = tmp_path / "badge ü.png"
    cv2.imwrite(str(tmp_path / "x.png"), badge_frame("Müller-42"))
    (tmp_path / "x.png").rename(png)
    assert [d.code for d in qr.decode_file(png)] == ["Müller-42"]

    frames = [blank_frame()] * 3 + [badge_frame("aaa111")] * 5 + [badge_frame("bbb222")] * 5
    video = write_video(tmp_path / "v.avi", frames)
    assert [d.code for d in qr.decode_file(video)] == ["aaa111", "bbb222"]


def test_decode_file_errors(tmp_path):
    with pytest.raises(DecodeError, match="not found"):
        qr.decode_file(tmp_path / "missing.png")
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"this is not a png")
    with pytest.raises(DecodeError, match="not an image or video"):
        qr.decode_file(bad)
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    with pytest.raises(DecodeError):
        qr.decode_file(txt)
    with pytest.raises(DecodeError, match="folder"):
        qr.decode_file(tmp_path)


def test_decode_files_json(tmp_path):
    good = tmp_path / "good.png"
    cv2.imwrite(str(good), badge_frame(TICKET))
    empty = tmp_path / "empty.png"
    cv2.imwrite(str(empty), blank_frame())
    out = qr.decode_files_json([good, empty, tmp_path / "nope.jpg"])
    json.dumps(out)  # serialisable
    assert out[0]["file"] == str(good)
    assert [c["code"] for c in out[0]["codes"]] == [TICKET]
    assert out[0]["codes"][0]["decoder"] in DECODERS and out[0]["codes"][0]["ms"] >= 0
    assert out[1] == {"file": str(empty), "codes": []}
    assert out[2]["codes"] == [] and "not found" in out[2]["error"]


def test_k50_missing_decoder_reported(monkeypatch):
    """A decoder that cannot load is skipped and named; none at all -> scanner-only banner."""

    def broken():
        raise ImportError("Unable to find zbar shared library")

    monkeypatch.setitem(qr._LOADERS, "zbar", broken)
    monkeypatch.setattr(qr, "_loaded", {})
    monkeypatch.setattr(qr, "_failed", {})
    st = {s.name: s for s in qr.available_decoders()}
    assert not st["zbar"].ok and "zbar shared library" in st["zbar"].detail
    assert qr.decode_frame(qr_image(TICKET), ["zbar", "zxing"])[0].decoder == "zxing"
    msg = qr.missing_decoders_message([s for s in st.values() if s.name == "zbar"])
    assert msg and "zbar" in msg and "scanner" in msg


def test_zxing_up_rescues_a_tiny_code():
    """Modules of ~1.5 px at 720p: the enlarged second zxing pass reads it."""
    frame = badge_frame(TICKET, size=(1280, 720), scale=2)
    small = cv2.resize(frame, None, fx=0.65, fy=0.65, interpolation=cv2.INTER_AREA)
    canvas = np.full((720, 1280, 3), 150, np.uint8)
    canvas[: small.shape[0], : small.shape[1]] = small
    assert qr.decode_frame(canvas, ["zxing"]) == []  # too small for the plain pass
    found = qr.decode_frame(canvas)
    assert [(d.code, d.decoder) for d in found] == [(TICKET, "zxing-up")]


def test_k50_only_opencv_left(monkeypatch):
    def broken():
        raise ImportError("missing")

    for name in ("zxing", "zxing-up", "zbar"):
        monkeypatch.setitem(qr._LOADERS, name, broken)
    monkeypatch.setattr(qr, "_loaded", {})
    monkeypatch.setattr(qr, "_failed", {})
    assert qr.default_chain() == ("opencv",)
    assert qr.missing_decoders_message() is None
    assert qr.decode_frame(qr_image(TICKET))[0].decoder == "opencv"


def test_zbar_version_is_read_with_three_pointers_and_never_crashes():
    """libzbar >= 0.23 writes major, minor and patch; pyzbar's 2-pointer prototype let it
    write through a stray register (seen as a segfault at start-up). Load it in a child
    process several times so a crash shows as a failed exit, not a dead test run."""
    import subprocess
    import sys

    script = ("from pyzbar import wrapper\n"
              "from leadscan.core.scan import qr\n"
              "for _ in range(200):\n"
              "    qr._zbar_version(wrapper.load_libzbar())\n"
              "st = {s.name: s for s in qr.available_decoders()}\n"
              "print(st['zbar'].detail)\n")
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                             timeout=60)
        assert out.returncode == 0, out.stderr
        parts = out.stdout.strip().removeprefix("libzbar ").split(".")
        assert len(parts) == 3 and all(p.isdigit() for p in parts), out.stdout
