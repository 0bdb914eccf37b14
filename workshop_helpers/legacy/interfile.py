"""Interfile 3.3: a text header of ``key := value`` lines next to a raw data file.

:func:`write_interfile` writes the keys of version 3.3 as MedCon's 3.3 writer does;
:func:`parse_interfile` reads the keys of any header; :func:`read_interfile` reads a header and
its pixels, and notes what it had to assume.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

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
