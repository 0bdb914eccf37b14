"""``python -m workshop_helpers geometry FOLDER``: the affine, the edge letters and the checks of a series."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from ..tools import CommandError
from .core import GeometryError, orientation_letters, sort_slices, voxel_to_patient
from .position import patient_position_axes
from .series import bounding_box, check_series, read_series

__all__ = [
    "register_cli",
]


def _cli(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if not folder.is_dir():
        raise CommandError(f"{folder} is not a folder", status=2)
    datasets, skipped = read_series(folder)
    if skipped:
        print(f"skipped {len(skipped)} file(s) that are not DICOM: {', '.join(skipped[:5])}")
    if not datasets:
        raise CommandError(f"no DICOM files in {folder}", status=2)
    findings = check_series(datasets)
    print(f"{len(datasets)} slice(s) in {folder}")
    try:
        affine = voxel_to_patient(datasets)
        print("voxel (column i, row j, slice k, 1) -> LPS mm:")
        print(np.array2string(affine, precision=4, suppress_small=True))
        first = sort_slices(datasets)[0]
        letters = orientation_letters(first)
        print("edges of the displayed image: " + ", ".join(f"{k} {v}" for k, v in letters.items()))
        if first.get("PatientPosition"):
            print(patient_position_axes(first.PatientPosition).describe())
        box = bounding_box(datasets)
        print(f"voxel edges span LPS {box.lower.round(2).tolist()} .. {box.upper.round(2).tolist()} "
              f"mm (voxel centres reach half a voxel less)")
    except GeometryError as exc:
        print(f"no single affine: {exc}")
    if findings:
        print(f"{len(findings)} finding(s):")
        for f in findings:
            print(f"  - {f}")
    else:
        print("no findings: a regular stack")
    return 1 if any(f.severity == "error" for f in findings) else 0



def register_cli(subparsers: Any) -> None:
    """Add ``geometry`` to ``python -m workshop_helpers``.

    Parameters
    ----------
    subparsers : Any
        What ``argparse.ArgumentParser.add_subparsers()`` returned.
    """
    p = subparsers.add_parser(
        "geometry", help="affine, orientation letters and geometry checks of a series folder",
        description="Read every DICOM file in FOLDER (headers only) and print the voxel-to-patient "
                    "matrix, which patient direction each image edge faces, and what check_series "
                    "finds.")
    p.add_argument("folder")
    p.set_defaults(func=_cli)

