"""`leadscan ...`: headless commands over core.booth, for scripting, support and tests.

Expected faults (LeadscanError) print one line to stderr and exit 1; anything else prints
one line naming the log file (where the traceback went) and exits 70. Qt is imported only
for the GUI (no subcommand, `gui`, `--demo`, `--kiosk`), so the CLI starts fast.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from . import __version__, paths

log = logging.getLogger("leadscan.cli")

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_PENDING = 3  # `sync`: leads are still waiting
EXIT_BUG = 70
EXIT_BROKEN_PIPE = 141  # as a program killed by SIGPIPE (128 + 13) reports it


def _gui_options(p: argparse.ArgumentParser, default: Any) -> None:
    p.add_argument("--demo", action="store_true", default=default,
                   help="start the GUI with a local demo server")
    p.add_argument("--kiosk", action="store_true", default=default, help="start the GUI in kiosk mode")
    p.add_argument("--camera", metavar="SRC", default=default,
                   help="GUI: camera index, camera name, video file, or none")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="leadscan", description="Offline-first lead scanning for exhibitors.")
    p.add_argument("--version", action="version", version=f"leadscan {__version__}")
    p.add_argument("--data-dir", metavar="DIR", help="where leads and settings are kept")
    _gui_options(p, None)
    p.set_defaults(demo=False, kiosk=False)
    # --data-dir may also follow the command (`leadscan status --data-dir D`, _SubParser)
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_SubParser)

    g = sub.add_parser("gui", help="start the desktop app (the default)")
    _gui_options(g, argparse.SUPPRESS)

    s = sub.add_parser("login", help="check an access code and keep it")
    s.add_argument("--server", required=True, metavar="URL")
    s.add_argument("--code", required=True, metavar="CODE")
    s.add_argument("--device-name", metavar="NAME")

    s = sub.add_parser("logout", help="forget the access code")
    s.add_argument("--force", action="store_true", help="even if leads are not uploaded yet")

    s = sub.add_parser("scan", help="decode every QR code in images/videos and queue each")
    s.add_argument("files", nargs="+", metavar="FILE")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("add", help="queue a code as if typed")
    s.add_argument("code", metavar="CODE")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("edit", help="change notes, rating or tags of a lead")
    s.add_argument("code", metavar="CODE")
    s.add_argument("--notes", metavar="TEXT")
    s.add_argument("--rating", metavar="N")
    s.add_argument("--tags", metavar="a,b", help="comma-separated; empty string clears")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("retry", help="queue a rejected lead again")
    s.add_argument("code", metavar="CODE")

    s = sub.add_parser("sync", help="one upload pass; exit 0 only when nothing is left pending")
    s.add_argument("--json", action="store_true")
    s.add_argument("--pull", action="store_true", help="also fetch the booth's leads from the server")

    s = sub.add_parser("pull", help="fetch the leads other devices of the booth scanned")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("status", help="counts, last sync, problems")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("leads", help="list local leads")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("export", help="write every lead to a CSV file (opens in Excel)")
    s.add_argument("--csv", required=True, metavar="FILE")

    s = sub.add_parser("decode", help="print the codes in image/video files (queues nothing)")
    s.add_argument("files", nargs="+", metavar="FILE")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("wipe", help="after the show: delete every lead and the access code from this computer")
    s.add_argument("--yes", action="store_true", help="do it (without it, only says what would go)")
    s.add_argument("--delete-not-uploaded", action="store_true",
                   help="second confirmation: also delete leads the server does not hold")

    s = sub.add_parser("auto-wipe", help="wipe automatically N days after the event ends")
    s.add_argument("days", metavar="DAYS|off")

    s = sub.add_parser("selfcheck", help="check that decoders, Qt and audio can load")
    s.add_argument("--json", action="store_true")
    return p


class _SubParser(argparse.ArgumentParser):
    """Every subcommand also takes the global --data-dir."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not any("--data-dir" in a.option_strings for a in self._actions):
            self.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS,
                              help="where leads and settings are kept")


def shown(text: Any) -> str:
    """A code (or a name from the server) safe to print on a terminal: control and
    invisible characters escaped, exactly as the GUI shows codes. File names and messages
    go through `one_line` (backslashes in Windows paths stay single)."""
    from .core.scan.payload import display_code

    return display_code("" if text is None else str(text))


def _iso(dt: Any) -> str | None:
    return dt.isoformat() if dt is not None else None


def lead_json(lead: Any) -> dict[str, Any]:
    return {
        "code": lead.code if lead.code else None,
        "scanned": lead.scanned.isoformat(),
        "seq": lead.seq,
        "notes": lead.notes,
        "rating": lead.rating,
        "tags": list(lead.tags),
        "state": lead.state.value,
        "reason": lead.reason,
        "source": lead.source.value,
        "device_name": lead.device_name,
        "device_uuid": lead.device_uuid,
        "fields": [f.to_json() for f in lead.fields],
        "synced_at": _iso(lead.synced_at),
    }


def status_json(st: Any) -> dict[str, Any]:
    prof = st.profile
    return {
        "pending": st.pending,
        "synced": st.synced,
        "rejected": st.rejected,
        "last_sync": _iso(st.last_sync),
        "online": st.online,
        "logged_in": st.logged_in,
        "auth_needed": st.auth_needed,
        "problem": st.problem,
        "problems": list(st.problems),
        "next_attempt_at": _iso(st.next_attempt_at),
        "clock_skew_seconds": st.clock_skew_seconds,
        "profile": None if prof is None else {
            "exhibitor": prof.name,
            "booth": prof.booth,
            "event": prof.event.display_name(),
            "event_slug": prof.event.slug,
            "organizer": prof.event.organizer,
            "notes_allowed": prof.notes_allowed,
            "tags": list(prof.tags),
        },
    }


def _out(obj: Any) -> None:
    print(json.dumps(obj, ensure_ascii=False, indent=None))


def _parse_rating(text: str | None) -> Any:
    from .core.errors import LeadscanError
    from .core.models import UNSET

    if text is None:
        return UNSET
    if text.strip().lower() in ("", "none"):
        return None
    try:
        return int(text)
    except ValueError:
        raise LeadscanError(f"--rating must be a number from 0 to 5, not {text!r}") from None


def run(args: argparse.Namespace, data_dir: Path) -> int:
    cmd = args.command
    if cmd == "selfcheck":
        from . import selfcheck

        return int(selfcheck.main([*(["--json"] if args.json else []), "--data-dir", str(data_dir)]) or 0)
    if cmd == "decode":
        from .core.scan import qr

        result = qr.decode_files_json(args.files)
        if args.json:
            _out(result)
        else:
            for entry in result:
                if "error" in entry:  # the message names the file already
                    print(one_line(entry["error"]), file=sys.stderr)
                    continue
                codes = ", ".join(shown(c["code"]) for c in entry["codes"]) or "(no code)"
                print(f"{one_line(entry['file'])}: {codes}")
        return EXIT_ERROR if any("error" in e for e in result) else EXIT_OK

    from .core.booth import Booth  # after `decode`: it needs no database or network stack
    from .core.models import ScanSource

    with _open_booth(data_dir, cmd) as booth:
        if cmd not in ("wipe", "auto-wipe", *READ_ONLY_COMMANDS):
            notice = booth.auto_wipe_if_due()
            if notice:
                print(notice, file=sys.stderr)
        if cmd == "wipe":
            return _wipe(booth, args)
        if cmd == "auto-wipe":
            text = args.days.strip().lower()
            if text in ("off", "never", "none"):
                booth.auto_wipe_days = None
                print("Automatic wipe is off.")
                return EXIT_OK
            if not text.isdigit():
                from .core.errors import LeadscanError

                raise LeadscanError(f"auto-wipe takes a number of days or 'off', not {args.days!r}")
            booth.auto_wipe_days = int(text)
            print(f"Leads will be wiped {int(text)} days after the event ends "
                  "(never while some are not uploaded).")
            return EXIT_OK
        if cmd == "login":
            profile = booth.login(args.server, args.code, args.device_name)
            print(f"Logged in: {shown(profile.name)} at {shown(profile.event.display_name())}")
            return EXIT_OK
        if cmd == "logout":
            if not booth.logged_in:
                print("Not logged in.")
                return EXIT_OK
            booth.logout(force=args.force)
            print("Logged out.")
            return EXIT_OK
        if cmd == "add":
            res = booth.scan(args.code, ScanSource.MANUAL)
            if args.json:
                _out({**lead_json(res.lead), "is_new": res.is_new})
            else:
                print(f"{'Queued' if res.is_new else 'Already scanned'}: {shown(res.lead.code)}")
            return EXIT_OK
        if cmd == "scan":
            return _scan_files(booth, args)
        if cmd == "edit":
            if args.notes is None and args.rating is None and args.tags is None:
                from .core.errors import LeadscanError

                raise LeadscanError("Nothing to change: give --notes, --rating or --tags.")
            tags = None if args.tags is None else [t.strip() for t in args.tags.split(",") if t.strip()]
            lead = booth.edit(args.code, notes=args.notes, rating=_parse_rating(args.rating), tags=tags)
            if args.json:
                _out(lead_json(lead))
            else:
                print(f"Saved: {shown(lead.code)} ({lead.state.value})")
            return EXIT_OK
        if cmd == "retry":
            before = booth.lead(args.code)
            lead = booth.retry(args.code)
            if before is not None and before.state.value != "rejected":
                print(f"{shown(lead.code)} was not refused ({lead.state.value}): nothing to send again.")
            else:
                print(f"{shown(lead.code)}: {lead.state.value}")
            return EXIT_OK
        if cmd == "sync":
            report = booth.sync_once(force=True)
            if args.pull and not report.auth_needed:
                booth.pull()
            if args.json:
                _out({"uploaded": report.uploaded, "rejected": report.rejected,
                      "pending": report.pending, "problem": report.problem,
                      "auth_needed": report.auth_needed})
            else:
                print(f"Uploaded {report.uploaded}, refused {report.rejected}, still pending {report.pending}.")
            if report.problem:
                print(one_line(report.problem), file=sys.stderr)
            return EXIT_OK if report.pending == 0 else EXIT_PENDING
        if cmd == "pull":
            pr = booth.pull()
            if args.json:
                _out(pr.__dict__)
            else:
                print(f"Added {pr.added}, updated {pr.updated}." + (f" {pr.problem}" if pr.problem else ""))
            return EXIT_OK if pr.problem is None else EXIT_ERROR
        if cmd == "status":
            st = booth.status()
            if args.json:
                _out(status_json(st))
            else:
                prof = st.profile
                if not st.logged_in:
                    print("Not logged in" + (f" (last account: {shown(prof.name)} — "
                                             f"{shown(prof.event.display_name())})" if prof else ""))
                else:
                    print(f"{shown(prof.name)} — {shown(prof.event.display_name())}" if prof
                          else "Logged in")
                print(f"pending {st.pending}, synced {st.synced}, rejected {st.rejected}; "
                      f"last sync {_iso(st.last_sync) or 'never'}")
                for p in st.problems:
                    print(f"! {one_line(p)}")
            return EXIT_OK
        if cmd == "leads":
            leads = booth.leads()
            if args.json:
                _out([lead_json(lead) for lead in leads])
            else:
                for lead in leads:
                    extra = f" — {shown(lead.reason)}" if lead.state.value == "rejected" else ""
                    print(f"{lead.scanned:%Y-%m-%d %H:%M} {lead.state.value:8} {shown(lead.code)} "
                          f"{shown(lead.display_name)}{extra}")
            return EXIT_OK
        if cmd == "export":
            n = booth.export_csv(Path(args.csv))
            print(f"Exported {n} leads to {args.csv}")
            return EXIT_OK
    raise AssertionError(f"unhandled command {cmd}")


READ_ONLY_COMMANDS = ("status", "leads", "export")


@contextlib.contextmanager
def _open_booth(data_dir: Path, cmd: str) -> Iterator[Any]:
    """The booth in `data_dir`; for commands that only read, a folder this user may not
    write (a locked USB stick, another user's folder) is read from a temporary copy instead,
    so the leads can still be listed and exported. The copy is removed afterwards."""
    import os
    import shutil
    import tempfile

    from .core.booth import DB_NAME, Booth
    from .core.errors import StoreError

    try:
        booth = Booth(data_dir)
    except StoreError:
        db = data_dir / DB_NAME
        writable = os.access(data_dir, os.W_OK) and (not db.exists() or os.access(db, os.W_OK))
        if cmd not in READ_ONLY_COMMANDS or writable or not db.is_file():
            raise
    else:
        with booth:
            yield booth
        return
    copy = Path(tempfile.mkdtemp(prefix="leadscan-readonly-"))
    try:
        for name in (DB_NAME, f"{DB_NAME}-wal", "device.json"):
            if (data_dir / name).is_file():
                shutil.copyfile(data_dir / name, copy / name)
        print(f"leadscan: {data_dir} cannot be written; showing a copy of its leads "
              "(nothing there is changed).", file=sys.stderr)
        with Booth(copy) as booth:
            yield booth
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def _wipe(booth: Any, args: argparse.Namespace) -> int:
    pending, rejected = booth.not_uploaded()
    total = len(booth.leads())
    if not args.yes:
        print(f"This would delete {total} leads and the access code from this computer "
              f"({pending + rejected} of them are not on the server yet). "
              "Run `leadscan wipe --yes` to do it.")
        return EXIT_OK
    report = booth.wipe(delete_not_uploaded=args.delete_not_uploaded)
    print(f"Wiped {report.deleted} leads"
          + (f" ({report.not_uploaded} were not on the server)." if report.not_uploaded else "."))
    return EXIT_OK


def _scan_files(booth: Any, args: argparse.Namespace) -> int:
    from .core.errors import DecodeError
    from .core.models import ScanSource
    from .core.scan import qr

    queued: list[dict[str, Any]] = []
    failed = False
    for name in args.files:
        try:
            found = qr.decode_file(name)
        except DecodeError as exc:
            print(one_line(exc), file=sys.stderr)
            failed = True
            continue
        if not found:
            print(f"{one_line(name)}: no QR code found", file=sys.stderr)
        for d in found:
            res = booth.scan(d.code, ScanSource.FILE)
            queued.append({"file": str(name), "code": d.code, "is_new": res.is_new})
            if not args.json:
                print(f"{one_line(name)}: {'queued' if res.is_new else 'already scanned'} {shown(d.code)}")
    if args.json:
        _out(queued)
    elif not failed:
        print(f"{sum(q['is_new'] for q in queued)} new leads queued.")
    return EXIT_ERROR if failed else EXIT_OK


def one_line(text: Any) -> str:
    """Messages are printed on one line (some carry a library's own newlines), with control
    characters a user typed or a badge held escaped."""
    from .core.scan.payload import escape_controls

    return escape_controls(" ".join(str(text).split()))


def _silence_stdout() -> None:
    """After EPIPE: point stdout at /dev/null so Python's exit flush cannot fail again."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in (None, "gui") or args.demo or args.kiosk:
        from .gui.app import main as gui_main  # Qt only from here

        return int(gui_main(args) or 0)
    from .core.errors import LeadscanError
    from .core.logs import setup_logging, teardown_logging

    data_dir = paths.data_dir(args.data_dir)
    log_path = setup_logging(data_dir)
    try:
        rc = run(args, data_dir)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below
        return rc
    except LeadscanError as exc:
        from .core.advice import describe

        log.info("%s failed: %s", args.command, exc)
        print(f"leadscan: {one_line(describe(exc))}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `leadscan leads | head`: the reader has all it wanted
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        print("leadscan: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line here, the traceback in the log
        log.exception("unexpected failure in %s", args.command)
        print(f"leadscan: unexpected error ({type(exc).__name__}); details in {log_path}", file=sys.stderr)
        return EXIT_BUG
    finally:
        teardown_logging()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
