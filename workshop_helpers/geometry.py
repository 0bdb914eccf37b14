"""Where is a pixel in the patient? Position and orientation of DICOM images.

DICOM places every pixel in the **patient-based coordinate system** (PS3.3 C.7.6.2.1.1), in
millimetres, often called **LPS**: x grows towards the patient's left (L), y towards the
posterior, the back (P), z towards the head, superior (S). Three attributes of the Image
Plane Module (PS3.3 C.7.6.2) say where an image lies:

- Image Position (Patient) (0020,0032): the **centre** of the first transmitted pixel (row 0,
  column 0), in mm;
- Image Orientation (Patient) (0020,0037): two unit vectors, the direction of the first row
  (the way the column index *i* grows) and of the first column (the way the row index *j* grows);
- Pixel Spacing (0028,0030): **[row spacing, column spacing]** -- the distance between the centres
  of adjacent rows first (measured along the column direction), then between adjacent columns.

So the pixel in column *i*, row *j* of a slice lies at::

    P = IPP + i * column_spacing * row_direction + j * row_spacing * column_direction

This module turns those attributes into a 4x4 matrix (:func:`voxel_to_patient`), sorts slices by
geometry (:func:`sort_slices`), converts to the RAS convention of NIfTI (:func:`lps_to_ras`), names
the edges of an image (:func:`orientation_letters`), explains Patient Position (0018,5100)
(:func:`patient_position_axes`) and lists what can go wrong with a series (:func:`check_series`).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from .files import dicom_files
from .tools import CommandError

__all__ = [
    "GeometryError",
    "Finding",
    "BoundingBox",
    "PATIENT_POSITIONS",
    "PositionAxes",
    "voxel_to_patient",
    "plane_affine",
    "sort_slices",
    "slice_normal",
    "lps_to_ras",
    "ras_to_lps",
    "orientation_letters",
    "patient_position_axes",
    "check_series",
    "bounding_box",
    "read_series",
    "register_cli",
]


class GeometryError(ValueError):
    """Position or orientation attributes are missing, malformed or contradict each other."""


@dataclass(frozen=True)
class PositionAxes:
    """What a Patient Position (0018,5100) code means for the axes of the scanner.

    The *equipment* axes here are those of a CT gantry seen by someone standing at the foot of the
    table and looking into the gantry: ``x`` to that person's right, ``y`` down towards the floor,
    ``z`` away from them, into the gantry. The vectors say which patient direction (in LPS) each
    equipment axis points to.
    """

    code: str
    words: str
    x: tuple[float, float, float]
    y: tuple[float, float, float]
    z: tuple[float, float, float]

    @property
    def matrix(self) -> np.ndarray:
        """3x3 matrix whose columns are the equipment x, y, z axes in LPS."""
        return np.array([self.x, self.y, self.z], dtype=float).T

    def describe(self) -> str:
        """Plain words: which way each equipment axis points in the patient."""
        return (
            f"{self.code} ({self.words}): looking into the gantry from the foot of the table, "
            f"your right is the patient's {_direction_word(self.x)}, the floor is the patient's "
            f"{_direction_word(self.y)}, and into the gantry is the patient's "
            f"{_direction_word(self.z)}."
        )


def _direction_word(v) -> str:
    names = {(1, 0, 0): "left", (-1, 0, 0): "right", (0, 1, 0): "back (posterior)",
             (0, -1, 0): "front (anterior)", (0, 0, 1): "head (superior)",
             (0, 0, -1): "feet (inferior)"}
    return names.get(tuple(int(round(c)) for c in v), str(v))


# Patient Position defined terms of PS3.3 C.7.3.1.1.2. "Head first" means the head enters the
# gantry first; supine: face up; prone: face down; decubitus right: lying on the right side
# (the patient's right side down), decubitus left: the left side down.
PATIENT_POSITIONS: dict[str, PositionAxes] = {
    p.code: p
    for p in (
        PositionAxes("HFS", "head first, supine", (1, 0, 0), (0, 1, 0), (0, 0, 1)),
        PositionAxes("FFS", "feet first, supine", (-1, 0, 0), (0, 1, 0), (0, 0, -1)),
        PositionAxes("HFP", "head first, prone", (-1, 0, 0), (0, -1, 0), (0, 0, 1)),
        PositionAxes("FFP", "feet first, prone", (1, 0, 0), (0, -1, 0), (0, 0, -1)),
        PositionAxes("HFDR", "head first, decubitus right", (0, 1, 0), (-1, 0, 0), (0, 0, 1)),
        PositionAxes("HFDL", "head first, decubitus left", (0, -1, 0), (1, 0, 0), (0, 0, 1)),
        PositionAxes("FFDR", "feet first, decubitus right", (0, -1, 0), (-1, 0, 0), (0, 0, -1)),
        PositionAxes("FFDL", "feet first, decubitus left", (0, 1, 0), (1, 0, 0), (0, 0, -1)),
    )
}


def patient_position_axes(code: str) -> PositionAxes:
    r"""What a Patient Position (0018,5100) code means for the axes (PS3.3 C.7.3.1.1.2).

    Patient Position says how the patient lies on the table relative to the scanner. It does not
    change the patient coordinate system -- LPS is fixed to the patient's body -- but it changes
    where the scanner's own axes point in it, and so what an "axial" image of that scanner looks
    like: for HFS its rows run towards the patient's left and its columns to the back (Image
    Orientation (Patient) ``1\0\0\0\1\0``); for FFS the patient is turned end for end, so the
    rows run towards the patient's right (``-1\0\0\0\1\0``).

    Parameters
    ----------
    code : str
        One of HFS, FFS, HFP, FFP, HFDR, HFDL, FFDR, FFDL (case and spaces ignored).

    Returns
    -------
    PositionAxes
        ``.x``, ``.y``, ``.z``: the equipment axes (right of someone at the foot of the table
        looking into the gantry, the floor, into the gantry) as LPS unit vectors; ``.words`` and
        ``.describe()`` in plain words.

    Raises
    ------
    GeometryError
        For a code that is not one of the eight above.

    Examples
    --------
    >>> patient_position_axes("FFS").x
    (-1, 0, 0)
    >>> print(patient_position_axes("HFP").describe())  # doctest: +NORMALIZE_WHITESPACE
    HFP (head first, prone): looking into the gantry from the foot of the table, your right is
    the patient's right, the floor is the patient's front (anterior), and into the gantry is the
    patient's head (superior).
    """
    key = str(code).strip().upper()
    if key not in PATIENT_POSITIONS:
        raise GeometryError(
            f"Patient Position (0018,5100) {code!r} is not one of the terms this course knows: "
            f"{', '.join(PATIENT_POSITIONS)} (PS3.3 C.7.3.1.1.2)"
        )
    return PATIENT_POSITIONS[key]


# --------------------------------------------------------------------------------------------
# Reading the attributes, with errors that say where
# --------------------------------------------------------------------------------------------

#: How far two direction cosines may differ and still count as the same (PS3.3 does not say;
#: real scanners write 6 to 10 decimals).
ORIENTATION_TOLERANCE = 1e-4
#: How far two positions or spacings (mm) may differ and still count as the same.
DISTANCE_TOLERANCE = 0.01


def _where(ds: Dataset, index: int | None = None) -> str:
    parts = []
    filename = getattr(ds, "filename", None)
    if isinstance(filename, str | Path) and str(filename):
        parts.append(Path(filename).name)
    if "InstanceNumber" in ds and ds.InstanceNumber is not None:
        parts.append(f"instance {ds.InstanceNumber}")
    if index is not None:
        parts.append(f"item {index} of the list")
    return ", ".join(parts) or "a dataset without file name or Instance Number"


_TAGS = {
    "ImagePositionPatient": ("Image Position (Patient)", "(0020,0032)", 3),
    "ImageOrientationPatient": ("Image Orientation (Patient)", "(0020,0037)", 6),
    "PixelSpacing": ("Pixel Spacing", "(0028,0030)", 2),
}


def _numbers(ds: Dataset, keyword: str, index: int | None = None) -> np.ndarray:
    name, tag, count = _TAGS[keyword]
    try:
        value = ds.get(keyword)
    except (TypeError, ValueError) as exc:  # a value pydicom cannot convert
        raise GeometryError(f"{_where(ds, index)}: {name} {tag} cannot be read: {exc}") from None
    if value is None or value == "" or (hasattr(value, "__len__") and len(value) == 0):
        raise GeometryError(f"{_where(ds, index)}: {name} {tag} is missing or empty")
    values = list(value) if isinstance(value, Sequence) and not isinstance(value, str) else [value]
    try:
        numbers = np.array([float(v) for v in values], dtype=float)
    except (TypeError, ValueError):
        raise GeometryError(
            f"{_where(ds, index)}: {name} {tag} should hold {count} numbers, found {value!r}"
        ) from None
    if numbers.shape != (count,) or not np.all(np.isfinite(numbers)):
        raise GeometryError(
            f"{_where(ds, index)}: {name} {tag} should hold {count} numbers, "
            f"found {len(numbers)}: {values!r}"
        )
    return numbers


class Plane(NamedTuple):
    """The Image Plane attributes of one slice as numbers (PS3.3 C.7.6.2), read by :func:`_plane`."""

    position: np.ndarray     # Image Position (Patient): centre of the first pixel, mm
    row: np.ndarray          # direction of the first row (unit vector)
    column: np.ndarray       # direction of the first column (unit vector)
    spacing: np.ndarray      # Pixel Spacing: [row spacing, column spacing], mm

    @property
    def orientation(self) -> np.ndarray:
        """Image Orientation (Patient): the row direction, then the column direction."""
        return np.concatenate([self.row, self.column])


def _plane(ds: Dataset, index: int | None = None) -> Plane:
    """The :class:`Plane` of ``ds``; a :class:`GeometryError` says which file lacks what."""
    ipp = _numbers(ds, "ImagePositionPatient", index)
    iop = _numbers(ds, "ImageOrientationPatient", index)
    spacing = _numbers(ds, "PixelSpacing", index)
    row, col = iop[:3], iop[3:]
    for label, v in (("row", row), ("column", col)):
        if abs(np.linalg.norm(v) - 1) > 0.01:
            raise GeometryError(
                f"{_where(ds, index)}: Image Orientation (Patient) (0020,0037) {label} direction "
                f"{v.tolist()} is not a unit vector (length {np.linalg.norm(v):.4f})"
            )
    if np.any(spacing <= 0):
        raise GeometryError(
            f"{_where(ds, index)}: Pixel Spacing (0028,0030) must be positive, found "
            f"{spacing.tolist()}"
        )
    return Plane(ipp, row, col, spacing)


def _orientation_groups(planes: Sequence[Plane]) -> list[list[int]]:
    """Indices of ``planes`` grouped by orientation, in order of first appearance.

    The one rule of this module for "the same orientation": every direction cosine within
    :data:`ORIENTATION_TOLERANCE` of the group's first plane. :func:`sort_slices` refuses more
    than one group, :func:`check_series` reports them.
    """
    groups: list[list[int]] = []
    for i, plane in enumerate(planes):
        for group in groups:
            first = planes[group[0]].orientation
            if np.max(np.abs(plane.orientation - first)) <= ORIENTATION_TOLERANCE:
                group.append(i)
                break
        else:
            groups.append([i])
    return groups


def slice_normal(iop: Sequence[float]) -> np.ndarray:
    r"""Unit normal of an image plane: row direction x column direction.

    Slices are sorted along this vector; for an HFS axial image (``1\0\0\0\1\0``) it points to
    the head.

    Parameters
    ----------
    iop : sequence of float
        Image Orientation (Patient): six numbers.

    Returns
    -------
    numpy.ndarray
        The unit normal, shape ``(3,)``.

    Raises
    ------
    GeometryError
        When there are not six numbers, or the two directions are parallel.

    Examples
    --------
    >>> slice_normal([1, 0, 0, 0, 1, 0]).tolist()
    [0.0, 0.0, 1.0]
    >>> slice_normal([0, 1, 0, 0, 0, -1]).tolist()   # sagittal: towards the patient's left
    [-1.0, 0.0, 0.0]
    """
    v = np.asarray([float(x) for x in iop], dtype=float)
    if v.shape != (6,):
        raise GeometryError(f"Image Orientation (Patient) needs 6 numbers, found {len(v)}")
    n = np.cross(v[:3], v[3:])
    length = np.linalg.norm(n)
    if length < 1e-6:
        raise GeometryError(f"Image Orientation (Patient) {v.tolist()}: row and column "
                            "directions are parallel, there is no plane")
    return n / length + 0.0


def _as_list(datasets: Dataset | Iterable[Dataset]) -> list[Dataset]:
    if isinstance(datasets, Dataset):
        return [datasets]
    items = list(datasets)
    if not items:
        raise GeometryError("no datasets given: a series needs at least one image")
    return items


# --------------------------------------------------------------------------------------------
# Sorting and the affine
# --------------------------------------------------------------------------------------------

def sort_slices(datasets: Iterable[Dataset]) -> list[Dataset]:
    """The slices in order of their position along the slice normal.

    Instance Number (0020,0013) and Slice Location (0020,1041) are not geometry -- scanners reuse,
    restart and reverse them. The position of a slice is Image Position (Patient) projected on
    the normal of Image Orientation (Patient) (:func:`slice_normal`); sorting by it is what
    PS3.3 C.7.6.2.1.1 supports. Equal positions keep their input order.

    Parameters
    ----------
    datasets : iterable of pydicom.dataset.Dataset
        The slices, in any order; headers are enough.

    Returns
    -------
    list of pydicom.dataset.Dataset
        The same datasets, from the lowest to the highest position along the normal.

    Raises
    ------
    GeometryError
        When there are no datasets, an attribute is missing or malformed (says which file), or
        the slices do not share one orientation (then there is no single normal to sort along).

    Examples
    --------
    >>> from workshop_helpers.phantom import make_series
    >>> series = make_series(rows=8, columns=8, slices=5, shuffle=True)
    >>> [int(ds.InstanceNumber) for ds in series]
    [3, 5, 4, 1, 2]
    >>> [float(ds.ImagePositionPatient[2]) for ds in sort_slices(reversed(series))]
    [-5.0, -2.5, 0.0, 2.5, 5.0]
    """
    items = _as_list(datasets)
    planes = [_plane(ds, i) for i, ds in enumerate(items)]
    groups = _orientation_groups(planes)
    if len(groups) > 1:
        i = groups[1][0]
        raise GeometryError(
            f"{_where(items[i], i)}: Image Orientation (Patient) "
            f"{planes[i].orientation.round(6).tolist()} differs from the first slice's "
            f"{planes[0].orientation.round(6).tolist()}: these slices do not form one stack "
            "(split the series by orientation first; check_series lists them)"
        )
    normal = slice_normal(planes[0].orientation)
    keys = [float(p.position @ normal) for p in planes]
    order = sorted(range(len(items)), key=lambda i: keys[i])
    return [items[i] for i in order]


def _single_slice_spacing(ds: Dataset) -> float:
    for keyword, tag in (("SpacingBetweenSlices", "(0018,0088)"), ("SliceThickness", "(0018,0050)")):
        value = ds.get(keyword)
        if value not in (None, ""):
            try:
                spacing = float(value)
            except (TypeError, ValueError):
                raise GeometryError(f"{_where(ds)}: {keyword} {tag} is not a number: {value!r}") from None
            if spacing > 0:
                return spacing
    raise GeometryError(
        f"{_where(ds)}: a single slice needs Spacing Between Slices (0018,0088) or Slice "
        "Thickness (0018,0050) to say how far the third axis reaches; neither is present"
    )


def voxel_to_patient(datasets: Dataset | Iterable[Dataset]) -> np.ndarray:
    """4x4 matrix mapping ``(column i, row j, slice k, 1)`` to LPS millimetres.

    The columns of the matrix are (PS3.3 C.7.6.2.1.1)::

        [ row_direction * column_spacing,  column_direction * row_spacing,  slice_step,  IPP_0 ]

    -- note the crossing: the column index *i* moves along the row direction by the *column*
    spacing, the second value of Pixel Spacing (0028,0030). ``k`` counts slices in the order of
    :func:`sort_slices`; ``slice_step`` is the typical (median) step between consecutive Image Positions, which follows
    the real positions (it is not perpendicular to the plane when the gantry was tilted). A single
    slice gets ``normal * spacing`` from Spacing Between Slices (0018,0088) or Slice Thickness.
    With missing or unevenly spaced slices no single matrix is exact for every slice -- it is
    exact up to the first gap; :func:`check_series` reports such series.

    Parameters
    ----------
    datasets : pydicom.dataset.Dataset or iterable of pydicom.dataset.Dataset
        One slice, or the slices of a series in any order.

    Returns
    -------
    numpy.ndarray
        Shape ``(4, 4)``: ``A @ (i, j, k, 1)`` is the voxel's LPS position in mm, then 1.

    Raises
    ------
    GeometryError
        Missing or malformed attributes, mixed orientations, all slices at the same position,
        a single slice without Spacing Between Slices or Slice Thickness.

    Examples
    --------
    >>> from workshop_helpers.phantom import make_series
    >>> series = make_series(rows=3, columns=4, slices=2, pixel_spacing=(2.0, 0.5), slice_spacing=3.0)
    >>> A = voxel_to_patient(series)
    >>> A.round(3)
    array([[ 0.5 ,  0.  ,  0.  , -0.75],
           [ 0.  ,  2.  ,  0.  , -2.  ],
           [ 0.  ,  0.  ,  3.  , -1.5 ],
           [ 0.  ,  0.  ,  0.  ,  1.  ]])
    >>> (A @ [3, 2, 1, 1]).round(3)   # last column, last row, second slice
    array([0.75, 2.  , 1.5 , 1.  ])
    """
    items = sort_slices(datasets)
    ipp, row, col, spacing = _plane(items[0])
    if len(items) == 1:
        step = slice_normal([*row, *col]) * _single_slice_spacing(items[0])
    else:
        positions = np.array([_numbers(ds, "ImagePositionPatient") for ds in items])
        deltas = np.diff(positions, axis=0)
        moving = deltas[np.linalg.norm(deltas, axis=1) >= DISTANCE_TOLERANCE]
        if len(moving) == 0:
            raise GeometryError(
                f"all {len(items)} slices lie at the same position {ipp.tolist()} "
                f"({_where(items[0])} and {_where(items[-1])}): duplicated slices, no third axis"
            )
        step = np.median(moving, axis=0)
    return plane_affine(ipp, [*row, *col], spacing, step)


def plane_affine(position: Sequence[float], orientation: Sequence[float],
                 pixel_spacing: Sequence[float],
                 slice_step: float | Sequence[float] = 1.0) -> np.ndarray:
    """The 4x4 voxel-to-LPS matrix from raw attribute values (PS3.3 C.7.6.2.1.1).

    Parameters
    ----------
    position : sequence of float
        Image Position (Patient) (0020,0032): centre of the first pixel, mm.
    orientation : sequence of float
        Image Orientation (Patient) (0020,0037): row direction, then column direction.
    pixel_spacing : sequence of float
        Pixel Spacing (0028,0030) as written: **[row spacing, column spacing]**.
    slice_step : float or sequence of float
        A number: the distance (mm) to the next slice along the normal; or a 3-vector: the step
        itself (for sheared stacks).

    Returns
    -------
    numpy.ndarray
        Shape ``(4, 4)``, as :func:`voxel_to_patient`.

    Raises
    ------
    GeometryError
        When a value has the wrong number of numbers, or the two directions are parallel.

    Examples
    --------
    >>> A = plane_affine([-100, -80, 20], [1, 0, 0, 0, 1, 0], [0.8, 0.5], 2.5)
    >>> (A @ [10, 4, 0, 1])[:3].tolist()   # column 10, row 4: 10 * 0.5 mm right, 4 * 0.8 mm down
    [-95.0, -76.8, 20.0]
    """
    ipp = np.asarray([float(v) for v in position], dtype=float)
    iop = np.asarray([float(v) for v in orientation], dtype=float)
    spacing = np.asarray([float(v) for v in pixel_spacing], dtype=float)
    if ipp.shape != (3,) or iop.shape != (6,) or spacing.shape != (2,):
        raise GeometryError(
            "plane_affine needs 3 numbers of Image Position (Patient), 6 of Image Orientation "
            f"(Patient) and 2 of Pixel Spacing; got {len(ipp)}, {len(iop)} and {len(spacing)}"
        )
    row_spacing, column_spacing = spacing
    if np.ndim(slice_step) == 0:
        step = slice_normal(iop) * float(slice_step)
    else:
        step = np.asarray([float(v) for v in slice_step], dtype=float)
    affine = np.eye(4)
    affine[:3, 0] = iop[:3] * column_spacing   # i (column index) walks along the row
    affine[:3, 1] = iop[3:] * row_spacing      # j (row index) walks along the column
    affine[:3, 2] = step
    affine[:3, 3] = ipp
    return affine + 0.0


# --------------------------------------------------------------------------------------------
# LPS and RAS; letters on the edges
# --------------------------------------------------------------------------------------------

_FLIP = np.diag([-1.0, -1.0, 1.0, 1.0])


def lps_to_ras(value: np.ndarray | Sequence) -> np.ndarray:
    """DICOM's LPS to the RAS convention of NIfTI (and 3D Slicer): negate x and y.

    Works on points (shape ``(..., 3)``) and on 4x4 affines (then ``diag(-1, -1, 1, 1) @ A``, so
    the result maps the same voxel indices to RAS). The same operation converts back
    (:func:`ras_to_lps`).

    Parameters
    ----------
    value : array_like
        Points, shape ``(..., 3)``, or a 4x4 affine.

    Returns
    -------
    numpy.ndarray
        The same shape, in RAS.

    Raises
    ------
    GeometryError
        For any other shape.

    Examples
    --------
    >>> lps_to_ras([10.0, -20.0, 30.0]).tolist()
    [-10.0, 20.0, 30.0]
    >>> lps_to_ras(np.eye(4))[:3, :3].tolist()
    [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    a = np.asarray(value, dtype=float)
    if a.shape == (4, 4):
        return _FLIP @ a + 0.0
    if a.shape[-1:] != (3,):
        raise GeometryError(f"expected points of shape (..., 3) or a 4x4 affine, got {a.shape}")
    return a * np.array([-1.0, -1.0, 1.0]) + 0.0


def ras_to_lps(value: np.ndarray | Sequence) -> np.ndarray:
    """RAS (NIfTI) to LPS (DICOM): the inverse of :func:`lps_to_ras`, which is the same flip.

    Parameters
    ----------
    value : array_like
        Points, shape ``(..., 3)``, or a 4x4 affine, in RAS.

    Returns
    -------
    numpy.ndarray
        The same shape, in LPS.

    Raises
    ------
    GeometryError
        For any other shape.

    Examples
    --------
    >>> ras_to_lps(lps_to_ras([1.0, 2.0, 3.0])).tolist()
    [1.0, 2.0, 3.0]
    """
    return lps_to_ras(value)


def _letters(v: np.ndarray, head_feet: tuple[str, str], tolerance: float) -> str:
    pos = ("L", "P", head_feet[0])
    neg = ("R", "A", head_feet[1])
    order = np.argsort(-np.abs(v), kind="stable")
    return "".join((pos if v[a] > 0 else neg)[a] for a in order if abs(v[a]) > tolerance)


def orientation_letters(iop: Sequence[float] | Dataset, head_feet: tuple[str, str] = ("H", "F"),
                        tolerance: float = 1e-3) -> dict[str, str]:
    """Which patient directions the edges of a displayed image face.

    An image is shown with row 0 at the top and column 0 on the left, so the **right** edge faces
    the row direction, the **bottom** edge the column direction, and left and top face the
    opposite ways. Letters as in Patient Orientation (0020,0020) (PS3.3 C.7.6.1.1.1): L/R (left,
    right), A/P (anterior, posterior), H/F (head, feet) -- pass ``head_feet=("S", "I")`` for the
    superior/inferior letters many viewers show. An oblique direction gets several letters,
    largest component first (``"LA"``: mostly left, somewhat anterior).

    Parameters
    ----------
    iop : sequence of float or pydicom.dataset.Dataset
        Image Orientation (Patient): six numbers, or a dataset that has them.
    head_feet : tuple of (str, str)
        The letters for towards the head and towards the feet.
    tolerance : float
        A direction component at most this large is left out of the letters.

    Returns
    -------
    dict of str to str
        ``{"left": ..., "right": ..., "top": ..., "bottom": ...}``.

    Raises
    ------
    GeometryError
        When there are not six numbers (or the dataset lacks them).

    Examples
    --------
    >>> orientation_letters([1, 0, 0, 0, 1, 0])          # HFS axial: radiological view
    {'left': 'R', 'right': 'L', 'top': 'A', 'bottom': 'P'}
    >>> orientation_letters([-1, 0, 0, 0, 1, 0])         # FFS axial as the scanner wrote it
    {'left': 'L', 'right': 'R', 'top': 'A', 'bottom': 'P'}
    >>> orientation_letters([0.866, -0.5, 0, 0, 0, -1], head_feet=("S", "I"))
    {'left': 'RP', 'right': 'LA', 'top': 'S', 'bottom': 'I'}
    """
    if isinstance(iop, Dataset):
        iop = _numbers(iop, "ImageOrientationPatient")
    v = np.asarray([float(x) for x in iop], dtype=float)
    if v.shape != (6,):
        raise GeometryError(f"Image Orientation (Patient) needs 6 numbers, found {len(v)}")
    row, col = v[:3], v[3:]
    return {
        "left": _letters(-row, head_feet, tolerance),
        "right": _letters(row, head_feet, tolerance),
        "top": _letters(-col, head_feet, tolerance),
        "bottom": _letters(col, head_feet, tolerance),
    }


# --------------------------------------------------------------------------------------------
# What can go wrong with a series
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Reading a folder, and the command line
# --------------------------------------------------------------------------------------------

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
