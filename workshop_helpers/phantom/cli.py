"""The command line: ``python -m workshop_helpers phantom FOLDER`` writes a phantom series."""

from __future__ import annotations

import argparse
from typing import Any

import pydicom

from ..geometry import GeometryError
from ..tools import CommandError
from .model import _NAMED, PhantomError
from .writer import write_series


def _cli(args: argparse.Namespace) -> int:
    orientation: str | list[float] = args.orientation
    if args.iop:
        orientation = args.iop
    try:
        paths = write_series(
            args.folder, rows=args.rows, columns=args.columns, slices=args.slices,
            pixel_spacing=tuple(args.pixel_spacing), slice_spacing=args.slice_spacing,
            orientation=orientation, patient_position=args.position, seed=args.seed,
            tilt_degrees=args.tilt, missing_slices=tuple(args.missing), shuffle=args.shuffle,
        )
    except (PhantomError, GeometryError) as exc:
        raise CommandError(str(exc), status=2) from None
    first = pydicom.dcmread(paths[0], stop_before_pixels=True)
    iop = "\\".join(str(v) for v in first.ImageOrientationPatient)
    print(f"wrote {len(paths)} files to {args.folder} "
          f"(Patient Position {first.PatientPosition}, Image Orientation (Patient) {iop})")
    return 0


def register_cli(subparsers: Any) -> None:
    """Add ``phantom`` to ``python -m workshop_helpers``.

    Parameters
    ----------
    subparsers : Any
        What ``argparse.ArgumentParser.add_subparsers()`` returned.
    """
    p = subparsers.add_parser(
        "phantom", help="write an asymmetric CT phantom series (valid DICOM)",
        description="Write a CT Image series of an asymmetric phantom (left, anterior and head "
                    "markers) in any orientation and patient position.")
    p.add_argument("folder", help="output folder (created if needed)")
    p.add_argument("--rows", type=int, default=48)
    p.add_argument("--columns", type=int, default=64)
    p.add_argument("--slices", type=int, default=24)
    p.add_argument("--pixel-spacing", nargs=2, type=float, default=[0.8, 0.6],
                   metavar=("ROW_SPACING", "COLUMN_SPACING"),
                   help="mm, in the order of Pixel Spacing: between rows first")
    p.add_argument("--slice-spacing", type=float, default=2.5, help="mm between slices")
    p.add_argument("--orientation", default="axial", choices=sorted(_NAMED))
    p.add_argument("--iop", nargs=6, type=float, metavar="X",
                   help="explicit Image Orientation (Patient) (overrides --orientation)")
    p.add_argument("--position", default="HFS", help="Patient Position, e.g. HFS, FFS, HFP")
    p.add_argument("--tilt", type=float, default=0.0, help="gantry tilt in degrees")
    p.add_argument("--missing", nargs="*", type=int, default=[], metavar="K",
                   help="slice indices to leave out")
    p.add_argument("--shuffle", action="store_true",
                   help="shuffle instance numbers and file names")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=_cli)
