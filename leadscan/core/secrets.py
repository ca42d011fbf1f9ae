"""Where the access code is kept: the OS keyring when one works, else a file only the user
can read (with a notice saying so).

The code is looked up by the data folder it belongs to, so two data folders (two booths,
tests) never share a code. Nothing here logs or raises with the code in the text.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger("leadscan.secrets")

SERVICE = "leadscan"
CODE_FILE = "access_code"
FILE_NOTICE = (
    "No system keyring is available: the access code is kept in a file in the data folder "
    "that only this user account can read."
)


@dataclass(frozen=True)
class Stored:
    where: str  # "keyring" or "file"
    notice: str | None = None


class CredentialStore:
    """Keeps one access code per data folder."""

    def __init__(self, data_dir: Path, *, backend: Any | None = None, use_keyring: bool = True) -> None:
        self.data_dir = Path(data_dir)
        self._user = "access-code:" + hashlib.sha256(str(self.data_dir.resolve()).encode()).hexdigest()[:16]
        self._backend = backend if backend is not None else (_system_keyring() if use_keyring else None)

    @property
    def uses_keyring(self) -> bool:
        return self._backend is not None

    @property
    def notice(self) -> str | None:
        return None if self._backend is not None else FILE_NOTICE

    # -- public ---------------------------------------------------------------------------

    def get(self) -> str | None:
        if self._backend is not None:
            try:
                code = self._backend.get_password(SERVICE, self._user)
            except Exception as exc:  # noqa: BLE001 - any keyring fault: fall back, say why
                log.warning("keyring read failed (%s); using the file", type(exc).__name__)
            else:
                if code:
                    return code
        return self._read_file()

    def set(self, code: str) -> Stored:
        if self._backend is not None:
            try:
                self._backend.set_password(SERVICE, self._user, code)
            except Exception as exc:  # noqa: BLE001
                log.warning("keyring write failed (%s); using the file", type(exc).__name__)
            else:
                self._delete_file()  # never leave a second copy behind
                return Stored("keyring")
        self._write_file(code)
        return Stored("file", FILE_NOTICE)

    def delete(self) -> None:
        if self._backend is not None:
            try:
                self._backend.delete_password(SERVICE, self._user)
            except Exception:  # noqa: BLE001 - not there, or no keyring: nothing to delete
                pass
        self._delete_file()

    # -- file fallback --------------------------------------------------------------------

    @property
    def _path(self) -> Path:
        return self.data_dir / CODE_FILE

    def _read_file(self) -> str | None:
        try:
            text = self._path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("cannot read the access code file (%s)", type(exc).__name__)
            return None
        return text or None

    def _write_file(self, code: str) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, code.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, 0o600)  # umask or an existing file may have left wider bits
        os.replace(tmp, self._path)

    def _delete_file(self) -> None:
        try:
            self._path.unlink()
        except FileNotFoundError:
            pass


def _system_keyring() -> Any | None:
    """The OS keyring if one is really usable here, else None.

    `keyring` answers with a "fail" or "null" backend (priority <= 0) when the system has no
    secret service (headless Linux, CI); those cannot keep anything.
    """
    if os.environ.get("LEADSCAN_NO_KEYRING"):
        return None
    try:
        import keyring
        from keyring.backends import chainer, fail
    except Exception:  # noqa: BLE001 - missing or broken install: use the file
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:  # noqa: BLE001
        return None
    if isinstance(backend, fail.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    try:
        if float(getattr(backend, "priority", 0)) <= 0:
            return None
    except Exception:  # noqa: BLE001
        return None
    return backend
