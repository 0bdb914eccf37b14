"""The command line of :mod:`workshop_helpers.legacy`: ``python -m workshop_helpers legacy info FILE``."""

from __future__ import annotations

import argparse
from typing import Any

from ..tools import CommandError
from .common import LegacyFormatError
from .either import describe, read_legacy


def _cli_info(args: argparse.Namespace) -> int:
    try:
        image = read_legacy(args.file)
    except LegacyFormatError as exc:
        raise CommandError(str(exc), status=2) from None
    print(describe(image))
    if args.all:
        print()
        for key, value in image.header.items():
            print(f"{key:<32} {value}")
    return 0


def register_cli(subparsers: Any) -> None:
    """``legacy info FILE``: the header of an Analyze ``.hdr`` or an Interfile ``.hv``/``.h33``.

    Parameters
    ----------
    subparsers : Any
        What ``argparse.ArgumentParser.add_subparsers()`` returned.
    """
    legacy = subparsers.add_parser("legacy", help="Interfile and Analyze 7.5 headers")
    sub = legacy.add_subparsers(dest="legacy_command", metavar="COMMAND", required=True)
    info = sub.add_parser("info", help="print what a .hdr (Analyze) or .hv/.h33 (Interfile) says")
    info.add_argument("file", help="the header file")
    info.add_argument("--all", action="store_true", help="also list every header field")
    info.set_defaults(func=_cli_info)
