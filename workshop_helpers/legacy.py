"""Image formats before DICOM: Interfile and Analyze 7.5, written and read by hand.

Both describe an image the way the slides put it: *matrix size + size of a pixel + encoding per
value*. Neither says where the image is in the patient:

- **Interfile 3.3** is a text header of ``key := value`` lines next to a raw data file. Keys
  marked ``!`` are required; a null value is allowed. :func:`write_interfile` writes the keys of
  version 3.3 as MedCon's 3.3 writer (``m-intf.c``) does: ``!INTERFILE :=``, the ``!GENERAL DATA``
  keys ``!name of data file``, ``patient name``, ``!patient ID``, ``patient dob``, ``patient sex``,
  ``!study ID``; the ``!GENERAL IMAGE DATA`` keys (``!type of data := Tomographic``,
  ``imagedata byte order``); a ``!SPECT STUDY (general)`` section (``!matrix size [1]``,
  ``!number format``, ``scaling factor (mm/pixel) [1]``, ``patient orientation := head_in``,
  ``patient rotation := supine``) and a ``!SPECT STUDY (reconstructed data)`` section
  (``!number of slices``, ``slice orientation := Transverse``, ``centre-centre slice separation
  (pixels)``). The words about the patient are coarse: no position or direction of the image axes.
- **Analyze 7.5** (Mayo Clinic) is a binary header of exactly 348 bytes (``.hdr``) next to the raw
  pixels (``.img``): three C structs, ``header_key`` (40 bytes), ``image_dimension`` (108) and
  ``data_history`` (200). Its byte order is not written anywhere: a reader finds it by checking
  whether the first field, ``sizeof_hdr``, reads as 348 little-endian or big-endian. Orientation is
  one byte, ``orient`` (0 transverse, 1 coronal, 2 sagittal; 3–5 "flipped"), and famously does not
  settle which side is the patient's left.
- **NIfTI-1** (from two meetings at the NIH, 31 Mar and 2 Sep 2003, says ``nifti1.h``) kept the
  348-byte layout but re-used unused bytes for two maps to millimetres: the *qform* (voxel sizes
  ``pixdim[1..3]``, an optional flip of the third axis ``qfac = pixdim[0]``, a rotation stored as a
  quaternion, and an offset: no shear) and the *sform* (a general 3x4 matrix), each with a code
  saying what space it maps to. :func:`nifti1_header` builds such a header, so learners can see
  the byte that was ``orient`` become part of ``qform_code``.

All of it is plain :mod:`struct` code, written for the course.

Examples
--------
>>> import numpy as np, tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> pixels = np.arange(12, dtype=np.int16).reshape(1, 3, 4)
>>> hdr = write_analyze(folder / "demo.hdr", pixels, voxel_size_xyz=(0.5, 0.7, 2.0), byte_order="big")
>>> image = read_analyze(hdr)
>>> image.byte_order, image.pixels.shape, image.voxel_size_xyz
('big', (1, 3, 4), (0.5, 0.7, 2.0))
"""

from __future__ import annotations

import argparse
import math
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ShortError
from .tools import CommandError, atomic_file

__all__ = [
    "LegacyFormatError",
    "LegacyImage",
    "write_interfile",
    "read_interfile",
    "parse_interfile",
    "write_analyze",
    "read_analyze",
    "analyze_header",
    "parse_analyze_header",
    "ANALYZE_ORIENT",
    "ANALYZE_FIELDS",
    "ANALYZE_DATATYPES",
    "NIFTI1_FIELDS",
    "write_nifti1",
    "nifti1_header",
    "parse_nifti1_header",
    "quaternion_from_rotation",
    "rotation_from_quaternion",
    "read_legacy",
    "describe",
    "register_cli",
]

HEADER_SIZE = 348


class LegacyFormatError(ShortError, ValueError):
    """A legacy header or its data file is not what the format requires.

    The message names the file and the key (Interfile) or byte offset (Analyze / NIfTI).
    """


@dataclass
class LegacyImage:
    """What a legacy reader found: the pixels and everything the header said (or did not say).

    ``pixels`` has shape ``(slices, rows, columns)`` (NumPy's order: z, y, x);
    ``voxel_size_xyz`` is millimetres per pixel along x, y, z — columns, rows, slices, the order of
    the header's first, second and third dimension. ``notes`` lists what the reader detected or
    had to assume (byte order, missing keys).
    """

    format: str
    pixels: np.ndarray
    voxel_size_xyz: tuple[float, ...]
    byte_order: str
    header: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    header_path: Path | None = None
    data_path: Path | None = None


def _byte_order_char(byte_order: str) -> str:
    if byte_order not in ("little", "big"):
        raise ValueError(f"byte_order must be 'little' or 'big', not {byte_order!r}")
    return "<" if byte_order == "little" else ">"


def _as_volume(pixels: np.ndarray) -> np.ndarray:
    pixels = np.asarray(pixels)
    if pixels.ndim == 2:
        pixels = pixels[np.newaxis]
    if pixels.ndim != 3:
        raise ValueError(f"pixels must be 2-D (rows, columns) or 3-D (slices, rows, columns), "
                         f"not {pixels.ndim}-D")
    return pixels


def _raw_pixels(volume: np.ndarray, byte_order: str) -> bytes:
    """The pixels as the bytes on disk, in ``byte_order`` (``"little"`` or ``"big"``)."""
    order = _byte_order_char(byte_order)
    return volume.astype(volume.dtype.newbyteorder(order), copy=False).tobytes()


def _write_pair(header_path: Path, header: bytes, data_path: Path, data: bytes) -> None:
    """Write a header and its data file, each complete or absent (:func:`tools.atomic_file`).

    Both are written before either gets its name; the data file is renamed into place first and
    the header last, so a reader never finds a new header whose data is not there yet. When
    anything fails before that, neither file is touched.
    """
    with atomic_file(header_path) as header_file, atomic_file(data_path) as data_file:
        data_file.write(data)
        header_file.write(header)


def _read(path: Path, what: str, source: str) -> bytes:
    """The bytes of ``path``; a :class:`LegacyFormatError` naming ``source`` when it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise LegacyFormatError(f"{source}: cannot read {what} ({exc.strerror})") from None


def _spacing3(voxel_size_xyz: Sequence[float]) -> tuple[float, float, float]:
    """The voxel size along x, y, z, checked (a third value of 1 mm when two are given)."""
    values = tuple(float(s) for s in voxel_size_xyz)
    if len(values) == 2:
        values = (*values, 1.0)
    if len(values) != 3 or not all(v > 0 and math.isfinite(v) for v in values):
        raise ValueError("voxel_size_xyz must be 2 or 3 positive numbers (mm, along x, y, z), "
                         f"not {voxel_size_xyz!r}")
    return values


# --------------------------------------------------------------------------------------------
# Interfile 3.3
# --------------------------------------------------------------------------------------------

_INTERFILE_FORMATS = {
    # (number format, bytes per pixel) -> numpy kind + size
    ("unsigned integer", 1): "u1", ("unsigned integer", 2): "u2", ("unsigned integer", 4): "u4",
    ("signed integer", 1): "i1", ("signed integer", 2): "i2", ("signed integer", 4): "i4",
    ("short float", 4): "f4", ("float", 4): "f4", ("long float", 8): "f8", ("float", 8): "f8",
}


def _interfile_number_format(dtype: np.dtype) -> tuple[str, int]:
    dtype = np.dtype(dtype)
    if dtype.kind == "u" and dtype.itemsize in (1, 2, 4):
        return "unsigned integer", dtype.itemsize
    if dtype.kind == "i" and dtype.itemsize in (1, 2, 4):
        return "signed integer", dtype.itemsize
    if dtype.kind == "f" and dtype.itemsize == 4:
        return "short float", 4
    if dtype.kind == "f" and dtype.itemsize == 8:
        return "long float", 8
    raise ValueError(f"Interfile cannot store pixels of type {dtype}")


def _interfile_slice_orientation(value: str) -> str:
    words = {"transverse": "Transverse", "coronal": "Coronal", "sagittal": "Sagittal"}
    if value.lower() not in words:
        raise ValueError(f"slice_orientation must be one of {sorted(words.values())}, not {value!r}")
    return words[value.lower()]


def write_interfile(header_path: str | Path, pixels: np.ndarray,
                    voxel_size_xyz: Sequence[float] = (1.0, 1.0, 1.0), *,
                    byte_order: str = "little", patient_name: str = "", patient_id: str = "",
                    patient_dob: str = "", patient_sex: str = "", study_id: str = "",
                    patient_orientation: str = "", patient_rotation: str = "",
                    slice_orientation: str = "Transverse") -> Path:
    """Write ``pixels`` as raw data plus an Interfile 3.3 header (reconstructed tomographic data).

    The keys and their sections follow the 3.3 headers written by MedCon (``m-intf.c``), whose
    manual page (``m-intf(4)``) describes "InterFile 3.3". Slice spacing is given in pixels, as
    3.3 does (``centre-centre slice separation (pixels)``); like MedCon we divide the spacing in
    millimetres by the mean of the two in-plane pixel sizes.

    Both files are written with :func:`workshop_helpers.tools.atomic_file`: each is complete or
    absent, and a failure before the end leaves neither (nor changes an older pair).

    Parameters
    ----------
    header_path : str or pathlib.Path
        The header to write (``.hv`` or ``.h33``); the data go next to it with suffix ``.v``.
    pixels : numpy.ndarray
        ``(slices, rows, columns)`` or ``(rows, columns)``; integer or float.
    voxel_size_xyz : sequence of float
        Millimetres per pixel along x, y (and z): along a row (the columns' step), down a column
        (the rows' step), between slices — the header's order, ``scaling factor (mm/pixel) [1]``
        first. NumPy's ``pixels.shape`` runs the other way round (z, y, x).
    byte_order : str
        ``"little"`` or ``"big"``: written as ``imagedata byte order``.
    patient_name, patient_id, patient_dob, patient_sex, study_id : str
        The identity keys (``!patient ID`` and ``!study ID`` are required keys; a null value is
        allowed). ``patient_dob`` is written as given (3.3 uses ``yyyy:mm:dd``).
    patient_orientation, patient_rotation : str
        ``head_in``/``feet_in`` and ``supine``/``prone``: all the "geometry" Interfile has.
    slice_orientation : str
        ``Transverse``, ``Coronal`` or ``Sagittal``.

    Returns
    -------
    pathlib.Path
        The header's path.

    Raises
    ------
    ValueError
        For pixels Interfile cannot store, a bad voxel size, byte order or slice orientation, or a
        header value that is not ASCII (the line is named).
    OSError
        When the folder is missing or the disk refuses; nothing is left behind then.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> p = write_interfile(pathlib.Path(tempfile.mkdtemp()) / "a.hv", np.zeros((2, 3), np.uint8))
    >>> lines = p.read_text().splitlines()
    >>> lines[0], "!patient ID := " in lines, "!study ID := " in lines
    ('!INTERFILE :=', True, True)
    """
    header_path = Path(header_path)
    volume = _as_volume(pixels)
    dx, dy, dz = _spacing3(voxel_size_xyz)
    number_format, nbytes = _interfile_number_format(volume.dtype)
    order = _byte_order_char(byte_order)
    orientation = _interfile_slice_orientation(slice_orientation)
    data_path = header_path.with_suffix(".v")
    slices, rows, columns = volume.shape
    lines = [
        "!INTERFILE :=",
        "!imaging modality := nucmed",
        "!originating system := workshop_helpers",
        "!version of keys := 3.3",
        "date of keys := 1992:01:01",
        "conversion program := workshop_helpers.legacy",
        ";",
        "!GENERAL DATA :=",
        "!data offset in bytes := 0",
        f"!name of data file := {data_path.name}",
        f"patient name := {patient_name}",
        f"!patient ID := {patient_id}",
        f"patient dob := {patient_dob}",
        f"patient sex := {patient_sex}",
        f"!study ID := {study_id}",
        "data compression := none",
        "data encode := none",
        ";",
        "!GENERAL IMAGE DATA :=",
        "!type of data := Tomographic",
        f"!total number of images := {slices}",
        f"imagedata byte order := {'LITTLEENDIAN' if order == '<' else 'BIGENDIAN'}",
        ";",
        "!SPECT STUDY (general) :=",
        "number of detector heads := 1",
        f"!number of images/energy window := {slices}",
        "!process status := Reconstructed",
        f"!matrix size [1] := {columns}",
        f"!matrix size [2] := {rows}",
        f"!number format := {number_format}",
        f"!number of bytes per pixel := {nbytes}",
        f"scaling factor (mm/pixel) [1] := {dx:.9g}",
        f"scaling factor (mm/pixel) [2] := {dy:.9g}",
        f"patient orientation := {patient_orientation}",
        f"patient rotation := {patient_rotation}",
        ";",
        "!SPECT STUDY (reconstructed data) :=",
        f"!number of slices := {slices}",
        f"slice orientation := {orientation}",
        f"centre-centre slice separation (pixels) := {dz / ((dx + dy) / 2):.9g}",
        "!END OF INTERFILE :=",
    ]
    for number, line in enumerate(lines, start=1):
        if not line.isascii():
            raise ValueError(f"{header_path}, line {number}: an Interfile 3.3 header is ASCII, "
                             f"{line!r} is not")
    _write_pair(header_path, ("\n".join(lines) + "\n").encode("ascii"), data_path,
                _raw_pixels(volume, byte_order))
    return header_path


_KEY = re.compile(r"\s+")


def parse_interfile(text: str, source: str = "<text>") -> dict[str, str]:
    r"""The ``key := value`` pairs of an Interfile header, keys normalised.

    Keys lose their leading ``!`` (which only marks a required key), are lower-cased, and runs of
    spaces become one (``!matrix size [1]`` → ``matrix size [1]``). Lines starting with ``;`` are
    comments.

    Parameters
    ----------
    text : str
        The header's text.
    source : str
        What to call it in an error message (a file name).

    Returns
    -------
    dict of str to str
        The values by normalised key, in header order.

    Raises
    ------
    LegacyFormatError
        When the first key is not ``INTERFILE`` or a line has no ``:=``; the message gives the
        source and line number.

    Examples
    --------
    >>> parse_interfile("!INTERFILE :=\n!matrix size [1] := 4\n")
    {'interfile': '', 'matrix size [1]': '4'}
    """
    keys: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        if ":=" not in line:
            raise LegacyFormatError(
                f"{source}, line {number}: expected 'key := value', found {raw.strip()!r}")
        key, value = line.split(":=", 1)
        key = _KEY.sub(" ", key.strip().lstrip("!").strip().lower())
        key = re.sub(r"\s*\[\s*(\d+)\s*\]", r" [\1]", key)
        if not keys and key != "interfile":
            raise LegacyFormatError(
                f"{source}, line {number}: an Interfile header starts with '!INTERFILE :=', "
                f"found {raw.strip()!r}")
        keys[key] = value.strip()
    if not keys:
        raise LegacyFormatError(f"{source}: empty header, expected '!INTERFILE :=' first")
    return keys


def _need(keys: dict[str, str], key: str, source: str) -> str:
    if key not in keys or keys[key] == "":
        raise LegacyFormatError(f"{source}: required key {key!r} is missing")
    return keys[key]


def _number(keys: dict[str, str], key: str, source: str, kind=int):
    value = _need(keys, key, source)
    try:
        number = kind(value)
    except ValueError:
        raise LegacyFormatError(
            f"{source}: key {key!r} should be a number, found {value!r}") from None
    if number <= 0:
        raise LegacyFormatError(f"{source}: key {key!r} should be positive, found {value!r}")
    return number


def _interfile_slices(keys: dict[str, str], source: str) -> int:
    """Interfile 3.3 counts slices in ``!number of slices``; some dialects use ``matrix size [3]``."""
    for key in ("number of slices", "matrix size [3]"):
        if keys.get(key, "") != "":
            return _number(keys, key, source)
    return 1


def _interfile_spacing(keys: dict[str, str], source: str, notes: list[str]) -> list[float]:
    """Millimetres per pixel along columns, rows, slices (3.3 gives the slice spacing in pixels)."""
    spacing = []
    for axis in (1, 2):
        key = f"scaling factor (mm/pixel) [{axis}]"
        if keys.get(key, "") != "":
            spacing.append(float(_number(keys, key, source, float)))
        else:
            spacing.append(1.0)
            notes.append(f"no {key!r}: assumed 1 mm")
    pixel = (spacing[0] + spacing[1]) / 2
    for key in ("centre-centre slice separation (pixels)", "slice thickness (pixels)"):
        if keys.get(key, "") != "":
            spacing.append(float(_number(keys, key, source, float)) * pixel)
            return spacing
    key = "scaling factor (mm/pixel) [3]"  # a common dialect, not a 3.3 key
    if keys.get(key, "") != "":
        spacing.append(float(_number(keys, key, source, float)))
    else:
        spacing.append(1.0)
        notes.append("no slice spacing ('centre-centre slice separation (pixels)'): assumed 1 mm")
    return spacing


def read_interfile(header_path: str | Path) -> LegacyImage:
    """Read an Interfile header and its raw data file.

    Parameters
    ----------
    header_path : str or pathlib.Path
        The header; its ``!name of data file`` is looked for in the same folder.

    Returns
    -------
    LegacyImage
        ``format`` ``"interfile"``, the pixels, spacing, byte order, the keys and notes.

    Raises
    ------
    LegacyFormatError
        For a malformed header (file and line or key in the message), an unknown number format,
        or a data file of the wrong size.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> p = write_interfile(pathlib.Path(tempfile.mkdtemp()) / "b.hv",
    ...                     np.arange(6, dtype=np.uint16).reshape(2, 3), byte_order="big")
    >>> image = read_interfile(p)
    >>> image.pixels[0].tolist(), image.byte_order
    ([[0, 1, 2], [3, 4, 5]], 'big')
    """
    header_path = Path(header_path)
    source = str(header_path)
    text = _read(header_path, "the header", source).decode("latin-1")
    keys = parse_interfile(text, source)
    notes: list[str] = []
    columns = _number(keys, "matrix size [1]", source)
    rows = _number(keys, "matrix size [2]", source)
    slices = _interfile_slices(keys, source)
    fmt = _need(keys, "number format", source).lower()
    nbytes = _number(keys, "number of bytes per pixel", source)
    kind = _INTERFILE_FORMATS.get((fmt, nbytes))
    if kind is None:
        raise LegacyFormatError(
            f"{source}: key 'number format' / 'number of bytes per pixel' = {fmt!r} / {nbytes}: "
            f"expected one of {sorted(set(_INTERFILE_FORMATS))}")
    order_text = keys.get("imagedata byte order", "").upper()
    if order_text in ("LITTLEENDIAN", "LITTLE ENDIAN"):
        byte_order = "little"
    elif order_text in ("BIGENDIAN", "BIG ENDIAN"):
        byte_order = "big"
    elif order_text == "":
        byte_order = "big"
        notes.append("no 'imagedata byte order' key: assumed BIGENDIAN")
    else:
        raise LegacyFormatError(f"{source}: key 'imagedata byte order' should be LITTLEENDIAN or "
                                f"BIGENDIAN, found {order_text!r}")
    notes.append(f"byte order from key 'imagedata byte order': {byte_order}-endian")
    spacing = _interfile_spacing(keys, source, notes)
    name = _need(keys, "name of data file", source)
    data_path = header_path.parent / name
    offset = int(keys.get("data offset in bytes", "0") or 0)
    dtype = np.dtype(kind).newbyteorder("<" if byte_order == "little" else ">")
    expected = columns * rows * slices * nbytes
    raw = _read(data_path, f"{data_path}", f"{source}: key 'name of data file' = {name!r}")
    if len(raw) - offset < expected:
        raise LegacyFormatError(
            f"{data_path}: expected {expected} bytes of pixels ({columns} x {rows} x {slices} x "
            f"{nbytes}) after offset {offset}, found {len(raw) - offset}")
    pixels = np.frombuffer(raw, dtype, count=columns * rows * slices, offset=offset)
    pixels = pixels.reshape(slices, rows, columns).astype(dtype.newbyteorder("="))
    return LegacyImage("interfile", pixels, tuple(spacing), byte_order, dict(keys), notes,
                       header_path, data_path)


# --------------------------------------------------------------------------------------------
# Analyze 7.5 and NIfTI-1: 348 bytes
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# NIfTI-1: what qform and sform added
# --------------------------------------------------------------------------------------------

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
    """
    a = math.sqrt(max(1.0 - (b * b + c * c + d * d), 0.0))
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


# --------------------------------------------------------------------------------------------
# Either format, and the command line
# --------------------------------------------------------------------------------------------

def read_legacy(path: str | Path) -> LegacyImage:
    """Read an Analyze ``.hdr`` or an Interfile header (``.hv``, ``.h33``, ``.hdr`` with text).

    Interfile is recognised by its first line (``!INTERFILE``), whatever the suffix.

    Parameters
    ----------
    path : str or pathlib.Path
        The header.

    Returns
    -------
    LegacyImage
        What :func:`read_interfile` or :func:`read_analyze` returns.

    Raises
    ------
    LegacyFormatError
        When a file cannot be read or is malformed.
    """
    path = Path(path)
    head = _read(path, "the header", str(path))[:64]
    if head.lstrip().upper().startswith(b"!INTERFILE"):
        return read_interfile(path)
    return read_analyze(path)


def describe(image: LegacyImage) -> str:
    """A few lines on what a legacy header says — and what it cannot say.

    Parameters
    ----------
    image : LegacyImage
        What a reader returned.

    Returns
    -------
    str
        Format, matrix, pixel type, voxel size, the reader's notes, and what is missing.
    """
    slices, rows, columns = image.pixels.shape
    lines = [
        f"format       : {image.format}",
        f"matrix       : {columns} columns x {rows} rows x {slices} slices",
        f"pixel type   : {image.pixels.dtype} ({image.byte_order}-endian on disk)",
        f"voxel (mm)   : {' x '.join(f'{s:g}' for s in image.voxel_size_xyz)} (x, y, z)",
    ]
    lines += [f"note         : {n}" for n in image.notes]
    lines.append("missing      : position and direction of the axes in the patient; "
                 "study/series/instance UIDs")
    return "\n".join(lines)


def _cli_info(args: argparse.Namespace) -> int:
    try:
        image = read_legacy(args.file)
    except LegacyFormatError as exc:
        raise CommandError(str(exc), status=2) from None
    print(describe(image))
    if args.all:
        print()
        for key, value in image.header.items():
            print(f"{key:<32} {value}")
    return 0


def register_cli(subparsers: Any) -> None:
    """``legacy info FILE``: the header of an Analyze ``.hdr`` or an Interfile ``.hv``/``.h33``.

    Parameters
    ----------
    subparsers : Any
        What ``argparse.ArgumentParser.add_subparsers()`` returned.
    """
    legacy = subparsers.add_parser("legacy", help="Interfile and Analyze 7.5 headers")
    sub = legacy.add_subparsers(dest="legacy_command", metavar="COMMAND", required=True)
    info = sub.add_parser("info", help="print what a .hdr (Analyze) or .hv/.h33 (Interfile) says")
    info.add_argument("file", help="the header file")
    info.add_argument("--all", action="store_true", help="also list every header field")
    info.set_defaults(func=_cli_info)
