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

import numpy as np
from pydicom.dataset import Dataset

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
    """What a Patient Position (0018,5100) code means for the axes (PS3.3 C.7.3.1.1.2).

    Patient Position says how the patient lies on the table relative to the scanner. It does not
    change the patient coordinate system -- LPS is fixed to the patient's body -- but it changes
    where the scanner's own axes point in it, and so what an "axial" image of that scanner looks
    like: for HFS its rows run towards the patient's left and its columns to the back (Image
    Orientation (Patient) ``1\\0\\0\\0\\1\\0``); for FFS the patient is turned end for end, so the
    rows run towards the patient's right (``-1\\0\\0\\0\\1\\0``).

    Parameters
    ----------
    code
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


def _plane(ds: Dataset, index: int | None = None):
    """(position, row direction, column direction, (row spacing, column spacing))."""
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
    return ipp, row, col, spacing


def slice_normal(iop: Sequence[float]) -> np.ndarray:
    """Unit normal of an image plane: row direction x column direction.

    Slices are sorted along this vector; for an HFS axial image (``1\\0\\0\\0\\1\\0``) it points to
    the head.

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

    Raises
    ------
    GeometryError
        When an attribute is missing or malformed (says which file), or when the slices do not
        share one orientation (then there is no single normal to sort along).

    Examples
    --------
    >>> from workshop_helpers.phantom import make_series
    >>> series = make_series(shape=(8, 8, 5), shuffle=True)
    >>> [int(ds.InstanceNumber) for ds in series]
    [3, 5, 4, 1, 2]
    >>> [float(ds.ImagePositionPatient[2]) for ds in sort_slices(reversed(series))]
    [-5.0, -2.5, 0.0, 2.5, 5.0]
    """
    items = _as_list(datasets)
    planes = [_plane(ds, i) for i, ds in enumerate(items)]
    iop0 = np.concatenate(planes[0][1:3])
    for i, (ds, p) in enumerate(zip(items, planes, strict=True)):
        iop = np.concatenate(p[1:3])
        if np.max(np.abs(iop - iop0)) > ORIENTATION_TOLERANCE:
            raise GeometryError(
                f"{_where(ds, i)}: Image Orientation (Patient) {iop.round(6).tolist()} differs "
                f"from the first slice's {iop0.round(6).tolist()}: these slices do not form one "
                "stack (split the series by orientation first; check_series lists them)"
            )
    normal = slice_normal(iop0)
    keys = [float(p[0] @ normal) for p in planes]
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

    Raises
    ------
    GeometryError
        Missing or malformed attributes, mixed orientations, two slices at the same position.

    Examples
    --------
    >>> from workshop_helpers.phantom import make_series
    >>> A = voxel_to_patient(make_series(shape=(4, 3, 2), spacing=(2.0, 0.5, 3.0)))
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
    position
        Image Position (Patient) (0020,0032): centre of the first pixel, mm.
    orientation
        Image Orientation (Patient) (0020,0037): row direction, then column direction.
    pixel_spacing
        Pixel Spacing (0028,0030) as written: **[row spacing, column spacing]**.
    slice_step
        A number: the distance (mm) to the next slice along the normal; or a 3-vector: the step
        itself (for sheared stacks).

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
    iop
        Image Orientation (Patient): six numbers, or a dataset that has them.

    Returns
    -------
    dict
        ``{"left": ..., "right": ..., "top": ..., "bottom": ...}``.

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


def _check_stack(items: list[Dataset], planes: list, findings: list[Finding]) -> None:
    iop = np.concatenate(planes[0][1:3])
    row, col = iop[:3], iop[3:]
    if abs(row @ col) > ORIENTATION_TOLERANCE:
        angle = math.degrees(math.acos(max(-1.0, min(1.0, float(row @ col)))))
        findings.append(Finding(
            "non-orthogonal", "error",
            f"Image Orientation (Patient) {iop.round(6).tolist()}: row and column directions are "
            f"{_fmt(angle)} degrees apart, not 90 -- the pixels are not rectangles "
            "(PS3.3 C.7.6.2.1.1 requires orthogonal unit vectors)"))
    sizes = {(int(ds.get("Rows", 0) or 0), int(ds.get("Columns", 0) or 0),
              tuple(np.round(p[3], 6))) for ds, p in zip(items, planes, strict=True)}
    if len(sizes) > 1:
        findings.append(Finding(
            "mixed-size", "error",
            "the slices differ in Rows, Columns or Pixel Spacing: "
            + "; ".join(f"{r} rows x {c} columns at {list(s)} mm" for r, c, s in sorted(sizes))))
    if len(items) == 1:
        findings.append(Finding(
            "single-slice", "info",
            "only one slice: the third axis comes from Spacing Between Slices or Slice Thickness, "
            "not from positions"))
        return
    normal = slice_normal(iop)
    order = sorted(range(len(items)), key=lambda i: float(planes[i][0] @ normal))
    items = [items[i] for i in order]
    positions = np.array([planes[i][0] for i in order])
    deltas = np.diff(positions, axis=0)
    along = deltas @ normal
    across = np.linalg.norm(deltas - along[:, None] * normal, axis=1)

    duplicates = [(items[i], items[i + 1]) for i in np.flatnonzero(along < DISTANCE_TOLERANCE)]
    for a, b in duplicates:
        findings.append(Finding(
            "duplicate-position", "error",
            f"{_where(a)} and {_where(b)} lie at the same position "
            f"{positions[items.index(a)].round(4).tolist()}: a repeated or overlapping "
            "acquisition, not one volume"))
    steps = along[along >= DISTANCE_TOLERANCE]
    if len(steps) == 0:
        return
    typical = float(np.median(steps))

    sheared = along >= DISTANCE_TOLERANCE
    if np.any(across[sheared] > DISTANCE_TOLERANCE):
        angles = np.degrees(np.arctan2(across[sheared], along[sheared]))
        said = items[0].get("GantryDetectorTilt")
        note = f"; Gantry/Detector Tilt (0018,1120) says {said}" if said not in (None, "") else ""
        findings.append(Finding(
            "gantry-tilt", "warning",
            f"the slices are sheared: each step from one slice to the next leans "
            f"{_fmt(float(np.median(angles)))} degrees away from the slice normal (gantry tilt or a "
            f"non-orthogonal stack{note}). A volume made by stacking the slices on the normal "
            "would be distorted; voxel_to_patient follows the real positions"))

    tolerance = max(DISTANCE_TOLERANCE, 0.01 * typical)
    uneven = []
    for i, step in enumerate(along):
        if step < DISTANCE_TOLERANCE or abs(step - typical) <= tolerance:
            continue
        ratio = step / typical
        a, b = _where(items[i]), _where(items[i + 1])
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

    for keyword, tag, severity, meaning in (
        ("SliceThickness", "(0018,0050)", "info",
         "thickness is how much tissue one slice averages, not how far apart slices are: "
         "slices overlap or leave gaps"),
        ("SpacingBetweenSlices", "(0018,0088)", "warning",
         "the positions are what count (PS3.3 C.7.6.2.1.1)")):
        values = {str(ds.get(keyword)) for ds in items if ds.get(keyword) not in (None, "")}
        for text in sorted(values):
            try:
                value = float(text)
            except ValueError:
                findings.append(Finding("bad-value", "warning", f"{keyword} {tag} is {text!r}"))
                continue
            if abs(value - typical) > tolerance:
                findings.append(Finding(
                    "thickness-differs" if keyword == "SliceThickness" else "spacing-differs",
                    severity,
                    f"{keyword} {tag} is {_fmt(value)} mm but the slice positions are "
                    f"{_fmt(typical)} mm apart -- {meaning}"))

    numbers = [ds.get("InstanceNumber") for ds in items]
    if all(n not in (None, "") for n in numbers):
        ints = [int(n) for n in numbers]
        if ints != sorted(ints) and ints != sorted(ints, reverse=True):
            findings.append(Finding(
                "instance-order", "info",
                "Instance Number (0020,0013) does not follow the slice positions (in geometric "
                f"order they read {ints[:8]}{' ...' if len(ints) > 8 else ''}): sort by position, "
                "never by Instance Number"))
    locations = [ds.get("SliceLocation") for ds in items]
    if all(v not in (None, "") for v in locations):
        loc = np.array([float(v) for v in locations])
        step = np.median(deltas[along >= DISTANCE_TOLERANCE], axis=0)
        projections = [positions @ normal, positions @ (step / np.linalg.norm(step))]
        if not any(np.allclose(loc, sign * proj, atol=0.05)
                   for proj in projections for sign in (1, -1)):
            findings.append(Finding(
                "slice-location", "info",
                "Slice Location (0020,1041) does not equal the position along the normal; it is "
                "informative only (PS3.3 C.7.6.2.1.2), do not sort or measure with it"))


def check_series(datasets: Iterable[Dataset]) -> list[Finding]:
    """What is unusual or wrong about the geometry of a series, in plain words.

    Checks: missing or malformed Image Plane attributes; more than one Series Instance UID or
    Frame of Reference UID; more than one orientation; row and column directions that are not
    orthogonal; slices of different size or pixel spacing; sheared stacks (gantry tilt);
    duplicated positions; missing slices and uneven spacing; Slice Thickness or Spacing Between
    Slices that disagree with the real distance between positions; Instance Number or Slice
    Location that do not follow the geometry.

    Returns
    -------
    list of Finding
        Empty for a clean, regular stack.

    Examples
    --------
    >>> from workshop_helpers.phantom import make_series
    >>> check_series(make_series(shape=(8, 8, 6)))
    []
    >>> tilted = make_series(shape=(8, 8, 6), missing_slices=[3], tilt_degrees=10)
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
    if not usable:
        return findings
    groups: list[list[int]] = []  # same rule as sort_slices: within ORIENTATION_TOLERANCE
    for i, p in enumerate(planes):
        iop = np.concatenate(p[1:3])
        for group in groups:
            if np.max(np.abs(iop - np.concatenate(planes[group[0]][1:3]))) <= ORIENTATION_TOLERANCE:
                group.append(i)
                break
        else:
            groups.append([i])
    if len(groups) > 1:
        described = "; ".join(
            f"{len(ix)} slice(s) with {np.concatenate(planes[ix[0]][1:3]).round(4).tolist()} "
            f"(e.g. {_where(usable[ix[0]])})" for ix in groups)
        findings.append(Finding(
            "mixed-orientation", "error",
            f"the slices have {len(groups)} different orientations: {described}. The checks "
            "below look at the largest group only"))
        largest = max(groups, key=len)
        usable = [usable[i] for i in largest]
        planes = [planes[i] for i in largest]
    _check_stack(usable, planes, findings)
    return findings


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
        return self.edge_corners.min(axis=0)

    @property
    def upper(self) -> np.ndarray:
        return self.edge_corners.max(axis=0)

    @property
    def size(self) -> np.ndarray:
        """Extent (mm) of the voxel edges along L, P and S."""
        return self.upper - self.lower


def bounding_box(datasets: Dataset | Iterable[Dataset]) -> BoundingBox:
    """Corners of a series in LPS: voxel centres and voxel edges (see :class:`BoundingBox`).

    Examples
    --------
    >>> from workshop_helpers.phantom import make_series
    >>> box = bounding_box(make_series(shape=(4, 2, 3), spacing=(1.0, 0.5, 2.0)))
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
    """Read the headers of every DICOM file in ``folder`` (no pixel data).

    Returns the datasets and the names of files that are not DICOM (skipped).
    """
    import pydicom
    from pydicom.errors import InvalidDicomError

    datasets, skipped = [], []
    for path in sorted(Path(folder).iterdir()):
        if not path.is_file():
            continue
        try:
            datasets.append(pydicom.dcmread(path, stop_before_pixels=True))
        except (InvalidDicomError, OSError, EOFError):
            skipped.append(path.name)
    return datasets, skipped


def _cli(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"error: {folder} is not a folder")
        return 2
    datasets, skipped = read_series(folder)
    if skipped:
        print(f"skipped {len(skipped)} file(s) that are not DICOM: {', '.join(skipped[:5])}")
    if not datasets:
        print(f"error: no DICOM files in {folder}")
        return 2
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


def register_cli(subparsers) -> None:
    """Add ``geometry`` to ``python -m workshop_helpers``."""
    p = subparsers.add_parser(
        "geometry", help="affine, orientation letters and geometry checks of a series folder",
        description="Read every DICOM file in FOLDER (headers only) and print the voxel-to-patient "
                    "matrix, which patient direction each image edge faces, and what check_series "
                    "finds.")
    p.add_argument("folder")
    p.set_defaults(func=_cli)
