"""The pure parts of the viewers: numbers in, numbers (or PNG bytes) out, no widget and no display.

Each is unit-tested without a display:

- :func:`window_image` — DICOM's linear window (PS3.3 C.11.2.1.2.1) to 8-bit grey;
- :func:`pixel_aspect` — the on-screen aspect from Pixel Spacing, *row* spacing first;
- :func:`edge_letters` — which patient direction each edge of an image faces (from
  :func:`geometry.orientation_letters`);
- :func:`slice_info` — where voxel (row, column) of slice k is in the patient (LPS millimetres);
- :func:`plane_corners` — the four corners of a slice plane, at the pixel *edges*;
- :func:`orientation_from_angles` — IOP and IPP of a plane turned about the patient's L, P, S axes;
- :func:`format_ds` — numbers as a Decimal String value, the way a dump shows them;
- :func:`slider_step` — a slider step that a key press makes worth pressing;
- :func:`figure_png` — a matplotlib figure as PNG bytes (Agg, no screen needed).
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image
from pydicom.valuerep import format_number_as_ds

from .. import geometry

__all__ = [
    "window_image", "pixel_aspect", "slider_step", "edge_letters", "slice_info",
    "plane_corners", "orientation_from_angles", "format_ds", "figure_png",
]


def window_image(pixels: np.ndarray, center: float, width: float) -> np.ndarray:
    """Map values to 8-bit grey with DICOM's linear window (PS3.3 C.11.2.1.2.1).

    Values at or below ``center - 0.5 - (width - 1) / 2`` become 0, values above
    ``center - 0.5 + (width - 1) / 2`` become 255, and those in between a straight line.
    ``pydicom.pixels.apply_windowing`` computes the same function from a data set's VOI LUT
    Module, into the range of its stored pixels; this one takes plain numbers and always
    gives 0-255 for ``imshow``. Where both give 0-255 (8 bits stored), they agree.

    Parameters
    ----------
    pixels : array_like
        Any array of numbers (e.g. Hounsfield units).
    center, width : float
        Window Center (0028,1050) and Window Width (0028,1051); ``width >= 1``.

    Returns
    -------
    numpy.ndarray
        ``uint8``, same shape as ``pixels``.

    Raises
    ------
    ValueError
        When ``width < 1`` (the standard requires it).

    Examples
    --------
    >>> window_image(np.array([-1000, -160, 40, 239, 1000]), center=40, width=400).tolist()
    [0, 0, 128, 255, 255]
    """
    if not width >= 1:
        raise ValueError(f"Window Width must be at least 1 (PS3.3 C.11.2.1.2.1), found {width!r}")
    x = np.asarray(pixels, dtype=np.float32)
    y = ((x - (center - 0.5)) / (width - 1 if width > 1 else 1) + 0.5) * 255.0
    if width == 1:  # a step: below the centre black, above white
        y = np.where(x > center - 0.5, 255.0, 0.0)
    return np.clip(np.rint(y), 0, 255).astype(np.uint8)



def pixel_aspect(pixel_spacing: Sequence[float]) -> float:
    """The aspect for ``imshow``: height / width of one pixel on screen.

    Pixel Spacing (0028,0030) is **[row spacing, column spacing]** (PS3.3 10.7.1.3): the
    distance between the centres of adjacent *rows* first — the pixel's height — then between
    adjacent *columns* — its width.

    Parameters
    ----------
    pixel_spacing : sequence of float
        Pixel Spacing (0028,0030): row spacing, column spacing (mm).

    Returns
    -------
    float
        Row spacing / column spacing.

    Raises
    ------
    ValueError
        When a spacing is not positive.

    Examples
    --------
    >>> pixel_aspect([2.0, 0.5])   # rows 2 mm apart, columns 0.5 mm apart: tall pixels
    4.0
    """
    row_spacing, column_spacing = (float(v) for v in pixel_spacing)
    if row_spacing <= 0 or column_spacing <= 0:
        raise ValueError(f"Pixel Spacing must be two positive numbers, found {pixel_spacing!r}")
    return row_spacing / column_spacing



def edge_letters(iop: Sequence[float]) -> dict[str, str]:
    """The patient direction each edge of a displayed image faces, as the viewer labels it.

    Row 0 is at the top and column 0 on the left, so the right edge faces the row direction
    (the first three numbers of Image Orientation (Patient)) and the bottom edge the column
    direction (PS3.3 C.7.6.2.1.1); :func:`geometry.orientation_letters` does the work. The viewer
    uses S/I for head and feet, as most viewers do (DICOM's Patient Orientation uses H/F).

    Parameters
    ----------
    iop : sequence of float
        Image Orientation (Patient): six numbers.

    Returns
    -------
    dict
        ``{"left": ..., "right": ..., "top": ..., "bottom": ...}``, e.g. ``"LP"`` for a direction
        mostly left and somewhat posterior.

    Examples
    --------
    >>> edge_letters([1, 0, 0, 0, 0, -1])   # a coronal slice as usually displayed
    {'left': 'R', 'right': 'L', 'top': 'S', 'bottom': 'I'}
    """
    return geometry.orientation_letters([float(v) for v in iop], head_feet=("S", "I"))



def slice_info(affine: np.ndarray, k: int, row: int, column: int) -> dict:
    """Where voxel (``row``, ``column``) of slice ``k`` is in the patient.

    ``affine`` is :func:`geometry.voxel_to_patient`'s 4x4 matrix, which takes
    ``(column, row, slice, 1)`` — column first, as in PS3.3 C.7.6.2.1.1.

    Parameters
    ----------
    affine : numpy.ndarray
        The 4x4 voxel-to-LPS matrix.
    k, row, column : int
        The slice (sorted order), row and column index.

    Returns
    -------
    dict
        ``slice``, ``row``, ``column``, ``lps`` (a tuple of 3 mm, rounded to a micrometre) and
        ``text``, a line for the viewer.

    Examples
    --------
    >>> a = np.array([[0.5, 0, 0, -100], [0, 0.8, 0, -50], [0, 0, 3, 20], [0, 0, 0, 1.0]])
    >>> slice_info(a, k=2, row=10, column=4)["lps"]
    (-98.0, -42.0, 26.0)
    """
    point = np.asarray(affine, dtype=float) @ np.array([column, row, k, 1.0])
    lps = tuple(round(float(v), 3) for v in point[:3])
    return {"slice": int(k), "row": int(row), "column": int(column), "lps": lps,
            "text": f"slice {k}, row {row}, column {column} → LPS "
                    f"({lps[0]:.1f}, {lps[1]:.1f}, {lps[2]:.1f}) mm"}



def plane_corners(affine: np.ndarray, columns: int, rows: int, k: float = 0) -> np.ndarray:
    """The 4 corners (LPS mm, shape 4x3) of slice ``k``, drawn to the pixel *edges*.

    Image Position (Patient) is the centre of the first pixel; the plane reaches half a pixel
    further: indices −0.5 … columns−0.5 and −0.5 … rows−0.5.

    Parameters
    ----------
    affine : numpy.ndarray
        The 4x4 voxel-to-LPS matrix.
    columns, rows : int
        The image size in pixels.
    k : float
        The slice index.

    Returns
    -------
    numpy.ndarray
        Shape ``(4, 3)``: first pixel's corner, then along the row, the far corner, along the column.

    Examples
    --------
    >>> plane_corners(np.eye(4), columns=4, rows=3)[:, :2].tolist()
    [[-0.5, -0.5], [3.5, -0.5], [3.5, 2.5], [-0.5, 2.5]]
    """
    i0, i1, j0, j1 = -0.5, columns - 0.5, -0.5, rows - 0.5
    index = np.array([[i0, j0, k, 1], [i1, j0, k, 1], [i1, j1, k, 1], [i0, j1, k, 1]])
    return (index @ np.asarray(affine, dtype=float).T)[:, :3]



_BASE_IOP = {
    "axial": ((1, 0, 0), (0, 1, 0)),
    "coronal": ((1, 0, 0), (0, 0, -1)),
    "sagittal": ((0, 1, 0), (0, 0, -1)),
}



def _rotation(axis: int, degrees: float) -> np.ndarray:
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    i, j = [(1, 2), (2, 0), (0, 1)][axis]
    r = np.eye(3)
    r[i, i], r[i, j], r[j, i], r[j, j] = c, -s, s, c
    return r



def orientation_from_angles(plane: str = "axial", about_l: float = 0.0, about_p: float = 0.0,
                            about_s: float = 0.0, *, columns: int = 256, rows: int = 256,
                            pixel_spacing: Sequence[float] = (1.0, 1.0),
                            center: Sequence[float] = (0.0, 0.0, 0.0)
                            ) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """IOP and IPP of a plane turned about the patient's L, then P, then S axis (degrees).

    The plane starts as ``"axial"``, ``"coronal"`` or ``"sagittal"`` in its usual display
    orientation, is rotated (right-handed, about +L, +P, +S in that order) and placed so that
    its middle lies at ``center``. IPP is the centre of the first pixel.

    Parameters
    ----------
    plane : str
        The start plane: ``"axial"``, ``"coronal"`` or ``"sagittal"``.
    about_l, about_p, about_s : float
        The turns about +L, +P and +S, degrees.
    columns, rows : int
        The image size in pixels (to place the first pixel).
    pixel_spacing : sequence of float
        Pixel Spacing, row spacing first (mm).
    center : sequence of float
        Where the middle of the plane lies (LPS mm).

    Returns
    -------
    tuple
        ``(iop, ipp)``: six direction cosines and three millimetres, rounded to 6 decimals.

    Raises
    ------
    ValueError
        For an unknown start plane.

    Examples
    --------
    >>> iop, ipp = orientation_from_angles("axial", columns=3, rows=3)
    >>> iop, ipp
    ((1.0, 0.0, 0.0, 0.0, 1.0, 0.0), (-1.0, -1.0, 0.0))
    >>> orientation_from_angles("axial", about_s=90, columns=3, rows=3)[0]
    (0.0, 1.0, 0.0, -1.0, 0.0, 0.0)
    """
    if plane not in _BASE_IOP:
        raise ValueError(f"plane must be one of {sorted(_BASE_IOP)}, not {plane!r}")
    row_dir, col_dir = (np.array(v, dtype=float) for v in _BASE_IOP[plane])
    rotation = _rotation(2, about_s) @ _rotation(1, about_p) @ _rotation(0, about_l)
    row_dir, col_dir = rotation @ row_dir, rotation @ col_dir
    row_spacing, column_spacing = (float(v) for v in pixel_spacing)
    ipp = (np.asarray(center, dtype=float)
           - (columns - 1) / 2 * column_spacing * row_dir
           - (rows - 1) / 2 * row_spacing * col_dir)
    clean = [round(float(v), 6) + 0.0 for v in (*row_dir, *col_dir)]
    return tuple(clean), tuple(round(float(v), 6) + 0.0 for v in ipp)



def format_ds(values: Sequence[float]) -> str:
    r"""Numbers as a DICOM multi-valued DS string, as a dump shows it (PS3.5 6.2, Table 6.2-1).

    Each number is formatted by pydicom's :func:`pydicom.valuerep.format_number_as_ds` (at most
    16 characters); the values are separated by backslashes.

    Parameters
    ----------
    values : sequence of float
        The numbers, e.g. Image Orientation (Patient).

    Returns
    -------
    str
        ``"v1\\v2\\..."``.

    Examples
    --------
    >>> format_ds([1, 0, -0.5])
    '1.0\\0.0\\-0.5'
    """
    return "\\".join(format_number_as_ds(float(v)) for v in values)



def figure_png(figure: Figure) -> bytes:
    """Draw ``figure`` on its canvas (Agg) and return it as PNG bytes (fast, level-1 compression).

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        Any figure; it gets an Agg canvas when it has none.

    Returns
    -------
    bytes
        The PNG file's bytes.
    """
    canvas = figure.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        canvas = FigureCanvasAgg(figure)
    canvas.draw_idle()
    return _canvas_png(canvas)



def _canvas_png(canvas: FigureCanvasAgg) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, "png", compress_level=1)
    return buffer.getvalue()



def _stored_to_values(ds) -> np.ndarray:
    pixels = ds.pixel_array.astype(np.float32)
    slope = float(getattr(ds, "RescaleSlope", 1) or 1)
    intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
    return pixels * slope + intercept



def _first_value(value, default: float) -> float:
    """Window Center/Width may be multi-valued: the first value, or ``default`` when absent."""
    if value is None or value == "":
        return default
    if isinstance(value, Sequence) and not isinstance(value, str):
        return float(value[0]) if len(value) else default
    return float(value)



def slider_step(low: float, high: float) -> float:
    """A step for a slider over ``low`` … ``high`` that a key press makes worth pressing.

    About a hundredth of the range, rounded down to 1, 2 or 5 times a power of ten: a window
    width over 2500 HU moves 20 HU per arrow key, not ipywidgets' default 0.1.

    Parameters
    ----------
    low, high : float
        The slider's range.

    Returns
    -------
    float
        The step.

    Examples
    --------
    >>> slider_step(-1000, 1500), slider_step(0, 4095), slider_step(0.0, 1.0)
    (20.0, 20.0, 0.01)
    """
    span = abs(float(high) - float(low)) / 100.0
    if span <= 0 or not math.isfinite(span):
        return 1.0
    power = 10.0 ** math.floor(math.log10(span))
    return float(max(m for m in (1, 2, 5) if m * power <= span * (1 + 1e-9)) * power)

