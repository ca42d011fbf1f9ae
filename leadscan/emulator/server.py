"""The HTTP server: routes requests to the App API, the REST API and the `/_emulator/`
admin endpoints, and applies the active faults on the way out."""

from __future__ import annotations

import socket
import struct
import sys
import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from leadscan.emulator import appapi, restapi
from leadscan.emulator.admin import AdminApi
from leadscan.emulator.dataset import new_access_codes
from leadscan.emulator.db import Store
from leadscan.emulator.faults import FaultConfig, Faults, Plan
from leadscan.emulator.httputil import ApiError, Request, Response, detail

DRIP_PIECE = 16


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = False  # joined on close: no thread outlives stop()
    block_on_close = True
    allow_reuse_address = True  # restart on the same port right away

    def __init__(self, addr: tuple[str, int], emulator: EmulatorServer) -> None:
        self.emulator = emulator
        self.connections: set[socket.socket] = set()
        self.conn_lock = threading.Lock()
        super().__init__(addr, _Handler)

    # Connections are tracked from the moment they are accepted (not when the handler thread
    # gets going), so stop() can always wake a handler waiting on an idle keep-alive socket.
    def process_request(self, request: Any, client_address: Any) -> None:
        with self.conn_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def close_request(self, request: Any) -> None:
        with self.conn_lock:
            self.connections.discard(request)
        super().close_request(request)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "leadscan-emulator"
    sys_version = ""
    timeout = 60  # idle keep-alive connections are closed after this
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server: _HTTPServer

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        if self.server.emulator.verbose:
            sys.stderr.write("%s - %s\n" % (self.address_string(), format % args))

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _request(self) -> Request:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = self._read_chunked()
        else:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
        parts = urlsplit(self.path)
        host = self.headers.get("Host") or "%s:%d" % self.server.server_address[:2]
        return Request(
            method=self.command, path=parts.path, query=dict(parse_qsl(parts.query)),
            headers={k.lower(): v for k, v in self.headers.items()}, body=body,
            base_url=f"http://{host}",
        )

    def _read_chunked(self) -> bytes:
        parts: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline().strip():  # trailers
                    pass
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline()

    def _dispatch(self) -> None:
        emu = self.server.emulator
        try:
            req = self._request()
        except (ValueError, OSError):
            self.close_connection = True
            return
        plan = Plan()
        if req.path.startswith("/_emulator/"):
            resp = self._call(lambda: emu.admin.handle(req))
        else:
            api = "app" if req.path.startswith(appapi.PREFIX) else "rest"
            plan = emu.faults.plan(api)
            if plan.delay and emu.stopping.wait(plan.delay):
                self.close_connection = True
                return
            if plan.status is not None:
                resp = Response(plan.status, plan.body, plan.content_type, dict(plan.headers))
            else:
                resp = self._call(lambda: emu.route(req))
        try:
            self._send(resp, plan)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _call(self, fn: Any) -> Response:
        try:
            return fn()
        except ApiError as err:
            return Response(err.status, err.body, headers=dict(err.headers))
        except Exception:  # a bug in the emulator: say so, keep serving
            traceback.print_exc(file=sys.stderr)
            return Response(500, {"detail": "Internal error in the emulator."})

    def _send(self, resp: Response, plan: Plan) -> None:
        body = resp.payload()
        if plan.after == "truncate" and len(body) > 1:
            body = body[: len(body) // 2]
        self.send_response(resp.status)
        if body or resp.status not in (204, 304):
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Vary", "Accept")
        for k, v in resp.headers.items():
            self.send_header(k, v)
        if resp.status != 204:
            self.send_header("Content-Length", str(len(body)))
        if self.server.emulator.stopping.is_set():
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command == "HEAD" or not body:
            return
        if plan.after == "reset":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self._reset()
        elif plan.after == "drip":
            self.wfile.flush()
            for i in range(0, len(body), DRIP_PIECE):
                if self.server.emulator.stopping.wait(plan.drip):
                    self.close_connection = True
                    return
                self.wfile.write(body[i:i + DRIP_PIECE])
                self.wfile.flush()
        else:
            self.wfile.write(body)

    def _reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), as a crashing proxy would."""
        self.close_connection = True
        for fmt in ("ii", "HH"):  # struct linger: ints on POSIX, u_shorts on Windows
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack(fmt, 1, 0))
                break
            except OSError:
                continue
        self.connection.close()


class EmulatorServer:
    """The emulator, serving `data_dir` on `host:port` from a background thread.

    `port=0` picks a free port on the first start; later starts reuse that port, so a test
    can stop the server ("venue network down") and start it again at the same URL.
    """

    def __init__(
        self,
        data_dir: Path | str,
        host: str = "127.0.0.1",
        port: int = 0,
        faults: FaultConfig | str | None = None,
        *,
        page_size: int = 50,
        verbose: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port
        self.page_size = page_size
        self.verbose = verbose
        self.faults = Faults(faults)
        self.stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.store: Store | None = None

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> EmulatorServer:
        if self._httpd is not None:
            return self
        store = Store(self.data_dir)  # raises NotInitialised
        try:
            httpd = _HTTPServer((self.host, self.port), self)
        except OSError:
            store.close()
            raise
        self.store = store
        self.app = appapi.AppApi(store, self.page_size, self.faults.is_revoked)
        self.rest = restapi.RestApi(store, self.page_size, self.faults.mail_fails)
        self.admin = AdminApi(self)
        self.stopping.clear()
        self._httpd = httpd
        self.port = httpd.server_address[1]
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.02},
            name=f"leadscan-emulator:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self.stopping.set()
        httpd.shutdown()
        with httpd.conn_lock:
            conns = list(httpd.connections)
        for conn in conns:  # wake handlers waiting on idle keep-alive connections
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        httpd.server_close()  # joins the handler threads
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self.store is not None:
            self.store.close()
            self.store = None

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # --- run-time control (the tests' handle; the same as the /_emulator/ endpoints) ---

    def set_faults(self, faults: FaultConfig | str | None) -> FaultConfig:
        """Replace the active faults (None or "" clears them); restarts the request count."""
        return self.faults.set(faults)

    def clear_faults(self) -> None:
        self.faults.set(None)

    def event_settings(self) -> dict[str, Any]:
        assert self.store is not None, "server not started"
        return self.store.meta("event")

    def set_event(self, **changes: Any) -> dict[str, Any]:
        """Change event settings, e.g. `attendee_data="all"`, `allow_notes=False`."""
        assert self.store is not None, "server not started"
        return restapi.update_event_settings(self.store, changes)

    def change_access_codes(self, exhibitor_id: int) -> dict[str, Any]:
        """Give an exhibitor new codes, as an organizer does mid-show: the old ones get 401
        at once. Returns `{id, name, access_code, lead_scanning_access_code}`."""
        assert self.store is not None, "server not started"
        with self.store.tx() as c:
            row = c.execute("SELECT id, name FROM exhibitor WHERE id=?", (exhibitor_id,)).fetchone()
            if row is None:
                raise KeyError(exhibitor_id)
            code, scan_code = new_access_codes(c)
            c.execute("UPDATE exhibitor SET access_code=?, lead_scanning_access_code=? WHERE id=?",
                      (code, scan_code, exhibitor_id))
        return {"id": row["id"], "name": row["name"], "access_code": code,
                "lead_scanning_access_code": scan_code}

    def route(self, req: Request) -> Response:
        if req.path.startswith(appapi.PREFIX):
            return self.app.handle(req)
        if req.path.startswith(restapi.PREFIX):
            return self.rest.handle(req)
        raise detail(404, "Not found.")


