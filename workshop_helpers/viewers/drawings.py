"""Static pictures with matplotlib: a slice with its letters, slice planes in 3D, a grid, a time line.

- :func:`show_slice` — one slice of a series, windowed, with the letters of its four edges and
  the right aspect (the interactive version is :class:`~workshop_helpers.viewers.SliceViewer`);
- :func:`plot_planes` — a 3D figure of a series' slice planes and the patient's L, P, S axes;
- :func:`draw_pixel_grid` — pixel centres, pixel edges and the bounding box of an image;
- :func:`draw_timeline` — dated events on a horizontal time line.

They stand on :mod:`.images` and :mod:`workshop_helpers.geometry`; nothing here imports a widget.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Annotation
from mpl_toolkits.mplot3d.art3d import Poly3DCollection
from mpl_toolkits.mplot3d.axes3d import Axes3D
from pydicom.dataset import Dataset

from .. import geometry
from .images import (
    _first_value,
    _stored_to_values,
    edge_letters,
    pixel_aspect,
    plane_corners,
    window_image,
)

__all__ = [
    "show_slice", "plot_planes", "draw_pixel_grid", "draw_timeline",
]


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

