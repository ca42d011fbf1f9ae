"""K51: the kiosk keeps the display on with the desktop's own mechanism. On Linux that is
`org.freedesktop.ScreenSaver.Inhibit` on the session bus: here a real dbus-daemon runs a
private session bus, and a ScreenSaver service (as a desktop provides it) answers on it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the Linux mechanism"),
]

ROOT = Path(__file__).resolve().parents[2]
CHILD = """
import json, sys
from PySide6.QtCore import QCoreApplication
from leadscan.gui.keepawake import KeepAwake
app = QCoreApplication([])
k = KeepAwake().start()
print(json.dumps({"methods": k.methods, "problems": k.problems}), flush=True)
sys.stdin.readline()  # the test checks the inhibition while we run
k.stop()
print(json.dumps({"methods": k.methods}), flush=True)
"""


class ScreenSaverService:
    """org.freedesktop.ScreenSaver on a bus (jeepney): counts Inhibit/UnInhibit calls."""

    def __init__(self, address: str) -> None:
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection

        self.conn = open_dbus_connection(address)
        self.conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.ScreenSaver"))
        self.inhibited: dict[int, tuple[str, str]] = {}
        self.calls: list[str] = []
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        from jeepney import MessageType, new_error, new_method_return

        cookie = 41
        while not self._stop:
            try:
                msg = self.conn.receive(timeout=0.2)
            except TimeoutError:
                continue
            except Exception:  # noqa: BLE001 - connection closed at teardown
                return
            h = msg.header
            if h.message_type is not MessageType.method_call:
                continue
            member = h.fields.get(3)  # HeaderFields.member
            iface = h.fields.get(2)
            if iface == "org.freedesktop.DBus.Introspectable":
                xml = ('<node><interface name="org.freedesktop.ScreenSaver">'
                       '<method name="Inhibit"><arg type="s" direction="in"/>'
                       '<arg type="s" direction="in"/><arg type="u" direction="out"/></method>'
                       '<method name="UnInhibit"><arg type="u" direction="in"/></method>'
                       '</interface></node>')
                self.conn.send(new_method_return(msg, "s", (xml,)))
            elif member == "Inhibit":
                cookie += 1
                self.inhibited[cookie] = tuple(msg.body)
                self.calls.append("Inhibit")
                self.conn.send(new_method_return(msg, "u", (cookie,)))
            elif member == "UnInhibit":
                self.inhibited.pop(int(msg.body[0]), None)
                self.calls.append("UnInhibit")
                self.conn.send(new_method_return(msg))
            else:
                self.conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod"))

    def close(self) -> None:
        self._stop = True
        self.thread.join(timeout=2)
        self.conn.close()


@pytest.fixture
def session_bus(tmp_path: Path) -> Iterator[str]:
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        pytest.skip("dbus-daemon is not installed (scripts/setup.sh installs it)")
    proc = subprocess.Popen([daemon, "--session", "--nofork", "--print-address=1",
                             f"--address=unix:path={tmp_path / 'bus'}"],
                            stdout=subprocess.PIPE, text=True)
    try:
        address = proc.stdout.readline().strip()
        assert address.startswith("unix:"), address
        yield address
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def _child(address: str, tmp_path: Path) -> subprocess.Popen[str]:
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS=address, QT_QPA_PLATFORM="offscreen",
               PATH=str(tmp_path / "bin"))  # no systemd-inhibit: D-Bus alone is checked
    (tmp_path / "bin").mkdir(exist_ok=True)
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_k51_display_inhibited_while_running_and_released_after(session_bus: str,
                                                                tmp_path: Path) -> None:
    service = ScreenSaverService(session_bus)
    try:
        child = _child(session_bus, tmp_path)
        first: Any = json.loads(child.stdout.readline())
        assert "org.freedesktop.ScreenSaver" in first["methods"], first
        assert len(service.inhibited) == 1
        (who, why), = service.inhibited.values()
        assert who == "leadscan" and "display" in why
        child.stdin.write("\n")
        child.stdin.flush()
        assert json.loads(child.stdout.readline())["methods"] == []
        child.wait(timeout=10)
        assert service.calls == ["Inhibit", "UnInhibit"] and service.inhibited == {}
    finally:
        service.close()


def test_no_screensaver_service_is_said_not_raised(session_bus: str, tmp_path: Path) -> None:
    child = _child(session_bus, tmp_path)
    first = json.loads(child.stdout.readline())
    child.stdin.write("\n")
    child.stdin.flush()
    child.wait(timeout=10)
    assert first["methods"] == []
    assert any("ScreenSaver" in p for p in first["problems"]) and child.returncode == 0
