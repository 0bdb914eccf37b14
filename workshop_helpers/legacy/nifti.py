"""NIfTI-1: the same 348 bytes as Analyze 7.5, with two maps from voxels to millimetres.

The *qform* (voxel sizes, a flip of the third axis, a rotation stored as a quaternion and an
offset) and the *sform* (a general 3x4 matrix): :func:`quaternion_from_rotation` and
:func:`rotation_from_quaternion` convert the rotation, :func:`nifti1_header` builds a header,
:func:`parse_nifti1_header` reads one and :func:`write_nifti1` writes a single ``.nii`` file.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from ..tools import atomic_file
from .analyze import HEADER_SIZE, _datatype_of, _detect_order, _layout, _pack, _unpack
from .common import LegacyFormatError, _as_volume, _byte_order_char, _raw_pixels

#: NIfTI-1: the same 348 bytes, re-used (nifti1.h, 2003).
NIFTI1_FIELDS: list[tuple[str, str, int]] = _layout([
    ("sizeof_hdr", "i"), ("data_type", "10s"), ("db_name", "18s"), ("extents", "i"),
    ("session_error", "h"), ("regular", "c"), ("dim_info", "c"),
    ("dim", "8h"), ("intent_p1", "f"), ("intent_p2", "f"), ("intent_p3", "f"),
    ("intent_code", "h"), ("datatype", "h"), ("bitpix", "h"), ("slice_start", "h"),
    ("pixdim", "8f"), ("vox_offset", "f"), ("scl_slope", "f"), ("scl_inter", "f"),
    ("slice_end", "h"), ("slice_code", "c"), ("xyzt_units", "c"), ("cal_max", "f"),
    ("cal_min", "f"), ("slice_duration", "f"), ("toffset", "f"), ("glmax", "i"), ("glmin", "i"),
    ("descrip", "80s"), ("aux_file", "24s"), ("qform_code", "h"), ("sform_code", "h"),
    ("quatern_b", "f"), ("quatern_c", "f"), ("quatern_d", "f"),
    ("qoffset_x", "f"), ("qoffset_y", "f"), ("qoffset_z", "f"),
    ("srow_x", "4f"), ("srow_y", "4f"), ("srow_z", "4f"),
    ("intent_name", "16s"), ("magic", "4s"),
])


def quaternion_from_rotation(rotation: np.ndarray) -> tuple[float, float, float, float]:
    """Unit quaternion ``(a, b, c, d)`` with ``a >= 0`` for a proper 3x3 rotation matrix.

    Parameters
    ----------
    rotation : numpy.ndarray
        A 3x3 rotation matrix (determinant +1).

    Returns
    -------
    tuple of float
        ``(a, b, c, d)``; NIfTI-1 stores ``b, c, d`` (``quatern_b`` ...) and recomputes ``a``.

    Examples
    --------
    >>> import numpy as np
    >>> [round(v, 6) for v in quaternion_from_rotation(np.diag([1.0, -1.0, -1.0]))]
    [0.0, 1.0, 0.0, 0.0]
    """
    r = np.asarray(rotation, dtype=float)
    trace = r[0, 0] + r[1, 1] + r[2, 2]
    if trace > 0:
        s = 2.0 * math.sqrt(1.0 + trace)
        q = (0.25 * s, (r[2, 1] - r[1, 2]) / s, (r[0, 2] - r[2, 0]) / s, (r[1, 0] - r[0, 1]) / s)
    elif r[0, 0] >= r[1, 1] and r[0, 0] >= r[2, 2]:
        s = 2.0 * math.sqrt(max(1.0 + r[0, 0] - r[1, 1] - r[2, 2], 0.0))
        q = ((r[2, 1] - r[1, 2]) / s, 0.25 * s, (r[0, 1] + r[1, 0]) / s, (r[0, 2] + r[2, 0]) / s)
    elif r[1, 1] >= r[2, 2]:
        s = 2.0 * math.sqrt(max(1.0 + r[1, 1] - r[0, 0] - r[2, 2], 0.0))
        q = ((r[0, 2] - r[2, 0]) / s, (r[0, 1] + r[1, 0]) / s, 0.25 * s, (r[1, 2] + r[2, 1]) / s)
    else:
        s = 2.0 * math.sqrt(max(1.0 + r[2, 2] - r[0, 0] - r[1, 1], 0.0))
        q = ((r[1, 0] - r[0, 1]) / s, (r[0, 2] + r[2, 0]) / s, (r[1, 2] + r[2, 1]) / s, 0.25 * s)
    q = np.array(q) / np.linalg.norm(q)
    if q[0] < 0:
        q = -q
    return tuple(float(v) for v in q)


def rotation_from_quaternion(b: float, c: float, d: float) -> np.ndarray:
    """The rotation matrix NIfTI-1 rebuilds from ``quatern_b/c/d`` (``a`` is implied, ≥ 0).

    ``a = sqrt(1 - (b² + c² + d²))``. Near a half turn ``a`` is 0 and the header's 32-bit floats
    can leave ``1 - (b² + c² + d²)`` a little off zero: below 1e-7 it is taken as a half turn
    (``a = 0``, ``(b, c, d)`` scaled to length 1), as nifti1_io.c, the format's reference library,
    does in ``nifti_quatern_to_mat44``.

    Parameters
    ----------
    b, c, d : float
        ``quatern_b``, ``quatern_c``, ``quatern_d`` of a NIfTI-1 header.

    Returns
    -------
    numpy.ndarray
        The 3x3 rotation matrix.

    Examples
    --------
    >>> rotation_from_quaternion(0.0, 0.0, 0.0).tolist()
    [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    >>> rotation_from_quaternion(0.99999997, 0.0, 0.0).round(12).tolist()   # a half turn about x
    [[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, -1.0]]
    """
    squares = b * b + c * c + d * d
    if 1.0 - squares < 1e-7:
        length = math.sqrt(squares)
        a, b, c, d = 0.0, b / length, c / length, d / length
    else:
        a = math.sqrt(1.0 - squares)
    return np.array([
        [a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)],
        [2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)],
        [2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b],
    ])


def nifti1_header(shape: tuple[int, int, int], dtype: Any, affine_ras: np.ndarray, *,
                  byte_order: str = "little", description: str = "") -> bytes:
    """A NIfTI-1 header (single file, ``n+1``) whose qform and sform both hold ``affine_ras``.

    ``affine_ras`` maps ``(column i, row j, slice k, 1)`` to RAS millimetres (NIfTI's space; DICOM
    uses LPS: flip the signs of the first two rows). The sform stores it as it is; the qform
    stores it as voxel sizes (``pixdim``), a rotation (quaternion ``b, c, d``), a sign ``qfac``
    (``pixdim[0]``) for left-handed grids, and an offset. Codes 1 (scanner) for both.

    Parameters
    ----------
    shape : tuple of (int, int, int)
        ``(slices, rows, columns)``.
    dtype : numpy.dtype or str
        The pixel type (one of :data:`ANALYZE_DATATYPES`).
    affine_ras : numpy.ndarray
        4x4, voxel ``(i, j, k, 1)`` to RAS mm.
    byte_order : str
        ``"little"`` or ``"big"``.
    description : str
        ``descrip`` (at most 79 characters are kept).

    Returns
    -------
    bytes
        The 348 bytes.

    Raises
    ------
    ValueError
        For a pixel type NIfTI-1 cannot store, a bad byte order, or an affine with a zero-length
        column.

    Examples
    --------
    >>> import numpy as np
    >>> raw = nifti1_header((2, 3, 4), "int16", np.diag([0.5, 0.7, 2.0, 1.0]))
    >>> fields = parse_nifti1_header(raw)
    >>> fields["magic"], fields["qform_code"], fields["sform_code"]
    ('n+1', 1, 1)
    """
    slices, rows, columns = shape
    affine = np.asarray(affine_ras, dtype=float)
    matrix = affine[:3, :3]
    zooms = np.linalg.norm(matrix, axis=0)
    if np.any(zooms == 0):
        raise ValueError("affine has a zero-length column: no voxel size")
    rotation = matrix / zooms
    qfac = 1.0
    if np.linalg.det(rotation) < 0:
        qfac = -1.0
        rotation = rotation.copy()
        rotation[:, 2] *= -1
    _, b, c, d = quaternion_from_rotation(rotation)
    values = {
        "sizeof_hdr": HEADER_SIZE, "dim": [3, columns, rows, slices, 1, 1, 1, 1],
        "datatype": _datatype_of(np.dtype(dtype)), "bitpix": np.dtype(dtype).itemsize * 8,
        "pixdim": [qfac, *zooms.tolist(), 0.0, 0.0, 0.0, 0.0], "vox_offset": 352.0,
        "scl_slope": 1.0, "xyzt_units": bytes([2]),  # millimetres
        "descrip": description[:79], "qform_code": 1, "sform_code": 1,
        "quatern_b": b, "quatern_c": c, "quatern_d": d,
        "qoffset_x": affine[0, 3], "qoffset_y": affine[1, 3], "qoffset_z": affine[2, 3],
        "srow_x": affine[0].tolist(), "srow_y": affine[1].tolist(),
        "srow_z": affine[2].tolist(), "magic": b"n+1\0",
    }
    return _pack(NIFTI1_FIELDS, values, _byte_order_char(byte_order))


def parse_nifti1_header(raw: bytes, source: str = "<bytes>") -> dict:
    """Decode a NIfTI-1 header; adds ``qform`` and ``sform`` as 4x4 arrays (RAS millimetres).

    Parameters
    ----------
    raw : bytes
        At least the 348 bytes of the header.
    source : str
        What to call it in an error message (a file name).

    Returns
    -------
    dict
        The fields by name (see :data:`NIFTI1_FIELDS`), plus ``byte_order``, ``qform`` and
        ``sform``.

    Raises
    ------
    LegacyFormatError
        When ``sizeof_hdr`` is not 348 or the magic (offset 344) is not ``ni1`` / ``n+1``.
    """
    order = _detect_order(raw, source)
    fields = _unpack(NIFTI1_FIELDS, raw, "<" if order == "little" else ">")
    if fields["magic"] not in ("ni1", "n+1"):
        raise LegacyFormatError(f"{source}, offset 344 (magic): expected 'ni1' or 'n+1', "
                                f"found {raw[344:348]!r} - plain Analyze has no magic")
    fields["byte_order"] = order
    qfac = -1.0 if fields["pixdim"][0] < 0 else 1.0
    rotation = rotation_from_quaternion(fields["quatern_b"], fields["quatern_c"],
                                        fields["quatern_d"])
    zooms = np.array(fields["pixdim"][1:4], dtype=float) * np.array([1.0, 1.0, qfac])
    qform = np.eye(4)
    qform[:3, :3] = rotation * zooms
    qform[:3, 3] = [fields["qoffset_x"], fields["qoffset_y"], fields["qoffset_z"]]
    sform = np.eye(4)
    sform[:3] = np.array([fields["srow_x"], fields["srow_y"], fields["srow_z"]], dtype=float)
    fields["qform"], fields["sform"] = qform, sform
    return fields


def write_nifti1(path: str | Path, pixels: np.ndarray, affine_ras: np.ndarray, *,
                 byte_order: str = "little") -> Path:
    """Write a single-file NIfTI-1 (``.nii``): header, 4 bytes of extension flag, pixels.

    Written with :func:`workshop_helpers.tools.atomic_file`: complete or absent.

    Parameters
    ----------
    path : str or pathlib.Path
        The ``.nii`` to write.
    pixels : numpy.ndarray
        ``(slices, rows, columns)`` or ``(rows, columns)``.
    affine_ras : numpy.ndarray
        4x4, voxel ``(i, j, k, 1)`` to RAS mm (see :func:`nifti1_header`).
    byte_order : str
        ``"little"`` or ``"big"``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        As :func:`nifti1_header`, or for pixels that are not 2-D or 3-D.
    OSError
        When the folder is missing or the disk refuses; nothing is left behind then.
    """
    path = Path(path)
    volume = _as_volume(pixels)
    raw = nifti1_header(volume.shape, volume.dtype, affine_ras, byte_order=byte_order)
    with atomic_file(path) as file:
        file.write(raw + b"\0\0\0\0" + _raw_pixels(volume, byte_order))
    return path
