"""Helpers for leadscan.spec: version, icon, libzbar, what to leave out of the bundle.

Loaded by the spec (and by tests/packaging) from this file's path, not as a package: the
folder is called `packaging`, which would shadow the PyPI `packaging` distribution.
Nothing here imports PyInstaller at module level, so the tests can use it without a build.
"""

from __future__ import annotations

import ctypes.util
import os
import re
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

APP_NAME = "leadscan"            # executable and folder name
DISPLAY_NAME = "LeadScan"        # macOS .app name, window titles
BUNDLE_ID = "eu.pretix.leadscan"

CAMERA_USAGE = (
    "LeadScan uses the camera to read the QR code on visitors' badges. Images stay on this "
    "computer; only the badge code is stored."
)

#: Python modules never needed in the bundle. Qt modules that the GUI imports (QtCore,
#: QtGui, QtWidgets, QtMultimedia, QtDBus, QtNetwork, QtSvg, ...) must NOT be listed here;
#: tests/packaging/test_spec.py checks this against the imports in leadscan/.
EXCLUDES: list[str] = [
    "tkinter", "_tkinter", "turtle", "idlelib", "pydoc_data", "lib2to3", "unittest",
    # build / test tooling that is installed in the same venv
    "PyInstaller", "pytest", "_pytest", "pytestqt", "pytest_timeout", "pip", "setuptools",
    "pkg_resources", "_distutils_hack", "pygments", "IPython", "matplotlib",
    # httpx's own command-line client (imports click + pygments at `import httpx`; httpx
    # falls back to a stub when it is missing)
    "httpx._main",
    # PySide6 modules leadscan does not use (large, and each pulls its own Qt libraries)
    "PySide6.QtWebEngineCore", "PySide6.QtWebEngineWidgets", "PySide6.QtWebEngineQuick",
    "PySide6.QtWebChannel", "PySide6.QtWebSockets", "PySide6.QtWebView", "PySide6.QtHttpServer",
    "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtQuickWidgets", "PySide6.QtQuickControls2",
    "PySide6.QtQuick3D", "PySide6.QtQuickTest",
    "PySide6.Qt3DAnimation", "PySide6.Qt3DCore", "PySide6.Qt3DExtras", "PySide6.Qt3DInput",
    "PySide6.Qt3DLogic", "PySide6.Qt3DRender",
    "PySide6.QtCharts", "PySide6.QtDataVisualization", "PySide6.QtGraphs",
    "PySide6.QtGraphsWidgets", "PySide6.QtPdf", "PySide6.QtPdfWidgets", "PySide6.QtDesigner",
    "PySide6.QtHelp", "PySide6.QtUiTools", "PySide6.QtLocation", "PySide6.QtPositioning",
    "PySide6.QtBluetooth", "PySide6.QtNfc", "PySide6.QtSensors", "PySide6.QtSerialPort",
    "PySide6.QtSerialBus", "PySide6.QtRemoteObjects", "PySide6.QtScxml", "PySide6.QtStateMachine",
    "PySide6.QtSql", "PySide6.QtTest", "PySide6.QtTextToSpeech", "PySide6.QtSpatialAudio",
    "PySide6.QtNetworkAuth", "PySide6.QtAxContainer", "PySide6.QtAsyncio",
    # other Qt bindings that may sit in a developer's environment
    "PyQt5", "PyQt6", "PySide2",
]

#: Qt plugins dropped after analysis (glob-like patterns on the bundle path, '/' separated).
#: - platforms a desktop never uses (framebuffer, EGL full-screen, VNC, Vulkan display) and
#:   their device-integration plugins; xcb, wayland, offscreen and minimal stay;
#: - the PDF image format (pulls in QtPdf) and the Qt virtual keyboard (pulls in QtQuick/QML).
QT_PLUGIN_DROP: list[str] = [
    "*/plugins/platforms/*qeglfs*", "*/plugins/platforms/*qlinuxfb*",
    "*/plugins/platforms/*qminimalegl*", "*/plugins/platforms/*qvnc*",
    "*/plugins/platforms/*qvkkhrdisplay*", "*/plugins/egldeviceintegrations/*",
    "*/plugins/imageformats/*qpdf*", "*/plugins/platforminputcontexts/*virtualkeyboard*",
]

#: QtMultimedia's FFmpeg back end (plus the QtQuick/QML/FFmpeg libraries it links, ~60 MB).
#: leadscan reads the camera with OpenCV and plays sounds with QSoundEffect, which works
#: without a media back end. Set LEADSCAN_MEDIA_BACKEND=1 when building to keep it (needed
#: only for QMediaPlayer / QCamera).
QT_MEDIA_BACKEND_DROP: list[str] = ["*/plugins/multimedia/*"]

#: Libraries that only the dropped plugins need. Removed when nothing kept links them
#: (checked in the spec against the kept binaries' imports).
QT_LIB_CANDIDATES_DROP = re.compile(
    r"(libQt6(EglFSDeviceIntegration|EglFsKmsSupport|EglFsKmsGbmSupport|Pdf|Quick\w*|Qml\w*|"
    r"VirtualKeyboard\w*|FFmpegStub[-\w]*|Labs\w*|OpenGL)\.so\.\d+|"
    r"lib(avcodec|avformat|avutil|swresample|swscale)\.so\.\d+|"
    r"(Qt6(Pdf|Quick\w*|Qml\w*|VirtualKeyboard\w*|OpenGL)\.dll)|"
    r"(av(codec|format|util)|sw(resample|scale))-\d+\.dll)$"
)


def read_version(root: Path = ROOT) -> str:
    """`project.version` from pyproject.toml: the single source of the version."""
    with open(root / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["project"]["version"]


def numeric_version(version: str) -> str:
    """'1.2.3rc1' -> '1.2.3' (what macOS CFBundleShortVersionString and Windows accept)."""
    parts = re.findall(r"\d+", version.split("+")[0])[:3]
    while len(parts) < 3:
        parts.append("0")
    return ".".join(parts)


def icon_for(platform: str = sys.platform, root: Path = ROOT) -> Path | None:
    """The app icon for this platform, first found of:
    1. the GUI's own icon in the platform's format (leadscan/resources/ or resources/,
       leadscan.ico / leadscan.icns / leadscan.png);
    2. the GUI's leadscan.png (PyInstaller converts it to .ico/.icns with Pillow), so every
       platform shows the same picture;
    3. the stand-ins under packaging/icons/ (drawn by packaging/make_icons.py).
    """
    ext = ".ico" if platform.startswith("win") else ".icns" if platform == "darwin" else ".png"
    gui_dirs = (root / "leadscan" / "resources", root / "resources")
    for name in (f"leadscan{ext}", "leadscan.png"):
        for folder in gui_dirs:
            if (folder / name).is_file():
                return folder / name
    stand_in = root / "packaging" / "icons" / f"leadscan{ext}"
    return stand_in if stand_in.is_file() else None


def write_dist_info(workpath: str | os.PathLike[str], version: str) -> Path:
    """A minimal `leadscan-<version>.dist-info` so `importlib.metadata.version("leadscan")`
    in the bundle returns the pyproject version (even if the venv's editable install is stale)."""
    d = Path(workpath) / "leadscan-metadata" / f"leadscan-{version}.dist-info"
    d.mkdir(parents=True, exist_ok=True)
    (d / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: leadscan\nVersion: {version}\n", encoding="utf-8")
    (d / "INSTALLER").write_text("leadscan.spec\n", encoding="utf-8")
    return d


def zbar_binaries() -> list[tuple[str, str]]:
    """(source, bundle folder) for libzbar and, on Windows, its libiconv: what pyzbar loads
    with ctypes (`pyzbar.pyzbar.EXTERNAL_DEPENDENCIES`), which PyInstaller cannot see.

    Linux/macOS: the system library (apt libzbar0 / brew zbar), placed at the bundle root
    where packaging/rthooks/rthook_leadscan_zbar.py finds it. Windows: the DLLs the pyzbar
    wheel ships, kept in `pyzbar/` where pyzbar looks for them. Raises SystemExit with a
    readable message when there is none: a bundle without zbar is not shipped silently.
    """
    if sys.platform.startswith("win"):
        import pyzbar

        pkg = Path(pyzbar.__file__).parent
        dlls = sorted(pkg.glob("*.dll"))
        if not dlls:
            raise SystemExit(f"leadscan.spec: no zbar DLLs in {pkg} (reinstall pyzbar)")
        return [(str(p), "pyzbar") for p in dlls]

    name = ctypes.util.find_library("zbar")
    if not name:
        raise SystemExit(
            "leadscan.spec: libzbar not found on the build machine "
            "(Debian/Ubuntu: apt install libzbar0; macOS: brew install zbar)")
    path = Path(name)
    if not path.is_absolute():  # Linux: find_library gives the soname only
        path = _resolve_soname(name)
    return [(str(path), ".")]


def _resolve_soname(soname: str) -> Path:
    try:
        from PyInstaller.depend import bindepend

        found = bindepend.resolve_library_path(soname)
        if found:
            return Path(found)
    except ImportError:
        pass
    for d in ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
              "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib64", "/lib",
              "/usr/local/lib"):
        if (Path(d) / soname).exists():
            return Path(d) / soname
    raise SystemExit(f"leadscan.spec: cannot locate {soname} on disk")


def _match(dest: str, patterns: Iterable[str]) -> bool:
    from fnmatch import fnmatchcase

    d = "/" + dest.replace("\\", "/")
    return any(fnmatchcase(d, p) for p in patterns)


def drop_entries(toc: list, patterns: Iterable[str]) -> tuple[list, list]:
    """Split a PyInstaller TOC ((dest, src, kind) tuples) into (kept, dropped) by dest path."""
    patterns = list(patterns)
    kept, dropped = [], []
    for entry in toc:
        (dropped if _match(entry[0], patterns) else kept).append(entry)
    return prune_dangling_symlinks(kept, dropped)


def prune_dangling_symlinks(kept: list, dropped: list) -> tuple[list, list]:
    """PyInstaller adds SYMLINK entries (e.g. `libQt6Gui.so.6 -> PySide6/Qt/lib/libQt6Gui.so.6`);
    drop those whose target was dropped, so the bundle holds no dangling links."""
    dests = {os.path.normpath(e[0]) for e in kept if e[2] != "SYMLINK"}
    out, gone = [], list(dropped)
    for entry in kept:
        if entry[2] == "SYMLINK":
            target = os.path.normpath(os.path.join(os.path.dirname(entry[0]), entry[1]))
            if target not in dests:
                gone.append(entry)
                continue
        out.append(entry)
    return out, gone


def drop_unneeded_libs(binaries: list, imports_of) -> tuple[list, list]:
    """Remove QT_LIB_CANDIDATES_DROP libraries that no kept binary links any more.

    `imports_of(path) -> iterable of library names` (PyInstaller's bindepend.get_imports).
    Iterates to a fixed point so chains (plugin -> QtQuick -> QtQml) all go.
    """
    kept = list(binaries)
    dropped: list = []
    while True:
        names = {Path(e[0]).name for e in kept}
        candidates = {n for n in names if QT_LIB_CANDIDATES_DROP.search(n)}
        if not candidates:
            return prune_dangling_symlinks(kept, dropped)
        needed: set[str] = set()
        for dest, src, kind in kept:
            if Path(dest).name in candidates or kind == "SYMLINK":
                continue
            try:
                needed.update(Path(str(i)).name for i in imports_of(src))
            except Exception:  # unreadable binary: keep everything it might need
                return prune_dangling_symlinks(kept, dropped)
        gone = candidates - needed
        if not gone:
            return prune_dangling_symlinks(kept, dropped)
        dropped += [e for e in kept if Path(e[0]).name in gone]
        kept = [e for e in kept if Path(e[0]).name not in gone]


def strip_python_debug(binaries: list, workpath: str | os.PathLike[str]) -> tuple[list, int]:
    """Linux: copy the interpreter's own libraries (libpython, lib-dynload) without their
    debug sections (a source-built Python carries ~20 MB of them) and bundle the copies.

    Only libpython and the stdlib's extension modules (`python3.X/lib-dynload/`) are touched:
    wheels' libraries are left alone (stripping libraries that auditwheel/patchelf rewrote can
    break them). No-op without `strip`. Returns (new TOC, bytes saved).
    """
    import shutil
    import subprocess

    strip = shutil.which("strip")
    if not sys.platform.startswith("linux") or not strip:
        return binaries, 0
    prefixes = {str(Path(p).resolve()) + os.sep for p in (sys.base_prefix, sys.base_exec_prefix)}
    out_dir = Path(workpath) / "stripped"
    out, saved = [], 0
    for entry in binaries:
        dest, src, kind = entry[0], entry[1], entry[2]
        real = str(Path(src).resolve())
        ours = Path(dest).name.startswith("libpython") or "/lib-dynload/" in dest.replace("\\", "/")
        if not ours or not any(real.startswith(p) for p in prefixes):
            out.append(entry)
            continue
        target = out_dir / dest
        try:
            if not target.exists() or target.stat().st_mtime < Path(real).stat().st_mtime:
                target.parent.mkdir(parents=True, exist_ok=True)
                subprocess.run([strip, "--strip-debug", "-o", str(target), real], check=True,
                               capture_output=True)
            saved += Path(real).stat().st_size - target.stat().st_size
            out.append((dest, str(target), kind))
        except (OSError, subprocess.CalledProcessError):
            out.append(entry)
    return out, saved
