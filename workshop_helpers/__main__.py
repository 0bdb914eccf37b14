"""Command line: ``python -m workshop_helpers <command> ...``.

Each topic module that offers commands defines ``register_cli(subparsers)``: it adds its
sub-commands to the argparse sub-parsers it is given, each with ``set_defaults(func=...)``, and
returns None; ``func(args)`` returns the exit status (0: done). The modules are imported here by
name, so a module missing from :data:`CLI_MODULES` or misspelt there fails at import time.

One way to report an error: a command raises :class:`workshop_helpers.tools.CommandError`
(``status`` 1 for "could not do it", 2 for "bad input", as argparse uses 2 for a bad command
line); :func:`main` prints ``<command>: <message>`` as one line on stderr and returns the
status. An OSError (a file missing, a disk full) is reported the same way, with status 1.
"""

from __future__ import annotations

import argparse
import sys
from types import ModuleType

from . import deid, dump, files, geometry, legacy, net, phantom, private, qr, router, uids
from .tools import CommandError, environment_report

#: The modules whose ``register_cli`` adds commands, in the order of ``--help``.
CLI_MODULES: tuple[ModuleType, ...] = (dump, files, uids, geometry, phantom, legacy, private,
                                       deid, net, qr, router)


def _env(args: argparse.Namespace) -> int:
    """``env``: what this environment has; status 1 when something is missing."""
    rows = environment_report()
    width = max(len(r[0]) for r in rows)
    for name, ver, note in rows:
        print(f"{name:<{width}}  {ver:<12}  {note}")
    return 0 if all(r[1] != "missing" for r in rows) else 1


def build_parser() -> argparse.ArgumentParser:
    """The parser with every command of :data:`CLI_MODULES` (and ``env``).

    Returns
    -------
    argparse.ArgumentParser
        Ready for ``parse_args``.
    """
    parser = argparse.ArgumentParser(
        prog="python -m workshop_helpers",
        description="Tools from the course 'DICOM - there can be only one'.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("env", help="show what this environment has (packages, dcmtk, dciodvfy)")
    p.set_defaults(func=_env)
    for module in CLI_MODULES:
        module.register_cli(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command, as ``python -m workshop_helpers`` does.

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        The exit status: 0 done, 1 could not do it, 2 bad input (a command may document
        another, e.g. ``deid``'s 3 for an image withheld).

    Raises
    ------
    SystemExit
        From argparse, for ``--help`` (status 0) or a bad command line (status 2).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"{args.command}: {exc}", file=sys.stderr)
        return exc.status
    except OSError as exc:
        print(f"{args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
