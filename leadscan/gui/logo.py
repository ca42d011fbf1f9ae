"""The event logo from the profile's `logo_url`: fetched on a worker, cached on disk.

Blocking (worker thread only). Offline, the cached copy is used; a logo is decoration, so
every failure just means "no logo" (logged, never shown as an error).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

import httpx

log = logging.getLogger("leadscan.gui.logo")

MAX_BYTES = 2_000_000
TIMEOUT_S = 10.0


def cache_path(cache_dir: Path, url: str) -> Path:
    return Path(cache_dir) / ("logo-" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:24])


def fetch_logo(url: str, cache_dir: Path) -> bytes | None:
    """The logo's bytes (fresh if reachable, else the cached copy), or None."""
    if not url or not url.lower().startswith(("http://", "https://")):
        return None
    path = cache_path(cache_dir, url)
    try:
        with httpx.Client(timeout=TIMEOUT_S, follow_redirects=True) as client:
            with client.stream("GET", url) as resp:
                ctype = resp.headers.get("content-type", "")
                if resp.status_code != 200 or not ctype.startswith("image/"):
                    raise ValueError(f"HTTP {resp.status_code} {ctype or 'no content type'}")
                chunks, size = [], 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > MAX_BYTES:
                        raise ValueError("logo larger than 2 MB")
                    chunks.append(chunk)
        data = b"".join(chunks)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as exc:
            log.info("logo not cached: %s", exc)
        return data
    except (httpx.HTTPError, ValueError, OSError) as exc:
        log.info("logo not fetched (%s); using the cached copy if any", exc)
    try:
        return path.read_bytes()
    except OSError:
        return None
