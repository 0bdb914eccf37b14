"""The phantom as a CT Image Storage series: :func:`make_series`, one pydicom Dataset a slice.

What every slice holds (the modules of the CT Image IOD, PS3.3 A.3) is the table
``_FIXED_CT``; what depends on the parameters is worked out slice by slice from the analytic
phantom of :mod:`.model`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
from pydicom.datadict import keyword_dict
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian
from pydicom.valuerep import format_number_as_ds

from ..geometry import patient_position_axes
from ..uids import IMPLEMENTATION_CLASS_UID, mint_uid
from .model import (
    RESCALE_INTERCEPT,
    PhantomError,
    _checked_shape,
    orientation_vectors,
    phantom_radius,
    phantom_values,
)

#: pydicom's root. The phantom's UIDs are not made under it (they are 2.25: uids.mint_uid).
UID_PREFIX = "1.2.826.0.1.3680043.8.498."


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
