"""Access code storage: OS keyring when usable, else a 0600 file with a notice."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

from leadscan.core.secrets import FILE_NOTICE, CredentialStore, _system_keyring

CODE = "ABCD1234"


class MemoryKeyring(KeyringBackend):
    """A keyring backend keeping secrets in memory: stands in for the OS secret service,
    which cannot run on a headless test machine."""

    # 0 keeps keyring's own discovery from picking this class up for the rest of the run.
    priority = 0  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.items:
            raise PasswordDeleteError("not there")
        del self.items[(service, username)]


class LockedKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("locked")


def test_with_keyring_nothing_on_disk(tmp_path: Path) -> None:
    ring = MemoryKeyring()
    store = CredentialStore(tmp_path, backend=ring)
    stored = store.set(CODE)
    assert stored.where == "keyring" and stored.notice is None
    assert store.get() == CODE
    assert not any(CODE in p.read_text(errors="ignore") for p in tmp_path.rglob("*") if p.is_file())
    store.delete()
    assert store.get() is None and ring.items == {}


def test_without_keyring_file_only_user_can_read(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path, use_keyring=False)
    stored = store.set(CODE)
    assert stored.where == "file" and stored.notice == FILE_NOTICE
    mode = stat.S_IMODE((tmp_path / "access_code").stat().st_mode)
    assert mode == 0o600
    assert CredentialStore(tmp_path, use_keyring=False).get() == CODE
    store.delete()
    assert not (tmp_path / "access_code").exists()


def test_keyring_failure_falls_back_to_file(tmp_path: Path) -> None:
    store = CredentialStore(tmp_path, backend=LockedKeyring())
    assert store.set(CODE).where == "file"
    assert store.get() == CODE


def test_moving_to_keyring_removes_the_file_copy(tmp_path: Path) -> None:
    CredentialStore(tmp_path, use_keyring=False).set("OLDCODE1")
    ring = MemoryKeyring()
    store = CredentialStore(tmp_path, backend=ring)
    assert store.get() == "OLDCODE1"  # found in the file left by a machine without keyring
    store.set(CODE)
    assert not (tmp_path / "access_code").exists()
    assert store.get() == CODE


def test_two_data_folders_never_share_a_code(tmp_path: Path) -> None:
    ring = MemoryKeyring()
    a = CredentialStore(tmp_path / "a", backend=ring)
    b = CredentialStore(tmp_path / "b", backend=ring)
    a.set("AAAA1111")
    assert b.get() is None
    b.set("BBBB2222")
    assert (a.get(), b.get()) == ("AAAA1111", "BBBB2222")


def test_no_usable_keyring_means_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import keyring
    from keyring.backends import fail

    monkeypatch.delenv("LEADSCAN_NO_KEYRING", raising=False)
    monkeypatch.setattr(keyring, "get_keyring", lambda: fail.Keyring())
    assert _system_keyring() is None  # keyring's "fail" backend (no secret service) is none
    store = CredentialStore(tmp_path)
    assert not store.uses_keyring and store.set(CODE).where == "file"


def test_env_switch_disables_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADSCAN_NO_KEYRING", "1")
    assert _system_keyring() is None
