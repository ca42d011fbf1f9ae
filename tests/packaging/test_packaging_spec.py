"""leadscan.spec's helpers and runtime hooks, without running PyInstaller (fast)."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "leadscan"
HOOKS = ROOT / "packaging" / "rthooks"


def load_build_support():
    spec = importlib.util.spec_from_file_location("leadscan_build_support",
                                                  ROOT / "packaging" / "build_support.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bs = load_build_support()


def test_version_comes_from_pyproject() -> None:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        assert bs.read_version() == tomllib.load(fh)["project"]["version"]
    assert bs.numeric_version("1.2.3rc1") == "1.2.3"
    assert bs.numeric_version("2") == "2.0.0"
    assert bs.numeric_version("0.1.0+local.5") == "0.1.0"


def test_dist_info_carries_the_version(tmp_path: Path) -> None:
    d = bs.write_dist_info(tmp_path, "9.8.7")
    assert d.name == "leadscan-9.8.7.dist-info"
    assert "Version: 9.8.7" in (d / "METADATA").read_text()


@pytest.mark.parametrize("platform,ext", [("win32", ".ico"), ("darwin", ".icns"), ("linux", ".png")])
def test_an_icon_exists_for_every_platform(platform: str, ext: str) -> None:
    icon = bs.icon_for(platform)
    # the platform's format, or a PNG PyInstaller converts with Pillow
    assert icon is not None and icon.suffix in (ext, ".png") and icon.stat().st_size > 1000


@pytest.mark.parametrize("platform,ext", [("win32", ".ico"), ("darwin", ".icns"), ("linux", ".png")])
def test_icon_prefers_the_gui_icon_then_the_stand_in(tmp_path: Path, platform: str, ext: str) -> None:
    (tmp_path / "packaging" / "icons").mkdir(parents=True)
    stand_in = tmp_path / "packaging" / "icons" / f"leadscan{ext}"
    stand_in.write_bytes(b"x")
    assert bs.icon_for(platform, tmp_path) == stand_in
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "leadscan.png").write_bytes(b"x")
    assert bs.icon_for(platform, tmp_path) == tmp_path / "resources" / "leadscan.png"
    (tmp_path / "resources" / f"leadscan{ext}").write_bytes(b"x")
    assert bs.icon_for(platform, tmp_path) == tmp_path / "resources" / f"leadscan{ext}"


def test_spec_declares_what_the_brief_requires() -> None:
    text = (ROOT / "leadscan.spec").read_text(encoding="utf-8")
    for needle in ("NSCameraUsageDescription", "BUNDLE(", "COLLECT(", "LEADSCAN_ONEFILE",
                   "rthook_leadscan_zbar.py", "rthook_leadscan_portable.py", "read_version",
                   "zbar_binaries", "collect_submodules(\"leadscan\""):
        assert needle in text, needle
    assert len(bs.CAMERA_USAGE) > 40


@pytest.mark.skipif(sys.platform.startswith("win"), reason="Windows uses the wheel's DLLs")
def test_libzbar_is_found_on_the_build_machine() -> None:
    (src, dest), = bs.zbar_binaries()
    assert Path(src).is_file() and "zbar" in Path(src).name and dest == "."


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def test_excludes_do_not_cut_anything_leadscan_imports() -> None:
    used: set[str] = set()
    for path in PKG.rglob("*.py"):
        used |= _imports(path)
    excluded = set(bs.EXCLUDES)
    clash = {m for m in used if m in excluded or any(m.startswith(e + ".") for e in excluded)}
    assert not clash, f"leadscan imports excluded modules: {sorted(clash)}"


def test_plugin_filter_keeps_the_platforms_we_need() -> None:
    toc = [(f"PySide6/Qt/plugins/platforms/libq{n}.so", "/src", "BINARY")
           for n in ("xcb", "wayland", "offscreen", "minimal", "eglfs", "vnc", "linuxfb")]
    toc += [("PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", "/src", "BINARY"),
            ("PySide6/Qt/plugins/imageformats/libqjpeg.so", "/src", "BINARY"),
            ("PySide6/Qt/plugins/imageformats/libqpdf.so", "/src", "BINARY")]
    kept, dropped = bs.drop_entries(toc, bs.QT_PLUGIN_DROP + bs.QT_MEDIA_BACKEND_DROP)
    kept_names = {Path(e[0]).name for e in kept}
    assert {"libqxcb.so", "libqwayland.so", "libqoffscreen.so", "libqminimal.so", "libqjpeg.so"} <= kept_names
    assert {Path(e[0]).name for e in dropped} == {"libqeglfs.so", "libqvnc.so", "libqlinuxfb.so",
                                                  "libffmpegmediaplugin.so", "libqpdf.so"}
    # Windows-style paths match too
    kept, dropped = bs.drop_entries([("PySide6\\plugins\\platforms\\qvnc.dll", "/s", "BINARY")],
                                    bs.QT_PLUGIN_DROP)
    assert dropped and not kept


def test_libraries_only_dropped_plugins_needed_go_too() -> None:
    imports = {
        "/s/libqxcb.so": ["libQt6XcbQpa.so.6", "libQt6Gui.so.6"],
        "/s/QtWidgets.abi3.so": ["libQt6Widgets.so.6", "libQt6Gui.so.6"],
        "/s/libQt6Gui.so.6": ["libQt6Core.so.6"],
        "/s/libQt6XcbQpa.so.6": ["libQt6Gui.so.6", "libQt6OpenGL.so.6"],
        "/s/libQt6OpenGL.so.6": [], "/s/libQt6Quick.so.6": ["libQt6Qml.so.6"],
        "/s/libQt6Qml.so.6": [], "/s/libQt6Widgets.so.6": [], "/s/libQt6Core.so.6": [],
        "/s/libavcodec.so.61": [],
    }
    toc = [(f"PySide6/Qt/lib/{Path(s).name}", s, "BINARY") for s in imports]
    kept, dropped = bs.drop_unneeded_libs(toc, lambda src: imports[src])
    assert {Path(e[0]).name for e in dropped} == {"libQt6Quick.so.6", "libQt6Qml.so.6", "libavcodec.so.61"}
    assert "libQt6OpenGL.so.6" in {Path(e[0]).name for e in kept}  # still linked by XcbQpa


def test_symlinks_to_dropped_files_go_too() -> None:
    toc = [("PySide6/Qt/lib/libQt6Quick.so.6", "/s/libQt6Quick.so.6", "BINARY"),
           ("PySide6/Qt/lib/libQt6Gui.so.6", "/s/libQt6Gui.so.6", "BINARY"),
           ("libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "SYMLINK"),
           ("libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK")]
    kept, dropped = bs.drop_unneeded_libs(toc, lambda src: [])
    assert sorted(e[0] for e in kept) == ["PySide6/Qt/lib/libQt6Gui.so.6", "libQt6Gui.so.6"]
    assert {e[2] for e in dropped} == {"BINARY", "SYMLINK"}


# --- runtime hooks ----------------------------------------------------------------------------


def run_hook_driver(tmp_path: Path, body: str, env: dict[str, str] | None = None) -> dict:
    """Run `body` in a fresh interpreter that pretends to be a bundle in tmp_path/bundle."""
    driver = tmp_path / "driver.py"
    driver.write_text(body, encoding="utf-8")
    e = {k: v for k, v in os.environ.items() if k not in ("LEADSCAN_DATA_DIR", "LEADSCAN_PORTABLE")}
    e.update(env or {})
    proc = subprocess.run([sys.executable, str(driver)], capture_output=True, text=True, env=e,
                          timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


PRETEND_FROZEN = textwrap.dedent("""
    import json, os, runpy, sys
    app = {app!r}
    sys.executable = os.path.join(app, "leadscan")
    sys._MEIPASS = os.path.join(app, "_internal")
    runpy.run_path({hook!r})
""")


def portable_env(tmp_path: Path, app: Path, env: dict[str, str] | None = None) -> dict:
    code = PRETEND_FROZEN.format(app=str(app), hook=str(HOOKS / "rthook_leadscan_portable.py")) + \
        "print(json.dumps({k: os.environ.get(k) for k in ('LEADSCAN_DATA_DIR', 'LEADSCAN_PORTABLE')}))\n"
    return run_hook_driver(tmp_path, code, env=env)


def test_portable_marker_puts_data_next_to_the_executable(tmp_path: Path) -> None:
    from leadscan.gui import portable  # the GUI's convention: same marker, same folder

    app = tmp_path / "stick" / "leadscan"
    app.mkdir(parents=True)
    portable.set_portable(True, app)  # what the Settings screen does
    out = portable_env(tmp_path, app)
    assert out["LEADSCAN_DATA_DIR"] == str(portable.portable_data_dir(app))
    assert out["LEADSCAN_PORTABLE"] == str(app / portable.MARKER)


def test_explicit_data_dir_wins_over_portable_marker(tmp_path: Path) -> None:
    app = tmp_path / "leadscan"
    app.mkdir()
    (app / "leadscan-portable").write_text("leadscan keeps its data in the leadscan-data folder\n")
    assert portable_env(tmp_path, app, {"LEADSCAN_DATA_DIR": "/explicit"})["LEADSCAN_DATA_DIR"] == "/explicit"


def test_no_marker_no_change(tmp_path: Path) -> None:
    app = tmp_path / "leadscan"
    app.mkdir()
    assert portable_env(tmp_path, app) == {"LEADSCAN_DATA_DIR": None, "LEADSCAN_PORTABLE": None}


def test_portable_marker_next_to_macos_app(tmp_path: Path) -> None:
    macos = tmp_path / "LeadScan.app" / "Contents" / "MacOS"
    macos.mkdir(parents=True)
    (tmp_path / "leadscan-portable").write_text("")
    assert portable_env(tmp_path, macos)["LEADSCAN_DATA_DIR"] == str(tmp_path / "leadscan-data")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux loader path")
def test_zbar_hook_makes_pyzbar_load_the_bundled_library(tmp_path: Path) -> None:
    """In a bundle, pyzbar must load <bundle>/libzbar.so.0 even when the system has none."""
    (src, _), = bs.zbar_binaries()
    bundle = tmp_path / "app" / "_internal"
    bundle.mkdir(parents=True)
    (bundle / "libzbar.so.0").write_bytes(Path(src).read_bytes())
    code = PRETEND_FROZEN.format(app=str(tmp_path / "app"), hook=str(HOOKS / "rthook_leadscan_zbar.py")) + textwrap.dedent("""
    assert "pyzbar" not in sys.modules            # the hook imports nothing up front
    from pyzbar import pyzbar
    names = [d._name for d in pyzbar.EXTERNAL_DEPENDENCIES]
    maps = [l.split()[-1] for l in open("/proc/self/maps") if "libzbar" in l]
    print(json.dumps({"names": names, "maps": sorted(set(maps))}))
""")
    out = run_hook_driver(tmp_path, code)
    assert out["names"] == [str(bundle / "libzbar.so.0")]
    assert out["maps"] == [str(bundle / "libzbar.so.0")]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux loader path")
def test_zbar_hook_falls_back_to_the_system_library(tmp_path: Path) -> None:
    (tmp_path / "app" / "_internal").mkdir(parents=True)
    code = PRETEND_FROZEN.format(app=str(tmp_path / "app"), hook=str(HOOKS / "rthook_leadscan_zbar.py")) + textwrap.dedent("""
    from pyzbar import pyzbar
    print(json.dumps({"names": [d._name for d in pyzbar.EXTERNAL_DEPENDENCIES]}))
""")
    assert run_hook_driver(tmp_path, code)["names"] == ["libzbar.so.0"]


@pytest.mark.parametrize("before,orig,after", [
    ("{base}", None, None),                  # set by the bootloader only: removed
    ("{base}", "/opt/lib", "/opt/lib"),      # user's own value restored
    ("/usr/local/lib", None, "/usr/local/lib"),  # not the bootloader's: untouched
])
def test_children_do_not_inherit_the_bundle_library_path(tmp_path: Path, before: str,
                                                           orig: str | None, after: str | None) -> None:
    app = tmp_path / "app"
    (app / "_internal").mkdir(parents=True)
    env = {"LD_LIBRARY_PATH": before.format(base=app / "_internal")}
    if orig:
        env["LD_LIBRARY_PATH_ORIG"] = orig
    code = PRETEND_FROZEN.format(app=str(app), hook=str(HOOKS / "rthook_leadscan_child_env.py")) + \
        "import subprocess\n" \
        "child = subprocess.run(['sh', '-c', 'printf %s \"${LD_LIBRARY_PATH-UNSET}\"'], capture_output=True, text=True).stdout\n" \
        "print(json.dumps({'child': child}))\n"
    out = run_hook_driver(tmp_path, code, env=env)
    if sys.platform.startswith("linux"):
        assert out["child"] == (after if after is not None else "UNSET")
