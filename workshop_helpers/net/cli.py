"""The command line: ``storescp``, ``storescu`` and ``echoscu``, with dcmtk's flags.

The timeouts have dcmtk's names and meanings, in seconds: ``-to`` for the TCP connection,
``-ta`` for association messages (ACSE), ``-td`` for the answer to a request (DIMSE) and ``-ts``
for the socket (any other wait).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from ..files import dicom_files
from ..tools import CommandError
from .pdu import Timeouts
from .scp import NetError, StorageSCP
from .scu import echo, send


def timeouts_from(args: argparse.Namespace, connect: bool = True) -> Timeouts:
    """The :class:`Timeouts` that the flags of :func:`add_timeout_flags` asked for.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments of a parser given :func:`add_timeout_flags`.
    connect : bool
        Whether the parser has ``-to`` (an SCU); without it the default connect timeout stays.

    Returns
    -------
    Timeouts
    """
    default = Timeouts()
    return Timeouts(connect=args.timeout if connect else default.connect,
                    acse=args.acse_timeout, dimse=args.dimse_timeout,
                    network=args.socket_timeout)


def _cli_storescp(args: argparse.Namespace) -> int:
    """``storescp``: receive until Ctrl-C or ``--exit-after``; raises CommandError if it cannot listen."""
    scp = StorageSCP(args.output_directory, port=args.port, ae_title=args.aetitle, bind=args.bind,
                     allowed_calling_aes=args.require_calling,
                     timeout=timeouts_from(args, connect=False))
    try:
        scp.start()
    except NetError as exc:
        raise CommandError(str(exc)) from None
    with scp:
        print(f"storescp: {scp.ae_title} listening on {scp.bind}:{scp.port}, "
              f"storing into {scp.folder} (Ctrl-C stops)", flush=True)
        shown = 0
        end = None if not args.exit_after else time.monotonic() + args.exit_after
        try:
            while end is None or time.monotonic() < end:
                time.sleep(0.2)
                if args.verbose:
                    new = list(scp.received)[-(scp.count - shown):] if scp.count > shown else []
                    for a in new:
                        print(f"I: received {a.sop_instance_uid} from {a.calling_ae} -> {a.path}",
                              flush=True)
                    shown = scp.count
        except KeyboardInterrupt:
            pass
    print(f"storescp: received {scp.count} instance(s), {scp.duplicates} duplicate(s), "
          f"{len(scp.failures)} problem(s)")
    for text in list(scp.failures)[-10:] if args.verbose else []:
        print("W:", text)
    return 0


def _expand(paths: list[str], recurse: bool) -> list[Path]:
    """The files to send: each named file, and the DICOM files of each named folder.

    A folder is read with :func:`workshop_helpers.files.dicom_files` (below it too with
    ``recurse``); what in it is not DICOM is skipped with one ``W:`` line on stderr, as dcmtk's
    storescu skips it when scanning folders. A file named on its own is sent as it is, so the
    report says why it was not stored.
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = dicom_files(p, recursive=recurse)
            out += found
            if found.skipped:
                print(f"W: {p}: skipped {found.skipped_text()}", file=sys.stderr)
        else:
            out.append(p)
    if not out:
        raise CommandError(f"no DICOM files in {', '.join(paths)}", status=2)
    return out


def _cli_storescu(args: argparse.Namespace) -> int:
    """``storescu``: one line per failed item (all with ``-v``); raises CommandError if any failed."""
    files = _expand(args.files, args.recurse)
    try:
        report = send(files, args.peer, args.port, called_ae=args.call, calling_ae=args.aetitle,
                      timeout=timeouts_from(args),
                      progress=not args.verbose and len(files) > 20)
    except NetError as exc:
        raise CommandError(str(exc)) from None
    bad = [r for r in report if not r.ok]
    for r in report if args.verbose else bad:
        print(r)
    summary = f"{len(report) - len(bad)} of {len(report)} stored"
    if bad:
        raise CommandError(summary)
    print(f"storescu: {summary}")
    return 0


def _cli_echoscu(args: argparse.Namespace) -> int:
    """``echoscu``: the answer and its time; raises CommandError when the peer did not answer."""
    res = echo(args.peer, args.port, called_ae=args.call, calling_ae=args.aetitle,
               timeout=timeouts_from(args))
    line = f"{args.peer}:{args.port}: {res.reason} ({res.seconds * 1000:.1f} ms)"
    if not res.ok:
        raise CommandError(line)
    print(f"echoscu: {line}")
    return 0


def add_timeout_flags(p: argparse.ArgumentParser, connect: bool) -> None:
    """dcmtk's timeout flags on an argparse parser: ``-to`` (SCU only), ``-ta``, ``-td``, ``-ts``.

    Parameters
    ----------
    p : argparse.ArgumentParser
        The (sub-)parser of one command.
    connect : bool
        Add ``-to`` too (an SCU opens the TCP connection; an SCP does not).
    """
    d = Timeouts()
    if connect:
        p.add_argument("-to", "--timeout", type=float, default=d.connect, metavar="S",
                       help=f"seconds to wait for the TCP connection (default {d.connect:g})")
    p.add_argument("-ta", "--acse-timeout", type=float, default=d.acse, metavar="S",
                   help=f"seconds to wait for association messages (default {d.acse:g})")
    p.add_argument("-td", "--dimse-timeout", type=float, default=d.dimse, metavar="S",
                   help=f"seconds to wait for an answer to a request (default {d.dimse:g})")
    p.add_argument("-ts", "--socket-timeout", type=float, default=d.network, metavar="S",
                   help=f"seconds any other read or write may wait (default {d.network:g})")


def register_cli(subparsers: Any) -> None:
    """Add ``storescp``, ``storescu`` and ``echoscu`` (flags shaped like dcmtk's).

    Parameters
    ----------
    subparsers
        What ``argparse.ArgumentParser.add_subparsers()`` returned.
    """
    p = subparsers.add_parser("storescp", help="receive DICOM instances (a storage SCP)")
    p.add_argument("port", type=int, nargs="?", default=11112, help="TCP port (0: any free one)")
    p.add_argument("-aet", "--aetitle", default="WORKSHOP", help="our AE title")
    p.add_argument("-od", "--output-directory", default=".", help="where to store (default .)")
    p.add_argument("--bind", default="127.0.0.1", help="address to listen on")
    p.add_argument("--require-calling", nargs="+", metavar="AET",
                   help="accept only these calling AE titles")
    p.add_argument("--exit-after", type=float, default=0, metavar="SECONDS",
                   help="stop after this many seconds (0: run until Ctrl-C)")
    p.add_argument("-v", "--verbose", action="store_true", help="print each instance received")
    add_timeout_flags(p, connect=False)
    p.set_defaults(func=_cli_storescp)

    for name, helptext in (("storescu", "send DICOM files (a storage SCU)"),
                           ("echoscu", "C-ECHO a peer (DICOM ping)")):
        p = subparsers.add_parser(name, help=helptext)
        p.add_argument("peer", help="host name or address of the peer")
        p.add_argument("port", type=int, help="TCP port of the peer")
        if name == "storescu":
            p.add_argument("files", nargs="+", help="DICOM files or folders")
            p.add_argument("-r", "--recurse", action="store_true",
                           help="look into sub-folders too (dcmtk: +r)")
        p.add_argument("-aet", "--aetitle", default="WORKSHOP-SCU", help="our (calling) AE title")
        p.add_argument("-aec", "--call", default="ANY-SCP", help="the peer's (called) AE title")
        p.add_argument("-v", "--verbose", action="store_true", help="print every result")
        add_timeout_flags(p, connect=True)
        p.set_defaults(func=_cli_storescu if name == "storescu" else _cli_echoscu)
