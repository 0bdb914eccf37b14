"""The command line of the router: ``python -m workshop_helpers router``, with dcmtk's habits.

Notebook 08's :class:`~workshop_helpers.router.Router` as a program you leave running: it listens
like dcmtk's ``storescp`` (port, ``-aet``, ``-od``), forwards each complete series to every
``--to AE@host:port`` whose ``--match key=value`` rules hold (a ``--match`` belongs to the
``--to`` before it) and prints one line per event as it happens. Ctrl-C or SIGTERM stops it with
status 0; what was not forwarded stays in its tickets on disk and the next start resumes it.

Examples
--------
>>> [d.name for d in destinations_from([("--to", "PACS@127.0.0.1:104"),
...                                     ("--match", "calling_ae=CT01")])]
['PACS@127.0.0.1:104']
>>> destinations_from([("--to", "PACS@127.0.0.1:104"), ("--match", "modality=CT")])
... # doctest: +ELLIPSIS
Traceback (most recent call last):
...
workshop_helpers.tools.CommandError: --match 'modality=CT': unknown key 'modality' (known: ...)
"""

from __future__ import annotations

import argparse
import signal
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydicom.uid

from ..net import NetError, is_valid_uid
from ..net.cli import add_timeout_flags, timeouts_from
from ..net.guard import COURSE_CALLERS, COURSE_CALLING_AES
from ..tools import CommandError
from .core import Router
from .guard import FolderBusy
from .series import Destination, Series

__all__ = ["KEYS", "parse_to", "parse_match", "destinations_from", "Watch", "register_cli"]

#: What a ``--match`` rule may look at: fields of the series' first instance (its Arrival).
KEYS = ("calling_ae", "patient_id", "study_uid", "series_uid", "sop_class_uid")
_UID_KEYS = ("study_uid", "series_uid", "sop_class_uid")
_FINAL = ("done", "handled", "failed")


# --------------------------------------------------------------------------- the command line, checked

def check_ae_title(title: str, where: str) -> str:
    """``title`` without its non-significant spaces, or CommandError (status 2) saying why.

    An AE title has 1 to 16 characters of the default repertoire, no backslash and no control
    character (PS3.5 6.2, VR AE).

    Examples
    --------
    >>> check_ae_title(" PACS ", "-aet")
    'PACS'
    """
    text = title.strip(" ")
    if not 0 < len(text) <= 16:
        raise _bad(where, f"the AE title {title!r} has {len(text)} characters, not 1 to 16 "
                          "(PS3.5 6.2)")
    bad = [c for c in text if c == "\\" or not " " <= c <= "~"]
    if bad:
        raise _bad(where, f"the AE title {title!r} has {bad[0]!r}, which an AE title may not "
                          "hold (PS3.5 6.2)")
    return text


def _bad(where: str, what: str) -> CommandError:
    return CommandError(f"{where}: {what}", status=2)


def parse_to(text: str) -> tuple[str, str, int]:
    """``AE@host:port`` (``AE@[::1]:104`` for IPv6) -> ``(ae, host, port)``; else CommandError 2.

    Examples
    --------
    >>> parse_to("PACS@127.0.0.1:11113")
    ('PACS', '127.0.0.1', 11113)
    >>> parse_to("PACS@127.0.0.1")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workshop_helpers.tools.CommandError: --to 'PACS@127.0.0.1': no ':port' after the host ...
    """
    where = f"--to {text!r}"
    ae, at, address = text.rpartition("@")
    if not at:
        raise _bad(where, "no AE title before '@' (write AE@host:port)")
    ae = check_ae_title(ae, where)
    if address.startswith("["):  # [IPv6]:port
        host, _, rest = address[1:].partition("]")
        colon, port_text = rest[:1], rest[1:]
    else:
        host, colon, port_text = address.rpartition(":")
    if not colon:
        raise _bad(where, "no ':port' after the host (write AE@host:port)")
    if not host.strip():
        raise _bad(where, "no host between '@' and ':'")
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _bad(where, f"the port {port_text!r} is not a number from 1 to 65535")
    try:
        socket.getaddrinfo(host, int(port_text), type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise _bad(where, f"the host {host!r} is not an address this machine can find") from None
    return ae, host, int(port_text)


def parse_match(text: str) -> tuple[str, str]:
    """``key=value`` -> ``(key, value)``, the value checked for its key; else CommandError 2.

    ``sop_class_uid`` also takes pydicom's name of the class, e.g. ``CTImageStorage``.

    Examples
    --------
    >>> parse_match("sop_class_uid=CTImageStorage")
    ('sop_class_uid', '1.2.840.10008.5.1.4.1.1.2')
    """
    where = f"--match {text!r}"
    key, equals, value = (part.strip() for part in text.partition("="))
    if not equals:
        raise _bad(where, "no '=' (write key=value, e.g. calling_ae=CT01)")
    if key not in KEYS:
        raise _bad(where, f"unknown key {key!r} (known: {', '.join(KEYS)})")
    if not value:
        raise _bad(where, "no value after '='")
    if key == "calling_ae":
        value = check_ae_title(value, where)
    if key == "sop_class_uid" and isinstance(getattr(pydicom.uid, value, None), str):
        value = str(getattr(pydicom.uid, value))
    if key in _UID_KEYS and not is_valid_uid(value):
        raise _bad(where, f"{value!r} is not a UID (digits and dots, PS3.5 9.1)")
    return key, value


def destinations_from(routes: list[tuple[str, str]]) -> list[Destination]:
    """The destinations of ``--to`` and ``--match`` pairs, in command-line order.

    ``routes`` holds ``("--to", "AE@host:port")`` and ``("--match", "key=value")``, each
    ``--match`` for the ``--to`` before it. Raises :class:`~workshop_helpers.tools.CommandError`
    (status 2) naming the bad part.
    """
    found: list[tuple[str, str, int, dict[str, str]]] = []
    for option, text in routes:
        if option == "--to":
            found.append((*parse_to(text), {}))
            continue
        if not found:
            raise _bad(f"--match {text!r}", "it comes before any --to: put it after its --to")
        key, value = parse_match(text)
        if key in found[-1][3]:
            raise _bad(f"--match {text!r}", f"{key} is given twice for the same --to")
        found[-1][3][key] = value
    out = [Destination(host, port, ae, match=tuple(rules.items()) or None)
           for ae, host, port, rules in found]
    names = [d.name for d in out]
    for name in names:
        if names.count(name) > 1:
            raise _bad(f"--to {name}", "given twice (one --to per destination)")
    return out


# --------------------------------------------------------------------------- what it prints

class Watch:
    """Finds what happened in a running :class:`Router` since the last look, one line per event.

    It only reads the router's public state: its SCP's ``received`` instances and ``failures``
    (an association refused, an instance not stored), its ``series`` and ``recent`` tables,
    :meth:`Router.status` and :meth:`Router.dead_letters`. With
    ``verbose``, the router's own log lines (each retry, any error) come too.
    """

    def __init__(self, router: Router, verbose: bool = False) -> None:
        self.router, self.verbose = router, verbose
        self._last_arrival: object = None
        self._last_log: object = None
        self._last_refusal: object = None
        self._seen: dict[tuple, dict] = {}

    def lines(self) -> list[str]:
        """The new events, oldest first, each a line starting with the time."""
        rows = self.router.status()  # also brings each series' state up to date
        out = self._arrivals()
        out += [f"{_now()} {text}" for text in self._new(self.router.scp.failures, "_last_refusal")]
        every = _copy(lambda: [*self.router.recent, *self.router.series.values()])
        for s in sorted(every, key=lambda s: s.number):
            out += self._series_lines(s, rows)
        alive = {id(s) for s in every}  # forget series the router no longer shows
        self._seen = {k: v for k, v in self._seen.items() if id(v["series"]) in alive}
        if self.verbose:
            out += [f"{_now()} log {line}" for line in self._new(self.router.log, "_last_log")]
        return out

    def _new(self, items, attribute: str) -> list:
        """Items appended to the deque ``items`` since the last call (found by identity)."""
        snapshot, last = _copy(lambda: list(items)), getattr(self, attribute)
        at = next((k for k in range(len(snapshot) - 1, -1, -1) if snapshot[k] is last), -1)
        if snapshot:
            setattr(self, attribute, snapshot[-1])
        return snapshot[at + 1:]

    def _arrivals(self) -> list[str]:
        return [f"{time.strftime('%H:%M:%S', time.localtime(a.time))} received "
                f"{a.sop_instance_uid} from {a.calling_ae} (series {a.series_uid})"
                + (", a re-send" if a.duplicate else "")
                for a in self._new(self.router.scp.received, "_last_arrival")]

    def _series_lines(self, s: Series, rows: list[dict]) -> list[str]:
        seen = self._seen.get(s.key)
        if seen is None or seen["series"] is not s:
            seen = self._seen[s.key] = {"series": s, "triggered": 0, "sent": {}, "dead": {},
                                        "waiting": set(), "final": ""}
        out = []
        if s.triggered > seen["triggered"]:
            again = " again" if seen["triggered"] else ""
            seen["triggered"] = s.triggered
            out.append(f"{_now()} series {s.series_uid} complete{again}: {s.count} instance(s)")
        for name, d in _copy(lambda: list(s.deliveries.items())):
            sent, dead, waiting = _copy(lambda d=d: (set(d.sent), set(d.dead), set(d.waiting)))
            shown = seen["sent"].setdefault(name, set())
            shown -= waiting  # a corrected re-send is sent (and shown) again
            out += [f"{_now()} sent {_uid(t)} to {name}" for t in sorted(sent - shown)]
            shown |= sent
            buried, seen["dead"][name] = seen["dead"].get(name, set()), dead
            if dead - buried:
                reasons = {(x.destination, x.instance): x.reason for x in self.router.dead_letters()}
                out += [f"{_now()} dead letter {_uid(t)} for {name}: "
                        f"{reasons.get((name, _uid(t)), d.reason)}" for t in sorted(dead - buried)]
            out += self._waiting(s, name, bool(waiting), rows, seen["waiting"])
        if s.state in _FINAL and seen["final"] != s.state:
            out.append(f"{_now()} series {s.series_uid} {s.state}")
        seen["final"] = s.state if s.state in _FINAL else ""
        return out

    @staticmethod
    def _waiting(s: Series, name: str, waiting: bool, rows: list[dict], shown: set) -> list[str]:
        """One line when a destination starts failing for this series (each retry: --verbose)."""
        row = next((r for r in rows if r.get("patient") == s.patient_id
                    and s.series_uid.endswith(r.get("series", "\0"))), {})
        text = str(row.get(name, ""))
        if not (waiting and text.startswith("waiting")):
            shown.discard(name)
            return []
        if name in shown:
            return []
        shown.add(name)
        return [f"{_now()} {name} {text} (series {s.series_uid})"]


def _copy(make: Callable[[], Any]) -> Any:
    """``make()``, tried again if a router thread changed the collection while it was copied."""
    for _ in range(10):
        try:
            return make()
        except RuntimeError:
            time.sleep(0.001)
    return make()


def _uid(ticket: str) -> str:
    return ticket.removesuffix(".json")


def _now() -> str:
    return time.strftime("%H:%M:%S")


# --------------------------------------------------------------------------- the command

def _list_dead(args: argparse.Namespace) -> int:
    """``router --dead``: one line per dead letter (destination, instance, reason); status 0."""
    folder = Path(args.output_directory)
    if not folder.is_dir():
        raise CommandError(f"-od {folder}: no such folder", status=2)
    letters = Router(folder).dead_letters() if (folder / ".router").is_dir() else []
    for d in letters:
        print(f"{d.destination}  {d.instance}  {d.reason}")
    print(f"router: {len(letters)} dead letter(s) in {folder.resolve()}; --retry-dead with the "
          "same --to puts them back" if letters else f"router: no dead letters in {folder.resolve()}")
    return 0


def _describe(router: Router, args: argparse.Namespace) -> list[str]:
    """What the router does, printed once at the start."""
    lines = [f"router: {router.ae_title} listening on 127.0.0.1:{router.port}, storing into "
             f"{router.folder} (Ctrl-C stops)"]
    for d in router.destinations:
        rule = " and ".join(f"{k}={v}" for k, v in d.match or ())
        lines.append(f"  to {d.name}" + (f" when {rule}" if rule else " (every series)"))
    lines.append(f"  a series is complete after {args.quiet:g} s without a new instance"
                 + (f", or at {args.expected} instances" if args.expected else ""))
    callers = "any" if args.any_calling else ", ".join(args.require_calling or ["the course's"])
    lines.append(f"  accepting calling AE titles: {callers}")
    stats = router.stats()   # counts every folder on disk: once
    waiting, dead = _waiting_in(stats), sum(stats["dead"].values())
    if waiting or dead:
        lines.append(f"  resumed from disk: {waiting} instance(s) waiting, {dead} dead letter(s)"
                     + (" (--dead lists them)" if dead else ""))
    return lines


def _cli_router(args: argparse.Namespace) -> int:
    """``router``: check everything, listen, print events until SIGINT/SIGTERM; status 0."""
    destinations = destinations_from(args.routes or [])
    if args.dead:
        return _list_dead(args)
    if not destinations:
        raise CommandError("no --to: say where complete series go (--to AE@host:port)", status=2)
    ae = check_ae_title(args.aetitle, "-aet")
    callers = [check_ae_title(t, "--require-calling") for t in args.require_calling or []]
    if not 0 <= args.port < 65536:
        raise _bad("port", f"{args.port} is not a number from 0 to 65535")
    if args.quiet <= 0:
        raise _bad("--quiet", f"{args.quiet:g} is not a positive number of seconds")
    if args.expected is not None and args.expected < 1:
        raise _bad("--expected", f"{args.expected} is not a number of instances (1 or more)")
    for flag, seconds in (("-to", args.timeout), ("-ta", args.acse_timeout),
                          ("-td", args.dimse_timeout), ("-ts", args.socket_timeout)):
        if seconds <= 0:
            raise _bad(flag, f"{seconds:g} is not a positive number of seconds")
    try:
        timeouts = timeouts_from(args)
        router = Router(args.output_directory, port=args.port, ae_title=ae,
                        destinations=destinations, quiet_seconds=args.quiet,
                        expected=args.expected, timeout=timeouts,
                        allowed_calling_aes=None if args.any_calling else (callers
                                                                            or COURSE_CALLERS))
    except ValueError as exc:
        raise CommandError(str(exc), status=2) from None
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _run(router, args, stop)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run(router: Router, args: argparse.Namespace, stop: threading.Event) -> int:
    try:
        router.start()
    except (FolderBusy, NetError) as exc:
        raise CommandError(str(exc)) from None
    try:
        for line in _describe(router, args):
            print(line, flush=True)
        if args.retry_dead:
            _retry_dead(router)
        watch = Watch(router, verbose=args.verbose)
        while not stop.wait(0.1):
            _show(watch)
        _show(watch)
    finally:
        router.stop()
    waiting = _waiting_in(router.stats())
    print(f"router: stopped; {waiting or 'nothing'} waiting on disk"
          + (" for the next start" if waiting else ""), flush=True)
    return 0


def _waiting_in(stats: dict) -> int:
    """Instances on disk not yet forwarded, from :meth:`Router.stats`."""
    return stats["inbox"] + sum(stats["outbox"].values())


def _show(watch: Watch) -> None:
    """Print what happened; a failure to show it must not stop the routing."""
    try:
        lines = watch.lines()
    except Exception as exc:  # e.g. a folder unreadable for a moment: the router goes on
        lines = [f"{_now()} router: cannot show what happened ({type(exc).__name__}: {exc})"]
    for line in lines:
        print(line, flush=True)


def _retry_dead(router: Router) -> None:
    names = {d.name for d in router.destinations}
    stay = [d for d in router.dead_letters() if d.destination not in names]
    moved = router.retry_dead_letters()
    print(f"router: {moved} dead letter(s) put back in the outbox", flush=True)
    for name in sorted({d.destination for d in stay}):
        print(f"router: the dead letters for {name} stay (give --to {name} to retry them)",
              flush=True)


def register_cli(subparsers: Any) -> None:
    """Add ``router`` (flags shaped like dcmtk's ``storescp``, plus ``--to`` and ``--match``).

    Parameters
    ----------
    subparsers
        What ``argparse.ArgumentParser.add_subparsers()`` returned.
    """
    p = subparsers.add_parser(
        "router", help="receive, store, wait for complete series, forward (a DICOM router)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Receive DICOM instances (as storescp does), decide when a series is\n"
                    "complete, forward it with C-STORE to each --to whose --match rules hold.\n"
                    "Every step is on disk: after Ctrl-C, SIGTERM or a crash, the next start\n"
                    "on the same -od resumes. One line per event: received, complete, sent,\n"
                    "waiting (a destination down: retried), dead letter (refused for good),\n"
                    "done. -to/-ta/-td/-ts: timeouts of its associations with destinations.",
        epilog="examples:\n"
               "  python -m workshop_helpers router 11112 -aet ROUTER -od router \\\n"
               "      --to PACS@127.0.0.1:11113 --match calling_ae=CT01 \\\n"
               "      --to ARCHIVE@127.0.0.1:11114 --quiet 5\n"
               "  python -m workshop_helpers router -od router --dead\n"
               "  python -m workshop_helpers router 11112 -od router "
               "--to PACS@127.0.0.1:11113 --retry-dead")
    p.add_argument("port", type=int, nargs="?", default=11112,
                   help="TCP port to listen on, on 127.0.0.1 (default 11112; 0: any free one)")
    p.add_argument("-aet", "--aetitle", default="ROUTER", help="our AE title (default ROUTER)")
    p.add_argument("-od", "--output-directory", default=".",
                   help="where instances and tickets are stored (default .)")
    # --to and --match go to one list, in the order given: each --match is for the --to before it
    p.add_argument("--to", action="append", dest="routes", type=lambda v: ("--to", v),
                   metavar="AE@HOST:PORT",
                   help="forward complete series to this storage SCP (repeat for more)")
    p.add_argument("--match", action="append", dest="routes", type=lambda v: ("--match", v),
                   metavar="KEY=VALUE",
                   help=f"a rule for the --to before it; keys: {', '.join(KEYS)} "
                        "(several: all must hold)")
    p.add_argument("--quiet", type=float, default=2.0, metavar="S",
                   help="a series is complete after S seconds without a new instance (default 2)")
    p.add_argument("--expected", type=int, metavar="N",
                   help="or as soon as N instances arrived")
    calling = p.add_mutually_exclusive_group()
    calling.add_argument("--require-calling", action="append", metavar="AET",
                         help="accept only this calling AE title (repeat for more; default: "
                              f"the course's, {', '.join(sorted(COURSE_CALLING_AES))})")
    calling.add_argument("--any-calling", action="store_true",
                         help="accept any calling AE title")
    dead = p.add_mutually_exclusive_group()
    dead.add_argument("--dead", action="store_true",
                      help="list the dead letters in -od and exit (nothing listens)")
    dead.add_argument("--retry-dead", action="store_true",
                      help="put the dead letters of each --to back in the outbox, then route")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="also print the router's own log (each retry, any error)")
    add_timeout_flags(p, connect=True)
    p.set_defaults(func=_cli_router)
