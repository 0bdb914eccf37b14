"""What the legacy readers and writers share: the error, the image they return, the file pair.

- :class:`LegacyFormatError`, raised for a header or data file that is not what its format
  requires, naming the file and the key or byte offset;
- :class:`LegacyImage`, what every reader returns: the pixels and what the header said;
- checks of the writers' arguments, the pixels as bytes in either byte order, and the atomic
  write of a header next to its data file.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import ShortError
from ..tools import atomic_file


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
