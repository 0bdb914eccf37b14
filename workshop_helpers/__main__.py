"""Command line: ``python -m workshop_helpers <command> ...``.

Each topic module that offers commands defines ``register_cli(subparsers)``, which adds its
sub-commands (with ``set_defaults(func=...)``; ``func(args)`` returns the exit code). Add the
module's name to ``CLI_MODULES`` below to make its commands appear.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

CLI_MODULES = ("dump", "files", "uids", "geometry", "phantom", "legacy", "private", "deid", "net", "qr")


def _env(args: argparse.Namespace) -> int:
    from .tools import environment_report

    rows = environment_report()
    width = max(len(r[0]) for r in rows)
    for name, ver, note in rows:
        print(f"{name:<{width}}  {ver:<12}  {note}")
    return 0 if all(r[1] != "missing" for r in rows) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m workshop_helpers",
        description="Tools from the course 'DICOM - there can be only one'.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser("env", help="show what this environment has (packages, dcmtk, dciodvfy)")
    p.set_defaults(func=_env)
    for name in CLI_MODULES:
        full = f"{__package__}.{name}"
        if importlib.util.find_spec(full) is None:
            continue
        module = importlib.import_module(full)
        register = getattr(module, "register_cli", None)
        if register is not None:
            register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
