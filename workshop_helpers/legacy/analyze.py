"""Analyze 7.5: a binary header of exactly 348 bytes (``.hdr``) next to the raw pixels (``.img``).

The header's fields (:data:`ANALYZE_FIELDS`) as byte offsets and :mod:`struct` codes; a header
built (:func:`analyze_header`), written with its pixels (:func:`write_analyze`), parsed in
whichever byte order its first field says (:func:`parse_analyze_header`) and read with its
pixels (:func:`read_analyze`). NIfTI-1 (:mod:`.nifti`) re-uses the layout helpers here.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .common import (
    LegacyFormatError,
    LegacyImage,
    _as_volume,
    _byte_order_char,
    _raw_pixels,
    _read,
    _spacing3,
    _write_pair,
)

HEADER_SIZE = 348


def _layout(fields: list[tuple[str, str]]) -> list[tuple[str, str, int]]:
    out, offset = [], 0
    for name, code in fields:
        out.append((name, code, offset))
        offset += struct.calcsize("<" + code)
    assert offset == HEADER_SIZE, offset
    return out


#: The fields of the Analyze 7.5 header: (name, struct code, byte offset). 348 bytes in all.
ANALYZE_FIELDS: list[tuple[str, str, int]] = _layout([
    # header_key: 40 bytes
    ("sizeof_hdr", "i"), ("data_type", "10s"), ("db_name", "18s"), ("extents", "i"),
    ("session_error", "h"), ("regular", "c"), ("hkey_un0", "c"),
    # image_dimension: 108 bytes
    ("dim", "8h"), ("vox_units", "4s"), ("cal_units", "8s"), ("unused1", "h"),
    ("datatype", "h"), ("bitpix", "h"), ("dim_un0", "h"), ("pixdim", "8f"),
    ("vox_offset", "f"), ("funused1", "f"), ("funused2", "f"), ("funused3", "f"),
    ("cal_max", "f"), ("cal_min", "f"), ("compressed", "f"), ("verified", "f"),
    ("glmax", "i"), ("glmin", "i"),
    # data_history: 200 bytes
    ("descrip", "80s"), ("aux_file", "24s"), ("orient", "c"), ("originator", "10s"),
    ("generated", "10s"), ("scannum", "10s"), ("patient_id", "10s"), ("exp_date", "10s"),
    ("exp_time", "10s"), ("hist_un0", "3s"), ("views", "i"), ("vols_added", "i"),
    ("start_field", "i"), ("field_skip", "i"), ("omax", "i"), ("omin", "i"), ("smax", "i"),
    ("smin", "i"),
])


#: Analyze ``datatype`` codes and the NumPy type of one value.
ANALYZE_DATATYPES = {2: "u1", 4: "i2", 8: "i4", 16: "f4", 64: "f8"}

#: What the ``orient`` byte means, as documented by the Mayo Clinic's Analyze team.
ANALYZE_ORIENT = {
    0: "transverse unflipped", 1: "coronal unflipped", 2: "sagittal unflipped",
    3: "transverse flipped", 4: "coronal flipped", 5: "sagittal flipped",
}


def _pack(fields, values: dict, order: str) -> bytes:
    out = bytearray(HEADER_SIZE)
    for name, code, offset in fields:
        value = values.get(name)
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            struct.pack_into(order + code, out, offset, *value)
        else:
            if code == "c" and isinstance(value, str):
                value = value.encode("latin-1")
            elif code.endswith("s") and isinstance(value, str):
                value = value.encode("latin-1")
            struct.pack_into(order + code, out, offset, value)
    return bytes(out)


def _unpack(fields, raw: bytes, order: str) -> dict:
    values = {}
    for name, code, offset in fields:
        got = struct.unpack_from(order + code, raw, offset)
        if len(got) > 1:
            values[name] = list(got)
        elif code.endswith("s"):
            values[name] = got[0].split(b"\0", 1)[0].decode("latin-1")
        elif code == "c":
            values[name] = got[0][0]  # the byte as an int
        else:
            values[name] = got[0]
    return values


def _datatype_of(dtype: np.dtype) -> int:
    for code, kind in ANALYZE_DATATYPES.items():
        if np.dtype(kind) == np.dtype(dtype).newbyteorder("="):
            return code
    raise ValueError(f"Analyze cannot store pixels of type {np.dtype(dtype)}; "
                     f"use one of {sorted(set(ANALYZE_DATATYPES.values()))}")


def analyze_header(shape: tuple[int, int, int], dtype: Any,
                   voxel_size_xyz: Sequence[float] = (1.0, 1.0, 1.0), *,
                   byte_order: str = "little", orient: int = 0, description: str = "",
                   patient_id: str = "", glmin: float = 0, glmax: float = 0) -> bytes:
    """The 348 bytes of an Analyze 7.5 header for a volume of ``shape`` (slices, rows, columns).

    Parameters
    ----------
    shape : tuple of (int, int, int)
        ``(slices, rows, columns)``.
    dtype : numpy.dtype or str
        The pixel type (one of :data:`ANALYZE_DATATYPES`).
    voxel_size_xyz : sequence of float
        Millimetres per pixel along x, y (and z) — columns, rows, slices: ``pixdim[1..3]``, the
        header's own order.
    byte_order : str
        ``"little"`` or ``"big"``.
    orient : int
        The ``orient`` byte, 0-5 (see :data:`ANALYZE_ORIENT`).
    description, patient_id : str
        ``descrip`` (79 characters kept) and ``patient_id`` (10 kept).
    glmin, glmax : float
        The smallest and largest pixel value (``glmin``, ``glmax``, clipped to int32).

    Returns
    -------
    bytes
        The 348 bytes.

    Raises
    ------
    ValueError
        For a pixel type Analyze cannot store, a bad voxel size, byte order or ``orient``.

    Examples
    --------
    >>> raw = analyze_header((3, 4, 5), "int16", (0.5, 0.5, 2.0), byte_order="big")
    >>> len(raw), raw[:4].hex()
    (348, '0000015c')
    """
    slices, rows, columns = shape
    dx, dy, dz = _spacing3(voxel_size_xyz)
    if orient not in ANALYZE_ORIENT:
        raise ValueError(f"orient must be one of {sorted(ANALYZE_ORIENT)}, not {orient!r}")
    code = _datatype_of(np.dtype(dtype))
    values = {
        "sizeof_hdr": HEADER_SIZE, "extents": 16384, "regular": "r",
        "dim": [4, columns, rows, slices, 1, 0, 0, 0], "vox_units": "mm",
        "datatype": code, "bitpix": np.dtype(dtype).itemsize * 8,
        "pixdim": [0.0, dx, dy, dz, 0.0, 0.0, 0.0, 0.0], "vox_offset": 0.0,
        "glmax": int(np.clip(glmax, -2**31, 2**31 - 1)),
        "glmin": int(np.clip(glmin, -2**31, 2**31 - 1)), "descrip": description[:79],
        "orient": bytes([orient]), "patient_id": patient_id[:10],
    }
    return _pack(ANALYZE_FIELDS, values, _byte_order_char(byte_order))


def write_analyze(header_path: str | Path, pixels: np.ndarray,
                  voxel_size_xyz: Sequence[float] = (1.0, 1.0, 1.0), *,
                  byte_order: str = "little", orient: int = 0, description: str = "",
                  patient_id: str = "") -> Path:
    """Write ``pixels`` as an Analyze 7.5 pair: ``name.hdr`` (348 bytes) and ``name.img``.

    Both files are written with :func:`workshop_helpers.tools.atomic_file`: each is complete or
    absent, and a failure before the end leaves neither (nor changes an older pair).

    Parameters
    ----------
    header_path : str or pathlib.Path
        The ``.hdr`` to write; the pixels go to the same name with ``.img``.
    pixels : numpy.ndarray
        ``(slices, rows, columns)`` or ``(rows, columns)``; uint8, int16, int32, float32 or float64.
    voxel_size_xyz : sequence of float
        Millimetres per pixel along x, y (and z) — columns, rows, slices: ``pixdim[1..3]``, the
        header's own order.
    byte_order : str
        ``"little"`` or ``"big"``. Nothing in the header *says* which; readers guess from
        ``sizeof_hdr``.
    orient : int
        The ``orient`` byte, 0–5 (see :data:`ANALYZE_ORIENT`).
    description : str
        ``descrip`` (at most 79 characters are kept).
    patient_id : str
        ``patient_id`` (at most 10 characters are kept).

    Returns
    -------
    pathlib.Path
        The header's path.

    Raises
    ------
    ValueError
        For pixels Analyze cannot store, a bad voxel size, byte order or ``orient``.
    OSError
        When the folder is missing or the disk refuses; nothing is left behind then.
    """
    header_path = Path(header_path)
    volume = _as_volume(pixels)
    raw = analyze_header(volume.shape, volume.dtype, _spacing3(voxel_size_xyz),
                         byte_order=byte_order,
                         orient=orient, description=description, patient_id=patient_id,
                         glmin=float(volume.min()) if volume.size else 0,
                         glmax=float(volume.max()) if volume.size else 0)
    _write_pair(header_path, raw, header_path.with_suffix(".img"), _raw_pixels(volume, byte_order))
    return header_path


def _detect_order(raw: bytes, source: str) -> str:
    if len(raw) < HEADER_SIZE:
        raise LegacyFormatError(
            f"{source}: a header is {HEADER_SIZE} bytes, found only {len(raw)}")
    little, = struct.unpack_from("<i", raw, 0)
    big, = struct.unpack_from(">i", raw, 0)
    if little == HEADER_SIZE:
        return "little"
    if big == HEADER_SIZE:
        return "big"
    raise LegacyFormatError(
        f"{source}, offset 0 (sizeof_hdr): expected {HEADER_SIZE} in either byte order, found "
        f"{little} read little-endian and {big} read big-endian")


def parse_analyze_header(raw: bytes, source: str = "<bytes>") -> tuple[dict, str]:
    """Decode 348 bytes as an Analyze 7.5 header; return ``(fields, byte order)``.

    The byte order is detected: ``sizeof_hdr`` (offset 0) must read as 348 one way or the other.

    Parameters
    ----------
    raw : bytes
        At least the 348 bytes of the header.
    source : str
        What to call it in an error message (a file name).

    Returns
    -------
    tuple of (dict, str)
        The fields by name (see :data:`ANALYZE_FIELDS`), and ``"little"`` or ``"big"``.

    Raises
    ------
    LegacyFormatError
        When the header is short, ``sizeof_hdr`` is not 348 either way, or ``dim``, ``datatype``
        or ``bitpix`` make no sense (the message gives the byte offset).

    Examples
    --------
    >>> fields, order = parse_analyze_header(analyze_header((1, 2, 2), "uint8", byte_order="big"))
    >>> order, fields["dim"][:4], fields["datatype"]
    ('big', [4, 2, 2, 1], 2)
    """
    order = _detect_order(raw, source)
    fields = _unpack(ANALYZE_FIELDS, raw, "<" if order == "little" else ">")
    dim = fields["dim"]
    if not 1 <= dim[0] <= 7:
        raise LegacyFormatError(f"{source}, offset 40 (dim[0]): expected the number of "
                                f"dimensions, 1 to 7, found {dim[0]}")
    for i in range(1, dim[0] + 1):
        if dim[i] < 1:
            raise LegacyFormatError(f"{source}, offset {40 + 2 * i} (dim[{i}]): expected a size "
                                    f"of at least 1, found {dim[i]}")
    if fields["datatype"] not in ANALYZE_DATATYPES:
        raise LegacyFormatError(
            f"{source}, offset 70 (datatype): expected one of {sorted(ANALYZE_DATATYPES)}, "
            f"found {fields['datatype']}")
    bits = np.dtype(ANALYZE_DATATYPES[fields["datatype"]]).itemsize * 8
    if fields["bitpix"] != bits:
        raise LegacyFormatError(f"{source}, offset 72 (bitpix): datatype {fields['datatype']} "
                                f"has {bits} bits per pixel, found {fields['bitpix']}")
    return fields, order


def read_analyze(header_path: str | Path) -> LegacyImage:
    """Read an Analyze 7.5 ``.hdr``/``.img`` pair, detecting the byte order from ``sizeof_hdr``.

    Parameters
    ----------
    header_path : str or pathlib.Path
        The ``.hdr``; the pixels are read from the same name with ``.img``.

    Returns
    -------
    LegacyImage
        ``format`` ``"analyze"``, the pixels, spacing, byte order, the fields and notes.

    Raises
    ------
    LegacyFormatError
        For a malformed header (file and byte offset in the message) or an ``.img`` of the
        wrong size.
    """
    header_path = Path(header_path)
    source = str(header_path)
    raw = _read(header_path, "the header", source)
    fields, order = parse_analyze_header(raw, source)
    notes = [f"byte order detected from sizeof_hdr (offset 0): {order}-endian"]
    if raw[344:348] in (b"ni1\0", b"n+1\0"):
        notes.append("magic (offset 344) says this is NIfTI-1, not plain Analyze")
    dim = fields["dim"]
    columns, rows = dim[1], dim[2] if dim[0] >= 2 else 1
    slices = int(np.prod(dim[3:dim[0] + 1])) if dim[0] >= 3 else 1
    spacing = tuple(float(f"{p:.7g}") for p in fields["pixdim"][1:4])  # float32 on disk
    orient = fields["orient"]
    notes.append(f"orient (offset 252) = {orient}: "
                 f"{ANALYZE_ORIENT.get(orient, 'not a documented value')}")
    data_path = header_path.with_suffix(".img")
    dtype = np.dtype(ANALYZE_DATATYPES[fields["datatype"]]).newbyteorder(
        "<" if order == "little" else ">")
    offset = int(fields["vox_offset"])
    count = columns * rows * slices
    data = _read(data_path, f"the pixels in {data_path}", source)
    if len(data) - offset < count * dtype.itemsize:
        raise LegacyFormatError(
            f"{data_path}: expected {count * dtype.itemsize} bytes of pixels ({columns} x {rows} "
            f"x {slices} x {dtype.itemsize}, dim at offset 40 of the header), found "
            f"{len(data) - offset}")
    pixels = np.frombuffer(data, dtype, count=count, offset=offset)
    pixels = pixels.reshape(slices, rows, columns).astype(dtype.newbyteorder("="))
    return LegacyImage("analyze", pixels, spacing, order, fields, notes, header_path, data_path)
