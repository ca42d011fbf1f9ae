"""leadscan.selfcheck from source: findings, fallbacks, exit codes, and a missing zbar (K50).

The "missing library" cases run the self-check in a subprocess with a stand-in package first
on PYTHONPATH (a pyzbar whose libzbar cannot be found, a zxingcpp that does not import),
exactly the errors those packages raise on a machine without the library.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from standins import fake_missing_zxing, fake_pyzbar_without_libzbar

from leadscan import selfcheck
from leadscan.selfcheck import Finding

ROOT = Path(__file__).resolve().parents[2]


def run_selfcheck(tmp_path: Path, *args: str, env: dict[str, str] | None = None,
                  pythonpath: list[Path] | None = None, module: str = "leadscan.selfcheck"
                  ) -> tuple[int, dict, str]:
    e = dict(os.environ)
    e.setdefault("QT_QPA_PLATFORM", "offscreen")
    e["LEADSCAN_DATA_DIR"] = str(tmp_path / "data")
    e.pop("QT_PLUGIN_PATH", None)
    if env:
        e.update(env)
    if pythonpath:
        e["PYTHONPATH"] = os.pathsep.join([str(p) for p in pythonpath] + [str(ROOT)])
    proc = subprocess.run([sys.executable, "-m", module, *( ["selfcheck"] if module == "leadscan" else []),
                           "--json", *args], capture_output=True, text=True, env=e, timeout=120, cwd=tmp_path)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def by_component(rep: dict) -> dict[str, dict]:
    return {f["component"]: f for f in rep["findings"]}


# --- from source, everything present -----------------------------------------------------


def test_all_components_reported_and_app_can_run(tmp_path: Path) -> None:
    rc, rep, _ = run_selfcheck(tmp_path)
    found = by_component(rep)
    assert set(found) == set(selfcheck.COMPONENTS)
    assert rc == 0 and rep["can_run"] is True
    assert rep["frozen"] is False
    for name in ("qt", "qt-platform", "zbar", "zxing-cpp", "opencv", "qr-decoders", "data-dir"):
        assert found[name]["ok"], found[name]
    assert "libzbar" in found["zbar"]["detail"]
    assert "offscreen" in found["qt-platform"]["detail"]
    for f in rep["findings"]:
        assert set(f) >= {"component", "ok", "detail", "fallback", "fatal"}


def test_entry_point_answers_selfcheck(tmp_path: Path) -> None:
    """`python -m leadscan selfcheck` (= the bundle's `leadscan selfcheck`) without the CLI."""
    rc, rep, _ = run_selfcheck(tmp_path, module="leadscan")
    assert rc == 0
    assert by_component(rep)["zbar"]["ok"]


def test_human_output_names_each_component(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LEADSCAN_DATA_DIR=str(tmp_path / "d"))
    proc = subprocess.run([sys.executable, "-m", "leadscan.selfcheck"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for name in selfcheck.COMPONENTS:
        assert name in proc.stdout
    assert "Result:" in proc.stdout
    assert proc.stderr == ""  # Qt's library initialisers must not leak noise


# --- K50: a decoder library missing ------------------------------------------------------


def test_missing_zbar_is_a_finding_with_fallback_not_a_crash(tmp_path: Path) -> None:
    rc, rep, err = run_selfcheck(tmp_path, pythonpath=[fake_pyzbar_without_libzbar(tmp_path)])
    found = by_component(rep)
    assert rc == 0 and rep["can_run"] and rep["degraded"]
    assert err == ""  # the finding says it all; no log noise on stderr
    zbar = found["zbar"]
    assert zbar["ok"] is False and zbar["fatal"] is False
    assert "libzbar is not installed" in zbar["detail"]
    assert "zxing-cpp" in zbar["fallback"]
    assert found["qr-decoders"]["ok"] is True  # zxing-cpp still reads badges


def test_no_decoder_at_all_means_scanner_only_mode(tmp_path: Path) -> None:
    rc, rep, _ = run_selfcheck(
        tmp_path, pythonpath=[fake_pyzbar_without_libzbar(tmp_path), fake_missing_zxing(tmp_path)])
    found = by_component(rep)
    assert rc == 0 and rep["can_run"] and rep["degraded"]
    dec = found["qr-decoders"]
    assert dec["ok"] is False and not dec["fatal"]
    assert dec["fallback"] == selfcheck.SCANNER_ONLY
    assert "zbar" in dec["detail"] and "zxing" in dec["detail"]
    findings = [Finding(**{k: v for k, v in f.items() if k != "fatal"}) for f in rep["findings"]]
    banner = selfcheck.banner_text(findings)
    assert banner and banner.startswith("Scanner-only mode") and "zbar" in banner and "zxing-cpp" in banner


def test_decoding_still_works_without_zbar(tmp_path: Path) -> None:
    """The app, not just the check, survives: `python -m leadscan decode` reads a badge via zxing."""
    import segno

    img = tmp_path / "badge.png"
    segno.make("k7yzqa2mq9w3e4r5t6y7u8p2a3s4d5f6", error="m").save(img, scale=6, border=4)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LEADSCAN_DATA_DIR=str(tmp_path / "data"),
               PYTHONPATH=os.pathsep.join([str(fake_pyzbar_without_libzbar(tmp_path)), str(ROOT)]))
    proc = subprocess.run([sys.executable, "-m", "leadscan", "decode", str(img), "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["codes"][0]["code"] == "k7yzqa2mq9w3e4r5t6y7u8p2a3s4d5f6"


# --- Qt platform plugin --------------------------------------------------------------------


def test_unknown_platform_plugin_is_fatal(tmp_path: Path) -> None:
    rc, rep, _ = run_selfcheck(tmp_path, env={"QT_QPA_PLATFORM": "nosuchplatform"})
    plat = by_component(rep)["qt-platform"]
    assert rc == selfcheck.EXIT_CANNOT_RUN and rep["can_run"] is False
    assert plat["ok"] is False and plat["fatal"] is True
    assert "nosuchplatform: plugin not found" in plat["detail"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="dynamic-loader check is Linux-only")
def test_plugin_that_cannot_load_is_named_with_the_loader_reason(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins" / "platforms"
    plugins.mkdir(parents=True)
    (plugins / "libqbroken.so").write_bytes(b"not an ELF file, just text" * 10)
    rc, rep, _ = run_selfcheck(tmp_path, env={"QT_QPA_PLATFORM": "broken",
                                              "QT_PLUGIN_PATH": str(tmp_path / "plugins")})
    plat = by_component(rep)["qt-platform"]
    assert rc == 1 and plat["fatal"]
    assert "broken: libqbroken.so cannot be loaded (invalid ELF header)" in plat["detail"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland logic")
def test_no_display_is_fatal_but_named(tmp_path: Path) -> None:
    env = {k: "" for k in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    rc, rep, _ = run_selfcheck(tmp_path, env=env)
    plat = by_component(rep)["qt-platform"]
    assert rc == 1 and plat["fatal"]
    assert "DISPLAY is not set" in plat["detail"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland logic")
def test_broken_first_choice_offers_working_alternative(tmp_path: Path) -> None:
    """QT_QPA_PLATFORM=wayland with no Wayland session but an X display: offer xcb via env."""
    rc, rep, _ = run_selfcheck(tmp_path, env={"QT_QPA_PLATFORM": "wayland", "WAYLAND_DISPLAY": "",
                                              "DISPLAY": ":99"})
    plat = by_component(rep)["qt-platform"]
    assert plat["ok"] is False and plat["fatal"] is False
    assert plat["env"] == {"QT_QPA_PLATFORM": "xcb"}
    assert rc == 0


def test_requested_platforms_follow_qt_rules() -> None:
    assert selfcheck.requested_platforms({"QT_QPA_PLATFORM": "wayland;xcb"}) == ["wayland", "xcb"]
    assert selfcheck.requested_platforms({"QT_QPA_PLATFORM": "offscreen:size=800x600"}) == ["offscreen"]
    if sys.platform.startswith("linux"):
        assert selfcheck.requested_platforms({"WAYLAND_DISPLAY": "wayland-0"}) == ["wayland", "xcb"]
        assert selfcheck.requested_platforms({"DISPLAY": ":0"}) == ["xcb"]


def test_check_qt_does_not_import_pyside6(tmp_path: Path) -> None:
    code = ("import sys; from leadscan import selfcheck; selfcheck.check_qt(); "
            "print(any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules))")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.stdout.strip() == "False", out.stderr


# --- data folder ---------------------------------------------------------------------------


def test_data_dir_that_cannot_be_created(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    f = selfcheck.check_data_dir(blocker / "data")
    assert not f.ok and f.fatal
    assert "is a file" in f.detail


def test_data_dir_ok_without_creating_it(tmp_path: Path) -> None:
    f = selfcheck.check_data_dir(tmp_path / "new" / "data")
    assert f.ok
    assert not (tmp_path / "new").exists()


# --- the API the GUI uses ----------------------------------------------------------------------


def test_finding_api() -> None:
    ok = Finding("zbar", True, "libzbar 0.23")
    degraded = Finding("qt-multimedia", False, "no libpulse", "No sounds; each scan is still shown.")
    fatal = Finding("qt-platform", False, "xcb: needs libxcb-cursor.so.0")
    assert not ok.fatal and not degraded.fatal and fatal.fatal
    assert selfcheck.can_run([ok, degraded]) and not selfcheck.can_run([ok, fatal])
    assert selfcheck.banner_text([ok]) is None
    assert "No sounds" in (selfcheck.banner_text([ok, degraded]) or "")
    assert fatal.to_dict() == {"component": "qt-platform", "ok": False,
                               "detail": "xcb: needs libxcb-cursor.so.0", "fallback": None,
                               "env": {}, "fatal": True}
