"""`/_emulator/` endpoints: switch faults and event settings while the server runs.

Never subject to faults. They need the REST API token (`Authorization: Token ...`) so a
rehearsal server on a shared network cannot be switched by anyone else.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from leadscan.emulator.faults import FaultSpecError
from leadscan.emulator.httputil import ApiError, Request, Response, detail

if TYPE_CHECKING:
    from leadscan.emulator.server import EmulatorServer

PREFIX = "/_emulator/"


class AdminApi:
    def __init__(self, server: EmulatorServer) -> None:
        self.server = server

    def handle(self, req: Request) -> Response:
        route = req.path[len(PREFIX):].strip("/")
        if route == "health":
            return Response(200, {"ok": True})
        store = self.server.store
        assert store is not None
        token = req.auth("Token")
        if token is None:
            raise ApiError(401, {"detail": "Authentication credentials were not provided."})
        if token != store.meta("api_token"):
            raise ApiError(401, {"detail": "Invalid token."})
        if route == "faults":
            if req.method == "GET":
                return Response(200, self._faults())
            if req.method == "DELETE":
                self.server.clear_faults()
                return Response(204)
            if req.method in ("POST", "PUT"):
                body = req.json()
                spec = body.get("spec") if isinstance(body, dict) else None
                if spec is not None and not isinstance(spec, str):
                    raise detail(400, "'spec' must be a string.")
                try:
                    self.server.set_faults(spec)
                except FaultSpecError as exc:
                    raise ApiError(400, {"spec": [str(exc)]}) from None
                return Response(200, self._faults())
        elif route == "event":
            if req.method == "GET":
                return Response(200, self.server.event_settings())
            if req.method in ("PATCH", "POST"):
                body = req.json()
                if not isinstance(body, dict):
                    raise detail(400, "Expected a JSON object.")
                return Response(200, self.server.set_event(**body))
        elif route.startswith("exhibitors/") and route.endswith("/new_access_codes"):
            if req.method != "POST":
                raise ApiError(405, {"detail": f'Method "{req.method}" not allowed.'})
            try:
                return Response(200, self.server.change_access_codes(int(route.split("/")[1])))
            except (ValueError, KeyError):
                raise detail(404, "Not found.") from None
        else:
            raise detail(404, "Not found.")
        raise ApiError(405, {"detail": f'Method "{req.method}" not allowed.'})

    def _faults(self) -> dict[str, Any]:
        cfg = asdict(self.server.faults.config)
        cfg["revoke"] = [{"code": c, "at": t} for c, t in cfg["revoke"]]
        return cfg
