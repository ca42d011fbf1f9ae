"""Self-check: which libraries leadscan can load on this machine, and what it does without them.

Booth laptops get a PyInstaller bundle and nobody at the booth can read a traceback. At start
the app asks this module what works; a missing piece becomes a *finding* naming the piece and
the fallback (K50: no QR decoder -> scanner-only mode with a banner), not a crash.

Qt-free: this module never imports PySide6 (it must run before QApplication exists, and
when Qt itself is what is broken). The Qt checks look at the plugin files and, on Linux, load
them with the dynamic loader, which finds a missing system library (libxcb-cursor0, libpulse0)
the same way Qt would, without starting Qt.

API for the GUI (and the `leadscan selfcheck` command)
------------------------------------------------------
`Finding(component, ok, detail, fallback=None, env={})`
    component  one of COMPONENTS: "qt", "qt-platform", "qt-multimedia", "zbar", "zxing-cpp",
               "opencv", "qr-decoders", "data-dir"
    ok         True when the piece works
    detail     one line for a support person: version and path when ok, the reason when not
    fallback   when not ok: what the app does instead, in words for booth staff
               ("Scanner-only mode: ..."). None when not ok means there is no way around
               it: the finding is *fatal* (`finding.fatal`)
    env        environment variables that apply the fallback (only "qt-platform" uses it:
               e.g. {"QT_QPA_PLATFORM": "wayland"} when xcb cannot load but wayland can;
               set them before creating QApplication)
    `to_dict()` gives the JSON form.

`check_qt()`        fast (no Qt, numpy or OpenCV import): call it BEFORE QApplication. If a
                    finding is fatal, QApplication would abort the process; show the
                    finding's text another way (stderr / log) and exit non-zero.
`check_decoders()`  imports numpy, OpenCV, zxing-cpp and libzbar (~0.3 s): run it in the
                    background (tasks lane), then show `banner_text()` if it returns text.
`check_data_dir(path)`  is the data folder writable (portable mode on a read-only stick)?
`run_checks(data_dir=None)`  all of the above, in that order.
`can_run(findings)`  False when any finding is fatal.
`banner_text(findings)` one short paragraph naming what is missing and the fallback, for a
                    banner; None when nothing is missing.
`main(argv)`        prints the findings (`--json` for one JSON object); exit 0 when the app
                    can run (possibly with limits), 1 when it cannot.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

COMPONENTS = ("qt", "qt-platform", "qt-multimedia", "zbar", "zxing-cpp", "opencv", "qr-decoders",
              "data-dir")

EXIT_OK = 0
EXIT_CANNOT_RUN = 1

SCANNER_ONLY = ("Scanner-only mode: the camera cannot read badges, but a USB scanner and "
                "typing the code still work.")


@dataclass(frozen=True)
class Finding:
    component: str
    ok: bool
    detail: str
    fallback: str | None = None
    env: dict[str, str] = field(default_factory=dict)

    @property
    def fatal(self) -> bool:
        return not self.ok and self.fallback is None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["fatal"] = self.fatal
        return d


# --- helpers --------------------------------------------------------------------------------


def frozen_base() -> Path | None:
    """The bundle's folder (`sys._MEIPASS`) in a PyInstaller build, else None."""
    base = getattr(sys, "_MEIPASS", None)
    return Path(base) if base and getattr(sys, "frozen", False) else None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _dlopen(path: Path) -> str | None:
    """Load a shared library the way Qt would; None when it loads, else the loader's reason.

    Linux only (where missing system libraries are the usual failure). Elsewhere None.
    """
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        with _quiet_stderr():  # Qt libraries log from their initialisers (e.g. pipewire probing)
            ctypes.CDLL(str(path), mode=os.RTLD_LAZY | os.RTLD_LOCAL)
    except OSError as exc:
        msg = str(exc)
        # "…/libqxcb.so: libxcb-cursor.so.0: cannot open shared object file: …" -> the name
        parts = [p.strip() for p in msg.split(":")]
        for i, p in enumerate(parts):
            if "cannot open shared object file" in p and i > 0:
                return f"needs {parts[i - 1]}, which is not installed"  # as Qt would fail
        prefix = f"{path}: "
        return f"cannot be loaded ({msg[len(prefix):] if msg.startswith(prefix) else msg})"
    return None


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Silence file descriptor 2 for a moment (C libraries write there directly)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (OSError, AttributeError, ValueError):
        yield
        return
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _pyside_dir() -> Path | None:
    """PySide6's package folder, found without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return None
    if spec is None:
        return None
    locs = list(spec.submodule_search_locations or [])
    if locs:
        return Path(locs[0])
    return Path(spec.origin).parent if spec.origin else None


def qt_plugin_dirs() -> list[Path]:
    """Where Qt looks for plugins: QT_PLUGIN_PATH entries, then PySide6's own folder."""
    dirs = [Path(p) for p in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep) if p]
    pkg = _pyside_dir()
    if pkg is not None:
        dirs.append(pkg / "plugins" if sys.platform.startswith("win") else pkg / "Qt" / "plugins")
    seen: set[str] = set()
    out = []
    for d in dirs:
        if str(d) not in seen and d.is_dir():
            seen.add(str(d))
            out.append(d)
    return out


def _qt_lib_dir(pkg: Path) -> Path:
    return pkg if sys.platform.startswith("win") else pkg / "Qt" / "lib"


def _plugin_file(name: str, plugin_dirs: Iterable[Path]) -> Path | None:
    """The platform plugin file for QT_QPA_PLATFORM name `name` (xcb, wayland, offscreen, ...)."""
    stems = {f"q{name}", f"libq{name}"}
    if name == "wayland":  # Qt < 6.8 shipped wayland-egl and wayland-generic instead
        stems |= {"qwayland-egl", "libqwayland-egl", "qwayland-generic", "libqwayland-generic"}
    for d in plugin_dirs:
        folder = d / "platforms"
        if not folder.is_dir():
            continue
        for f in sorted(folder.iterdir()):
            stem = f.name.split(".")[0]
            if stem.endswith("d") and sys.platform.startswith("win") and stem[:-1] in stems:
                continue  # debug build of the plugin
            if stem in stems:
                return f
    return None


def requested_platforms(environ: dict[str, str] | None = None) -> list[str]:
    """The Qt platform plugins Qt will try, in order (QT_QPA_PLATFORM or Qt's default)."""
    env = os.environ if environ is None else environ
    value = env.get("QT_QPA_PLATFORM", "").strip()
    if value:
        return [p.split(":")[0].strip() for p in value.split(";") if p.strip()]
    if sys.platform.startswith("win"):
        return ["windows"]
    if sys.platform == "darwin":
        return ["cocoa"]
    if env.get("WAYLAND_DISPLAY") or env.get("XDG_SESSION_TYPE") == "wayland":
        return ["wayland", "xcb"]
    return ["xcb"]


def _display_problem(name: str, env: dict[str, str]) -> str | None:
    if not sys.platform.startswith("linux"):
        return None
    if name == "xcb" and not env.get("DISPLAY"):
        return "no X11 display (DISPLAY is not set)"
    if name.startswith("wayland") and not env.get("WAYLAND_DISPLAY"):
        return "no Wayland display (WAYLAND_DISPLAY is not set)"
    return None


# --- checks -------------------------------------------------------------------------------


def check_qt(environ: dict[str, str] | None = None) -> list[Finding]:
    """Qt bindings, the platform plugin Qt will use, QtMultimedia (sounds). No Qt import."""
    env = dict(os.environ if environ is None else environ)
    findings: list[Finding] = []
    pkg = _pyside_dir()
    if pkg is None:
        findings.append(Finding("qt", False, "PySide6 (Qt for Python) is not installed"))
        findings.append(Finding("qt-platform", False, "no Qt, so no platform plugin"))
        findings.append(Finding("qt-multimedia", False, "no Qt", "No sounds; each scan is still shown."))
        return findings
    widgets = [p for p in pkg.glob("QtWidgets*") if p.suffix in (".so", ".pyd", ".dylib")]
    if not widgets:
        findings.append(Finding("qt", False, f"PySide6 at {pkg} has no QtWidgets module"))
    else:
        findings.append(Finding("qt", True, f"PySide6 at {pkg}"))

    dirs = qt_plugin_dirs()
    names = requested_platforms(env)
    tried: list[str] = []
    working: list[str] = []
    for name in names:
        plugin = _plugin_file(name, dirs)
        if plugin is None:
            tried.append(f"{name}: plugin not found")
            continue
        problem = _dlopen(plugin)
        if problem:
            tried.append(f"{name}: {plugin.name} {problem}")
            continue
        display = _display_problem(name, env)
        if display:
            tried.append(f"{name}: {display}")
            continue
        working.append(name)
        break
    where = ", ".join(str(d) for d in dirs) or "(no plugin folder found)"
    if working and working[0] == names[0]:
        findings.append(Finding("qt-platform", True, f"{working[0]} ({_plugin_file(working[0], dirs)})"))
    elif working:
        findings.append(Finding(
            "qt-platform", True,
            f"{working[0]} (after {'; '.join(tried)})"))
    else:
        # Would another plugin work? Offer it (e.g. xcb broken on a Wayland desktop).
        alternatives = [n for n in ("wayland", "xcb") if n not in names]
        alt = None
        for n in alternatives:
            plugin = _plugin_file(n, dirs)
            if plugin is not None and _dlopen(plugin) is None and _display_problem(n, env) is None:
                alt = n
                break
        detail = f"Qt cannot open a window: {'; '.join(tried)} (plugins in {where})"
        if alt:
            findings.append(Finding("qt-platform", False, detail,
                                    f"Start with the {alt} platform plugin instead.",
                                    {"QT_QPA_PLATFORM": alt}))
        else:
            findings.append(Finding("qt-platform", False, detail))

    findings.append(_check_multimedia(pkg))
    return findings


def _check_multimedia(pkg: Path) -> Finding:
    fallback = "No sounds; each scan is still shown on screen."
    module = [p for p in pkg.glob("QtMultimedia.*") if p.suffix in (".so", ".pyd", ".dylib")]
    if not module:
        return Finding("qt-multimedia", False, "QtMultimedia is not installed / not in the bundle",
                       fallback)
    libdir = _qt_lib_dir(pkg)
    lib = next(iter(sorted(libdir.glob("libQt6Multimedia.so*"))), None) if libdir.is_dir() else None
    if lib is not None:
        problem = _dlopen(lib)  # on Linux links libpulse: the audio library
        if problem:
            return Finding("qt-multimedia", False, f"QtMultimedia: {lib.name} {problem}", fallback)
    return Finding("qt-multimedia", True, f"QtMultimedia ({module[0].name})")


def _zbar_library_path() -> str | None:
    """Path of the libzbar this process loaded (after pyzbar loaded it), if known."""
    wrapper = sys.modules.get("pyzbar.wrapper")
    lib = getattr(wrapper, "LIBZBAR", None) if wrapper else None
    name = getattr(lib, "_name", None)
    if sys.platform.startswith("linux"):
        try:
            with open("/proc/self/maps", encoding="utf-8", errors="replace") as fh:
                for line in fh:
                    path = line.rsplit(None, 1)[-1] if "/" in line else ""
                    if "libzbar" in Path(path).name:
                        return path
        except OSError:
            pass
    return name


def check_decoders() -> list[Finding]:
    """zbar, zxing-cpp, OpenCV and the QR decoder summary. Imports them (~0.3 s)."""
    findings: list[Finding] = []
    try:
        from leadscan.core.scan import qr

        statuses = {s.name: s for s in qr.available_decoders(qr.ALL_DECODERS)}
        default = tuple(qr.DEFAULT_DECODERS)
    except Exception as exc:  # numpy missing or broken: no decoder at all
        reason = _short(exc)
        statuses = {}
        default = ("zxing", "zbar")
        qr_error = reason
    else:
        qr_error = None

    def status(name: str) -> tuple[bool, str]:
        s = statuses.get(name)
        if s is None:
            return False, qr_error or "not loaded"
        return s.ok, s.detail

    zx_ok, zx_detail = status("zxing")
    zb_ok, zb_detail = status("zbar")

    if zb_ok:
        path = _zbar_library_path()
        base = frozen_base()
        if path and base and Path(path).resolve().is_relative_to(base.resolve()):
            zb_detail = f"{zb_detail} (bundled: {path})"
        elif path:
            zb_detail = f"{zb_detail} ({'system: ' if base else ''}{path})"
        findings.append(Finding("zbar", True, zb_detail))
    else:
        hint = "libzbar could not be loaded"
        if "Unable to find zbar shared library" in zb_detail:
            hint = "libzbar is not installed / not in the bundle"
        findings.append(Finding(
            "zbar", False, f"{hint} ({zb_detail})",
            "QR codes are read with zxing-cpp instead." if zx_ok else SCANNER_ONLY))

    if zx_ok:
        findings.append(Finding("zxing-cpp", True, zx_detail))
    else:
        findings.append(Finding(
            "zxing-cpp", False, f"zxing-cpp could not be loaded ({zx_detail})",
            "QR codes are read with zbar instead." if zb_ok else SCANNER_ONLY))

    try:
        import cv2

        backends = []
        try:
            reg = cv2.videoio_registry
            backends = [reg.getBackendName(b) for b in reg.getCameraBackends()]
        except Exception:  # older OpenCV without the registry: not a reason to fail
            pass
        detail = f"OpenCV {cv2.__version__}"
        if backends:
            detail += f" (camera back ends: {', '.join(backends)})"
        findings.append(Finding("opencv", True, detail))
    except Exception as exc:
        findings.append(Finding(
            "opencv", False, f"OpenCV could not be loaded ({_short(exc)})",
            "No camera: a USB scanner and typing the code still work."))

    usable = [n for n in default if status(n)[0]]
    if usable:
        findings.append(Finding("qr-decoders", True, f"camera decoding with {', '.join(usable)}"))
    else:
        reasons = "; ".join(f"{n}: {status(n)[1]}" for n in default)
        findings.append(Finding("qr-decoders", False, f"no QR decoder could load ({reasons})",
                                SCANNER_ONLY))
    return findings


def check_data_dir(path: str | os.PathLike[str] | None = None) -> Finding:
    """Is the data folder (or the folder it will be created in) writable? No side effects."""
    try:
        from leadscan import paths

        d = paths.data_dir(path)
    except Exception as exc:
        return Finding("data-dir", False, f"cannot work out the data folder ({_short(exc)})")
    portable = os.environ.get("LEADSCAN_PORTABLE")
    mode = " (portable mode)" if portable else ""
    if d.exists() and not d.is_dir():
        return Finding("data-dir", False, f"{d}{mode} exists but is not a folder")
    probe = d
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        return Finding("data-dir", False, f"data folder {d}{mode} cannot be created: {probe} is a file")
    if not os.access(probe, os.W_OK | os.X_OK):
        what = "is not writable" if probe == d else f"cannot be created ({probe} is not writable)"
        return Finding("data-dir", False,
                       f"data folder {d}{mode} {what}; choose another with --data-dir or LEADSCAN_DATA_DIR")
    return Finding("data-dir", True, f"{d}{mode}")


def run_checks(*, qt: bool = True, decoders: bool = True, data_dir: str | os.PathLike[str] | None = None,
               check_data: bool = True) -> list[Finding]:
    findings: list[Finding] = []
    if qt:
        findings += check_qt()
    if decoders:
        findings += check_decoders()
    if check_data:
        findings.append(check_data_dir(data_dir))
    return findings


def can_run(findings: Iterable[Finding]) -> bool:
    return not any(f.fatal for f in findings)


def banner_text(findings: Iterable[Finding]) -> str | None:
    """What a banner in the app should say; None when nothing is missing."""
    missing = [f for f in findings if not f.ok]
    if not missing:
        return None
    if any(f.component == "qr-decoders" for f in missing):
        # K50: say it plainly once, and name the pieces.
        names = [f.component for f in missing if f.component in ("zbar", "zxing-cpp", "opencv")]
        return f"{SCANNER_ONLY} Missing: {', '.join(names) or 'QR decoders'}."
    parts = []
    for f in missing:
        parts.append(f"{f.component}: {f.fallback or f.detail}")
    return "Running with limits. " + " ".join(parts)


# --- command line -------------------------------------------------------------------------


def report(findings: Sequence[Finding]) -> dict[str, Any]:
    from leadscan import __version__

    base = frozen_base()
    return {
        "version": __version__,
        "frozen": base is not None,
        "bundle": str(base) if base else None,
        "python": sys.version.split()[0],
        "platform": sys.platform,
        "can_run": can_run(findings),
        "degraded": any(not f.ok for f in findings) and can_run(findings),
        "findings": [f.to_dict() for f in findings],
    }


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="leadscan selfcheck",
                                description="Check which libraries leadscan can use on this computer.")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--data-dir", metavar="DIR", help="data folder to check (default as the app)")
    args = p.parse_args(argv)
    import logging

    if not logging.getLogger().handlers:  # the findings say it; no duplicate warnings on stderr
        logging.getLogger("leadscan").addHandler(logging.NullHandler())
    findings = run_checks(data_dir=args.data_dir)
    rep = report(findings)
    if args.json:
        print(json.dumps(rep, indent=2))
    else:
        where = f"bundle {rep['bundle']}" if rep["frozen"] else f"Python {rep['python']}"
        print(f"leadscan {rep['version']} self-check ({where})")
        width = max(len(f.component) for f in findings)
        for f in findings:
            mark = "ok" if f.ok else ("FAIL" if f.fatal else "MISSING")
            print(f"  {mark:<7} {f.component:<{width}}  {f.detail}")
            if not f.ok and f.fallback:
                print(f"  {'':<7} {'':<{width}}  -> {f.fallback}")
        if not rep["can_run"]:
            print("Result: leadscan cannot start here (see FAIL above).")
        elif rep["degraded"]:
            print("Result: leadscan runs, with limits (see MISSING above).")
        else:
            print("Result: everything leadscan needs is here.")
    return EXIT_OK if rep["can_run"] else EXIT_CANNOT_RUN


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
