"""The analytic phantom: its parts in Hounsfield units, its radius, its markers, its orientations.

Pure numpy, no DICOM: :func:`phantom_values` says what lies at any point of patient space (LPS
mm), :func:`marker_positions` where the three markers are, :func:`phantom_radius` the default
radius for a volume's shape, and :func:`orientation_vectors` the row and column directions of a
named or explicit orientation in a Patient Position. The geometry is described in
:mod:`workshop_helpers.phantom`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..geometry import patient_position_axes

# Hounsfield units of each part, and the stored value offset (stored = HU - intercept).
AIR, BODY, LEFT, ANTERIOR, HEAD = -1000, 40, 1000, 500, 1500
RESCALE_INTERCEPT = -1024

# Marker centres in units of R (LPS), see the module docstring.
_MARKERS = {
    "left": ((0.45, 0.0, 0.0), (0.10, 0.10, 0.35), LEFT),
    "anterior": ((0.0, -0.28, 0.0), (0.10, 0.08, 0.35), ANTERIOR),
    "head": ((0.0, 0.0, 0.65), (0.15, 0.15, 0.15), HEAD),
}

# Named orientations as (row direction, column direction) in the equipment axes x, y, z.
_NAMED = {
    "axial": ((1, 0, 0), (0, 1, 0)),
    "sagittal": ((0, 1, 0), (0, 0, -1)),
    "coronal": ((1, 0, 0), (0, 0, -1)),
}


class PhantomError(ValueError):
    """A phantom parameter is out of range or inconsistent."""


def _checked_shape(rows: int, columns: int, slices: int, pixel_spacing: Sequence[float],
                   slice_spacing: float
                   ) -> tuple[tuple[int, int, int], tuple[float, float, float]]:
    """``(columns, rows, slices)`` and ``(row spacing, column spacing, slice spacing)``, checked.

    These two internal tuples keep the order the phantom's UIDs were always derived from.
    """
    if min(int(rows), int(columns), int(slices)) < 1 or max(int(rows), int(columns)) > 65535:
        raise PhantomError(f"rows, columns and slices must be at least 1 (rows and columns at "
                           f"most 65535), got rows={rows}, columns={columns}, slices={slices}")
    if len(pixel_spacing) != 2:
        raise PhantomError("pixel_spacing must be two numbers, (row spacing, column spacing) in "
                           f"mm, got {tuple(pixel_spacing)}")
    row_spacing, column_spacing = (float(v) for v in pixel_spacing)
    if min(row_spacing, column_spacing, float(slice_spacing)) <= 0:
        raise PhantomError(f"spacings must be positive (mm), got pixel_spacing="
                           f"{tuple(pixel_spacing)}, slice_spacing={slice_spacing}")
    return ((int(columns), int(rows), int(slices)),
            (row_spacing, column_spacing, float(slice_spacing)))


def phantom_radius(*, rows: int = 48, columns: int = 64, slices: int = 24,
                   pixel_spacing: Sequence[float] = (0.8, 0.6),
                   slice_spacing: float = 2.5) -> float:
    """Default phantom radius R (mm): half the smallest extent of the volume.

    The extents are ``columns * column spacing``, ``rows * row spacing`` and
    ``slices * slice_spacing``, so the body (at most 0.9 R from the centre along each patient
    axis) fits inside the volume in any of the named orientations.

    Parameters
    ----------
    rows, columns, slices : int
        The matrix size, as in :func:`make_series`.
    pixel_spacing : sequence of float
        ``(row spacing, column spacing)`` in mm, the order of Pixel Spacing (0028,0030).
    slice_spacing : float
        Distance between slice centres, mm.

    Returns
    -------
    float
        R in mm, rounded to 6 decimals.

    Examples
    --------
    >>> phantom_radius(rows=48, columns=64, slices=24, pixel_spacing=(0.8, 0.6), slice_spacing=2.5)
    19.2
    """
    (columns, rows, slices), (row_spacing, column_spacing, slice_spacing) = _checked_shape(
        rows, columns, slices, pixel_spacing, slice_spacing)
    extents = (columns * column_spacing, rows * row_spacing, slices * slice_spacing)
    return round(min(extents) / 2.0, 6)


def marker_positions(radius: float = 19.2,
                     centre: Sequence[float] = (0.0, 0.0, 0.0)) -> dict[str, np.ndarray]:
    """LPS centres (mm) of the three markers: ``left``, ``anterior``, ``head``.

    Parameters
    ----------
    radius : float
        The phantom radius R, mm.
    centre : sequence of float
        The phantom centre C, LPS mm.

    Returns
    -------
    dict of str to numpy.ndarray
        Each marker's centre, shape ``(3,)``, LPS mm.

    Examples
    --------
    >>> {k: v.round(3).tolist() for k, v in marker_positions(20.0).items()}
    {'left': [9.0, 0.0, 0.0], 'anterior': [0.0, -5.6, 0.0], 'head': [0.0, 0.0, 13.0]}
    """
    c = np.asarray(centre, dtype=float)
    return {name: c + float(radius) * np.asarray(m[0], dtype=float)
            for name, m in _MARKERS.items()}


def phantom_values(points: np.ndarray, radius: float = 19.2,
                   centre: Sequence[float] = (0.0, 0.0, 0.0)) -> np.ndarray:
    """Hounsfield units of the phantom at LPS points (mm), shape ``(..., 3)``.

    Parameters
    ----------
    points : numpy.ndarray
        LPS positions, mm, shape ``(..., 3)``.
    radius : float
        The phantom radius R, mm.
    centre : sequence of float
        The phantom centre C, LPS mm.

    Returns
    -------
    numpy.ndarray
        ``int16`` Hounsfield units, shape ``(...)``.

    Examples
    --------
    >>> import numpy as np
    >>> phantom_values(np.array([[0, 0, 0], [9, 0, 0], [0, 0, 13], [50, 0, 0]]), radius=20.0)
    array([   40,  1000,  1500, -1000], dtype=int16)
    """
    p = np.asarray(points, dtype=np.float32)
    c = np.asarray(centre, dtype=np.float32)
    inv = np.float32(1.0 / float(radius))
    u = (p[..., 0] - c[0]) * inv
    v = (p[..., 1] - c[1]) * inv
    w = (p[..., 2] - c[2]) * inv
    s = np.maximum(np.float32(0.75) + np.float32(0.25) * w, np.float32(0.01))
    inside = (np.abs(w) <= 0.9) & ((u / (0.9 * s)) ** 2 + (v / (0.6 * s)) ** 2 <= 1.0)
    out = np.where(inside, np.int16(BODY), np.int16(AIR)).astype(np.int16)
    for (cu, cv, cw), (au, av, aw), value in _MARKERS.values():
        m = ((u - cu) / au) ** 2 + ((v - cv) / av) ** 2 + ((w - cw) / aw) ** 2 <= 1.0
        out[m] = value
    return out


def orientation_vectors(orientation: str | Sequence[float] = "axial",
                        patient_position: str = "HFS",
                        scanner_frame: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Row and column direction (LPS unit vectors) of a named or explicit orientation.

    See the module docstring for how Patient Position enters.

    Parameters
    ----------
    orientation : str or sequence of float
        ``"axial"``, ``"sagittal"``, ``"coronal"`` or six numbers (Image Orientation (Patient)).
    patient_position : str
        A Patient Position code (for the named orientations).
    scanner_frame : bool
        Whether the named orientations follow the scanner's axes (see :func:`make_series`).

    Returns
    -------
    tuple of (numpy.ndarray, numpy.ndarray)
        The row and column directions, unit vectors in LPS.

    Raises
    ------
    PhantomError
        For an unknown name, or six numbers that are not two orthogonal unit vectors.
    GeometryError
        For an unknown Patient Position.

    Examples
    --------
    >>> [r.tolist() for r in orientation_vectors("axial", "HFP")]
    [[-1.0, 0.0, 0.0], [0.0, -1.0, 0.0]]
    """
    if isinstance(orientation, str):
        key = orientation.strip().lower()
        if key not in _NAMED:
            raise PhantomError(
                f"orientation {orientation!r} is not one of {', '.join(_NAMED)} "
                "or six numbers (Image Orientation (Patient))"
            )
        axes = patient_position_axes(patient_position if scanner_frame else "HFS").matrix
        row = axes @ np.asarray(_NAMED[key][0], dtype=float)
        col = axes @ np.asarray(_NAMED[key][1], dtype=float)
        return row + 0.0, col + 0.0
    values = np.asarray([float(v) for v in orientation], dtype=float)
    if values.shape != (6,):
        raise PhantomError(f"an explicit orientation needs 6 numbers, got {len(values)}")
    row, col = values[:3], values[3:]
    if not (np.isclose(np.linalg.norm(row), 1, atol=1e-4)
            and np.isclose(np.linalg.norm(col), 1, atol=1e-4)
            and abs(row @ col) < 1e-4):
        raise PhantomError(
            f"orientation {values.tolist()} is not two orthogonal unit vectors "
            f"(|row| = {np.linalg.norm(row):.4f}, |column| = {np.linalg.norm(col):.4f}, "
            f"row . column = {row @ col:.4f})"
        )
    return row / np.linalg.norm(row), col / np.linalg.norm(col)
