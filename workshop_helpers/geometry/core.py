"""Position and orientation of DICOM images: read them, sort slices, build the affine, name the edges.

The three attributes of the Image Plane Module (PS3.3 C.7.6.2) -- Image Position (Patient),
Image Orientation (Patient) and Pixel Spacing -- are read with errors that say which file and
which attribute (:class:`GeometryError`); from them:

- :func:`sort_slices` — slices in order along the normal of their planes, not by Instance Number;
- :func:`voxel_to_patient` — the 4x4 matrix from (column, row, slice) indices to LPS millimetres;
- :func:`plane_affine` — the same matrix for one plane given as numbers;
- :func:`slice_normal` — the unit normal of a plane, row direction x column direction;
- :func:`lps_to_ras` and :func:`ras_to_lps` — DICOM's LPS and the RAS of NIfTI;
- :func:`orientation_letters` — which patient direction each edge of a displayed image faces.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import numpy as np
from pydicom.dataset import Dataset

__all__ = [
    "GeometryError", "ORIENTATION_TOLERANCE", "DISTANCE_TOLERANCE", "Plane", "slice_normal",
    "sort_slices", "voxel_to_patient", "plane_affine", "lps_to_ras", "ras_to_lps",
    "orientation_letters",
]


class GeometryError(ValueError):
    """Position or orientation attributes are missing, malformed or contradict each other."""



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

