"""The command line of :mod:`workshop_helpers.qr`: ``findscu``, ``movescu``, ``getscu``.

Flags shaped like dcmtk's (``-aet``, ``-aec``, ``-S``/``-P``, ``-k``, ``-od``, ``-aem``,
``+P``); a refusal or failure is one line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
from typing import Any

from ..net.cli import add_timeout_flags, timeouts_from
from ..tools import CommandError
from .services import find, get, move
from .status import QueryRetrieveError

# ----------------------------------------------------------------------------- command line

def _cli_findscu(args: argparse.Namespace) -> int:
    """``findscu``: the matches as a table (or JSON); raises CommandError when refused."""
    try:
        result = find(args.peer, args.port, args.key or [], model=args.model,
                      calling_ae=args.aetitle, called_ae=args.call, timeout=timeouts_from(args))
    except (QueryRetrieveError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    print(result.to_json() if args.json else result.table())
    if not result.ok:
        raise CommandError(result.message())
    if not args.json:
        print(result.message())
    return 0


def _cli_retrieve(args: argparse.Namespace) -> int:
    """``movescu`` and ``getscu``: one line of counts; raises CommandError when it failed."""
    try:
        if args.command == "movescu":
            result = move(args.peer, args.port, args.key or [], args.move or args.aetitle,
                          model=args.model, calling_ae=args.aetitle, called_ae=args.call,
                          receive_into=args.output_directory if args.listen_port else None,
                          receive_port=args.listen_port, timeout=timeouts_from(args))
        else:
            result = get(args.peer, args.port, args.key or [], args.output_directory,
                         model=args.model, calling_ae=args.aetitle, called_ae=args.call,
                         timeout=timeouts_from(args))
    except (QueryRetrieveError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    if not result.ok:
        raise CommandError(result.message())
    print(result.message())
    return 0


def register_cli(subparsers: Any) -> None:
    """Add ``findscu``, ``movescu`` and ``getscu`` (flags shaped like dcmtk's).

    Parameters
    ----------
    subparsers
        What ``argparse.ArgumentParser.add_subparsers()`` returned.
    """
    helps = {"findscu": "query a PACS (C-FIND)",
             "movescu": "ask a PACS to send a study somewhere (C-MOVE)",
             "getscu": "fetch from a PACS on the same association (C-GET)"}
    for name, text in helps.items():
        p = subparsers.add_parser(name, help=text, prefix_chars="-+")
        p.add_argument("peer", help="host name or address of the PACS")
        p.add_argument("port", type=int, help="its DICOM port")
        p.add_argument("-aet", "--aetitle", default="WORKSTATION", help="our (calling) AE title")
        p.add_argument("-aec", "--call", default="ORTHANC", help="the PACS's (called) AE title")
        group = p.add_mutually_exclusive_group()
        group.add_argument("-S", "--study", dest="model", action="store_const", const="study",
                           help="Study Root information model (default)")
        group.add_argument("-P", "--patient", dest="model", action="store_const",
                           const="patient", help="Patient Root information model")
        p.set_defaults(model="study")
        p.add_argument("-k", "--key", action="append", metavar="KEY[=VALUE]",
                       help="a keyword or gggg,eeee; =VALUE matches, bare asks it back")
        if name == "findscu":
            p.add_argument("--json", action="store_true",
                           help="print the matches as one JSON array (DICOM JSON model)")
        else:
            p.add_argument("-od", "--output-directory", default=".",
                           help="where received instances go (default .)")
        if name == "movescu":
            p.add_argument("-aem", "--move", metavar="DEST",
                           help="the move destination's AE title (default: -aet)")
            p.add_argument("+P", "--port", dest="listen_port", type=int, metavar="PORT",
                           help="run our own storage SCP (AE title -aem/-aet) on this port")
        add_timeout_flags(p, connect=True)
        p.set_defaults(func=_cli_findscu if name == "findscu" else _cli_retrieve, command=name)
