"""The command line: ``python -m workshop_helpers private FILE`` lists a file's private blocks."""

from __future__ import annotations

import argparse
from typing import Any

import pydicom

from ..tools import CommandError
from .listing import format_blocks, list_blocks


def _cli_private(args: argparse.Namespace) -> int:
    """``private FILE``: the private blocks of a file on stdout."""
    try:
        ds = pydicom.dcmread(args.file, force=args.force)
        blocks = list_blocks(ds)
    except (OSError, pydicom.errors.InvalidDicomError) as exc:
        raise CommandError(f"cannot read {args.file}: {exc}", status=2) from exc
    print(f"{args.file}: {len(blocks)} private block(s)")
    print(format_blocks(blocks))
    return 0


def register_cli(subparsers: Any) -> None:
    """Add ``private FILE``: list the private blocks of a file.

    Parameters
    ----------
    subparsers : argparse sub-parsers
        What ``ArgumentParser.add_subparsers()`` returned.
    """
    p = subparsers.add_parser("private", help="list the private blocks of a DICOM file")
    p.add_argument("file", help="a DICOM file")
    p.add_argument("--force", action="store_true", help="read files without the DICM preamble")
    p.set_defaults(func=_cli_private)
