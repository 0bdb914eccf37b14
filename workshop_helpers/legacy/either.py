"""Either legacy format: :func:`read_legacy` finds out which one a header is; :func:`describe`."""

from __future__ import annotations

from pathlib import Path

from .analyze import read_analyze
from .common import LegacyImage, _read
from .interfile import read_interfile


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
