"""The command line: ``python -m workshop_helpers uid explain|validate|make``."""

from __future__ import annotations

import argparse
from typing import Any

from ..tools import CommandError
from .making import make_uid
from .rules import UUID_ROOT, UIDError, explain, validate


def _cli_explain(args: argparse.Namespace) -> int:
    for n, uid in enumerate(args.uid):
        if n:
            print()
        print(explain(uid))
    return 0


def _cli_validate(args: argparse.Namespace) -> int:
    bad = 0
    for uid in args.uid:
        problems = validate(uid)
        if problems:
            bad += 1
            print(f"invalid: {uid}")
            for p in problems:
                print(f"  {p}")
        else:
            print(f"valid:   {uid}")
    return 1 if bad else 0


def _cli_make(args: argparse.Namespace) -> int:
    try:
        for i in range(args.count):
            seed = None if args.seed is None else (
                args.seed if args.count == 1 else [args.seed, str(i)])
            print(make_uid(args.root, args.descriptive, seed=seed))
    except UIDError as exc:
        raise CommandError(str(exc), status=2) from exc
    return 0


def register_cli(subparsers: Any) -> None:
    """Add ``uid explain|validate|make``.

    Parameters
    ----------
    subparsers : argparse sub-parsers
        What ``ArgumentParser.add_subparsers()`` returned.
    """
    p = subparsers.add_parser("uid", help="explain, validate and make DICOM UIDs (PS3.5 9)")
    sub = p.add_subparsers(dest="uid_command", metavar="ACTION", required=True)
    e = sub.add_parser("explain", help="split UIDs into org root, descriptive and unique part")
    e.add_argument("uid", nargs="+", help="one or more UIDs")
    e.set_defaults(func=_cli_explain)
    v = sub.add_parser("validate", help="check UIDs against PS3.5 9.1 (exit 1 if any is invalid)")
    v.add_argument("uid", nargs="+", help="one or more UIDs")
    v.set_defaults(func=_cli_validate)
    m = sub.add_parser("make", help="make new UIDs (random, or reproducible with --seed)")
    m.add_argument("--root", default=UUID_ROOT, help="org root (default 2.25: UUID-derived)")
    m.add_argument("--descriptive", default="", help="descriptive components, e.g. 5.2.1")
    m.add_argument("--seed", default=None, help="any text: the same seed gives the same UIDs")
    m.add_argument("--count", type=int, default=1, help="how many UIDs (default 1)")
    m.set_defaults(func=_cli_make)
