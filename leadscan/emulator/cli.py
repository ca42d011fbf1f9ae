"""`leadscan-emulator init | serve | badges`: one clear line on stderr for expected faults."""

from __future__ import annotations

import argparse
import errno
import json
import signal
import sqlite3
import sys
import threading
from pathlib import Path
from typing import Any

from leadscan.emulator.db import NotInitialised
from leadscan.emulator.faults import FaultSpecError, parse_spec


def _whole_number(low: int, high: int, what: str, noun: str) -> Any:
    """An argparse type: a whole number from `low` to `high`, else a one-line error."""

    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a {noun}: {text!r}") from None
        if not low <= n <= high:
            raise argparse.ArgumentTypeError(f"{what} {low} to {high}, not {n}")
        return n

    return parse


_port = _whole_number(0, 65535, "a port is", "port number")
_page_size = _whole_number(1, 1000, "a page holds", "number")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="leadscan-emulator",
        description="A local pretix exhibitors server (App API + REST API) for demos, tests "
                    "and rehearsals.")
    sub = p.add_subparsers(dest="command", required=True)
    i = sub.add_parser("init", help="create a demo event, attendees and exhibitors")
    i.add_argument("--data", required=True, type=Path, help="data directory")
    i.add_argument("--attendees", type=int, default=300)
    i.add_argument("--seed", type=int, default=None, help="make everything reproducible")
    i.add_argument("--attendee-data", choices=["name", "contact", "all"], default=None,
                   help="attendee data exhibitors see (default: contact = name, email, company)")
    i.add_argument("--force", action="store_true", help="replace an existing data set")
    s = sub.add_parser("serve", help="serve the data set over HTTP")
    s.add_argument("--data", required=True, type=Path)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=_port, default=0, help="0 picks a free port")
    s.add_argument("--faults", default=None, help="fault SPEC, e.g. seed=1,error_rate=0.2")
    s.add_argument("--page-size", type=_page_size, default=50)
    s.add_argument("--verbose", action="store_true", help="log every request to stderr")
    b = sub.add_parser("badges", help="write a PNG badge per attendee and badges.csv")
    b.add_argument("--data", required=True, type=Path)
    b.add_argument("--out", required=True, type=Path)
    return p


def _fail(message: str) -> int:
    print(f"leadscan-emulator: error: {message}", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "init":
            return _init(args)
        if args.command == "serve":
            return _serve(args)
        return _badges(args)
    except NotInitialised as exc:
        return _fail(str(exc))
    except sqlite3.DatabaseError as exc:
        return _fail(f"the emulator database in {args.data} cannot be read ({exc})")
    except KeyboardInterrupt:
        return 130


def _init(args: Any) -> int:
    from leadscan.emulator.dataset import init_dataset

    if args.attendees < 1:
        return _fail("--attendees must be at least 1")
    try:
        info = init_dataset(args.data, attendees=args.attendees, seed=args.seed, force=args.force)
    except (FileExistsError, OSError) as exc:
        return _fail(str(exc))
    if args.attendee_data:
        from leadscan.emulator.db import Store
        from leadscan.emulator.restapi import update_event_settings

        store = Store(args.data)
        try:
            update_event_settings(store, {"attendee_data": args.attendee_data})
        finally:
            store.close()
    print(json.dumps(info, indent=2), flush=True)
    return 0


def _serve(args: Any) -> int:
    from leadscan.emulator.server import EmulatorServer

    try:
        faults = parse_spec(args.faults)
    except FaultSpecError as exc:
        return _fail(f"--faults: {exc}")
    server = EmulatorServer(args.data, host=args.host, port=args.port, faults=faults,
                            page_size=args.page_size, verbose=args.verbose)
    try:
        server.start()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            return _fail(f"port {args.port} on {args.host} is already in use (try --port 0)")
        return _fail(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}")
    done = threading.Event()

    def on_signal(signum: int, frame: object) -> None:
        done.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(server.base_url, flush=True)
    print(f"serving {args.data} (Ctrl+C to stop)" + (f"; faults: {faults.spec}" if faults.spec else ""),
          file=sys.stderr, flush=True)
    try:
        while not done.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


def _badges(args: Any) -> int:
    from leadscan.emulator.badges import write_badges

    try:
        csv_path = write_badges(args.data, args.out)
    except OSError as exc:
        return _fail(f"cannot write badges to {args.out}: {exc.strerror or exc}")
    count = sum(1 for _ in csv_path.open(encoding="utf-8")) - 1
    print(f"{count} badges written to {args.out} (index: {csv_path})", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
