"""Build the Linux one-folder bundle from leadscan.spec and run it headless (slow; CI runs it).

One build per session (~1 min on 2 cores, ~340 MB); every test below runs the bundled
executable with QT_QPA_PLATFORM=offscreen and a fresh data folder.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BADGE_CODE = "k7yzqa2mq9w3e4r5t6y7u8p2a3s4d5f6"  # a pretix-style ticket secret

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="CI builds the Linux bundle"),
]


@dataclass
class Bundle:
    folder: Path          # dist/leadscan
    exe: Path             # dist/leadscan/leadscan
    build_seconds: float
    size_mb: float


def _size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bundle]:
    # PyInstaller on Linux appends the archive with objcopy and classifies files with objdump.
    missing = [tool for tool in ("objcopy", "objdump", "ldd") if shutil.which(tool) is None]
    assert not missing, f"building the bundle needs {missing}: apt install binutils (scripts/setup.sh)"
    base = tmp_path_factory.mktemp("bundle")
    env = {k: v for k, v in os.environ.items()
           if k not in ("LEADSCAN_ONEFILE", "LEADSCAN_MEDIA_BACKEND", "LEADSCAN_DEBUG_BUILD")}
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(base / "dist"), "--workpath", str(base / "work"), str(ROOT / "leadscan.spec")],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=1500)
    elapsed = time.monotonic() - t0
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    folder = base / "dist" / "leadscan"
    b = Bundle(folder, folder / "leadscan", elapsed, _size_mb(folder))
    print(f"\nbundle built in {b.build_seconds:.0f} s, {b.size_mb:.0f} MB: {folder}")
    yield b
    shutil.rmtree(base / "work", ignore_errors=True)


def run(exe: Path, *args: str, data_dir: Path | None, env: dict[str, str] | None = None,
        timeout: float = 120, wrap: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    e = {k: v for k, v in os.environ.items()
         if k not in ("LEADSCAN_DATA_DIR", "LEADSCAN_PORTABLE", "QT_PLUGIN_PATH", "PYTHONPATH")}
    e["QT_QPA_PLATFORM"] = "offscreen"
    if data_dir is not None:
        e["LEADSCAN_DATA_DIR"] = str(data_dir)
    if env:
        e.update(env)
    proc = subprocess.run([*(wrap or []), str(exe), *args], capture_output=True, text=True, env=e,
                          timeout=timeout, cwd=exe.parent.parent)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def findings(proc: subprocess.CompletedProcess[str]) -> tuple[dict, dict[str, dict]]:
    rep = json.loads(proc.stdout)
    return rep, {f["component"]: f for f in rep["findings"]}


@pytest.fixture
def badge(tmp_path: Path) -> Path:
    import segno

    img = tmp_path / "badge.png"
    segno.make(BADGE_CODE, error="m").save(img, scale=6, border=4)
    return img


@pytest.mark.timeout(1800)
def test_version_is_the_pyproject_version(bundle: Bundle, tmp_path: Path) -> None:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        version = tomllib.load(fh)["project"]["version"]
    proc = run(bundle.exe, "--version", data_dir=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"leadscan {version}"


@pytest.mark.timeout(1800)
def test_selfcheck_finds_the_bundled_zbar(bundle: Bundle, tmp_path: Path) -> None:
    proc = run(bundle.exe, "selfcheck", "--json", data_dir=tmp_path / "data")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rep, f = findings(proc)
    assert rep["frozen"] is True and rep["can_run"] is True and rep["degraded"] is False, rep
    internal = bundle.folder / "_internal"
    assert f["zbar"]["ok"] and f"bundled: {internal}" in f["zbar"]["detail"], f["zbar"]
    assert f["qt-platform"]["ok"] and str(internal) in f["qt-platform"]["detail"]
    for name in ("zxing-cpp", "opencv", "qr-decoders", "qt", "qt-multimedia", "data-dir"):
        assert f[name]["ok"], f[name]


@pytest.mark.timeout(1800)
def test_bundle_decodes_a_badge(bundle: Bundle, tmp_path: Path, badge: Path) -> None:
    proc = run(bundle.exe, "decode", str(badge), "--json", data_dir=tmp_path / "data")
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads(proc.stdout)
    assert [c["code"] for c in entry["codes"]] == [BADGE_CODE]


@pytest.mark.timeout(1800)
def test_bundle_carries_what_it_needs_and_not_more(bundle: Bundle) -> None:
    internal = bundle.folder / "_internal"
    assert (internal / "libzbar.so.0").is_file()
    platforms = {p.name for p in (internal / "PySide6" / "Qt" / "plugins" / "platforms").iterdir()}
    assert {"libqxcb.so", "libqoffscreen.so", "libqwayland.so"} <= platforms, platforms
    assert not platforms & {"libqvnc.so", "libqeglfs.so", "libqlinuxfb.so"}
    dangling = [str(p) for p in internal.rglob("*") if p.is_symlink() and not p.exists()]
    assert not dangling, dangling
    names = {p.name for p in internal.rglob("*")}
    for unwanted in ("libQt6WebEngineCore.so.6", "libQt6Quick.so.6", "libQt6Qml.so.6", "_tkinter",
                     "libffmpegmediaplugin.so", "pytest"):
        assert not any(n.startswith(unwanted) for n in names), unwanted
    assert (bundle.folder / "leadscan.desktop").is_file() and (bundle.folder / "leadscan.png").is_file()
    assert bundle.size_mb < 450, f"bundle grew to {bundle.size_mb:.0f} MB"


@pytest.fixture
def bundle_copy(bundle: Bundle, tmp_path: Path) -> Path:
    """A hard-linked copy of the bundle a test may change (cheap: no data copied)."""
    dst = tmp_path / "leadscan"
    subprocess.run(["cp", "-al", str(bundle.folder), str(dst)], check=True)
    return dst


@pytest.mark.timeout(1800)
def test_missing_decoder_in_bundle_degrades_not_crashes(bundle_copy: Path, tmp_path: Path,
                                                        badge: Path) -> None:
    """K50 in the frozen app: without zxing-cpp it still starts, says so, and reads badges
    with the bundled zbar."""
    for so in (bundle_copy / "_internal").glob("zxingcpp*.so"):
        so.unlink()
    exe = bundle_copy / "leadscan"
    proc = run(exe, "selfcheck", "--json", data_dir=tmp_path / "data")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rep, f = findings(proc)
    assert rep["can_run"] and rep["degraded"]
    assert not f["zxing-cpp"]["ok"] and "zbar" in f["zxing-cpp"]["fallback"]
    assert f["qr-decoders"]["ok"]
    proc = run(exe, "decode", str(badge), "--json", data_dir=tmp_path / "data")
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads(proc.stdout)
    assert entry["codes"] == [{"code": BADGE_CODE, "decoder": "zbar", "ms": entry["codes"][0]["ms"]}]


@pytest.mark.timeout(1800)
def test_portable_marker_keeps_data_next_to_the_app(bundle_copy: Path, badge: Path) -> None:
    (bundle_copy / "leadscan-portable").write_text("portable\n")  # as Settings writes it
    exe = bundle_copy / "leadscan"
    proc = run(exe, "selfcheck", "--json", data_dir=None)
    _, f = findings(proc)
    assert f["data-dir"]["detail"] == f"{bundle_copy / 'leadscan-data'} (portable mode)"
    proc = run(exe, "decode", str(badge), data_dir=None)
    assert proc.returncode == 0, proc.stderr
    assert (bundle_copy / "leadscan-data").is_dir()


@pytest.mark.timeout(1800)
def test_bundled_gui_demo_reaches_the_scan_screen(bundle: Bundle, tmp_path: Path) -> None:
    """The frozen GUI starts headless: Qt plugins, in-process emulator, demo login."""
    proc = run(bundle.exe, "--demo", "--camera", "none", data_dir=tmp_path / "data",
               env={"LEADSCAN_EXIT_WHEN_READY": "1"}, timeout=180)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    ready = [line for line in proc.stdout.splitlines() if line.startswith("READY")]
    assert ready, proc.stdout[-2000:] + proc.stderr[-3000:]


@pytest.mark.timeout(1800)
def test_headless_commands_do_not_load_qt(bundle: Bundle, tmp_path: Path, badge: Path) -> None:
    """`--version` and `decode` start without Qt (PyInstaller's PySide6 hook would load it:
    packaging/rthooks/rthook_leadscan_qt_lazy.py defers that to the GUI)."""
    for args in (["--version"], ["decode", str(badge)]):
        proc = run(bundle.exe, *args, data_dir=tmp_path / "data", env={"LD_DEBUG": "files"})
        assert proc.returncode == 0
        loaded = [line for line in proc.stderr.splitlines() if "file=" in line and "libQt6Core" in line]
        assert not loaded, f"{args}: {loaded[:3]}"


@pytest.mark.timeout(1800)
def test_bundle_scans_and_syncs_against_the_emulator(bundle: Bundle, tmp_path: Path, emulator) -> None:
    """The frozen app end to end (httpx, sqlite, keyring or its file fallback, decoders):
    log in, queue a badge image, upload it, and the emulator holds the lead."""
    from leadscan.emulator.badges import render_badge

    attendee = emulator.attendees[0]
    img = tmp_path / "badge.png"
    render_badge(attendee).save(img)
    data = tmp_path / "data"
    proc = run(bundle.exe, "login", "--server", emulator.base_url, "--code",
               emulator.exhibitor["access_code"], "--device-name", "bundle-test", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    proc = run(bundle.exe, "scan", str(img), data_dir=data)
    assert proc.returncode == 0 and attendee["secret"] in proc.stdout, proc.stdout + proc.stderr
    proc = run(bundle.exe, "sync", data_dir=data)
    assert proc.returncode == 0, proc.stderr
    st = json.loads(run(bundle.exe, "status", "--json", data_dir=data).stdout)
    assert (st["pending"], st["synced"], st["rejected"]) == (0, 1, 0), st
    leads = json.loads(run(bundle.exe, "leads", "--json", data_dir=data).stdout)
    assert [x["code"] for x in leads] == [attendee["secret"]] and leads[0]["fields"]


def system_libzbar() -> Path:
    import ctypes.util

    spec = importlib.util.spec_from_file_location("leadscan_build_support",
                                                  ROOT / "packaging" / "build_support.py")
    bs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bs)
    assert ctypes.util.find_library("zbar")
    return Path(bs.zbar_binaries()[0][0]).resolve()


@pytest.mark.timeout(1800)
def test_k50_machine_without_zbar_still_decodes_with_the_bundled_one(bundle_copy: Path, tmp_path: Path,
                                                                       badge: Path) -> None:
    """K50 for real: the system libzbar is hidden (a private mount namespace puts /dev/null over
    it), zxing-cpp is removed from the bundle, and the badge must still be read, by zbar."""
    lib = system_libzbar()
    hide = ["unshare", "--mount", "sh", "-c", f'mount --bind /dev/null "{lib}" && exec "$@"', "sh"]
    probe = subprocess.run([*hide, sys.executable, "-c", "from pyzbar import pyzbar"],
                           capture_output=True, text=True, timeout=60)
    if "Operation not permitted" in probe.stderr or "unshare failed" in probe.stderr \
            or "mount:" in probe.stderr:
        pytest.skip(f"cannot hide the system libzbar here (needs a mount namespace): {probe.stderr.strip()[:200]}")
    assert probe.returncode != 0, "the system libzbar is still loadable from source"
    for so in (bundle_copy / "_internal").glob("zxingcpp*.so"):
        so.unlink()
    exe = bundle_copy / "leadscan"
    proc = run(exe, "selfcheck", "--json", data_dir=tmp_path / "data", wrap=hide)
    _, f = findings(proc)
    assert f["zbar"]["ok"] and "bundled:" in f["zbar"]["detail"], f["zbar"]
    proc = run(exe, "decode", str(badge), "--json", data_dir=tmp_path / "data", wrap=hide)
    assert proc.returncode == 0, proc.stderr
    (entry,) = json.loads(proc.stdout)
    assert [(c["code"], c["decoder"]) for c in entry["codes"]] == [(BADGE_CODE, "zbar")]
