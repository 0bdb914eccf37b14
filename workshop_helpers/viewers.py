"""Viewers on top of :mod:`workshop_helpers.geometry`: a slice viewer and 3D pictures of slice planes.

Pure parts first, each unit-tested without a display:

- :func:`window_image` — DICOM's linear window (PS3.3 C.11.2.1.2.1) to 8-bit grey;
- :func:`pixel_aspect` — the on-screen aspect from Pixel Spacing, *row* spacing first;
- :func:`edge_letters` — which patient direction each edge of an image faces (from
  :func:`geometry.orientation_letters`);
- :func:`slice_info` — where voxel (row, column) of slice k is in the patient (LPS millimetres);
- :func:`plane_corners` — the four corners of a slice plane, at the pixel *edges*;
- :func:`orientation_from_angles` — IOP and IPP of a plane turned about the patient's L, P, S axes.

Then the pictures and widgets built on them:

- :class:`SliceViewer` — slice slider, window/level, a chosen voxel (row and column sliders) with its LPS
  position, orientation letters on the four edges, correct aspect. It works in plain JupyterLab with
  ipywidgets only (no ipympl): one matplotlib figure on an Agg canvas is kept for the viewer's life;
  a slice change calls ``AxesImage.set_data`` and ``canvas.draw_idle()`` and sends the PNG to an
  ``ipywidgets.Image``. Nothing is re-created, which is what makes scrolling a 512 x 512 series feel
  instant (``benchmarks/viewer_scroll.py`` measures it against re-creating the figure).
- :func:`plot_planes` — a 3D figure of a series' slice planes and the patient's L, P, S axes.
- :class:`OrientationExplorer` — sliders that turn a plane about L, P and S and show IPP and IOP change.

Both widgets are *live* in a notebook UI (JupyterLab, Notebook 7) and a *picture* everywhere else:
as the value of a cell they show the ipywidgets view, whose display data also carries a PNG of the
current figure and a line of text (see :func:`live_frontend` and :meth:`SliceViewer.mimebundle`),
followed by a one-line note that says how to bring the widget back after the kernel restarted.

:mod:`geometry` never imports anything from here.
"""

from __future__ import annotations

import base64
import copy
import io
import math
from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython import get_ipython
from IPython.display import display
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Annotation
from mpl_toolkits.mplot3d.art3d import Poly3DCollection
from mpl_toolkits.mplot3d.axes3d import Axes3D
from PIL import Image
from pydicom.dataset import Dataset
from pydicom.valuerep import format_number_as_ds

from . import geometry

__all__ = [
    "window_image",
    "pixel_aspect",
    "slider_step",
    "edge_letters",
    "slice_info",
    "plane_corners",
    "orientation_from_angles",
    "format_ds",
    "show_slice",
    "figure_png",
    "live_frontend",
    "SliceViewer",
    "plot_planes",
    "OrientationExplorer",
]


# --------------------------------------------------------------------------------------------
# Pure parts
# --------------------------------------------------------------------------------------------

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



# --------------------------------------------------------------------------------------------
# Live widgets with a static fallback
# --------------------------------------------------------------------------------------------

#: Under a live widget. JupyterLab cannot show a widget whose kernel has gone (it reports that the
#: widget's model is not found); the note says what to do. It avoids JupyterLab's own error words,
#: so a page check for them still finds only real failures.
NOTE_LIVE = ("Live widget: its sliders run in this notebook's kernel. After a kernel restart, or when "
             "the notebook is opened again, the widget cannot come back by itself (JupyterLab reports "
             "its model as not found) \u2014 run this cell again to bring it back.")
NOTE_STATIC = ("A picture of the widget, drawn without a live notebook. Open the notebook in JupyterLab "
               "and run this cell to get the sliders.")


def live_frontend() -> bool:
    """Whether the running cell was sent by a notebook UI that can show widgets.

    JupyterLab and Notebook 7 (and VS Code) name the cell in the metadata of each
    ``execute_request``: ``{"cellId": ...}``. Batch runners -- ``jupyter nbconvert --execute``,
    nbclient, nbval, papermill -- do not, and nobody will ever move a slider there, so the widgets
    show a picture instead. Outside a kernel (plain Python, doctests) the answer is ``False``.
    Uses only public API: ``IPython.get_ipython()``, the shell's ``kernel`` and ipykernel's
    ``Kernel.get_parent()``.

    Examples
    --------
    >>> live_frontend()   # a doctest runs outside any notebook
    False
    """
    kernel = getattr(get_ipython(), "kernel", None)
    if kernel is None or not hasattr(kernel, "get_parent"):
        return False
    parent = kernel.get_parent() or {}
    return bool((parent.get("metadata") or {}).get("cellId"))


class _LiveFigure:
    """Display a widget, with a PNG of its figure and a text line as fallbacks, then a note.

    A subclass provides ``widget`` (built on first use), ``png()`` and ``_description()``.
    """

    def mimebundle(self, live: bool | None = None) -> dict:
        """The display data: ``image/png`` and ``text/plain`` always; the widget view when live.

        ``live`` defaults to :func:`live_frontend`. Where the widget view is present, JupyterLab
        shows the widget in a trusted notebook and the PNG in an untrusted one; without it
        (nbconvert, a static HTML page) the PNG is all there is, so a rendered page keeps a picture.
        """
        if live is None:
            live = live_frontend()
        bundle = {"image/png": base64.b64encode(self.png()).decode("ascii"),
                  "text/plain": f"{self._description()} -- {NOTE_LIVE if live else NOTE_STATIC}"}
        if live:
            view = self.widget._repr_mimebundle_()
            bundle.update({k: v for k, v in view.items() if k != "text/plain"})
        return bundle

    def note(self, live: bool | None = None) -> dict:
        """The line shown under the widget: how to bring it back, or where to get the live version."""
        if live is None:
            live = live_frontend()
        text = NOTE_LIVE if live else NOTE_STATIC
        return {"text/html": f'<p style="font-size:85%;font-style:italic">{text}</p>',
                "text/plain": text}

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.mimebundle()

    def _ipython_display_(self):
        live = live_frontend()
        display(self.mimebundle(live), raw=True)
        display(self.note(live), raw=True)


# --------------------------------------------------------------------------------------------
# The slice viewer
# --------------------------------------------------------------------------------------------

def _stored_to_values(ds) -> np.ndarray:
    pixels = ds.pixel_array.astype(np.float32)
    slope = float(getattr(ds, "RescaleSlope", 1) or 1)
    intercept = float(getattr(ds, "RescaleIntercept", 0) or 0)
    return pixels * slope + intercept


#: Where each edge letter goes: the point on the drawn image (axes fraction), the offset inwards
#: (points) and the text's alignment, so that the letter lies inside its own image.
_LETTER_PLACES = {
    "left": ((0.0, 0.5), (4, 0), "left", "center"),
    "right": ((1.0, 0.5), (-4, 0), "right", "center"),
    "top": ((0.5, 1.0), (0, -3), "center", "top"),
    "bottom": ((0.5, 0.0), (0, 3), "center", "bottom"),
}


def _place_letters(ax: Axes, letters: dict[str, str], colour: str = "gold") -> list[Annotation]:
    """Write the four edge letters inside the image, in the middle of each edge, as viewers do.

    Each letter is tied to the image *as drawn*: its point is in axes-fraction coordinates, which
    matplotlib resolves at draw time, after ``imshow``'s aspect has shrunk the axes to the image
    (``(0, 0.5)`` is the middle of the image's left edge), and it is moved a few points inwards.
    So it stays on its own image however the figure is laid out: the letters of panels side by
    side cannot collide, whatever their spacing. A dark outline keeps a letter legible on bright
    pixels.
    """
    style = dict(color=colour, fontsize=12, fontweight="bold", xycoords="axes fraction",
                 textcoords="offset points",
                 path_effects=[patheffects.withStroke(linewidth=2.5, foreground="black")])
    return [ax.annotate(letters[edge], xy, xytext=offset, ha=ha, va=va, **style)
            for edge, (xy, offset, ha, va) in _LETTER_PLACES.items()]


def show_slice(datasets: Sequence[Dataset], k: int | None = None, ax: Axes | None = None, *,
               center: float | None = None, width: float | None = None,
               title: str | None = None) -> Axes:
    """Draw one slice of a series, with orientation letters and the right aspect, into ``ax``.

    A static picture for notebooks and handouts (``plt.show()`` shows it); the interactive
    version is :class:`SliceViewer`. The letters sit inside the image, in the middle of each
    edge, so panels side by side need no extra room for them.

    Parameters
    ----------
    datasets : sequence of pydicom.dataset.Dataset
        The series, with pixel data, in any order: sorted by position
        (:func:`geometry.sort_slices`).
    k : int or None
        Which slice, in sorted order; the middle one when None.
    ax : matplotlib.axes.Axes or None
        Where to draw; a new 4 x 4 inch figure (pyplot) when None.
    center, width : float or None
        The window (PS3.3 C.11.2.1.2.1); the slice's Window Center / Width when None, else
        soft tissue (40, 400).
    title : str or None
        A title above the image.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, with the image and the four letters.

    Raises
    ------
    GeometryError
        When the slices cannot be sorted (see :func:`geometry.sort_slices`).
    IndexError
        When ``k`` is not a slice of the series.
    ValueError
        For a window width below 1.
    """
    ordered = geometry.sort_slices(list(datasets))
    k = len(ordered) // 2 if k is None else k
    ds = ordered[k]
    if center is None:
        center = _first_value(getattr(ds, "WindowCenter", None), 40.0)
    if width is None:
        width = _first_value(getattr(ds, "WindowWidth", None), 400.0)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    ax.imshow(window_image(_stored_to_values(ds), center, width), cmap="gray", vmin=0,
              vmax=255, aspect=pixel_aspect(ds.PixelSpacing), interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    _place_letters(ax, edge_letters(ds.ImageOrientationPatient), colour="darkorange")
    if title:
        ax.set_title(title)
    return ax


def _first_value(value, default: float) -> float:
    """Window Center/Width may be multi-valued: the first value, or ``default`` when absent."""
    if value is None or value == "":
        return default
    if isinstance(value, Sequence) and not isinstance(value, str):
        return float(value[0]) if len(value) else default
    return float(value)


def _picture_layout(size: tuple[int, int]) -> widgets.Layout:
    """An explicit pixel size for an ``ipywidgets.Image``: in a flex box it would otherwise stretch."""
    width, height = size
    return widgets.Layout(width=f"{width}px", height=f"{height}px", min_width=f"{width}px",
                    object_fit="contain", flex="0 0 auto")


def _row_layout() -> widgets.Layout:
    """Picture on the left, controls on the right; they wrap below on a narrow screen."""
    return widgets.Layout(flex_flow="row wrap", align_items="flex-start", width="100%")


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


def _readout_html(text: str) -> str:
    """The viewer's line of text as HTML that stays on one line."""
    return f'<code style="white-space: nowrap">{text}</code>'


class SliceViewer(_LiveFigure):
    """A slice viewer for a series: slice, window/level, a chosen voxel and its LPS position.

    Parameters
    ----------
    datasets : sequence of pydicom.dataset.Dataset
        The series' datasets with pixel data (any order: they are sorted with
        :func:`geometry.sort_slices`).
    center, width : float or None
        The first window; defaults to the series' Window Center/Width, else soft tissue.
    size : float
        The longer side of the picture in inches, at 100 dots per inch (4.2 -> 420 pixels); the
        widget shows it at exactly that size, next to the sliders, so both fit on one screen.

    Raises
    ------
    GeometryError
        When there is no dataset, or the slices cannot be sorted or placed (see
        :func:`geometry.voxel_to_patient`).

    Attributes
    ----------
    image : matplotlib.image.AxesImage
        The one image artist; slice changes replace its data, never the artist.
    widget : ipywidgets.VBox
        The picture with the sliders next to it, and under both a line of text. As the value of a cell the
        viewer shows this widget in a notebook UI and a picture elsewhere (:func:`live_frontend`).

    The viewer opens on the middle slice (sorted order) with the cross on the middle voxel.

    Examples
    --------
    >>> from workshop_helpers import phantom
    >>> viewer = SliceViewer(phantom.make_series(rows=24, columns=32, slices=5))
    >>> first = viewer.image
    >>> viewer.set_slice(3)
    >>> viewer.image is first, viewer.k
    (True, 3)
    """

    def __init__(self, datasets: Sequence[Dataset], *, center: float | None = None,
                 width: float | None = None, size: float = 4.2) -> None:
        self.datasets = geometry.sort_slices(list(datasets))
        first = self.datasets[0]
        self.affine = geometry.voxel_to_patient(self.datasets)
        self.volume = np.stack([_stored_to_values(ds) for ds in self.datasets])
        self.iop = [float(v) for v in first.ImageOrientationPatient]
        self.letters = edge_letters(self.iop)
        self.aspect = pixel_aspect(first.PixelSpacing)
        n, rows, columns = self.volume.shape
        self.k, self.row, self.column = n // 2, rows // 2, columns // 2
        if center is None:
            center = _first_value(getattr(first, "WindowCenter", None), 40.0)
        if width is None:
            width = _first_value(getattr(first, "WindowWidth", None), 400.0)
        self.center, self.width = float(center), float(width)
        self._build_figure(size)
        self._widget = None

    # -- the figure, built once -------------------------------------------------------------
    def _build_figure(self, size: float) -> None:
        n, rows, columns = self.volume.shape
        ratio = min(max(rows * self.aspect / columns, 0.3), 3.0)  # height / width on screen
        width, height = (size, size * ratio) if ratio <= 1 else (size / ratio, size)
        self.picture_size = (round(width * 100), round(height * 100))  # pixels
        self.figure = Figure(figsize=(width, height), dpi=100, facecolor="black")
        FigureCanvasAgg(self.figure)
        margin_x, margin_y = 0.3 / width, 0.3 / height
        ax = self.figure.add_axes((margin_x, margin_y, 1 - 2 * margin_x, 1 - 2 * margin_y))
        self.axes = ax
        self.image = ax.imshow(window_image(self.volume[self.k], self.center, self.width),
                               cmap="gray", vmin=0, vmax=255, aspect=self.aspect,
                               interpolation="nearest", animated=True)
        ax.set_axis_off()
        self._letters = _place_letters(ax, self.letters)
        for letter in self._letters:  # on the image, so drawn after it (see draw())
            letter.set_animated(True)
        self._hline = ax.axhline(self.row, color="tab:red", lw=0.6, animated=True)
        self._vline = ax.axvline(self.column, color="tab:red", lw=0.6, animated=True)
        self._background = None
        self._update_text()

    def _update_text(self) -> None:
        info = slice_info(self.affine, self.k, self.row, self.column)
        value = float(self.volume[self.k, self.row, self.column])
        self.info = {**info, "value": value,
                     "text": f"{info['text']} · value {value:g} · "
                             f"window C {self.center:g} W {self.width:g}"}

    def draw(self) -> None:
        """Bring the canvas up to date, as cheaply as possible.

        The first call draws everything that never changes (the black frame) once with
        ``canvas.draw_idle()`` and keeps a copy of it; every later call restores that copy and
        draws only the image, the cross and the letters on top (matplotlib's *blitting*).
        """
        canvas = self.figure.canvas
        if self._background is None:
            canvas.draw_idle()  # animated artists (image, cross, letters) are left out of this one
            self._background = canvas.copy_from_bbox(self.figure.bbox)
        canvas.restore_region(self._background)
        for artist in (self.image, self._hline, self._vline, *self._letters):
            self.axes.draw_artist(artist)

    # -- updates in place ------------------------------------------------------------------
    def set_slice(self, k: int) -> None:
        """Show slice ``k`` (sorted order): new data into the same image artist."""
        n = self.volume.shape[0]
        if not 0 <= k < n:
            raise IndexError(f"slice {k} is outside 0..{n - 1}")
        self.k = int(k)
        self.image.set_data(window_image(self.volume[self.k], self.center, self.width))
        self._update_text()
        self.refresh()

    def set_window(self, center: float, width: float) -> None:
        """Change window centre and width (PS3.3 C.11.2.1.2.1)."""
        window_image(np.zeros(1), center, width)  # validates width
        self.center, self.width = float(center), float(width)
        self.set_slice(self.k)

    def set_voxel(self, row: int, column: int) -> None:
        """Choose the voxel whose LPS position is shown (the red cross)."""
        _, rows, columns = self.volume.shape
        if not (0 <= row < rows and 0 <= column < columns):
            raise IndexError(f"voxel (row {row}, column {column}) is outside "
                             f"{rows} rows x {columns} columns")
        self.row, self.column = int(row), int(column)
        self._hline.set_ydata([self.row, self.row])
        self._vline.set_xdata([self.column, self.column])
        self._update_text()
        self.refresh()

    def png(self) -> bytes:
        """The current picture as PNG bytes."""
        self.draw()
        return _canvas_png(self.figure.canvas)

    def refresh(self) -> None:
        """Redraw and, when the widget exists, send it the new picture and text."""
        if self._widget is not None:
            self._picture.value = self.png()
            self._text.value = _readout_html(self.info["text"])
        else:
            self.draw()

    # -- the widget ------------------------------------------------------------------------
    @property
    def widget(self):
        """The ipywidgets controls and picture (created on first use)."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    def _build_widget(self) -> widgets.VBox:
        n, rows, columns = self.volume.shape
        lo, hi = float(self.volume.min()), float(self.volume.max())
        style = {"layout": widgets.Layout(width="340px"), "style": {"description_width": "55px"}}
        self.slice_slider = widgets.IntSlider(self.k, 0, n - 1, description="slice",
                                              continuous_update=True, **style)
        step = slider_step(lo, hi)   # arrow keys move by a useful amount
        self.center_slider = widgets.FloatSlider(self.center, min=min(lo, self.center),
                                                 max=max(hi, self.center), step=step,
                                                 description="centre", **style)
        self.width_slider = widgets.FloatSlider(self.width, min=1,
                                                max=max(hi - lo, self.width, 2), step=step,
                                                description="width", **style)
        self.row_slider = widgets.IntSlider(self.row, 0, rows - 1, description="row", **style)
        self.column_slider = widgets.IntSlider(self.column, 0, columns - 1, description="column",
                                               **style)
        self._picture = widgets.Image(value=self.png(), format="png",
                                      layout=_picture_layout(self.picture_size))
        self._text = widgets.HTML(_readout_html(self.info["text"]))
        self.slice_slider.observe(lambda ch: self.set_slice(ch["new"]), names="value")
        for slider in (self.center_slider, self.width_slider):
            slider.observe(lambda ch: self.set_window(self.center_slider.value,
                                                      self.width_slider.value), names="value")
        for slider in (self.row_slider, self.column_slider):
            slider.observe(lambda ch: self.set_voxel(self.row_slider.value,
                                                     self.column_slider.value), names="value")
        controls = widgets.VBox([self.slice_slider, self.center_slider, self.width_slider,
                                 self.row_slider, self.column_slider])
        # the readout goes under picture and sliders, where its one line has room
        return widgets.VBox([widgets.HBox([self._picture, controls], layout=_row_layout()),
                             self._text])

    def _description(self) -> str:
        return f"SliceViewer: {self.info['text']}"


# --------------------------------------------------------------------------------------------
# 3D: slice planes and the patient's axes
# --------------------------------------------------------------------------------------------

def _series_geometry(datasets_or_affine: Sequence[Dataset] | np.ndarray,
                     shape: tuple[int, int, int] | None
                     ) -> tuple[np.ndarray, tuple[int, int, int]]:
    if isinstance(datasets_or_affine, np.ndarray):
        if shape is None:
            raise ValueError("with an affine, give shape=(columns, rows, slices)")
        return np.asarray(datasets_or_affine, dtype=float), tuple(int(s) for s in shape)
    datasets = geometry.sort_slices(list(datasets_or_affine))
    affine = geometry.voxel_to_patient(datasets)
    first = datasets[0]
    return affine, (int(first.Columns), int(first.Rows), len(datasets))


def plot_planes(datasets_or_affine: Sequence[Dataset] | np.ndarray, ax: Axes3D | None = None, *,
                shape: tuple[int, int, int] | None = None, max_planes: int = 8,
                axis_length: float | None = None) -> Axes3D:
    """Draw a series' slice planes in 3D (LPS millimetres) with the patient's L, P, S axes.

    Planes reach the pixel edges (index −0.5 … n−0.5); a dot marks the first slice's Image
    Position (Patient), the centre of its first pixel. The axes get equal aspect
    (``set_box_aspect``).

    Parameters
    ----------
    datasets_or_affine : sequence of pydicom.dataset.Dataset or numpy.ndarray
        A series (datasets, headers are enough), or a 4x4 voxel-to-LPS affine with ``shape``.
    ax : mpl_toolkits.mplot3d.axes3d.Axes3D or None
        A 3D axes to draw into; a new figure is made when ``None``.
    shape : tuple of (int, int, int) or None
        ``(columns, rows, slices)`` when an affine is given.
    max_planes : int
        At most this many planes are drawn (evenly chosen, always the first and last).
    axis_length : float or None
        Length (mm) of the L, P, S arrows; default 35 % of the largest extent.

    Returns
    -------
    mpl_toolkits.mplot3d.axes3d.Axes3D
        ``ax``, or the new one.

    Raises
    ------
    ValueError
        For an affine without ``shape``.
    GeometryError
        When the datasets cannot be sorted or placed (see :func:`geometry.voxel_to_patient`).
    """
    affine, (columns, rows, slices) = _series_geometry(datasets_or_affine, shape)
    if ax is None:
        figure = Figure(figsize=(5, 5))
        FigureCanvasAgg(figure)
        ax = figure.add_subplot(projection="3d")
    picks = np.unique(np.linspace(0, slices - 1, min(slices, max_planes)).round().astype(int))
    polygons = [plane_corners(affine, columns, rows, k) for k in picks]
    ax.add_collection3d(Poly3DCollection(polygons, facecolor="tab:blue", alpha=0.18,
                                         edgecolor="tab:blue", linewidths=0.8))
    first = polygons[0]
    ax.plot(*np.vstack([first, first[:1]]).T, color="tab:orange", lw=1.5, label="first slice")
    ipp = affine[:3, 3]
    ax.scatter(*ipp, color="tab:red", s=20, label="IPP: centre of first pixel")
    points = np.vstack(polygons)
    low, high = points.min(axis=0), points.max(axis=0)
    span = np.maximum(high - low, 1e-6)
    length = axis_length or 0.35 * float(span.max())
    origin = low - 0.1 * span
    for vector, letter, colour in (((1, 0, 0), "L", "tab:green"), ((0, 1, 0), "P", "tab:purple"),
                                   ((0, 0, 1), "S", "tab:brown")):
        ax.quiver(*origin, *(length * np.array(vector)), color=colour, arrow_length_ratio=0.15)
        ax.text(*(origin + 1.12 * length * np.array(vector)), letter, color=colour,
                fontsize=12, fontweight="bold")
    low, high = np.minimum(low, origin), np.maximum(high, origin + length)
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_zlim(low[2], high[2])
    ax.set_box_aspect(np.maximum(high - low, 1e-6))
    ax.set_xlabel("x (mm, +L)")
    ax.set_ylabel("y (mm, +P)")
    ax.set_zlabel("z (mm, +S)")
    ax.legend(loc="upper left", fontsize=7)
    return ax


def _angle(degrees: float) -> float:
    """An angle in degrees, brought into [-180, 180) (the sliders' range)."""
    return float((float(degrees) + 180.0) % 360.0 - 180.0)


class OrientationExplorer(_LiveFigure):
    """Turn a plane about the patient's L, P and S axes and watch IPP and IOP change.

    ``explorer.update(plane, about_l, about_p, about_s)`` recomputes; the controls call it, and
    when it is called from code the controls move to the new state, so the next slider move
    starts from what is shown. ``explorer.plane`` and ``explorer.angles`` hold the state,
    ``explorer.iop`` / ``explorer.ipp`` the values, ``explorer.text`` the two attributes as a DICOM
    dump would show them. As the value of a cell it shows its widget in a notebook UI and a
    picture elsewhere (:func:`live_frontend`).

    Parameters
    ----------
    columns, rows : int
        The plane's size in pixels.
    pixel_spacing : sequence of float
        Pixel Spacing (row spacing first), mm.
    size : tuple of (float, float)
        The picture in inches at 100 dots per inch: ``(4.8, 5.0)`` is 480 x 500 pixels. Its
        lower part holds :attr:`text`, so a picture without a running kernel shows the values.

    Examples
    --------
    >>> explorer = OrientationExplorer(columns=4, rows=4)
    >>> explorer.update("axial", 0, 0, 90)
    >>> explorer.iop
    (0.0, 1.0, 0.0, -1.0, 0.0, 0.0)
    >>> explorer.plane, explorer.angles
    ('axial', (0.0, 0.0, 90.0))
    """

    def __init__(self, *, columns: int = 64, rows: int = 64,
                 pixel_spacing: Sequence[float] = (1.0, 1.0),
                 size: tuple[float, float] = (4.8, 5.0)) -> None:
        self.columns, self.rows = columns, rows
        self.pixel_spacing = tuple(float(v) for v in pixel_spacing)
        self.figure = Figure(figsize=size, dpi=100)
        FigureCanvasAgg(self.figure)
        self.picture_size = (round(size[0] * 100), round(size[1] * 100))
        self.axes = self.figure.add_axes((0.04, 0.25, 0.92, 0.75), projection="3d")
        self.caption = self.figure.text(0.03, 0.02, "", family="monospace", va="bottom",
                                        bbox={"facecolor": "white", "edgecolor": "0.8"})
        self._widget = None
        self._syncing = False  # True while update() moves the controls
        self.update()

    def affine(self) -> np.ndarray:
        """The voxel-to-LPS affine of the current plane (one slice, unit slice step)."""
        row_dir, col_dir = np.array(self.iop[:3]), np.array(self.iop[3:])
        affine = np.eye(4)
        affine[:3, 0] = row_dir * self.pixel_spacing[1]
        affine[:3, 1] = col_dir * self.pixel_spacing[0]
        affine[:3, 2] = np.cross(row_dir, col_dir)
        affine[:3, 3] = self.ipp
        return affine

    def update(self, plane: str = "axial", about_l: float = 0.0, about_p: float = 0.0,
               about_s: float = 0.0) -> None:
        """Recompute IOP/IPP for the angles (degrees), redraw, and move the controls to match."""
        self.iop, self.ipp = orientation_from_angles(
            plane, about_l, about_p, about_s, columns=self.columns, rows=self.rows,
            pixel_spacing=self.pixel_spacing)
        self.plane = plane
        self.angles = tuple(_angle(a) for a in (about_l, about_p, about_s))
        letters = edge_letters(self.iop)
        self.text = (f"(0020,0032) DS [{format_ds(self.ipp)}]  # ImagePositionPatient\n"
                     f"(0020,0037) DS [{format_ds(self.iop)}]  # ImageOrientationPatient\n"
                     f"right edge faces {letters['right']}, bottom edge faces {letters['bottom']}")
        self._draw_caption()
        self.axes.clear()
        plot_planes(self.affine(), self.axes, shape=(self.columns, self.rows, 1),
                    axis_length=0.6 * max(self.columns * self.pixel_spacing[1],
                                          self.rows * self.pixel_spacing[0]))
        if self._widget is not None:
            self._sync_controls()
            self._picture.value = figure_png(self.figure)
            self._label.value = f"<pre>{self.text}</pre>"

    def _draw_caption(self) -> None:
        """:attr:`text` under the 3D plot, in a type size at which its longest line fits."""
        ipp, iop, faces = self.text.splitlines()
        lines = ["Image Position (Patient) (0020,0032)", "  " + ipp[ipp.index("["):ipp.index("]") + 1],
                 "Image Orientation (Patient) (0020,0037)",
                 "  " + iop[iop.index("["):iop.index("]") + 1], faces]
        longest = max(len(line) for line in lines)
        width_pt = 0.94 * self.figure.get_figwidth() * 72
        self.caption.set_text("\n".join(lines))
        self.caption.set_fontsize(min(8.0, width_pt / (0.61 * longest)))   # monospace: 0.6 em

    def _sync_controls(self) -> None:
        """Show the current state on the controls without calling update() again."""
        self._syncing = True
        try:
            self.plane_dropdown.value = self.plane
            for slider, value in zip(self.angle_sliders, self.angles, strict=True):
                slider.value = value
        finally:
            self._syncing = False

    def png(self) -> bytes:
        """The current 3D picture as PNG bytes."""
        return figure_png(self.figure)

    def _description(self) -> str:
        about = ", ".join(f"{a:g} deg about {axis}" for a, axis in zip(self.angles, "LPS", strict=True))
        return f"OrientationExplorer: {self.plane} plane turned {about}"

    @property
    def widget(self):
        """Picture on the left; the start plane, three angle sliders and the two attributes right.

        ``plane_dropdown`` and ``angle_sliders`` (about L, P, S) are the controls; they start at
        the explorer's current state.
        """
        if self._widget is None:
            style = {"layout": widgets.Layout(width="330px"),
                     "style": {"description_width": "70px"}}
            self.plane_dropdown = widgets.Dropdown(options=list(_BASE_IOP), value=self.plane,
                                                   description="plane", **style)
            self.angle_sliders = tuple(
                widgets.FloatSlider(value, min=-180, max=180, step=5, description=f"about {a}",
                                    **style)
                for a, value in zip("LPS", self.angles, strict=True))
            self._picture = widgets.Image(value=self.png(), format="png",
                                          layout=_picture_layout(self.picture_size))
            self._label = widgets.HTML(f"<pre>{self.text}</pre>")

            def changed(_):
                if not self._syncing:
                    self.update(self.plane_dropdown.value, *(s.value for s in self.angle_sliders))

            for control in (self.plane_dropdown, *self.angle_sliders):
                control.observe(changed, names="value")
            controls = widgets.VBox([self.plane_dropdown, *self.angle_sliders, self._label])
            self._widget = widgets.HBox([self._picture, controls], layout=_row_layout())
        return self._widget


def draw_pixel_grid(*, rows: int, columns: int, pixel_spacing: Sequence[float],
                    ax: Axes | None = None) -> Axes:
    """Draw a grid of pixels: their centres (dots), their edges (grey) and the bounding box (red).

    The box reaches half a pixel further out than the outermost centres on every side; the y axis
    runs downwards, like the rows of an image.

    Parameters
    ----------
    rows, columns : int
        Matrix size.
    pixel_spacing : sequence of float
        ``(row spacing, column spacing)`` in mm, the order of DICOM's Pixel Spacing: the distance
        between rows (a step down a column) first, then between columns (a step along a row).
    ax : matplotlib.axes.Axes or None
        Axes to draw into; a new pyplot figure (4.5 x 3 inches) when ``None``.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, or the new one.

    Examples
    --------
    >>> ax = draw_pixel_grid(rows=3, columns=4, pixel_spacing=(1.6, 1.0))
    >>> len(ax.patches), len(ax.lines)
    (13, 12)
    >>> plt.close(ax.figure)
    """
    dy, dx = float(pixel_spacing[0]), float(pixel_spacing[1])   # between rows, between columns
    if ax is None:
        ax = plt.subplots(figsize=(4.5, 3))[1]
    ax.add_patch(plt.Rectangle((-0.5 * dx, -0.5 * dy), columns * dx, rows * dy,
                               fill=False, lw=2, color="tab:red"))
    for c in range(columns):
        for r in range(rows):
            ax.add_patch(plt.Rectangle(((c - 0.5) * dx, (r - 0.5) * dy), dx, dy, fill=False, color="0.7"))
            ax.plot(c * dx, r * dy, "k.")
    ax.set_aspect("equal")
    ax.invert_yaxis()
    ax.set(xlabel="mm", ylabel="mm")
    ax.set_title("pixel centres (dots) and the bounding box (red)")
    return ax


def draw_timeline(events: Sequence[tuple[int, float, str]], ax: Axes | None = None, *, title: str = "",
                  xlim: tuple[float, float] | None = None, muted: Sequence[str] = ()) -> Axes:
    r"""Draw dated events on a horizontal time line, each label above or below its year.

    Parameters
    ----------
    events : sequence of (int, float, str)
        ``(year, height, text)``: the label sits at ``height`` (above the line when positive,
        below when negative), joined to its dot by a thin line.
    ax : matplotlib.axes.Axes or None
        Axes to draw into; a new pyplot figure (10 x 3.2 inches) when ``None``.
    title : str
        Title of the picture.
    xlim : tuple of (float, float) or None
        The years shown; matplotlib's choice when ``None``.
    muted : sequence of str
        An event whose text contains one of these words is drawn in grey (for comparison).

    Returns
    -------
    matplotlib.axes.Axes
        ``ax``, or the new one.

    Examples
    --------
    >>> ax = draw_timeline([(1985, 0.5, "one"), (1993, -0.5, "two")], title="t", xlim=(1980, 2000))
    >>> [t.get_text() for t in ax.texts]
    ['1985\none', '1993\ntwo']
    >>> plt.close(ax.figure)
    """
    if ax is None:
        ax = plt.subplots(figsize=(10, 3.2))[1]
    ax.axhline(0, color="0.5")
    for year, height, text in events:
        colour = "tab:gray" if any(word in text for word in muted) else "tab:blue"
        ax.plot(year, 0, "o", color=colour)
        ax.annotate(f"{year}\n{text}", (year, 0), (year, height), ha="center",
                    va="bottom" if height > 0 else "top", fontsize=8, color=colour,
                    arrowprops=dict(arrowstyle="-", color="0.7"))
    ax.set(ylim=(-2.6, 2.6))
    if xlim is not None:
        ax.set(xlim=xlim)
    ax.axis("off")
    ax.set_title(title)
    return ax


def source_reference(ds: Dataset) -> Dataset:
    """One item of Source Image Sequence (0008,2112): the source's SOP Class and SOP Instance UID.

    Parameters
    ----------
    ds : pydicom.dataset.Dataset
        The source image.

    Returns
    -------
    pydicom.dataset.Dataset
        An item with Referenced SOP Class UID (0008,1150) and Referenced SOP Instance UID
        (0008,1155) (General Reference Module, PS3.3 C.12.4).

    Examples
    --------
    >>> src = Dataset()
    >>> src.SOPClassUID, src.SOPInstanceUID = "1.2.840.10008.5.1.4.1.1.2", "1.2.3"
    >>> source_reference(src).ReferencedSOPInstanceUID
    '1.2.3'
    """
    item = Dataset()
    item.ReferencedSOPClassUID = ds.SOPClassUID
    item.ReferencedSOPInstanceUID = ds.SOPInstanceUID
    return item


def slab_dataset(slab: Sequence[Dataset], pixels: np.ndarray) -> Dataset:
    """A copy of a slab's first slice that holds one image made from the whole slab (e.g. a MIP).

    Everything of the first slice is kept (patient, study, orientation, window); Image Position
    (Patient) becomes the mean of the slab's positions (rounded to 0.001 mm), Slice Location its
    z, Slice Thickness the slab's (slices times the thickness of one), and Pixel Data the bytes of
    ``pixels``. UIDs and descriptions are left for the caller to set: a derived image needs new
    ones (PS3.3 C.12.4.1.1).

    Parameters
    ----------
    slab : sequence of pydicom.dataset.Dataset
        The source slices, in order.
    pixels : numpy.ndarray
        The new image, rows x columns, already in the dtype of the stored pixels.

    Returns
    -------
    pydicom.dataset.Dataset
        A deep copy of ``slab[0]`` with the new position, thickness and pixels.
    """
    ds = copy.deepcopy(slab[0])
    ds.ImagePositionPatient = np.mean([s.ImagePositionPatient for s in slab], axis=0).round(3).tolist()
    ds.SliceLocation = float(ds.ImagePositionPatient[2])
    ds.SliceThickness = len(slab) * float(ds.SliceThickness)
    ds.PixelData = np.ascontiguousarray(pixels).tobytes()
    return ds
