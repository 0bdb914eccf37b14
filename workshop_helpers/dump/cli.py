"""The command line of :mod:`workshop_helpers.dump`: ``python -m workshop_helpers dump FILE``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import pydicom

from ..tools import CommandError
from .writer import dump_bytes


def _cmd_dump(args: argparse.Namespace) -> int:
    """``dump FILE``: the file's dump on stdout in its own character set; 0 when done."""
    try:
        ds = pydicom.dcmread(args.file, force=args.force)
    except Exception as exc:  # any reading error of pydicom's: one line, not a traceback
        raise CommandError(f"{args.file}: cannot read it as DICOM: {exc}") from exc
    try:
        text = dump_bytes(ds, shorten=args.shorten)  # the data set's own character set, as dcmdump
    except Exception as exc:  # a value pydicom read but cannot encode again
        raise CommandError(f"{args.file}: cannot dump it: {exc}") from exc
    sys.stdout.flush()
    sys.stdout.buffer.write(text)
    sys.stdout.buffer.flush()
    return 0


def register_cli(subparsers: Any) -> None:
    """Add ``dump FILE [--shorten] [--force]``, like ``dcmdump +L``.

    Text values come out in the data set's own character set, byte for byte as dcmdump prints
    them, so ``dump2dcm`` (or ``undump``) turns the dump back into the same file.

    Parameters
    ----------
    subparsers : argparse sub-parsers
        What ``ArgumentParser.add_subparsers()`` returned.
    """
    p = subparsers.add_parser("dump", help="print a DICOM file in dcmdump's format (complete, like +L)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--shorten", action="store_true",
                   help="cut long values with '...', as dcmdump does without +L")
    p.add_argument("--force", action="store_true", help="read a data set without preamble/DICM")
    p.set_defaults(func=_cmd_dump)
