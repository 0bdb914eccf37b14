"""The command line of the files package: ``ftest``, ``undump`` and ``img2dcm``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..dump import DumpSyntaxError
from ..tools import CommandError
from .check import DicomFileError, check_file
from .images import image_to_dicom
from .undump import dump_to_file


def _cmd_ftest(args: argparse.Namespace) -> int:
    failures = 0
    for path in args.files:
        result = check_file(path)
        print(result)
        if not result.ok:
            failures += 1
            if args.verbose:
                print(f"  {result.reason}")
    return min(failures, 255)


def _cmd_undump(args: argparse.Namespace) -> int:
    """``undump DUMP OUT``: a DICOM file from a dump, its assumptions as ``W:`` lines on stderr."""
    try:
        text = Path(args.dump).read_bytes()
    except OSError as exc:
        raise CommandError(f"{args.dump}: {exc.strerror or exc}", status=2) from exc
    try:
        notes = dump_to_file(text, args.out)
    except DumpSyntaxError as exc:
        raise CommandError(f"{args.dump}:{exc.line}:{exc.column}: {exc.reason}") from exc
    except DicomFileError as exc:
        raise CommandError(str(exc)) from exc
    for note in notes:
        print(f"W: {note}", file=sys.stderr)
    return 0


def _cmd_img2dcm(args: argparse.Namespace) -> int:
    """``img2dcm IMAGE OUT``: a picture as a Secondary Capture file; its summary on stdout."""
    try:
        ds = image_to_dicom(args.image, args.out, series_from=args.series_from,
                            reencode_progressive=args.reencode)
    except DicomFileError as exc:
        raise CommandError(str(exc)) from exc
    print(f"{args.out}: {ds.file_meta.TransferSyntaxUID.name}, "
          f"{ds.Rows}x{ds.Columns} {ds.PhotometricInterpretation}")
    return 0


def register_cli(subparsers: Any) -> None:
    """Add ``ftest``, ``undump`` and ``img2dcm`` (``dump`` is registered by the dump module).

    Parameters
    ----------
    subparsers : argparse sub-parsers
        What ``ArgumentParser.add_subparsers()`` returned.
    """
    p = subparsers.add_parser("ftest", help="is it a DICOM file? like dcmftest (yes: / no:)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("-v", "--verbose", action="store_true", help="say why a file is not DICOM")
    p.set_defaults(func=_cmd_ftest)
    p = subparsers.add_parser("undump", help="make a DICOM file from a dump, like dump2dcm")
    p.add_argument("dump", metavar="DUMP")
    p.add_argument("out", metavar="OUT")
    p.set_defaults(func=_cmd_undump)
    p = subparsers.add_parser("img2dcm", help="a picture into a Secondary Capture file, like img2dcm")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("out", metavar="OUT")
    p.add_argument("--series-from", metavar="DCM", help="copy patient, study and series")
    p.add_argument("--reencode", action="store_true",
                   help="re-encode a progressive JPEG as baseline (lossy)")
    p.set_defaults(func=_cmd_img2dcm)
