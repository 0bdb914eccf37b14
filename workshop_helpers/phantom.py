r"""An asymmetric CT phantom as a valid DICOM series, in any orientation and patient position.

The phantom is defined once, in the **patient** coordinate system (LPS, PS3.3 C.7.6.2.1.1:
x to the patient's left, y to the back, z to the head), so the anatomy is fixed in the patient;
orientation, patient position, spacing and shape only change how it is *sampled*. A display that
is flipped or rotated shows at a glance.

Where everything is
-------------------
Lengths are in units of the phantom radius ``R`` (mm) around the phantom centre ``C`` (LPS mm,
default ``(0, 0, 0)``); ``R`` defaults to half the smallest extent of the volume
(:func:`phantom_radius`). With ``(u, v, w) = (P - C) / R``:

- **body** (40 HU): an elliptic cone along the head-feet axis, ``|w| <= 0.9``, cross-section
  ``(u / (0.9 s))**2 + (v / (0.6 s))**2 <= 1`` with ``s = 0.75 + 0.25 w``: wider left-right than
  front-back, and **narrowing towards the feet** (at the head end ``s = 0.975``, at the feet
  ``0.525``). Air (-1000 HU) around it.
- **left marker** (1000 HU): an ellipsoid centred at ``C + R * (0.45, 0, 0)`` -- on the patient's
  **LEFT** -- semi-axes ``R * (0.10, 0.10, 0.35)``.
- **anterior marker** (500 HU): an ellipsoid centred at ``C + R * (0, -0.28, 0)`` -- **ANTERIOR**
  (towards the patient's front, negative y) -- semi-axes ``R * (0.10, 0.08, 0.35)``.
- **head marker** (1500 HU): a sphere centred at ``C + R * (0, 0, 0.65)`` -- towards the
  **HEAD** (superior) -- radius ``0.15 R``.

:func:`marker_positions` gives these centres in mm. The volume is centred on ``C`` unless
``origin`` (the Image Position (Patient) of the first slice along the normal) is given.

How Patient Position changes the images
---------------------------------------
The phantom imitates a CT scanner that does not re-orient its images: named orientations are
defined in the scanner's (equipment) axes -- seen from the foot of the table looking into the
gantry: x to the right, y to the floor, z into the gantry -- and Patient Position (0018,5100)
(PS3.3 C.7.3.1.1.2) says where those axes point in the patient
(:func:`workshop_helpers.geometry.patient_position_axes`). An "axial" image has rows along the
equipment x axis and columns along y; Image Orientation (Patient) (PS3.3 C.7.6.2.1.1) is then

- HFS: ``1\0\0\0\1\0`` -- supine: rows to the patient's left, columns to the back;
- FFS: ``-1\0\0\0\1\0`` -- turned end for end: rows now run to the patient's right;
- HFP: ``-1\0\0\0\-1\0`` -- face down: rows to the right, columns to the front;
- FFP: ``1\0\0\0\-1\0`` -- both turns: rows to the left, columns to the front;
- HFDR: ``0\1\0\-1\0\0`` -- right side down: rows to the back, columns to the right;
- HFDL: ``0\-1\0\1\0\0`` -- left side down: rows to the front, columns to the left;
- FFDR: ``0\-1\0\-1\0\0`` -- rows to the front, columns to the right;
- FFDL: ``0\1\0\1\0\0`` -- rows to the back, columns to the left.

"sagittal" has rows along y and columns along -z (HFS: ``0\1\0\0\0\-1``), "coronal" rows
along x and columns along -z (HFS: ``1\0\0\0\0\-1``). Many real scanners re-orient axial
images so that they always look the same (the slides show an FFS series with ``1\0\0\0\1\0``);
``scanner_frame=False`` does that: the named orientation is then taken as if the patient were HFS.
An explicit six-number orientation is always Image Orientation (Patient) itself.

Slices are stacked along the normal (row direction x column direction); Instance Number counts
along it unless ``shuffle=True``. A gantry tilt (``tilt_degrees``) turns the image plane about
its row direction while the table still moves along the untilted normal, so the slices are sheared
as on a tilted CT (Gantry/Detector Tilt (0018,1120), PS3.3 C.8.2.1).

Examples
--------
>>> series = make_series(rows=12, columns=16, slices=4)
>>> len(series), series[0].Modality, [float(v) for v in series[0].ImageOrientationPatient]
(4, 'CT', [1.0, 0.0, 0.0, 0.0, 1.0, 0.0])
>>> ffs = make_series(rows=12, columns=16, slices=4, patient_position="FFS")
>>> [float(v) for v in ffs[0].ImageOrientationPatient]
[-1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
"""

from __future__ import annotations

import argparse
import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pydicom
from pydicom.datadict import keyword_dict
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian
from pydicom.valuerep import format_number_as_ds

from .geometry import GeometryError, patient_position_axes
from .tools import CommandError, make_folders, save_atomically
from .uids import IMPLEMENTATION_CLASS_UID, mint_uid

__all__ = [
    "PhantomError",
    "UID_PREFIX",
    "make_series",
    "write_series",
    "phantom_radius",
    "phantom_values",
    "marker_positions",
    "orientation_vectors",
    "register_cli",
]

#: pydicom's root. The phantom's UIDs are not made under it (they are 2.25: uids.mint_uid).
UID_PREFIX = "1.2.826.0.1.3680043.8.498."

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


def _uid(*parts: object) -> str:
    return mint_uid(*parts)   # 2.25, reproducible from the parts (the course owns no root)


def _ds(x: float) -> str:
    """``x`` as a Decimal String (PS3.5 6.2) by pydicom's own formatting.

    Rounded to 10 decimals first, so that floating-point noise such as ``-2.2e-16`` or ``-0.0``
    is written as ``0.0`` and ``-19.199999999999996`` as ``-19.2``.

    >>> _ds(-2.2e-16), _ds(-19.199999999999996), _ds(0.8660254037844386)
    ('0.0', '-19.2', '0.8660254038')
    """
    return format_number_as_ds(round(float(x), 10) + 0.0)


def _ds_list(values: Sequence[float]) -> list[str]:
    return [_ds(v) for v in values]


#: The attributes every slice has with the same fixed value (PS3.3 A.3: the modules of the CT
#: Image IOD: Patient, General Study, General Series, Frame of Reference, General Equipment,
#: General Image, Image Plane, Image Pixel, CT Image, VOI LUT, SOP Common). A table, not code:
#: what depends on the parameters is in :func:`_series_attributes` and :func:`_slice_dataset`.
_FIXED_CT: dict[str, object] = {
    "SpecificCharacterSet": "ISO_IR 100",
    "SOPClassUID": CTImageStorage,
    "StudyDate": "20220601", "SeriesDate": "20220601",
    "ContentDate": "20220601", "AcquisitionDate": "20220601",
    "StudyTime": "120000", "SeriesTime": "120000",
    "AccessionNumber": "",
    "Modality": "CT",
    "Manufacturer": "workshop_helpers",
    "InstitutionName": "DICOM course",
    "ReferringPhysicianName": "",
    "StationName": "PHANTOM",
    "StudyDescription": "Asymmetric phantom",
    "ManufacturerModelName": "phantom.make_series",
    "PatientBirthDate": "",
    "PatientSex": "O",
    "BodyPartExamined": "CHEST",
    "KVP": "120",
    "SoftwareVersions": "workshop_helpers phantom 1",
    "TableHeight": "100",
    "RotationDirection": "CW",
    "ExposureTime": "500",
    "XRayTubeCurrent": "200",
    "ConvolutionKernel": "STANDARD",
    "StudyID": "1",
    "AcquisitionNumber": "1",
    "PositionReferenceIndicator": "",
    "SamplesPerPixel": 1,
    "PhotometricInterpretation": "MONOCHROME2",
    "BitsAllocated": 16,
    "BitsStored": 16,
    "HighBit": 15,
    "PixelRepresentation": 1,
    "WindowCenter": "500",
    "WindowWidth": "2000",
    "RescaleIntercept": str(RESCALE_INTERCEPT),
    "RescaleSlope": "1",
    "RescaleType": "HU",
}


class _Stack(NamedTuple):
    """Where the slices of a series lie: the first pixel of slice 0 and three steps (LPS mm)."""

    origin: np.ndarray   # Image Position (Patient) of slice 0
    row: np.ndarray      # row direction (unit)
    column: np.ndarray   # column direction (unit, turned by the tilt)
    normal: np.ndarray   # the untilted normal, row x column before the tilt
    step: np.ndarray     # from one slice to the next: the table moves along the untilted normal


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


def _checked_missing(missing_slices: Sequence[int], slices: int) -> list[int]:
    missing = sorted({int(k) for k in missing_slices})
    if any(k < 0 or k >= slices for k in missing):
        raise PhantomError(f"missing_slices {missing} must lie in 0..{slices - 1}")
    if len(missing) >= slices:
        raise PhantomError("missing_slices leaves no slice at all")
    return missing


def _checked_extra(extra_attributes: Mapping[str, object] | None) -> dict[str, object]:
    extra = dict(extra_attributes or {})
    unknown = [k for k in extra if not keyword_dict.get(k)]
    if unknown:
        raise PhantomError(f"extra_attributes: {', '.join(map(repr, unknown))} "
                           "is not a DICOM keyword (see pydicom.datadict)")
    return extra


def _stack(orientation: str | Sequence[float], position: str, scanner_frame: bool,
           tilt_degrees: float, shape: tuple[int, int, int],
           spacing: tuple[float, float, float], centre: np.ndarray,
           origin: Sequence[float] | None) -> _Stack:
    """The directions, the slice step and the first position (centred on ``centre``)."""
    if not -60.0 < float(tilt_degrees) < 60.0:
        raise PhantomError(f"tilt_degrees must lie between -60 and 60, got {tilt_degrees}")
    columns, rows, slices = shape
    row_spacing, column_spacing, slice_spacing = spacing
    row, col = orientation_vectors(orientation, position, scanner_frame)
    normal = np.cross(row, col)
    t = np.radians(float(tilt_degrees))
    if t:
        col = np.cos(t) * col + np.sin(t) * normal  # turn the plane about the row direction
    step = normal * slice_spacing
    if origin is None:
        first = (centre - (columns - 1) / 2 * column_spacing * row
                 - (rows - 1) / 2 * row_spacing * col - (slices - 1) / 2 * step)
    else:
        first = np.asarray([float(v) for v in origin], dtype=float)
    return _Stack(first, row, col, normal, step)


def _series_attributes(stack: _Stack, shape: tuple[int, int, int],
                       spacing: tuple[float, float, float], named: str, position: str,
                       radius: float, tilt_degrees: float, description: str) -> dict[str, object]:
    """The attributes that depend on the parameters but are the same on every slice."""
    columns, rows, _ = shape
    row_spacing, column_spacing, slice_spacing = spacing
    return {
        "ImageType": (["ORIGINAL", "PRIMARY", "AXIAL"] if named == "axial"
                      else ["DERIVED", "SECONDARY", "REFORMATTED"]),
        "SeriesDescription": description[:64],
        "SliceThickness": _ds(slice_spacing),
        "DataCollectionDiameter": _ds(2 * radius),
        "ReconstructionDiameter": _ds(max(columns * column_spacing, rows * row_spacing)),
        "GantryDetectorTilt": _ds(float(tilt_degrees)),
        "PatientPosition": position,
        "ImageOrientationPatient": _ds_list([*stack.row, *stack.column]),
        "Rows": rows,
        "Columns": columns,
        "PixelSpacing": _ds_list([row_spacing, column_spacing]),
    }


def _slice_dataset(attributes: Mapping[str, object], sop_uid: str, k: int, number: int,
                   position: np.ndarray, normal: np.ndarray, hu: np.ndarray) -> Dataset:
    """One slice: the fixed and series attributes, then what is this slice's own.

    ``k`` is the slice's index along the normal (it sets the acquisition time), ``number`` its
    Instance Number, ``position`` its Image Position (Patient) and ``hu`` its pixels in HU.
    """
    ds = _header(sop_uid)
    for keyword, value in attributes.items():
        setattr(ds, keyword, value)
    ds.SOPInstanceUID = sop_uid
    ds.AcquisitionTime = ds.ContentTime = f"1200{k // 60 % 60:02d}.{k % 60:02d}"
    ds.InstanceNumber = str(number)
    ds.ImagePositionPatient = _ds_list(position)
    ds.SliceLocation = _ds(float(position @ normal))
    ds.PixelData = (hu.astype(np.int32) - RESCALE_INTERCEPT).astype("<i2").tobytes()
    return ds


def _instance_numbers(count: int, shuffle: bool, seed: int) -> list[int]:
    numbers = list(range(1, count + 1))
    if shuffle:
        rng = np.random.default_rng(seed)
        numbers = [int(n) for n in rng.permutation(numbers)]
    return numbers


def make_series(
    *,
    rows: int = 48,
    columns: int = 64,
    slices: int = 24,
    pixel_spacing: Sequence[float] = (0.8, 0.6),
    slice_spacing: float = 2.5,
    orientation: str | Sequence[float] = "axial",
    patient_position: str = "HFS",
    seed: int = 0,
    tilt_degrees: float = 0.0,
    missing_slices: Sequence[int] = (),
    shuffle: bool = False,
    patient_name: str = "PHANTOM^ASYMMETRIC",
    patient_id: str = "PHANTOM01",
    study_uid: str | None = None,
    series_uid: str | None = None,
    origin: Sequence[float] | None = None,
    phantom_centre: Sequence[float] = (0.0, 0.0, 0.0),
    radius: float | None = None,
    scanner_frame: bool = True,
    series_number: int = 1,
    series_description: str | None = None,
    extra_attributes: Mapping[str, object] | None = None,
) -> list[Dataset]:
    """A CT Image Storage series of the asymmetric phantom, one :class:`~pydicom.Dataset` a slice.

    Parameters
    ----------
    rows, columns, slices : int
        The matrix size: Rows (0028,0010), Columns (0028,0011) and the number of slices.
    pixel_spacing : sequence of float
        ``(row spacing, column spacing)`` in mm, written as Pixel Spacing (0028,0030) in that
        order (PS3.3 10.7.1.3): the row spacing is the distance between the centres of adjacent
        *rows*, i.e. a step along the column direction.
    slice_spacing : float
        Distance between the centres of adjacent slices along the table, mm (also written as
        Slice Thickness).
    orientation : str or sequence of float
        ``"axial"``, ``"sagittal"``, ``"coronal"`` or six numbers (Image Orientation (Patient)).
    patient_position : str
        HFS, FFS, HFP, FFP, HFDR, HFDL, FFDR or FFDL (see the module docstring).
    seed : int
        Makes the UIDs (and the shuffling) reproducible.
    tilt_degrees : float
        Gantry tilt: the image plane turns by this angle about its row direction, the slice
        positions still advance along the untilted normal.
    missing_slices : sequence of int
        Indices (0-based, along the normal) of slices to leave out.
    shuffle : bool
        Shuffle Instance Number (and, in :func:`write_series`, file names).
    patient_name, patient_id : str
        Patient's Name and Patient ID.
    study_uid, series_uid : str or None
        Study and Series Instance UID; by default derived from ``seed`` and the parameters.
    origin : sequence of float or None
        Image Position (Patient) of the first slice along the normal; default: the volume is
        centred on ``phantom_centre``.
    phantom_centre : sequence of float
        Where the phantom's centre is (LPS mm).
    radius : float or None
        The phantom radius R (mm); default :func:`phantom_radius`.
    scanner_frame : bool
        True: named orientations follow the scanner's axes, so Patient Position changes Image
        Orientation (Patient); False: they are fixed in the patient (as if HFS).
    series_number : int
        Series Number.
    series_description : str or None
        Series Description; default names the orientation, position and tilt.
    extra_attributes : mapping of str to object or None
        More attributes for every slice, by keyword (e.g. ``{"PatientBirthDate": "19700101"}``);
        they replace the phantom's own values of the same name.

    Returns
    -------
    list of pydicom.dataset.Dataset
        In the order along the slice normal (Instance Number order unless ``shuffle``), each
        with file meta information, ready for ``save_as(..., enforce_file_format=True)``.

    Raises
    ------
    PhantomError
        For a bad matrix size, spacing, orientation, tilt, slice index or attribute keyword.
    GeometryError
        For an unknown Patient Position.

    Examples
    --------
    >>> series = make_series(rows=3, columns=4, slices=2, pixel_spacing=(1.0, 1.0), slice_spacing=2.5)
    >>> [str(v) for v in series[1].ImagePositionPatient]
    ['-1.5', '-1.0', '1.25']
    """
    grid = {"rows": rows, "columns": columns, "slices": slices, "pixel_spacing": pixel_spacing,
            "slice_spacing": slice_spacing}
    full_shape, full_spacing = _checked_shape(**grid)
    missing = _checked_missing(missing_slices, full_shape[2])
    extra = _checked_extra(extra_attributes)
    position = patient_position_axes(patient_position).code
    centre = np.asarray(phantom_centre, dtype=float)
    stack = _stack(orientation, position, scanner_frame, tilt_degrees, full_shape,
                   full_spacing, centre, origin)
    R = float(radius) if radius is not None else phantom_radius(**grid)

    key = (full_shape, full_spacing, str(orientation), position, tilt_degrees,
           tuple(missing), shuffle, origin, tuple(centre), R, scanner_frame, series_number)
    series_uid = series_uid or _uid("phantom-series", seed, patient_id, key)
    named = orientation.lower() if isinstance(orientation, str) else "oblique"
    description = series_description or f"Phantom {named} {position}" + (
        f" tilt {tilt_degrees:g}" if tilt_degrees else "")
    attributes = {
        **_FIXED_CT,
        **_series_attributes(stack, full_shape, full_spacing, named, position, R,
                             tilt_degrees, description),
        "PatientName": patient_name, "PatientID": patient_id,
        "StudyInstanceUID": study_uid or _uid("phantom-study", seed, patient_id),
        "SeriesInstanceUID": series_uid, "SeriesNumber": str(int(series_number)),
        "FrameOfReferenceUID": _uid("phantom-frame", series_uid),
    }

    columns, rows, _ = full_shape
    row_spacing, column_spacing, _ = full_spacing
    jj, ii = np.mgrid[0:rows, 0:columns].astype(np.float32)
    in_plane = (ii[..., None] * np.float32(column_spacing) * stack.row.astype(np.float32)
                + jj[..., None] * np.float32(row_spacing) * stack.column.astype(np.float32))
    kept = [k for k in range(full_shape[2]) if k not in missing]
    datasets = []
    for number, k in zip(_instance_numbers(len(kept), shuffle, seed), kept, strict=True):
        ipp = stack.origin + k * stack.step
        hu = phantom_values(in_plane + ipp.astype(np.float32), R, centre)
        ds = _slice_dataset(attributes, _uid("phantom-image", series_uid, k), k, number, ipp,
                            stack.normal, hu)
        for keyword, value in extra.items():
            setattr(ds, keyword, value)
        datasets.append(ds)
    return datasets


def _header(sop_uid: str) -> Dataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = "WORKSHOP_PHANTOM"
    ds = Dataset()
    ds.file_meta = meta
    return ds


def _file_numbers(count: int, shuffle: bool, seed: int) -> list[int]:
    """The numbers in the file names: in order, or shuffled apart from Instance Number."""
    numbers = list(range(1, count + 1))
    if shuffle:
        rng = np.random.default_rng(int(hashlib.sha256(f"names{seed}".encode()).hexdigest()[:8], 16))
        numbers = [int(n) for n in rng.permutation(numbers)]
    return numbers


def write_series(folder: str | os.PathLike, **kwargs: object) -> list[Path]:
    """Write :func:`make_series` into ``folder`` (created if needed); return the paths.

    Files are called ``IM0001.dcm``, ``IM0002.dcm``, ... along the slice normal; with
    ``shuffle=True`` the numbers in the names are shuffled too, independently of Instance Number,
    so neither the names nor the numbers give the geometric order. Each file is written with
    :func:`workshop_helpers.tools.save_atomically`, so it is complete or absent; when one fails,
    the files this call already wrote are removed again, so no partial series is left. Files of
    the same names are replaced (and not restored after a failure); other files in ``folder``
    are left alone, so write each series into a fresh folder (``tools.scratch_folder``).

    Parameters
    ----------
    folder : str or os.PathLike
        Where the files go; made, with its parents, when missing.
    **kwargs
        The keyword arguments of :func:`make_series`.

    Returns
    -------
    list of pathlib.Path
        The files, in the order along the slice normal.

    Raises
    ------
    PhantomError, GeometryError
        For bad parameters, as :func:`make_series` (before anything is written).
    OSError
        When the disk refuses; no file of the series is left then.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_series(tempfile.mkdtemp(), rows=8, columns=8, slices=3)
    >>> [p.name for p in paths]
    ['IM0001.dcm', 'IM0002.dcm', 'IM0003.dcm']
    """
    datasets = make_series(**kwargs)
    target = Path(folder)
    make_folders(target)
    numbers = _file_numbers(len(datasets), bool(kwargs.get("shuffle")), int(kwargs.get("seed", 0)))
    width = max(4, len(str(len(datasets))))
    paths = [target / f"IM{n:0{width}d}.dcm" for n in numbers]
    written: list[Path] = []
    try:
        for ds, path in zip(datasets, paths, strict=True):
            written.append(save_atomically(ds, path))
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return paths


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
