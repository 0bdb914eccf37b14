"""A series as a whole: what can go wrong with its geometry, its bounding box, reading it from a folder.

- :func:`check_series` — every problem of a series' geometry as a :class:`Finding` (orientations,
  sizes, duplicates, gaps, shear, declared spacing, instance order, Slice Location), one small
  check per invariant;
- :func:`bounding_box` — the corners of a series in LPS millimetres, voxel centres and voxel edges;
- :func:`read_series` — the headers of every DICOM file in a folder.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from ..files import dicom_files
from .core import (
    DISTANCE_TOLERANCE,
    ORIENTATION_TOLERANCE,
    GeometryError,
    Plane,
    _as_list,
    _orientation_groups,
    _plane,
    _where,
    slice_normal,
    sort_slices,
    voxel_to_patient,
)

__all__ = [
    "Finding", "check_series", "BoundingBox", "bounding_box", "read_series",
]


@dataclass(frozen=True)
class Finding:
    """One thing :func:`check_series` noticed.

    ``code`` is a short stable name (``"gantry-tilt"``, ``"missing-slices"``, ...), ``severity``
    one of ``"error"`` (the series cannot be treated as one regular volume), ``"warning"`` (it can,
    with care) and ``"info"``; ``message`` says it in plain words, with the files involved.
    """

    code: str
    severity: str
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.message}"



def _fmt(x: float) -> str:
    return f"{x:.4g}"



class _Stack(NamedTuple):
    """One orientation's slices in order along the normal, and the steps between them."""

    items: list[Dataset]     # sorted along the normal
    positions: np.ndarray    # their Image Position (Patient), shape (n, 3)
    normal: np.ndarray
    deltas: np.ndarray       # position differences of neighbours, shape (n - 1, 3)
    along: np.ndarray        # ... along the normal (mm)
    across: np.ndarray       # ... across it (mm): shear

    @property
    def moving(self) -> np.ndarray:
        """Which neighbours are apart along the normal (not duplicates)."""
        return self.along >= DISTANCE_TOLERANCE

    @property
    def typical(self) -> float:
        """The median step between neighbours that are apart (call only when there are some)."""
        return float(np.median(self.along[self.moving]))

    @property
    def tolerance(self) -> float:
        """How far a step or a declared spacing may differ from :attr:`typical` (mm)."""
        return max(DISTANCE_TOLERANCE, 0.01 * self.typical)



def _sorted_stack(items: list[Dataset], planes: list[Plane]) -> _Stack:
    normal = slice_normal(planes[0].orientation)
    order = sorted(range(len(items)), key=lambda i: float(planes[i].position @ normal))
    positions = np.array([planes[i].position for i in order])
    deltas = np.diff(positions, axis=0)
    along = deltas @ normal
    across = np.linalg.norm(deltas - along[:, None] * normal, axis=1)
    return _Stack([items[i] for i in order], positions, normal, deltas, along, across)



def _check_orthogonal(plane: Plane) -> list[Finding]:
    dot = float(plane.row @ plane.column)
    if abs(dot) <= ORIENTATION_TOLERANCE:
        return []
    angle = math.degrees(math.acos(max(-1.0, min(1.0, dot))))
    return [Finding(
        "non-orthogonal", "error",
        f"Image Orientation (Patient) {plane.orientation.round(6).tolist()}: row and column "
        f"directions are {_fmt(angle)} degrees apart, not 90 -- the pixels are not rectangles "
        "(PS3.3 C.7.6.2.1.1 requires orthogonal unit vectors)")]



def _check_sizes(items: list[Dataset], planes: list[Plane]) -> list[Finding]:
    sizes = {(int(ds.get("Rows", 0) or 0), int(ds.get("Columns", 0) or 0),
              tuple(np.round(p.spacing, 6))) for ds, p in zip(items, planes, strict=True)}
    if len(sizes) <= 1:
        return []
    return [Finding(
        "mixed-size", "error",
        "the slices differ in Rows, Columns or Pixel Spacing: "
        + "; ".join(f"{r} rows x {c} columns at {list(s)} mm" for r, c, s in sorted(sizes)))]



def _check_duplicates(stack: _Stack) -> list[Finding]:
    return [Finding(
        "duplicate-position", "error",
        f"{_where(stack.items[i])} and {_where(stack.items[i + 1])} lie at the same position "
        f"{stack.positions[i].round(4).tolist()}: a repeated or overlapping acquisition, not "
        "one volume") for i in np.flatnonzero(~stack.moving)]



def _check_shear(stack: _Stack) -> list[Finding]:
    moving = stack.moving
    if not np.any(stack.across[moving] > DISTANCE_TOLERANCE):
        return []
    angles = np.degrees(np.arctan2(stack.across[moving], stack.along[moving]))
    said = stack.items[0].get("GantryDetectorTilt")
    note = f"; Gantry/Detector Tilt (0018,1120) says {said}" if said not in (None, "") else ""
    return [Finding(
        "gantry-tilt", "warning",
        f"the slices are sheared: each step from one slice to the next leans "
        f"{_fmt(float(np.median(angles)))} degrees away from the slice normal (gantry tilt or a "
        f"non-orthogonal stack{note}). A volume made by stacking the slices on the normal "
        "would be distorted; voxel_to_patient follows the real positions")]



def _check_steps(stack: _Stack) -> list[Finding]:
    """Missing slices (a step that is a whole multiple of the typical one), or uneven spacing."""
    typical, tolerance = stack.typical, stack.tolerance
    findings, uneven = [], []
    for i, step in enumerate(stack.along):
        if step < DISTANCE_TOLERANCE or abs(step - typical) <= tolerance:
            continue
        ratio = step / typical
        a, b = _where(stack.items[i]), _where(stack.items[i + 1])
        if ratio > 1.5 and abs(ratio - round(ratio)) * typical <= tolerance:
            gone = int(round(ratio)) - 1
            findings.append(Finding(
                "missing-slices", "warning",
                f"{gone} slice{'s' if gone > 1 else ''} missing between {a} and {b}: they are "
                f"{_fmt(step)} mm apart where the others are {_fmt(typical)} mm"))
        else:
            uneven.append(f"{_fmt(step)} mm between {a} and {b}")
    if uneven:
        findings.append(Finding(
            "uneven-spacing", "warning",
            f"uneven slice spacing (most steps are {_fmt(typical)} mm): " + "; ".join(uneven)))
    return findings



#: The attributes that claim a slice distance, and what it means when they disagree with the
#: positions: (keyword, tag, code, severity, meaning).
_DECLARED_SPACING = (
    ("SliceThickness", "(0018,0050)", "thickness-differs", "info",
     "thickness is how much tissue one slice averages, not how far apart slices are: "
     "slices overlap or leave gaps"),
    ("SpacingBetweenSlices", "(0018,0088)", "spacing-differs", "warning",
     "the positions are what count (PS3.3 C.7.6.2.1.1)"),
)



def _check_declared_spacing(stack: _Stack) -> list[Finding]:
    findings = []
    for keyword, tag, code, severity, meaning in _DECLARED_SPACING:
        values = {str(ds.get(keyword)) for ds in stack.items if ds.get(keyword) not in (None, "")}
        for text in sorted(values):
            try:
                value = float(text)
            except ValueError:
                findings.append(Finding("bad-value", "warning", f"{keyword} {tag} is {text!r}"))
                continue
            if abs(value - stack.typical) > stack.tolerance:
                findings.append(Finding(
                    code, severity,
                    f"{keyword} {tag} is {_fmt(value)} mm but the slice positions are "
                    f"{_fmt(stack.typical)} mm apart -- {meaning}"))
    return findings



def _check_instance_order(stack: _Stack) -> list[Finding]:
    numbers = [ds.get("InstanceNumber") for ds in stack.items]
    if any(n in (None, "") for n in numbers):
        return []
    ints = [int(n) for n in numbers]
    if ints in (sorted(ints), sorted(ints, reverse=True)):
        return []
    return [Finding(
        "instance-order", "info",
        "Instance Number (0020,0013) does not follow the slice positions (in geometric "
        f"order they read {ints[:8]}{' ...' if len(ints) > 8 else ''}): sort by position, "
        "never by Instance Number")]



def _check_slice_location(stack: _Stack) -> list[Finding]:
    locations = [ds.get("SliceLocation") for ds in stack.items]
    if any(v in (None, "") for v in locations):
        return []
    loc = np.array([float(v) for v in locations])
    step = np.median(stack.deltas[stack.moving], axis=0)
    projections = [stack.positions @ stack.normal, stack.positions @ (step / np.linalg.norm(step))]
    if any(np.allclose(loc, sign * proj, atol=0.05) for proj in projections for sign in (1, -1)):
        return []
    return [Finding(
        "slice-location", "info",
        "Slice Location (0020,1041) does not equal the position along the normal; it is "
        "informative only (PS3.3 C.7.6.2.1.2), do not sort or measure with it")]



def _check_stack(items: list[Dataset], planes: list[Plane]) -> list[Finding]:
    """The findings about one stack of slices that share an orientation, in report order."""
    findings = _check_orthogonal(planes[0]) + _check_sizes(items, planes)
    if len(items) == 1:
        return findings + [Finding(
            "single-slice", "info",
            "only one slice: the third axis comes from Spacing Between Slices or Slice "
            "Thickness, not from positions")]
    stack = _sorted_stack(items, planes)
    findings += _check_duplicates(stack)
    if not np.any(stack.moving):
        return findings
    for check in (_check_shear, _check_steps, _check_declared_spacing, _check_instance_order,
                  _check_slice_location):
        findings += check(stack)
    return findings



def _check_identifiers(items: list[Dataset]) -> list[Finding]:
    """More than one Series Instance UID or Frame of Reference UID in the list."""
    findings = []
    for code, keyword, name in (
            ("mixed-series", "SeriesInstanceUID", "series (Series Instance UID)"),
            ("mixed-frame-of-reference", "FrameOfReferenceUID",
             "frames of reference (Frame of Reference UID)")):
        values = [ds.get(keyword) for ds in items]
        distinct = sorted({str(v) for v in values if v})
        if len(distinct) > 1:
            counts = ", ".join(f"{values.count(v)} x ...{v[-12:]}" for v in distinct)
            findings.append(Finding(
                code, "error",
                f"{len(distinct)} different {name} in one list ({counts}): split them first"))
    return findings



def _check_orientations(items: list[Dataset], planes: list[Plane],
                        groups: list[list[int]]) -> list[Finding]:
    if len(groups) <= 1:
        return []
    described = "; ".join(
        f"{len(ix)} slice(s) with {planes[ix[0]].orientation.round(4).tolist()} "
        f"(e.g. {_where(items[ix[0]])})" for ix in groups)
    return [Finding(
        "mixed-orientation", "error",
        f"the slices have {len(groups)} different orientations: {described}. The checks "
        "below look at the largest group only")]



def check_series(datasets: Iterable[Dataset]) -> list[Finding]:
    """What is unusual or wrong about the geometry of a series, in plain words.

    Checks: missing or malformed Image Plane attributes; more than one Series Instance UID or
    Frame of Reference UID; more than one orientation; row and column directions that are not
    orthogonal; slices of different size or pixel spacing; sheared stacks (gantry tilt);
    duplicated positions; missing slices and uneven spacing; Slice Thickness or Spacing Between
    Slices that disagree with the real distance between positions; Instance Number or Slice
    Location that do not follow the geometry. One small ``_check_*`` function per finding.

    Parameters
    ----------
    datasets : iterable of pydicom.dataset.Dataset
        The slices, in any order (headers are enough).

    Returns
    -------
    list of Finding
        Empty for a clean, regular stack.

    Raises
    ------
    GeometryError
        When ``datasets`` is empty (a dataset that lacks an attribute is a finding, not an error).

    Examples
    --------
    >>> from workshop_helpers.phantom import make_series
    >>> check_series(make_series(rows=8, columns=8, slices=6))
    []
    >>> tilted = make_series(rows=8, columns=8, slices=6, missing_slices=[3], tilt_degrees=10)
    >>> for f in check_series(tilted):
    ...     if f.severity != "info":
    ...         print(f.code)
    gantry-tilt
    missing-slices
    """
    items = _as_list(datasets)
    findings: list[Finding] = []
    usable, planes = [], []
    for i, ds in enumerate(items):
        try:
            planes.append(_plane(ds, i))
            usable.append(ds)
        except GeometryError as exc:
            findings.append(Finding("missing-attribute", "error", str(exc)))
    findings += _check_identifiers(items)
    if not usable:
        return findings
    groups = _orientation_groups(planes)
    findings += _check_orientations(usable, planes, groups)
    largest = max(groups, key=len)
    return findings + _check_stack([usable[i] for i in largest], [planes[i] for i in largest])



@dataclass(frozen=True)
class BoundingBox:
    """Where a volume lies in LPS (mm), two ways.

    ``centre_corners`` are the centres of the 8 corner voxels (indices 0 and n-1);
    ``edge_corners`` are the outer corners of those voxels (indices -0.5 and n-0.5) -- Image
    Position (Patient) is the *centre* of the first pixel, so the image reaches half a pixel
    further. ``lower``/``upper`` are the axis-aligned extremes of the edge corners.
    """

    centre_corners: np.ndarray
    edge_corners: np.ndarray

    @property
    def lower(self) -> np.ndarray:
        """The smallest L, P and S of the voxel edges (mm)."""
        return self.edge_corners.min(axis=0)

    @property
    def upper(self) -> np.ndarray:
        """The largest L, P and S of the voxel edges (mm)."""
        return self.edge_corners.max(axis=0)

    @property
    def size(self) -> np.ndarray:
        """Extent (mm) of the voxel edges along L, P and S."""
        return self.upper - self.lower



def bounding_box(datasets: Dataset | Iterable[Dataset]) -> BoundingBox:
    """Corners of a series in LPS: voxel centres and voxel edges (see :class:`BoundingBox`).

    Parameters
    ----------
    datasets : pydicom.dataset.Dataset or iterable of pydicom.dataset.Dataset
        One slice or a series, in any order.

    Returns
    -------
    BoundingBox
        The 8 corners both ways, and the axis-aligned extremes.

    Raises
    ------
    GeometryError
        As :func:`voxel_to_patient`, or when Rows or Columns is missing.

    Examples
    --------
    >>> from workshop_helpers.phantom import make_series
    >>> series = make_series(rows=2, columns=4, slices=3, pixel_spacing=(1.0, 0.5), slice_spacing=2.0)
    >>> box = bounding_box(series)
    >>> box.centre_corners.min(axis=0).tolist(), box.lower.tolist()
    ([-0.75, -0.5, -2.0], [-1.0, -1.0, -3.0])
    >>> box.size.tolist()   # 4 x 0.5, 2 x 1.0, 3 x 2.0
    [2.0, 2.0, 6.0]
    """
    items = sort_slices(_as_list(datasets))
    affine = voxel_to_patient(items)
    rows = int(items[0].get("Rows", 0) or 0)
    columns = int(items[0].get("Columns", 0) or 0)
    if rows < 1 or columns < 1:
        raise GeometryError(f"{_where(items[0])}: Rows (0028,0010) and Columns (0028,0011) are "
                            f"needed for a bounding box, found {rows} x {columns}")
    n = (columns, rows, len(items))
    grid = np.array([[i, j, k] for i in (0, 1) for j in (0, 1) for k in (0, 1)], dtype=float)
    centre_idx = grid * (np.array(n) - 1)
    edge_idx = grid * np.array(n) - 0.5
    def apply(idx):
        return idx @ affine[:3, :3].T + affine[:3, 3]
    return BoundingBox(apply(centre_idx) + 0.0, apply(edge_idx) + 0.0)



def read_series(folder: str | Path) -> tuple[list[Dataset], list[str]]:
    """Read the headers of every DICOM file in ``folder`` (no pixel data, not recursive).

    The files are those :func:`workshop_helpers.files.dicom_files` finds; a file it skips, or
    whose data set pydicom then cannot read, is skipped here too and named.

    Parameters
    ----------
    folder : str or pathlib.Path
        The folder; sub-folders are not entered.

    Returns
    -------
    tuple of (list of pydicom.dataset.Dataset, list of str)
        The datasets, in file-name order, and the names of the files that are not DICOM (or
        cannot be read), skipped.

    Raises
    ------
    OSError
        When ``folder`` cannot be listed (missing, not a folder).
    """
    found = dicom_files(folder)
    datasets, skipped = [], [s.path.name for s in found.skipped]
    for path in found:
        try:
            datasets.append(pydicom.dcmread(path, stop_before_pixels=True))
        except (InvalidDicomError, OSError, EOFError):
            skipped.append(path.name)
    return datasets, sorted(skipped)

