"""QR decoding: the only module that imports pyzbar, zxing-cpp or OpenCV's QR detector.

Three libraries, tried in order until one finds a code:
- `zxing`  (zxing-cpp): the default: best hit rate and fastest on the benchmark (docs/scanning.md).
- `zxing-up`: zxing-cpp again on the frame enlarged to 2560 px (small / blurred codes).
- `zbar`   (libzbar via pyzbar's ctypes bindings): fallback. pyzbar's `decode()` cannot switch
           on zbar's binary mode, without which zbar guesses Shift-JIS for UTF-8 content
           (`Müller-42` -> `Mﾃｼller-42`); we drive the loaded library ourselves with
           `qrcode.binary` on, and get the raw bytes.
- `opencv` (cv2.QRCodeDetector, bytes API): last resort, slower and weaker on damage.

Every decoder hands back raw bytes; `payload.bytes_to_code` makes the text, so all agree on
what a code is. Imports are lazy so start-up stays fast and a missing library only disables
its decoder (`available_decoders()` says which and why; K50: scanner-only mode if none).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from leadscan.core.errors import DecodeError
from leadscan.core.scan.payload import bytes_to_code

log = logging.getLogger("leadscan.scan.qr")

#: Order tried by default (benchmark winner first, docs/scanning.md).
DEFAULT_DECODERS: tuple[str, ...] = ("zxing", "zxing-up", "zbar")
#: The three libraries compared in the benchmark ("zxing-up" is a second zxing-cpp pass).
ALL_DECODERS: tuple[str, ...] = ("zxing", "zbar", "opencv")
KNOWN_DECODERS: tuple[str, ...] = ("zxing", "zxing-up", "zbar", "opencv")
UPSCALE_WIDTH = 2560

IMAGE_SUFFIXES = frozenset(
    ".png .jpg .jpeg .bmp .gif .tif .tiff .webp .pgm .ppm .pbm .pnm".split()
)
VIDEO_SUFFIXES = frozenset(".avi .mp4 .m4v .mkv .mov .webm .mpg .mpeg .wmv .mjpeg .mjpg".split())


@dataclass(frozen=True)
class Decoded:
    """One code found in a frame. `raw` holds the decoder's exact bytes."""

    code: str
    raw: bytes
    decoder: str
    ms: float  # time spent in decode_frame until this code was found


@dataclass(frozen=True)
class DecoderStatus:
    name: str
    ok: bool
    detail: str  # version when ok, the reason it did not load otherwise


# --- decoder back ends --------------------------------------------------------------------

RawDecoder = Callable[[np.ndarray], list[bytes]]

_lock = threading.Lock()
_loaded: dict[str, RawDecoder] = {}
_failed: dict[str, str] = {}
_versions: dict[str, str] = {}


def _load_zxing() -> RawDecoder:
    import zxingcpp

    _versions["zxing"] = f"zxing-cpp {_dist_version('zxing-cpp')}".strip()
    formats = zxingcpp.BarcodeFormat.QRCode | zxingcpp.BarcodeFormat.MicroQRCode

    def decode(gray: np.ndarray) -> list[bytes]:
        # `bytes` is the payload without ECI designators; zxing-cpp tries the inverted image
        # by default (tryInvert), so light-on-dark codes decode.
        found = zxingcpp.read_barcodes(gray, formats=formats, try_rotate=True, try_downscale=True)
        return [bytes(r.bytes) for r in found if r.valid]

    return decode


def _load_zxing_up() -> RawDecoder:
    """zxing-cpp on the frame enlarged to 2560 px wide: rescues small, blurred and low-contrast
    codes (modules of ~2 px) at ~15 ms, far cheaper than zbar on a frame without a code."""
    import cv2
    import zxingcpp

    _versions["zxing-up"] = f"zxing-cpp {_dist_version('zxing-cpp')} on 2560 px".strip()
    formats = zxingcpp.BarcodeFormat.QRCode | zxingcpp.BarcodeFormat.MicroQRCode

    def decode(gray: np.ndarray) -> list[bytes]:
        f = UPSCALE_WIDTH / gray.shape[1]
        if f < 1.2:
            return []  # already large: the plain pass saw it all
        big = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_CUBIC)
        found = zxingcpp.read_barcodes(big, formats=formats, try_rotate=True, try_downscale=False)
        return [bytes(r.bytes) for r in found if r.valid]

    return decode


def _zbar_version(lib: Any) -> str:
    """The libzbar version, asked with the library's own three-pointer prototype.

    pyzbar declares `zbar_version(major, minor)`, but libzbar >= 0.23 writes a third value
    (patch) through a third pointer: called pyzbar's way it writes through whatever that
    argument register holds and can crash the process. So the function is declared here."""
    from ctypes import POINTER, byref, c_int, c_uint

    fn = lib.zbar_version
    fn.restype = c_int
    fn.argtypes = [POINTER(c_uint), POINTER(c_uint), POINTER(c_uint)]
    major, minor, patch = c_uint(), c_uint(), c_uint()
    fn(byref(major), byref(minor), byref(patch))
    return f"libzbar {major.value}.{minor.value}.{patch.value}"


def _load_zbar() -> RawDecoder:
    from ctypes import byref, c_int, c_void_p, cast, string_at

    from pyzbar import wrapper as zw  # loads libzbar (ImportError if missing)

    _versions["zbar"] = _zbar_version(zw.load_libzbar())

    def parse(setting: bytes) -> tuple[int, int, int]:
        sym, cfg, val = c_int(), c_int(), c_int()
        if zw.zbar_parse_config(setting, byref(sym), byref(cfg), byref(val)):
            raise ImportError(f"libzbar does not know the setting {setting.decode()}")
        return sym.value, cfg.value, val.value

    # Asked from the library itself rather than hard-coded: ZBAR_CFG_BINARY is 4 in 0.23.
    settings = [parse(b"disable"), parse(b"qrcode.enable"), parse(b"qrcode.binary")]
    try:
        settings.append(parse(b"test-inverted"))
    except ImportError:
        log.info("libzbar without test-inverted: inverted codes only through other decoders")
    y800 = 0x30303859  # fourcc 'Y800': 8-bit grey
    local = threading.local()

    def scanner() -> Any:
        sc = getattr(local, "scanner", None)
        if sc is None:
            sc = zw.zbar_image_scanner_create()
            if not sc:
                raise RuntimeError("zbar could not create a scanner")
            for sym, cfg, val in settings:
                zw.zbar_image_scanner_set_config(sc, sym, cfg, val)
            local.scanner = sc  # one per thread, kept for the thread's life
        return sc

    def decode(gray: np.ndarray) -> list[bytes]:
        sc = scanner()
        height, width = gray.shape[:2]
        pixels = np.ascontiguousarray(gray).tobytes()
        image = zw.zbar_image_create()
        try:
            zw.zbar_image_set_format(image, y800)
            zw.zbar_image_set_size(image, width, height)
            zw.zbar_image_set_data(image, cast(pixels, c_void_p), len(pixels), None)
            if zw.zbar_scan_image(sc, image) < 0:
                raise RuntimeError("zbar rejected the image format")
            out = []
            sym = zw.zbar_image_first_symbol(image)
            while sym:
                out.append(string_at(zw.zbar_symbol_get_data(sym), zw.zbar_symbol_get_data_length(sym)))
                sym = zw.zbar_symbol_next(sym)
            return out
        finally:
            zw.zbar_image_destroy(image)

    return decode


def _load_opencv() -> RawDecoder:
    import cv2

    if not hasattr(cv2, "QRCodeDetector") or not hasattr(cv2.QRCodeDetector, "detectAndDecodeBytes"):
        raise ImportError(f"OpenCV {cv2.__version__} has no QRCodeDetector bytes API (needs 4.11+)")
    _versions["opencv"] = f"OpenCV {cv2.__version__}"
    local = threading.local()

    def decode(gray: np.ndarray) -> list[bytes]:
        det = getattr(local, "det", None)
        if det is None:
            det = local.det = cv2.QRCodeDetector()
        for img in (gray, None):
            if img is None:
                img = 255 - gray  # OpenCV does not try light-on-dark itself
            data, points, _ = det.detectAndDecodeBytes(img)
            if data:
                return [bytes(data)]
        return []

    return decode


def _dist_version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return ""


_LOADERS: dict[str, Callable[[], RawDecoder]] = {
    "zxing": _load_zxing,
    "zxing-up": _load_zxing_up,
    "zbar": _load_zbar,
    "opencv": _load_opencv,
}


def _get(name: str) -> RawDecoder | None:
    if name not in _LOADERS:
        raise ValueError(f"unknown decoder {name!r} (known: {', '.join(KNOWN_DECODERS)})")
    with _lock:
        if name in _loaded:
            return _loaded[name]
        if name in _failed:
            return None
        try:
            fn = _LOADERS[name]()
        except Exception as exc:  # ImportError, OSError from ctypes, ...: decoder unavailable
            _failed[name] = f"{type(exc).__name__}: {exc}"
            log.warning("QR decoder %s unavailable: %s", name, _failed[name])
            return None
        _loaded[name] = fn
        return fn


def available_decoders(names: Iterable[str] = ALL_DECODERS) -> list[DecoderStatus]:
    """Load each decoder (once) and report which work and why the others do not."""
    out = []
    for name in names:
        fn = _get(name)
        if fn is None:
            out.append(DecoderStatus(name, False, _failed.get(name, "not loaded")))
        else:
            out.append(DecoderStatus(name, True, _versions.get(name, name)))
    return out


def default_chain() -> tuple[str, ...]:
    """DEFAULT_DECODERS that loaded; OpenCV alone if none of them did (K50)."""
    chain = tuple(n for n in DEFAULT_DECODERS if _get(n) is not None)
    if not chain and _get("opencv") is not None:
        chain = ("opencv",)
    return chain


def missing_decoders_message(statuses: Sequence[DecoderStatus] | None = None) -> str | None:
    """Banner text when no camera decoder can run (scanner-only mode); None if one can."""
    statuses = available_decoders(ALL_DECODERS) if statuses is None else statuses
    if any(s.ok for s in statuses):
        return None
    reasons = "; ".join(f"{s.name}: {s.detail}" for s in statuses)
    return f"Camera scanning unavailable (no QR decoder could load: {reasons}). USB scanner and typing still work."


# --- frames -------------------------------------------------------------------------------


def to_gray(frame: np.ndarray) -> np.ndarray:
    """BGR/BGRA/grey uint8 frame -> contiguous 2-D grey image."""
    if frame.ndim == 2:
        gray = frame
    elif frame.ndim == 3 and frame.shape[2] in (3, 4):
        try:
            import cv2

            code = cv2.COLOR_BGR2GRAY if frame.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
            gray = cv2.cvtColor(frame, code)
        except ImportError:
            gray = (frame[..., :3].astype(np.float32) @ np.array([0.114, 0.587, 0.299], np.float32))
            gray = gray.clip(0, 255)
    elif frame.ndim == 3 and frame.shape[2] == 1:
        gray = frame[..., 0]
    else:
        raise ValueError(f"not an image frame: shape {frame.shape}")
    if gray.dtype != np.uint8:
        gray = gray.astype(np.uint8)
    return np.ascontiguousarray(gray)


def decode_frame(frame: np.ndarray, decoders: Sequence[str] | None = None) -> list[Decoded]:
    """All QR codes in one frame, from the first decoder (in order) that finds any.

    A decoder that is not installed is skipped; one that fails on this frame is logged and
    skipped. Codes are unique per frame (by raw bytes).
    """
    t0 = time.perf_counter()
    gray = to_gray(frame)
    for name in decoders or default_chain():
        fn = _get(name)
        if fn is None:
            continue
        try:
            raws = fn(gray)
        except Exception:  # a decoder bug must not take the camera down
            log.exception("QR decoder %s failed on a %sx%s frame", name, gray.shape[1], gray.shape[0])
            continue
        if raws:
            ms = (time.perf_counter() - t0) * 1000.0
            seen: set[bytes] = set()
            out = []
            for raw in raws:
                if raw not in seen:
                    seen.add(raw)
                    out.append(Decoded(bytes_to_code(raw), raw, name, round(ms, 2)))
            return out
    return []


# --- files --------------------------------------------------------------------------------


def _read_image(path: Path) -> np.ndarray | None:
    """Image file -> BGR/grey array, or None if it is not an image we can read."""
    import cv2

    if path.stat().st_size > 200_000_000:  # not an image; do not pull it into memory
        return None
    data = np.fromfile(str(path), dtype=np.uint8)  # works with non-ASCII paths on Windows too
    if data.size:
        img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
        if img is not None:
            if img.dtype != np.uint8:  # 16-bit PNG/TIFF
                img = (img / 257).astype(np.uint8)
            return img
    try:  # formats OpenCV lacks (e.g. GIF)
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(path) as im:
                return np.asarray(im.convert("L"))
        except (UnidentifiedImageError, OSError):
            return None
    except ImportError:
        return None


def iter_video_frames(path: Path) -> Iterable[np.ndarray] | None:
    """Every frame of a video file, or None if OpenCV cannot open it as a video."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        cap.release()
        return None
    ok, first = cap.read()
    if not ok or first is None:
        cap.release()
        return None

    def frames() -> Iterable[np.ndarray]:
        try:
            frame = first
            while True:
                yield frame
                ok, frame = cap.read()
                if not ok or frame is None:
                    return
        finally:
            cap.release()

    return frames()


def decode_file(path: str | Path, decoders: Sequence[str] | None = None) -> list[Decoded]:
    """Every QR code in an image, or in every frame of a video (each code once, first sighting).

    Raises DecodeError with a readable message for a missing or unreadable file. A readable
    file without a code gives [].
    """
    p = Path(path)
    if not p.exists():
        raise DecodeError(f"{p}: file not found")
    if p.is_dir():
        raise DecodeError(f"{p}: is a folder, not an image or video file")
    suffix = p.suffix.lower()
    try:
        with open(p, "rb"):
            pass
        img = None if suffix in VIDEO_SUFFIXES else _read_image(p)
    except PermissionError as exc:
        raise DecodeError(f"{p}: cannot open the file (permission denied)") from exc
    except OSError as exc:
        raise DecodeError(f"{p}: cannot read the file ({exc.strerror or exc})") from exc
    if img is not None:
        return decode_frame(img, decoders)
    frames = None if suffix in IMAGE_SUFFIXES else iter_video_frames(p)
    if frames is None:
        raise DecodeError(f"{p}: not an image or video file that can be read")
    found: dict[bytes, Decoded] = {}
    for frame in frames:
        for d in decode_frame(frame, decoders):
            found.setdefault(d.raw, d)
    return list(found.values())


def decode_files_json(paths: Iterable[str | Path], decoders: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """For `leadscan decode FILE... --json`: one object per file, never raises for a bad file.

    `{"file": path, "codes": [{"code", "decoder", "ms"}]}`, plus `"error"` (a readable
    message) when the file could not be read.
    """
    out: list[dict[str, Any]] = []
    for path in paths:
        entry: dict[str, Any] = {"file": str(path), "codes": []}
        try:
            entry["codes"] = [
                {"code": d.code, "decoder": d.decoder, "ms": d.ms} for d in decode_file(path, decoders)
            ]
        except DecodeError as exc:
            entry["error"] = str(exc)
        out.append(entry)
    return out
