"""The command line of the router: ``python -m workshop_helpers router``, with dcmtk's habits.

Notebook 08's :class:`~workshop_helpers.router.Router` as a program you leave running: it listens
like dcmtk's ``storescp`` (port, ``-aet``, ``-od``; on 127.0.0.1 unless ``--bind`` names another
address), forwards each complete series to every ``--to AE@host:port`` whose ``--match
key=value`` rules hold (a ``--match`` belongs to the ``--to`` before it) and prints one line per
event as it happens (the router's ``on_event``: asleep while nothing happens). Ctrl-C or SIGTERM
stops it with status 0; what was not forwarded stays in its tickets on disk and the next start
resumes it.

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
import ipaddress
import queue
import signal
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pydicom.uid

from ..net import NetError, is_valid_uid
from ..net.cli import add_timeout_flags, timeouts_from
from ..net.guard import COURSE_CALLERS, COURSE_CALLING_AES
from ..tools import CommandError
from .core import Router
from .events import RouterEvent
from .guard import FolderRefused
from .series import Destination

__all__ = ["KEYS", "parse_to", "parse_match", "destinations_from", "Watch", "register_cli"]

#: What a ``--match`` rule may look at: fields of the series' first instance (its Arrival).
KEYS = ("calling_ae", "patient_id", "study_uid", "series_uid", "sop_class_uid")
_UID_KEYS = ("study_uid", "series_uid", "sop_class_uid")
_STOP = object()  # what a signal puts in the queue of events


class _Events(queue.SimpleQueue):
    """The command's queue of events, bounded.

    A stalled terminal (Ctrl-S, a full pipe) must not grow memory while routing goes on. Past
    :attr:`LIMIT` waiting events, the rest are counted (``dropped``) and said in one line.
    ``put`` stays safe in a signal handler (a stop mark is always queued).
    """

    LIMIT = 10_000

    def __init__(self) -> None:
        super().__init__()
        self.dropped = 0

    def put(self, item: object, block: bool = True, timeout: float | None = None) -> None:
        if item is not _STOP and self.qsize() >= self.LIMIT:
            self.dropped += 1
            return
        super().put(item)
#: Where a signal cannot interrupt a wait on a queue (Windows: see the documentation of
#: ``queue.Queue.get``), the command wakes this often to let Ctrl-C in; on POSIX it sleeps
#: until something happens.
_WAKE_EVERY = None if hasattr(signal, "pthread_sigmask") else 1.0


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


def check_bind(address: str) -> str:
    """``address`` if this machine can listen on it, else CommandError (status 2) saying why.

    Examples
    --------
    >>> check_bind("127.0.0.1")
    '127.0.0.1'
    """
    try:
        ipaddress.ip_address(address)   # '' or '0' would silently mean every interface
    except ValueError:
        if address != "localhost":
            raise _bad(f"--bind {address!r}", "not an IP address (e.g. 127.0.0.1, or 0.0.0.0 for "
                                              "every interface)") from None
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((address, 0))
    except (OSError, UnicodeError) as exc:
        raise _bad(f"--bind {address!r}", "not an address this machine can listen on "
                                          f"({exc.strerror or exc})") from None
    return address


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
    """Turns what a running :class:`Router` tells into lines, one per event, as it happens.

    Each :class:`~workshop_helpers.router.RouterEvent` the router gave its ``on_event`` becomes
    a line (:meth:`lines`); a destination that starts failing for a series is said once per
    series, with its status row (from :meth:`Router.snapshot`), each retry only with
    ``verbose``, as are the router's own log lines. What its SCP refused or broke off comes as
    ``refused`` events, one line each.
    """

    def __init__(self, router: Router, verbose: bool = False) -> None:
        self.router, self.verbose = router, verbose
        self._failing: set[tuple[str, str]] = set()  # (series UID, destination) said to wait

    def lines(self, event: RouterEvent) -> list[str]:
        """The lines for ``event``, each starting with its time (none for some events)."""
        when = time.strftime("%H:%M:%S", time.localtime(event.time))
        if event.kind == "note":
            return [f"{when} {event.text()}"] if self.verbose else []
        if event.kind == "waiting":
            return self._waiting(event, when)
        if event.kind == "sent":
            self._failing.discard((event.series_uid, event.destination))
        if event.kind == "finished":
            self._failing = {f for f in self._failing if f[0] != event.series_uid}
        return [f"{when} {event.text()}"]

    def _waiting(self, event: RouterEvent, when: str) -> list[str]:
        """One line per series that now waits for a failing destination (once per series)."""
        name, out = event.destination, []
        snapshot = self.router.snapshot()
        for s, row in zip(snapshot.series, snapshot.rows, strict=True):
            text = str(row.get(name, ""))
            if text.startswith("waiting") and (s.series_uid, name) not in self._failing:
                self._failing.add((s.series_uid, name))
                out.append(f"{when} {name} {text} (series {s.series_uid})")
        return out


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
    host = f"[{router.bind}]" if ":" in router.bind else router.bind
    lines = [f"router: {router.ae_title} listening on {host}:{router.port}, storing into "
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
    check_bind(args.bind)
    if args.quiet <= 0:
        raise _bad("--quiet", f"{args.quiet:g} is not a positive number of seconds")
    if args.expected is not None and args.expected < 1:
        raise _bad("--expected", f"{args.expected} is not a number of instances (1 or more)")
    for flag, seconds in (("-to", args.timeout), ("-ta", args.acse_timeout),
                          ("-td", args.dimse_timeout), ("-ts", args.socket_timeout)):
        if seconds <= 0:
            raise _bad(flag, f"{seconds:g} is not a positive number of seconds")
    events = _Events()  # its put may be called in a signal handler
    try:
        timeouts = timeouts_from(args)
        router = Router(args.output_directory, port=args.port, ae_title=ae, bind=args.bind,
                        destinations=destinations, quiet_seconds=args.quiet,
                        expected=args.expected, timeout=timeouts, on_event=events.put,
                        allowed_calling_aes=None if args.any_calling else (callers
                                                                            or COURSE_CALLERS))
    except ValueError as exc:
        raise CommandError(str(exc), status=2) from None
    previous = {sig: signal.signal(sig, lambda *_: events.put(_STOP))
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _run(router, args, events)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run(router: Router, args: argparse.Namespace, events: _Events) -> int:
    try:
        with _signals_to_this_thread():  # the router's threads are born with them blocked
            router.start()
    except (FolderRefused, NetError) as exc:
        raise CommandError(str(exc)) from None
    try:
        for line in _describe(router, args):
            print(line, flush=True)
        if args.retry_dead:
            _retry_dead(router)
        watch = Watch(router, verbose=args.verbose)
        while (event := _next(events)) is not _STOP:  # asleep until something happens
            _show(watch, event)
            if events.dropped:
                dropped, events.dropped = events.dropped, 0
                print(f"{_now()} router: {dropped} event(s) not shown: the output was not "
                      "keeping up (the router went on)", flush=True)
    finally:
        router.stop()
    while not events.empty():  # what happened while it stopped
        _show(watch, events.get())
    waiting = _waiting_in(router.stats())
    print(f"router: stopped; {waiting or 'nothing'} waiting on disk"
          + (" for the next start" if waiting else ""), flush=True)
    return 0


def _waiting_in(stats: dict) -> int:
    """Instances on disk not yet forwarded, from :meth:`Router.stats`."""
    return stats["inbox"] + sum(stats["outbox"].values())


@contextmanager
def _signals_to_this_thread() -> Iterator[None]:
    """Threads started inside block SIGINT and SIGTERM (POSIX): they come to this thread.

    The signal then interrupts this thread's wait on the queue, and the stop mark its handler
    put there wakes it.
    """
    if _WAKE_EVERY is not None:
        yield
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _next(events: queue.SimpleQueue) -> RouterEvent | object:
    """The next event or ``_STOP`` (a signal), asleep until then (see :data:`_WAKE_EVERY`)."""
    while True:
        try:
            return events.get(timeout=_WAKE_EVERY)
        except queue.Empty:
            continue


def _show(watch: Watch, event: RouterEvent | object) -> None:
    """Print what happened (a second stop mark: nothing); a failure to show it stops nothing."""
    try:
        lines = watch.lines(event) if isinstance(event, RouterEvent) else []
    except Exception as exc:  # the router goes on
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
                   help="TCP port to listen on (default 11112; 0: any free one)")
    p.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS",
                   help="the address to listen on (default 127.0.0.1: only programs on this "
                        "machine can send to it, as in the course). To take images from "
                        "other machines, give this machine's address on that network, or "
                        "0.0.0.0 for every interface; then anyone who can reach the port "
                        "and knows an accepted calling AE title can store here, so open it "
                        "only on a network you trust, behind a firewall")
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
