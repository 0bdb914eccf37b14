"""The command line: ``python -m workshop_helpers deid SOURCE OUTPUT`` (:func:`register_cli`)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import pydicom

from .. import deid_table
from ..files import dicom_files
from ..tools import CommandError, save_atomically
from .core import deidentify, deidentify_series
from .rules import BurnedInAnnotationError, DeidError, DeidResult

__all__ = ["register_cli", "SALT_VARIABLE"]


def _parse_keep_arg(text: str) -> tuple:
    parts = text.split(":")
    try:
        if len(parts) == 2:
            return (parts[0], int(parts[1], 16))
        if len(parts) == 3:
            return (int(parts[0], 16), parts[1], int(parts[2], 16))
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(
        f"--keep-private wants CREATOR:OFFSET or GROUP:CREATOR:OFFSET in hex, e.g. CTP:10; got {text!r}")


def _cli_inputs(source: Path) -> list[Path]:
    """The files ``deid`` reads: ``source`` itself, or the DICOM files below it (CommandError, 2).

    A folder is all or nothing: a file in it that is not DICOM (:func:`files.dicom_files
    <workshop_helpers.files.dicom_files>`) stops the command before anything is written, named
    with the reason - a file left out of a de-identified set without a word may be the one that
    mattered.
    """
    if not source.exists():
        raise CommandError(f"{source} does not exist", status=2)
    if not source.is_dir():
        return [source]
    found = dicom_files(source, recursive=True)
    if found.skipped:
        raise CommandError(f"nothing written; {found.skipped_text()}", status=2)
    if not found:
        raise CommandError(f"no files in {source}", status=2)
    return list(found)


def _cli_run(source: Path, files: list[Path], output: Path, options: dict) -> list[DeidResult]:
    """De-identify a folder (all or nothing) or one file; status 3 withheld, 2 bad input."""
    try:
        if source.is_dir():
            return deidentify_series(files, output, **options)
        try:
            result = deidentify(pydicom.dcmread(source), **options)
        except DeidError as exc:
            raise type(exc)(f"{source}: {exc}") from None
        target = output / "IM00001.dcm" if output.is_dir() else output
        result.path = save_atomically(result.dataset, target)
        return [result]
    except BurnedInAnnotationError as exc:
        raise CommandError(f"nothing written; {exc}", status=3) from None
    except (OSError, pydicom.errors.InvalidDicomError, DeidError) as exc:
        raise CommandError(f"nothing written; {exc}", status=2) from None


def _cli_report(results: list[DeidResult], args: argparse.Namespace) -> None:
    """What ``deid`` did: counts of each action, the UIDs replaced, every action with ``-v``."""
    total: dict[str, int] = {}
    for r in results:
        for code, n in r.counts().items():
            total[code] = total.get(code, 0) + n
    print(f"de-identified {len(results)} file(s) into {args.output} "
          f"(PS3.15 {deid_table.EDITION} Table E.1-1, Basic Profile, {len(deid_table.ROWS)} rows)")
    print("actions: " + ", ".join(f"{code}={n}" for code, n in sorted(total.items())))
    print(f"UIDs replaced: {len(results[-1].uid_map)} (one map for all files)")
    if args.pixels_checked:
        print("pixels: released on your word that no text is burned in (--pixels-checked)")
    for r in results if args.verbose else []:
        print(f"-- {r.path}")
        for a in r.actions:
            print(f"   {a}")


def _cli_deid(args: argparse.Namespace) -> int:
    """``deid IN OUT``: status 0 done, 2 bad input, 3 an image withheld (nothing written)."""
    source = Path(args.input)
    options = {"keep_private": args.keep_private or (), "date_shift_days": args.shift_days,
               "pixels_checked": args.pixels_checked}
    salt = _cli_salt(args.salt_file)
    if salt is not None:
        options["salt"] = salt
    results = _cli_run(source, _cli_inputs(source), Path(args.output), options)
    _cli_report(results, args)
    return 0


#: The environment variable ``deid`` reads the salt from (a command line is public: /proc/*/cmdline).
SALT_VARIABLE = "WORKSHOP_DEID_SALT"


def _cli_salt(salt_file: str | None) -> str | None:
    """The salt: from a file only its owner can read, else from :data:`SALT_VARIABLE`, else None."""
    if salt_file is None:
        return os.environ.get(SALT_VARIABLE) or None
    path = Path(salt_file)
    try:
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            raise CommandError(f"nothing written; the salt file {path} can be read or changed by "
                               f"other users (mode {mode:04o}): chmod 600 {path}", status=2)
        salt = path.read_text(encoding="utf-8").rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"nothing written; cannot read the salt file {path}: "
                           f"{getattr(exc, 'strerror', None) or type(exc).__name__}", status=2) from None
    if not salt:
        raise CommandError(f"nothing written; the salt file {path} is empty", status=2)
    return salt


def _no_salt_argument(_text: str) -> str:
    raise argparse.ArgumentTypeError(
        f"a salt on the command line is visible to every user of the machine (/proc/*/cmdline, ps); "
        f"put it in a file only you can read (--salt-file FILE, mode 600) or in {SALT_VARIABLE}")


def register_cli(subparsers: Any) -> None:
    """Add ``deid IN OUT``: de-identify a file or a folder (PS3.15 Table E.1-1, Basic Profile).

    Parameters
    ----------
    subparsers
        What ``argparse.ArgumentParser.add_subparsers()`` returned.
    """
    p = subparsers.add_parser(
        "deid", help="de-identify a DICOM file or folder (PS3.15 E, Basic Profile)",
        epilog=f"The salt makes the new UIDs reproducible: runs with the same salt give the same "
               f"UIDs. It is a secret, so it is never a command-line argument (every user of the "
               f"machine can read those): give --salt-file FILE (readable by you only, chmod 600) "
               f"or set {SALT_VARIABLE}; without either a random salt is used.")
    p.add_argument("input", help="a DICOM file or a folder of them")
    p.add_argument("output", help="output file (for a file) or folder")
    p.add_argument("--keep-private", action="append", type=_parse_keep_arg, metavar="CREATOR:OFF",
                   help="keep this private element (hex offset), e.g. CTP:10; repeatable")
    p.add_argument("--shift-days", type=int, default=None, help="shift dates by N days")
    p.add_argument("--salt-file", default=None, metavar="FILE",
                   help=f"read the secret for reproducible new UIDs from FILE (mode 600); "
                        f"default: ${SALT_VARIABLE}, else random")
    p.add_argument("--salt", type=_no_salt_argument, help=argparse.SUPPRESS)
    p.add_argument("--pixels-checked", action="store_true",
                   help="release images that may show burned-in text: you looked at every frame")
    p.add_argument("-v", "--verbose", action="store_true", help="list every action")
    p.set_defaults(func=_cli_deid)
